// Any CSV of VM readings (an instructor's monitoring export), with a column mapping in the scenario: the
// time (seconds or ms after a start, Unix seconds or ms, ISO date-times), the CPU (a fraction or percent of
// the VM, MHz, cores), optionally the memory (bytes, KiB, MiB, GiB, or a fraction or percent of the VM),
// an id column for many VMs in one file, and disk and network columns kept for the report. A `dir` holds
// one VM per file (<id>.csv). The lab's own trace folder (trace-folder.ts, `conlab import`) is such a
// folder whose trace.json gives the mapping, units and VM sizes.
import type { FileSource } from '../platform/files'
import { LabInputError } from '../scenario/diagnostics'
import { parseIsoSeconds } from '../scenario/schema'
import {
  RowProblems,
  SplitLine,
  describeSeparator,
  guessSeparator,
  numberField,
  quoteFound,
  textLines,
} from './text-lines'
import {
  StreamingChoice,
  chooseVms,
  naturalOrder,
  needsOrigin,
  optionError,
  traceWindow,
  type CpuUnit,
  type MemoryUnit,
  type TraceData,
  type TraceRequest,
  type TraceVmSize,
  type TraceWindow,
} from './trace-source'
import { CPU, MEMORY, VmReadings, fieldProblem } from './vm-readings'
import { TRACE_MANIFEST, parseManifest, type TraceManifest } from './trace-folder'

type CsvWorkload = Extract<TraceRequest['workload'], { kind: 'csv' }>
type ColumnRef = string | number
const IO_KEYS = ['diskRead', 'diskWrite', 'netIn', 'netOut'] as const

interface Mapping {
  separator: string
  header: boolean
  time: ColumnRef
  cpu: ColumnRef
  memory?: ColumnRef
  id?: ColumnRef
  io: { name: string; column: ColumnRef }[]
  timeUnit: 's' | 'ms' | 'unix' | 'unix-ms' | 'iso'
  cpuUnit: 'fraction' | 'percent' | 'mhz' | 'cores'
  memoryUnit: 'bytes' | 'kib' | 'mib' | 'gib' | 'fraction' | 'percent'
  ioUnit: string
  /** the lab's trace folder with wall-clock times: its time 0 in Unix seconds */
  startUnix?: number
}

const MEMORY_FACTOR = { bytes: 1, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, fraction: 1, percent: 0.01 } as const

/** The column indexes of one file, resolved from its header (or the 1-based numbers). */
interface Columns {
  time: number
  cpu: number
  memory: number
  id: number
  io: number[]
  count: number
  names: string[]
}

