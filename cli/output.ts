// Writing reports to --out FILE: the format follows the extension (.json, .csv, .md), written atomically.
import { extname } from 'node:path'
import { writeFileAtomic } from '../engine/platform/node/atomic-write'
import { reportsToCsv, reportsToMarkdown, type RunReport } from '../engine/report'
import { UsageError } from './usage'

export function writeReports(file: string, reports: RunReport[]): void {
  const ext = extname(file).toLowerCase()
  let text: string
  if (ext === '.json') text = `${JSON.stringify(reports.length === 1 ? reports[0] : reports, null, 2)}\n`
  else if (ext === '.csv') text = reportsToCsv(reports)
  else if (ext === '.md') text = reportsToMarkdown(reports)
  else throw new UsageError(`--out: expected a file ending in .json, .csv or .md, found "${file}"`)
  try {
    writeFileAtomic(file, text)
  } catch (e) {
    throw new UsageError(`--out: cannot write "${file}" (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`)
  }
}

/** `--series FILE.csv`: the rows of every step (engine/api/report-format.ts's columns), written atomically. */
export function writeSeries(file: string, lines: string[]): void {
  try {
    writeFileAtomic(file, `${lines.join('\n')}\n`)
  } catch (e) {
    throw new UsageError(
      `--series: cannot write "${file}" (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    )
  }
}
