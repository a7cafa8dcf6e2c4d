// Alibaba cluster-trace-v2018 `machine_usage` (alibaba/clusterdata): one row per machine and reading, no
// header — machine id, time (seconds from the trace's start, irregular multiples of 10 s), CPU %, memory %,
// memory bandwidth and cache misses (often empty), normalized network in/out and disk I/O (0–100; a few
// rows hold -1 there, read as not measured). Each
// machine is one VM of the scenario: its CPU and memory percentages apply to the VM type's size (the
// trace normalizes memory and gives no clock rate).
import { LabInputError } from '../scenario/diagnostics'
import { RowProblems, SplitLine, guessSeparator, numberField, quoteFound, textLines } from './text-lines'
import { StreamingChoice, traceWindow, type TraceData, type TraceRequest } from './trace-source'
import { CPU, MEMORY, VmReadings, fieldProblem } from './vm-readings'

const FIELDS = 9
export const ALIBABA_COLUMNS = [
  'machine_id',
  'time_stamp',
  'cpu_util_percent',
  'mem_util_percent',
  'mem_gps',
  'mkpi',
  'net_in',
  'net_out',
  'disk_io_percent',
] as const
export const ALIBABA_IO = ['netIn', 'netOut', 'diskIo']
const IO_FIELDS = [6, 7, 8]

export function readAlibaba(req: TraceRequest): TraceData {
  const w = req.workload
  if (w.kind !== 'alibaba') throw new Error('readAlibaba: not an alibaba workload')
  const file = req.files.resolve(req.scenarioFile, w.file)
  const problems = new RowProblems(w.badRows === 'skip', `${req.path}.badRows`)
  const row = new SplitLine(',')
  const window = traceWindow(req, 0, false)
  const choice = new StreamingChoice(req)
  const vms: VmReadings[] = []
  const values = new Float64Array(2 + ALIBABA_IO.length)
  const name = (i: number) => `column ${i + 1} (${ALIBABA_COLUMNS[i]})`
  let done = 0
  let line = 0
  const missing = () =>
    new LabInputError([
      {
        file: req.scenarioFile,
        path: `${req.path}.file`,
        message: `expected Alibaba's machine_usage.csv, found no file "${file}"`,
      },
    ])
  rows: for (const text of textLines(req.files, file, missing)) {
    line++
    if (text.trim() === '') continue
    row.set(text, line)
    if (row.fields.length !== FIELDS) {
      const guess = guessSeparator(text)
      const wrongSeparator = row.fields.length === 1 && guess && guess !== '","'
      const message = `expected ${FIELDS} columns (${ALIBABA_COLUMNS.join(', ')}) separated by ",", found ${row.fields.length}${wrongSeparator ? `: the line seems separated by ${guess}` : ''}`
      if (line === 1)
        throw new LabInputError([
          { file, line, column: wrongSeparator ? 1 : row.column(Math.min(row.fields.length, FIELDS)), message },
        ])
      problems.bad(
        fieldProblem(
          file,
          line,
          row.column(Math.min(row.fields.length, FIELDS)),
          `column ${Math.min(row.fields.length, FIELDS) + 1}`,
          message,
        ),
      )
      continue
    }
    if (line === 1 && row.fields[0]!.trim() === 'machine_id') continue // a header some copies add
    const time = numberField(row.fields[1]!)
    if (!(time >= 0)) {
      problems.bad(
        fieldProblem(file, line, row.column(1), name(1), `expected seconds ≥ 0, found ${quoteFound(row.fields[1]!)}`),
      )
      continue
    }
    const i = choice.of(row.fields[0]!.trim())
    if (i < 0) {
      if (choice.full && done === choice.ids.length) break
      continue
    }
    const vm = (vms[i] ??= new VmReadings(choice.ids[i]!, window, req.interval, values.length))
    for (const [m, f] of [
      [CPU, 2],
      [MEMORY, 3],
    ] as const) {
      const x = numberField(row.fields[f]!)
      if (!(x >= 0 && x <= 100)) {
        problems.bad(
          fieldProblem(
            file,
            line,
            row.column(f),
            name(f),
            `expected a percentage 0..100, found ${quoteFound(row.fields[f]!)}`,
          ),
        )
        continue rows
      }
      values[m] = x / 100
    }
    for (let m = 0; m < IO_FIELDS.length; m++) {
      const f = IO_FIELDS[m]!
      const raw = row.fields[f]!
      // empty, or -1 (six rows of disk_io_percent in the public sample): not measured
      const absent = raw.trim() === '' || raw.trim() === '-1'
      const x = absent ? Number.NaN : numberField(raw)
      if (!absent && !(x >= 0)) {
        problems.bad(
          fieldProblem(
            file,
            line,
            row.column(f),
            name(f),
            `expected a number ≥ 0, -1 or nothing, found ${quoteFound(raw)}`,
          ),
        )
        continue rows
      }
      values[2 + m] = x
    }
    const disorder = vm.order(time)
    if (disorder !== undefined) {
      problems.bad(fieldProblem(file, line, row.column(1), name(1), disorder))
      continue
    }
    if (vm.done) continue
    if (!vm.add(time, values)) {
      done++
      if (choice.full && done === choice.ids.length) break
    }
  }
  if (line === 0)
    throw new LabInputError([{ file, line: 1, message: "expected Alibaba's machine_usage rows, found an empty file" }])
  choice.check((i) => vms[i] !== undefined, `"${file}"`)
  return {
    kind: 'alibaba',
    source: file,
    interval: req.interval,
    bins: window.bins ?? 0,
    from: window.from,
    to: window.to,
    absolute: false,
    cpuUnit: 'fraction',
    memoryUnit: 'fraction',
    io: { names: ALIBABA_IO, unit: 'percent (normalized by the trace)' },
    vms: choice.ids.map((_, i) => vms[i]!.finish(w.gaps, true, ALIBABA_IO.length, `"${file}"`, window, false)),
    skippedRows: problems.skipped,
    ...(problems.first ? { firstSkipped: problems.first } : {}),
  }
}