export function readCsv(req: TraceRequest): TraceData {
  const w = req.workload as CsvWorkload
  if (w.kind !== 'csv') throw new Error('readCsv: not a csv workload')
  const source = req.files.resolve(req.scenarioFile, (w.dir ?? w.file)!)
  const manifest = w.dir !== undefined ? readManifest(req, source) : undefined
  const mapping = resolveMapping(req, w, manifest)
  const absolute = mapping.startUnix !== undefined || ['unix', 'unix-ms', 'iso'].includes(mapping.timeUnit)
  const problems = new RowProblems(w.badRows === 'skip', `${req.path}.badRows`)
  const width = 2 + mapping.io.length
  const sizes = new Map<string, TraceVmSize>()
  let vms: VmReadings[]
  let window: TraceWindow

  if (w.dir !== undefined) {
    const files = new Map<string, string>()
    if (manifest)
      for (const vm of manifest.vms) {
        files.set(vm.id, req.files.join(source, vm.file))
        sizes.set(vm.id, { vcpus: vm.vcpus, mhzPerCore: vm.mhzPerCore, memoryBytes: vm.memoryBytes })
      }
    else for (const [id, path] of csvFiles(req, source)) files.set(id, path)
    const ids = chooseVms(req, [...files.keys()], `"${source}"`)
    let origin = 0
    if (mapping.startUnix !== undefined) origin = mapping.startUnix
    else if (absolute && needsOrigin(w)) {
      origin = Number.POSITIVE_INFINITY
      const quiet = new RowProblems(w.badRows === 'skip', `${req.path}.badRows`)
      for (const id of ids)
        readRows(req.files, files.get(id)!, mapping, quiet, (_, time) => {
          origin = Math.min(origin, time)
          return false
        })
    }
    window = traceWindow(req, origin, absolute)
    vms = ids.map((id) => {
      const vm = new VmReadings(id, window, req.interval, width)
      const path = files.get(id)!
      readRows(req.files, path, mapping, problems, (_, time, values, row) => {
        const disorder = vm.order(time)
        if (disorder !== undefined) {
          problems.bad(fieldProblem(path, row.line, row.column(row.timeColumn), row.timeName, disorder))
          return true
        }
        return vm.add(time, values)
      })
      return vm
    })
  } else {
    const path = source
    const singleId = path.replace(/^.*[/\\]/, '').replace(/\.[^.]*$/, '')
    let origin = 0
    if (absolute && needsOrigin(w)) {
      origin = Number.POSITIVE_INFINITY
      const first = new StreamingChoice(req)
      const quiet = new RowProblems(w.badRows === 'skip', `${req.path}.badRows`)
      readRows(req.files, path, mapping, quiet, (id, time) => {
        if (first.of(id ?? singleId) >= 0) origin = Math.min(origin, time)
        return true
      })
    }
    window = traceWindow(req, origin, absolute)
    const choice = new StreamingChoice(req)
    const found: VmReadings[] = []
    let done = 0
    readRows(req.files, path, mapping, problems, (id, time, values, row) => {
      const i = choice.of(id ?? singleId)
      if (i < 0) return !(choice.full && done === choice.ids.length)
      const vm = (found[i] ??= new VmReadings(choice.ids[i]!, window, req.interval, width))
      const disorder = vm.order(time)
      if (disorder !== undefined) {
        problems.bad(fieldProblem(path, row.line, row.column(row.timeColumn), row.timeName, disorder))
        return true
      }
      if (vm.done) return true
      if (!vm.add(time, values)) done++
      return !(choice.full && done === choice.ids.length)
    })
    choice.check((i) => found[i] !== undefined, `"${path}"`)
    vms = choice.ids.map((_, i) => found[i]!)
  }

  const cpuUnit: CpuUnit = mapping.cpuUnit === 'percent' ? 'fraction' : mapping.cpuUnit
  const memoryUnit: MemoryUnit | undefined =
    mapping.memory === undefined
      ? undefined
      : ['fraction', 'percent'].includes(mapping.memoryUnit)
        ? 'fraction'
        : 'bytes'
  return {
    kind: 'csv',
    source,
    interval: req.interval,
    bins: window.bins ?? 0,
    from: window.from,
    to: window.to,
    absolute,
    cpuUnit,
    ...(memoryUnit ? { memoryUnit } : {}),
    ...(mapping.io.length > 0 ? { io: { names: mapping.io.map((c) => c.name), unit: mapping.ioUnit } } : {}),
    vms: vms.map((vm) => {
      const t = vm.finish(w.gaps, mapping.memory !== undefined, mapping.io.length, `"${source}"`, window, absolute)
      const size = sizes.get(vm.id)
      return size ? { ...t, size } : t
    }),
    skippedRows: problems.skipped,
    ...(problems.first ? { firstSkipped: problems.first } : {}),
    ...(manifest?.attribution ? { attribution: manifest.attribution } : {}),
  }
}

function readManifest(req: TraceRequest, dir: string): TraceManifest | undefined {
  let text: string
  try {
    text = req.files.readText(req.files.join(dir, TRACE_MANIFEST))
  } catch {
    return undefined
  }
  const m = parseManifest(text)
  if (typeof m === 'string')
    throw new LabInputError([
      { file: req.files.join(dir, TRACE_MANIFEST), message: `not a lab trace folder's manifest: ${m}` },
    ])
  return m
}

/** The folder's CSV files by VM id (file name without .csv), in natural order. */
function csvFiles(req: TraceRequest, dir: string): [string, string][] {
  let names: string[]
  try {
    names = req.files.listDir(dir)
  } catch {
    throw optionError(req, 'dir', `expected a folder of CSV files, found no folder "${dir}"`)
  }
  const csv = names.filter((n) => /\.csv$/i.test(n) && !n.startsWith('.'))
  if (csv.length === 0) throw optionError(req, 'dir', `expected <id>.csv files in "${dir}", found none`)
  return csv
    .map((n): [string, string] => [n.replace(/\.csv$/i, ''), req.files.join(dir, n)])
    .sort((a, b) => naturalOrder(a[0], b[0]))
}

