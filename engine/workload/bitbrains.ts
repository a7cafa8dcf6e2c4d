// GWA-T-12 Bitbrains traces (Shen, van Beek, Iosup, CCGrid 2015): one file per VM, fields separated by
// ";<TAB>", one header line, 11 columns — time, provisioned cores and MHz, CPU usage in MHz and %,
// provisioned and used memory in KB, disk read/write and network in/out in KB/s. The time column's header
// says ms but its values are Unix seconds. The Rnd set comes as month folders (2013-7/<id>.csv, …) in which
// the same id is the same VM: a folder of such folders is read as one trace per VM, month after month.
// Rows with 0 cores are the VM off or not monitored (no data); a repeated timestamp keeps its first row.
import type { FileSource } from '../platform/files'
import { LabInputError } from '../scenario/diagnostics'
import {
  RowProblems,
  SplitLine,
  describeSeparator,
  guessSeparator,
  numberField,
  quoteFound,
  textLines,
} from './text-lines'
import { chooseVms, naturalOrder, needsOrigin, traceWindow, type TraceData, type TraceRequest } from './trace-source'
import { CPU, MEMORY, VmReadings, fieldProblem } from './vm-readings'

const SEPARATOR = ';\t'
const FIELDS = 11
const KB = 1024
export const BITBRAINS_COLUMNS = [
  'Timestamp [ms]',
  'CPU cores',
  'CPU capacity provisioned [MHZ]',
  'CPU usage [MHZ]',
  'CPU usage [%]',
  'Memory capacity provisioned [KB]',
  'Memory usage [KB]',
  'Disk read throughput [KB/s]',
  'Disk write throughput [KB/s]',
  'Network received throughput [KB/s]',
  'Network transmitted throughput [KB/s]',
] as const
/** the columns read (the % column repeats usage ÷ capacity and is not needed) */
const READ = [0, 1, 2, 3, 5, 6, 7, 8, 9, 10] as const
export const BITBRAINS_IO = ['diskRead', 'diskWrite', 'netIn', 'netOut']

/** Per VM id, its files in time order (one per month folder, or the one file). */
export function bitbrainsFiles(files: FileSource, dir: string): Map<string, string[]> {
  const names = files.listDir(dir).filter((n) => !n.startsWith('.'))
  const folders = names.filter((n) => isFolder(files, files.join(dir, n))).sort(naturalOrder)
  const byVm = new Map<string, string[]>()
  const add = (folder: string) => {
    for (const name of files.listDir(folder)) {
      if (!/\.csv$/i.test(name) || name.startsWith('.')) continue
      const id = name.replace(/\.csv$/i, '')
      const list = byVm.get(id)
      if (list) list.push(files.join(folder, name))
      else byVm.set(id, [files.join(folder, name)])
    }
  }
  // a folder of month folders: the files at its top (vm_summary.csv) are not VM traces
  if (folders.length > 0) for (const f of folders) add(files.join(dir, f))
  else add(dir)
  return new Map([...byVm.entries()].sort((a, b) => naturalOrder(a[0], b[0])))
}

function isFolder(files: FileSource, path: string): boolean {
  try {
    files.listDir(path)
    return true
  } catch {
    return false
  }
}

