// Azure Public Dataset V1 (Cortez et al., "Resource Central", SOSP 2017): CPU utilization of VMs in
// 5-minute readings, in two layouts.
// - wide: a header `step,<vm id>,<vm id>,…` and one row per 5-minute step (step 1 at t = 0), each VM's CPU %
//   in its column — the 100- and 78-VM tables the DataCenterSim R package redistributes.
// - readings: the raw `vm_cpu_readings` files, no header, `timestamp,vm id,min,max,avg` (seconds from the
//   trace's start, CPU %), with an optional `vmtable` (no header; vm id, subscription, deployment, created,
//   deleted, max, avg, p95 CPU, category, cores, memory GB) for the VMs' sizes.
// V1 has no memory series: Azure VMs take their memory from their type.
import type { FileSource } from '../platform/files'
import { LabInputError } from '../scenario/diagnostics'
import { RowProblems, SplitLine, guessSeparator, numberField, quoteFound, textLines } from './text-lines'
import {
  StreamingChoice,
  chooseVms,
  traceWindow,
  type TraceData,
  type TraceRequest,
  type TraceVm,
} from './trace-source'
import { CPU, VmReadings, fieldProblem } from './vm-readings'

/** Azure V1's readings are 5 minutes apart. */
export const AZURE_STEP_SECONDS = 300
const READINGS_FIELDS = 5
const VALUE_FIELD = { min: 2, max: 3, avg: 4 } as const
const GiB = 1024 ** 3

const unquote = (s: string) => s.trim().replace(/^"(.*)"$/, '$1')

export function readAzure(req: TraceRequest): TraceData {
  const w = req.workload
  if (w.kind !== 'azure') throw new Error('readAzure: not an azure workload')
  const file = req.files.resolve(req.scenarioFile, w.file)
  const first = firstLine(req.files, file, req)
  const format = w.format ?? (/^"?step"?(?:[^\w]|$)/i.test(first) ? 'wide' : 'readings')
  const data = format === 'wide' ? readWide(req, file) : readReadings(req, file)
  return { ...data, kind: 'azure', source: file, absolute: false, cpuUnit: 'fraction', interval: req.interval }
}

function firstLine(files: FileSource, file: string, req: TraceRequest): string {
  const missing = () =>
    new LabInputError([
      {
        file: req.scenarioFile,
        path: `${req.path}.file`,
        message: `expected an Azure CPU readings file, found no file "${file}"`,
      },
    ])
  for (const line of textLines(files, file, missing)) return line
  throw new LabInputError([{ file, line: 1, message: 'expected Azure CPU readings, found an empty file' }])
}

type Partial = Omit<TraceData, 'kind' | 'source' | 'absolute' | 'cpuUnit' | 'interval'>

function readWide(req: TraceRequest, file: string): Partial {
  const w = req.workload as Extract<TraceRequest['workload'], { kind: 'azure' }>
  const problems = new RowProblems(w.badRows === 'skip', `${req.path}.badRows`)
  const row = new SplitLine(',')
  const window = traceWindow(req, 0, false)
  let columns: number[] = []
  let vms: VmReadings[] = []
  let header: string[] = []
  const value = new Float64Array(1)
  let line = 0
  let lastStep = Number.NEGATIVE_INFINITY
  rows: for (const text of textLines(req.files, file)) {
    line++
    if (line === 1) {
      row.set(text, 1)
      header = row.fields.map(unquote)
      if (header.length < 2 || header[0]!.toLowerCase() !== 'step') {
        const guess = guessSeparator(text)
        throw new LabInputError([
          {
            file,
            line: 1,
            column: 1,
            message:
              header.length < 2 && guess && guess !== '","'
                ? `expected a header "step,<vm id>,…" separated by ",", found one column: the line seems separated by ${guess}`
                : `expected a header "step,<vm id>,…", found ${quoteFound(text)}`,
          },
        ])
      }
      const ids = header.slice(1)
      const chosen = chooseVms(req, ids, `"${file}"`)
      columns = chosen.map((id) => ids.indexOf(id) + 1)
      vms = chosen.map((id) => new VmReadings(id, window, req.interval, 1))
      continue
    }
    if (text.trim() === '') continue
    row.set(text, line)
    if (row.fields.length !== header.length) {
      problems.bad(
        fieldProblem(
          file,
          line,
          row.column(Math.min(row.fields.length, header.length)),
          `column ${Math.min(row.fields.length, header.length) + 1}`,
          `expected ${header.length} columns separated by ",", found ${row.fields.length}`,
        ),
      )
      continue
    }
    const step = numberField(row.fields[0]!)
    if (!Number.isInteger(step) || step < 1) {
      problems.bad(
        fieldProblem(
          file,
          line,
          1,
          'column 1 (step)',
          `expected a step number ≥ 1, found ${quoteFound(row.fields[0]!)}`,
        ),
      )
      continue
    }
    if (step <= lastStep) {
      problems.bad(
        fieldProblem(
          file,
          line,
          1,
          'column 1 (step)',
          `expected a step after the previous row's (${lastStep}), found ${step}: steps must rise`,
        ),
      )
      continue
    }
    const time = (step - 1) * AZURE_STEP_SECONDS
    if (time >= window.to) break
    for (let i = 0; i < columns.length; i++) {
      const c = columns[i]!
      const x = numberField(row.fields[c]!)
      if (!(x >= 0)) {
        problems.bad(
          fieldProblem(
            file,
            line,
            row.column(c),
            `column ${c + 1} (${header[c]})`,
            `expected a CPU % ≥ 0, found ${quoteFound(row.fields[c]!)}`,
          ),
        )
        continue rows
      }
    }
    lastStep = step
    for (let i = 0; i < columns.length; i++) {
      value[CPU] = numberField(row.fields[columns[i]!]!) / 100
      vms[i]!.add(time, value)
    }
  }
  if (line === 0)
    throw new LabInputError([{ file, line: 1, message: 'expected Azure CPU readings, found an empty file' }])
  return {
    bins: window.bins ?? 0,
    from: window.from,
    to: window.to,
    vms: vms.map((vm) => vm.finish(w.gaps, false, 0, `"${file}"`, window, false)),
    skippedRows: problems.skipped,
    ...(problems.first ? { firstSkipped: problems.first } : {}),
  }
}