function resolveMapping(req: TraceRequest, w: CsvWorkload, m: TraceManifest | undefined): Mapping {
  const units = w.units
  if (m) {
    const io = m.columns.filter((c) => c !== 'memory')
    return {
      separator: w.separator ?? ',',
      header: w.header ?? true,
      time: w.columns?.time ?? 'time',
      cpu: w.columns?.cpu ?? 'cpu',
      memory: w.columns?.memory ?? (m.columns.includes('memory') ? 'memory' : undefined),
      id: w.columns?.id,
      io: io.map((name) => ({ name, column: name })),
      timeUnit: units?.time ?? 's',
      cpuUnit: units?.cpu ?? m.units.cpu,
      memoryUnit: units?.memory ?? m.units.memory ?? 'kib',
      ioUnit: units?.io || (m.units.io ?? ''),
      ...(m.startUnix !== null && units?.time === undefined ? { startUnix: m.startUnix } : {}),
    }
  }
  const c = w.columns
  if (!c)
    throw optionError(
      req,
      'columns',
      "expected a column mapping such as { time: timestamp, cpu: cpu_percent } (only the lab's own trace folders, with a trace.json, need none)",
    )
  const header = w.header ?? true
  const refs: [string, ColumnRef | undefined][] = [
    ['time', c.time],
    ['cpu', c.cpu],
    ['memory', c.memory],
    ['id', c.id],
    ...IO_KEYS.map((k): [string, ColumnRef | undefined] => [k, c[k]]),
  ]
  if (!header)
    for (const [key, ref] of refs)
      if (typeof ref === 'string')
        throw optionError(
          req,
          `columns.${key}`,
          `expected a column number (the file has no header line), found "${ref}"`,
        )
  return {
    separator: w.separator ?? ',',
    header,
    time: c.time,
    cpu: c.cpu,
    memory: c.memory,
    id: c.id,
    io: IO_KEYS.filter((k) => c[k] !== undefined).map((k) => ({ name: k, column: c[k]! })),
    timeUnit: units?.time ?? 's',
    cpuUnit: units?.cpu ?? 'fraction',
    memoryUnit: units?.memory ?? 'bytes',
    ioUnit: units?.io ?? '',
  }
}

interface RowAt {
  line: number
  column(field: number): number
  timeColumn: number
  timeName: string
}

/**
 * Streams a file's data rows as (id, time in seconds, [cpu, memory, io…] in the lab's units); `use` returns
 * false to stop. Bad fields go to `problems`; a header that lacks a mapped column is an error at line 1.
 */