export function readBitbrains(req: TraceRequest): TraceData {
  const w = req.workload
  if (w.kind !== 'bitbrains') throw new Error('readBitbrains: not a bitbrains workload')
  const dir = req.files.resolve(req.scenarioFile, w.dir)
  let byVm: Map<string, string[]>
  try {
    byVm = bitbrainsFiles(req.files, dir)
  } catch {
    throw new LabInputError([
      {
        file: req.scenarioFile,
        path: `${req.path}.dir`,
        message: `expected a folder of Bitbrains traces, found no folder "${dir}"`,
      },
    ])
  }
  if (byVm.size === 0)
    throw new LabInputError([
      {
        file: req.scenarioFile,
        path: `${req.path}.dir`,
        message: `expected Bitbrains <id>.csv files in "${dir}", found none`,
      },
    ])
  const ids = chooseVms(req, [...byVm.keys()], `"${dir}"`)
  const problems = new RowProblems(w.badRows === 'skip', `${req.path}.badRows`)
  const row = new SplitLine(SEPARATOR)

  // The trace's start: the earliest first reading of the chosen VMs (only needed for a relative window).
  let origin = 0
  if (needsOrigin(w)) {
    origin = Number.POSITIVE_INFINITY
    const quiet = new RowProblems(w.badRows === 'skip', `${req.path}.badRows`)
    for (const id of ids) origin = Math.min(origin, firstTime(req.files, byVm.get(id)![0]!, row, quiet))
  }
  const window = traceWindow(req, origin, true)
  const values = new Float64Array(2 + BITBRAINS_IO.length)
  const vms = ids.map((id) => {
    const vm = new VmReadings(id, window, req.interval, values.length)
    for (const file of byVm.get(id)!) {
      readFile(req.files, file, row, problems, (time, f) => {
        const disorder = vm.order(time)
        if (disorder !== undefined) {
          problems.bad(fieldProblem(file, row.line, row.column(0), columnName(0), disorder))
          return true
        }
        const cores = f[1]!
        if (cores === 0) return true // the VM off or not monitored: no data
        values[CPU] = f[3]!
        values[MEMORY] = f[6]! * KB
        for (let m = 0; m < BITBRAINS_IO.length; m++) values[2 + m] = f[7 + m]!
        const inWindow = time >= window.from && time < window.to
        if (inWindow || vm.size.vcpus === undefined) vm.noteSize(cores, f[2]! / cores, f[5]! * KB)
        return vm.add(time, values)
      })
      if (vm.done) break
    }
    return vm.finish(w.gaps, true, BITBRAINS_IO.length, `"${files(byVm.get(id)!)}"`, window, true)
  })
  return {
    kind: 'bitbrains',
    source: dir,
    interval: req.interval,
    bins: window.bins ?? 0,
    from: window.from,
    to: window.to,
    absolute: true,
    cpuUnit: 'mhz',
    memoryUnit: 'bytes',
    io: { names: BITBRAINS_IO, unit: 'KB/s' },
    vms,
    skippedRows: problems.skipped,
    ...(problems.first ? { firstSkipped: problems.first } : {}),
  }
}

function files(list: string[]): string {
  return list.length === 1 ? list[0]! : `${list[0]} … ${list.at(-1)}`
}

function columnName(i: number): string {
  return `column ${i + 1} (${BITBRAINS_COLUMNS[i]})`
}

/** The header, then each data row's read columns as numbers; `use` returns false to stop reading. */
function readFile(
  files: FileSource,
  file: string,
  row: SplitLine,
  problems: RowProblems,
  use: (time: number, fields: Float64Array) => boolean,
): void {
  const f = new Float64Array(FIELDS)
  let line = 0
  rows: for (const text of textLines(files, file)) {
    line++
    if (line === 1) {
      checkHeader(file, row.set(text, 1))
      continue
    }
    if (text.trim() === '') continue
    row.set(text, line)
    if (row.fields.length !== FIELDS) {
      problems.bad(
        fieldProblem(
          file,
          line,
          row.column(Math.min(row.fields.length, FIELDS)),
          row.fields.length < FIELDS ? columnName(row.fields.length) : `column ${FIELDS + 1}`,
          row.fields.length < FIELDS
            ? `expected ${FIELDS} columns separated by ${describeSeparator(SEPARATOR)}, found ${row.fields.length}`
            : `expected ${FIELDS} columns, found ${row.fields.length}`,
        ),
      )
      continue
    }
    for (const i of READ) {
      const x = numberField(row.fields[i]!)
      if (!(x >= 0)) {
        problems.bad(
          fieldProblem(
            file,
            line,
            row.column(i),
            columnName(i),
            `expected a number ≥ 0, found ${quoteFound(row.fields[i]!)}`,
          ),
        )
        continue rows
      }
      f[i] = x
    }
    if (!use(f[0]!, f)) break
  }
  if (line === 0)
    throw new LabInputError([{ file, line: 1, message: 'expected the Bitbrains header line, found an empty file' }])
}

function checkHeader(file: string, header: SplitLine): void {
  if (header.fields.length === FIELDS && /^timestamp/i.test(header.fields[0]!.trim())) return
  const guess = guessSeparator(header.text)
  const message =
    header.fields.length < FIELDS && guess && guess !== describeSeparator(SEPARATOR)
      ? `expected ${FIELDS} columns separated by ${describeSeparator(SEPARATOR)} (the Bitbrains format), found ${header.fields.length}: the line seems separated by ${guess}`
      : header.fields.length !== FIELDS
        ? `expected the ${FIELDS} columns of the Bitbrains header (${BITBRAINS_COLUMNS.join(', ')}), found ${header.fields.length}`
        : `expected the Bitbrains header starting with "Timestamp", found ${quoteFound(header.fields[0]!)}`
  throw new LabInputError([
    { file, line: 1, column: header.column(Math.min(header.fields.length, FIELDS) - 1), message },
  ])
}

/** The first valid reading's time of a file (its rows come in time order). */
function firstTime(files: FileSource, file: string, row: SplitLine, problems: RowProblems): number {
  let first = Number.POSITIVE_INFINITY
  readFile(files, file, row, problems, (time, f) => {
    if (f[1] === 0) return true
    first = time
    return false
  })
  return first
}