function readReadings(req: TraceRequest, file: string): Partial {
  const w = req.workload as Extract<TraceRequest['workload'], { kind: 'azure' }>
  const problems = new RowProblems(w.badRows === 'skip', `${req.path}.badRows`)
  const row = new SplitLine(',')
  const window = traceWindow(req, 0, false)
  const choice = new StreamingChoice(req)
  const vms: VmReadings[] = []
  const valueField = VALUE_FIELD[w.value]
  const value = new Float64Array(1)
  let done = 0
  let line = 0
  for (const text of textLines(req.files, file)) {
    line++
    if (text.trim() === '') continue
    row.set(text, line)
    if (row.fields.length !== READINGS_FIELDS) {
      const guess = guessSeparator(text)
      problems.bad(
        fieldProblem(
          file,
          line,
          row.column(Math.min(row.fields.length, READINGS_FIELDS)),
          `column ${Math.min(row.fields.length, READINGS_FIELDS) + 1}`,
          `expected ${READINGS_FIELDS} columns (timestamp, vm id, min, max, avg CPU) separated by ","` +
            `, found ${row.fields.length}${row.fields.length === 1 && guess && guess !== '","' ? `: the line seems separated by ${guess}` : ''}`,
        ),
      )
      continue
    }
    const time = numberField(row.fields[0]!)
    if (!(time >= 0)) {
      if (line === 1 && !/\d/.test(row.fields[0]!)) continue // a header line
      problems.bad(
        fieldProblem(
          file,
          line,
          1,
          'column 1 (timestamp)',
          `expected seconds ≥ 0, found ${quoteFound(row.fields[0]!)}`,
        ),
      )
      continue
    }
    const i = choice.of(row.fields[1]!.trim())
    if (i < 0) {
      if (choice.full && done === choice.ids.length) break
      continue
    }
    const vm = (vms[i] ??= new VmReadings(choice.ids[i]!, window, req.interval, 1))
    const x = numberField(row.fields[valueField]!)
    if (!(x >= 0)) {
      problems.bad(
        fieldProblem(
          file,
          line,
          row.column(valueField),
          `column ${valueField + 1} (${w.value} CPU)`,
          `expected a CPU % ≥ 0, found ${quoteFound(row.fields[valueField]!)}`,
        ),
      )
      continue
    }
    const disorder = vm.order(time)
    if (disorder !== undefined) {
      problems.bad(fieldProblem(file, line, 1, 'column 1 (timestamp)', disorder))
      continue
    }
    if (vm.done) continue
    value[CPU] = x / 100
    if (!vm.add(time, value)) {
      done++
      if (choice.full && done === choice.ids.length) break
    }
  }
  choice.check((i) => vms[i] !== undefined, `"${file}"`)
  const result = choice.ids.map((_, i) => vms[i]!.finish(w.gaps, false, 0, `"${file}"`, window, false))
  if (w.vmtable) readVmTable(req, req.files.resolve(req.scenarioFile, w.vmtable), result)
  return {
    bins: window.bins ?? 0,
    from: window.from,
    to: window.to,
    vms: result,
    skippedRows: problems.skipped,
    ...(problems.first ? { firstSkipped: problems.first } : {}),
  }
}

/** Cores and memory of the chosen VMs from the vmtable (read through; only the chosen rows are kept). */
function readVmTable(req: TraceRequest, file: string, vms: TraceVm[]): void {
  const byId = new Map(vms.map((vm) => [vm.id, vm]))
  const row = new SplitLine(',')
  let line = 0
  const missing = () =>
    new LabInputError([
      {
        file: req.scenarioFile,
        path: `${req.path}.vmtable`,
        message: `expected Azure's vmtable, found no file "${file}"`,
      },
    ])
  for (const text of textLines(req.files, file, missing)) {
    line++
    if (text.trim() === '') continue
    row.set(text, line)
    const vm = byId.get(row.fields[0]!.trim())
    if (!vm) continue
    if (row.fields.length !== 11)
      throw new LabInputError([
        {
          file,
          line,
          column: row.column(row.fields.length),
          message: `expected the 11 columns of Azure's vmtable, found ${row.fields.length}`,
        },
      ])
    const cores = numberField(row.fields[9]!)
    const memoryGB = numberField(row.fields[10]!)
    if (!(cores >= 1))
      throw new LabInputError([
        {
          file,
          line,
          column: row.column(9),
          message: `column 10 (cores): expected a number ≥ 1, found ${quoteFound(row.fields[9]!)}`,
        },
      ])
    if (!(memoryGB > 0))
      throw new LabInputError([
        {
          file,
          line,
          column: row.column(10),
          message: `column 11 (memory GB): expected a number > 0, found ${quoteFound(row.fields[10]!)}`,
        },
      ])
    vm.size.vcpus = cores
    vm.size.memoryBytes = memoryGB * GiB
  }
}