function readRows(
  files: FileSource,
  path: string,
  mapping: Mapping,
  problems: RowProblems,
  use: (id: string | undefined, time: number, values: Float64Array, row: RowAt) => boolean,
): void {
  const row = new SplitLine(mapping.separator)
  const values = new Float64Array(2 + mapping.io.length)
  let columns: Columns | undefined
  let line = 0
  const at: RowAt = { line: 0, column: (f) => row.column(f), timeColumn: 0, timeName: '' }
  const cpuScale = mapping.cpuUnit === 'percent' ? 0.01 : 1
  const memoryScale = MEMORY_FACTOR[mapping.memoryUnit]
  rows: for (const text of textLines(files, path)) {
    line++
    if (line === 1 && mapping.header) {
      columns = resolveColumns(path, row.set(text, 1), mapping)
      at.timeColumn = columns.time
      at.timeName = `column ${columns.time + 1} (${columns.names[columns.time] ?? 'time'})`
      continue
    }
    if (text.trim() === '') continue
    row.set(text, line)
    if (!columns) {
      columns = resolveColumns(path, row, mapping)
      at.timeColumn = columns.time
      at.timeName = `column ${columns.time + 1} (time)`
    }
    const name = (i: number) => `column ${i + 1}${columns!.names[i] ? ` (${columns!.names[i]})` : ''}`
    if (row.fields.length < columns.count) {
      problems.bad(
        fieldProblem(
          path,
          line,
          row.column(row.fields.length),
          name(row.fields.length),
          `expected at least ${columns.count} columns separated by ${describeSeparator(mapping.separator)}, found ${row.fields.length}`,
        ),
      )
      continue
    }
    const rawTime = row.fields[columns.time]!
    const time = parseTime(rawTime, mapping)
    if (!(time === time)) {
      problems.bad(
        fieldProblem(
          path,
          line,
          row.column(columns.time),
          name(columns.time),
          `expected a ${TIME_WORDS[mapping.timeUnit]}, found ${quoteFound(rawTime)}`,
        ),
      )
      continue
    }
    const cpu = numberField(row.fields[columns.cpu]!)
    if (!(cpu >= 0)) {
      problems.bad(
        fieldProblem(
          path,
          line,
          row.column(columns.cpu),
          name(columns.cpu),
          `expected a number ≥ 0, found ${quoteFound(row.fields[columns.cpu]!)}`,
        ),
      )
      continue
    }
    values[CPU] = cpu * cpuScale
    values[MEMORY] = Number.NaN
    if (columns.memory >= 0) {
      const memory = numberField(row.fields[columns.memory]!)
      if (!(memory >= 0)) {
        problems.bad(
          fieldProblem(
            path,
            line,
            row.column(columns.memory),
            name(columns.memory),
            `expected a number ≥ 0, found ${quoteFound(row.fields[columns.memory]!)}`,
          ),
        )
        continue
      }
      values[MEMORY] = memory * memoryScale
    }
    for (let m = 0; m < columns.io.length; m++) {
      const f = columns.io[m]!
      const raw = row.fields[f]!
      const x = raw.trim() === '' ? Number.NaN : numberField(raw)
      if (raw.trim() !== '' && !(x >= 0)) {
        problems.bad(
          fieldProblem(
            path,
            line,
            row.column(f),
            name(f),
            `expected a number ≥ 0 or nothing, found ${quoteFound(raw)}`,
          ),
        )
        continue rows
      }
      values[2 + m] = x
    }
    at.line = line
    const id = columns.id >= 0 ? row.fields[columns.id]!.trim() : undefined
    if (!use(id, time, values, at)) break
  }
}

const TIME_WORDS = {
  s: 'time in seconds',
  ms: 'time in milliseconds',
  unix: 'Unix time in seconds',
  'unix-ms': 'Unix time in milliseconds',
  iso: 'date-time such as 2024-03-01T12:00:00Z',
} as const

function parseTime(raw: string, m: Mapping): number {
  if (m.timeUnit === 'iso') return parseIsoSeconds(raw.replace(/^"(.*)"$/, '$1')) ?? Number.NaN
  const x = numberField(raw)
  const seconds = m.timeUnit === 'ms' || m.timeUnit === 'unix-ms' ? x / 1000 : x
  return m.startUnix !== undefined ? m.startUnix + seconds : seconds
}

function resolveColumns(path: string, header: SplitLine, m: Mapping): Columns {
  const names = m.header ? header.fields.map((f) => f.trim().replace(/^"(.*)"$/, '$1')) : []
  const count = header.fields.length
  const find = (key: string, ref: ColumnRef | undefined): number => {
    if (ref === undefined) return -1
    if (typeof ref === 'number') {
      if (ref > count)
        throw new LabInputError([
          {
            file: path,
            line: 1,
            message: `${key}: expected column ${ref}, found ${count} column${count === 1 ? '' : 's'}${wrongSeparator(header, m)}`,
          },
        ])
      return ref - 1
    }
    const i = names.findIndex((n) => n === ref)
    const j = i >= 0 ? i : names.findIndex((n) => n.toLowerCase() === ref.toLowerCase())
    if (j < 0)
      throw new LabInputError([
        {
          file: path,
          line: 1,
          column: 1,
          message: `${key}: expected a column "${ref}" in the header (${names.join(', ')}), found none${wrongSeparator(header, m)}`,
        },
      ])
    return j
  }
  const io = m.io.map((c) => find(c.name, c.column))
  const cols = {
    time: find('time', m.time),
    cpu: find('cpu', m.cpu),
    memory: find('memory', m.memory),
    id: find('id', m.id),
    io,
  }
  return { ...cols, count: Math.max(cols.time, cols.cpu, cols.memory, cols.id, ...io) + 1, names }
}

function wrongSeparator(line: SplitLine, m: Mapping): string {
  if (line.fields.length > 1) return ''
  const guess = guessSeparator(line.text)
  return guess && guess !== describeSeparator(m.separator)
    ? `: the line seems separated by ${guess}, not ${describeSeparator(m.separator)} (set separator)`
    : ''
}
