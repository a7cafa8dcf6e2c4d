// The files a command writes, checked before any work starts: the folder made (as `mkdir -p`) and probed
// with a file that is written and removed, an existing file's permission respected (a read-only file is
// refused even for root, who could write it), the extension known. A refusal names the flag and its
// value and exits 2 before the run. What only shows while writing (a full disk) comes after the run: the
// report has been printed by then, and the command exits 1.
import { closeSync, mkdirSync, openSync, rmSync, statSync, writeSync, type Stats } from 'node:fs'
import { dirname, extname, join, resolve } from 'node:path'
import { removeStaleTempFiles, writeFileAtomic } from '../engine/platform/node/atomic-write'
import { reportsToCsv, reportsToMarkdown, type RunReport } from '../engine/report'
import { LabInputError } from '../engine/scenario/diagnostics'
import { describeEntry } from '../engine/platform/node/files'

const REPORT_EXTENSIONS = ['.json', '.csv', '.md']

function refuse(flag: string, value: string, message: string): LabInputError {
  return new LabInputError([{ file: `--${flag} ${value}`, message }])
}

function reason(e: unknown): string {
  const err = e as NodeJS.ErrnoException
  const words: Record<string, string> = {
    ENOTDIR: 'a part of the path is a file, not a folder',
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    EROFS: 'the file system is read-only',
    ENOSPC: 'no space left on the device',
    EEXIST: 'a file of that name is in the way',
    ENAMETOOLONG: 'the name is too long',
    EFBIG: 'the file is larger than this process may write',
    EDQUOT: 'the disk quota is used up',
  }
  if (!err.code) return String(e)
  return `${err.code}: ${words[err.code] ?? err.message.replace(new RegExp(`^${err.code}: `), '')}`
}

/** Makes the folder (and its parents) and checks a file can be created in it. */
function prepareFolder(flag: string, value: string, dir: string): void {
  try {
    mkdirSync(dir, { recursive: true })
  } catch (e) {
    throw refuse(flag, value, `cannot create the folder ${dir} (${reason(e)})`)
  }
  const stat = statSync(dir)
  if (!stat.isDirectory()) throw refuse(flag, value, `expected a folder, found ${describeEntry(stat)} at ${dir}`)
  const probe = join(dir, `.conlab-probe-${process.pid}`)
  try {
    const fd = openSync(probe, 'wx')
    try {
      writeSync(fd, 'probe')
    } finally {
      closeSync(fd)
    }
  } catch (e) {
    throw refuse(flag, value, `cannot write in the folder ${dir} (${reason(e)})`)
  } finally {
    rmSync(probe, { force: true })
  }
}

/** `--out FILE` before the run: a known extension, a writable folder, not a read-only or special file. */
export function prepareReportFile(flag: string, file: string): void {
  if (!REPORT_EXTENSIONS.includes(extname(file).toLowerCase()))
    throw refuse(flag, file, 'expected a file ending in .json, .csv or .md')
  const path = resolve(file)
  let stat: Stats | undefined
  try {
    stat = statSync(path, { throwIfNoEntry: false })
  } catch (e) {
    throw refuse(flag, file, `cannot write there (${reason(e)})`)
  }
  if (stat && !stat.isFile()) throw refuse(flag, file, `expected a file, found ${describeEntry(stat)}`)
  // root may write anything; the file's own permission is what the user said about it
  if (stat && (stat.mode & 0o222) === 0)
    throw refuse(
      flag,
      file,
      `the file is read-only (mode ${(stat.mode & 0o777).toString(8).padStart(4, '0')}): make it writable or choose another`,
    )
  prepareFolder(flag, file, dirname(path))
}

/** `--series FILE.csv` before the run: as --out, for a CSV file. */
export function prepareSeriesFile(flag: string, file: string): void {
  if (extname(file).toLowerCase() !== '.csv') throw refuse(flag, file, 'expected a file ending in .csv')
  prepareReportFile(flag, file)
}

/** Writes `--series FILE.csv` (checked before the run); an error is returned, not thrown: the run is done. */
export function writeSeries(file: string, lines: string[], flag = 'series'): string | undefined {
  try {
    writeFileAtomic(file, `${lines.join('\n')}\n`)
    return undefined
  } catch (e) {
    return `conlab: --${flag} ${file}: the ${flag === 'series' ? 'series' : 'file'} could not be written (${reason(e)})`
  }
}

/**
 * `--checkpoint-dir DIR` before the run: made, probed, and cleared of the temporary files of saves whose
 * process was killed mid-write. Returns the names removed.
 */
export function prepareCheckpointFolder(flag: string, dir: string): string[] {
  prepareFolder(flag, dir, resolve(dir))
  return removeStaleTempFiles(resolve(dir))
}

/** The text of reports in the format of `file`'s extension. */
export function reportText(file: string, reports: RunReport[]): string {
  const ext = extname(file).toLowerCase()
  if (ext === '.json') return `${JSON.stringify(reports.length === 1 ? reports[0] : reports, null, 2)}\n`
  if (ext === '.csv') return reportsToCsv(reports)
  return reportsToMarkdown(reports)
}

/** Writes reports to `--out FILE` (checked before the run); an error is returned, not thrown: the run is done. */
export function writeReports(file: string, reports: RunReport[]): string | undefined {
  try {
    writeFileAtomic(file, reportText(file, reports))
    return undefined
  } catch (e) {
    return `conlab: --out ${file}: the report could not be written (${reason(e)}); it is on stdout above`
  }
}
