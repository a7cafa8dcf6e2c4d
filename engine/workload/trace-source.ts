// What the trace importers (Bitbrains, Azure, Alibaba, CSV) share: the request, the resampled result, the
// window on the trace's clock and the choice of VMs. Each importer streams its files through the
// platform's FileSource and keeps per VM only its resampled bins, so memory follows the VMs replayed and
// the length of the window, never the size of the files.
import type { FileSource } from '../platform/files'
import type { TraceWorkload } from '../scenario/schema'
import { LabInputError, type Diagnostic } from '../scenario/diagnostics'
import type { GapRule } from './resample'

export interface TraceRequest {
  files: FileSource
  /** the scenario file: paths resolve against it, diagnostics about options name it */
  scenarioFile: string
  /** the workload's JSON path in the scenario, e.g. `vms[0].workload` */
  path: string
  workload: TraceWorkload
  /** seconds per bin (the scenario's interval) */
  interval: number
  /** the window's default length (the scenario's duration); undefined: to the end of the data (imports) */
  duration?: number
  /** replay the first `count` VMs (of `vms` when given, else of the trace's order) */
  count?: number
}

/** A VM's size as the trace gives it (an absent field: the VM type's). */
export interface TraceVmSize {
  vcpus?: number
  mhzPerCore?: number
  memoryBytes?: number
}

export interface TraceVm {
  /** the VM's id in the trace (file name without extension, column or machine id) */
  id: string
  /** cpu[k]: the mean over bin k, in TraceData.cpuUnit */
  cpu: Float64Array
  /** memory[k], in TraceData.memoryUnit (absent: the trace has no memory figure) */
  memory?: Float64Array
  /** io[m][k]: the disk and network columns named in TraceData.io (kept for the report) */
  io: Float64Array[]
  size: TraceVmSize
  /** bins without a CPU reading (filled by the gap rule) */
  gapBins: number
}

export type CpuUnit = 'fraction' | 'mhz' | 'cores'
export type MemoryUnit = 'bytes' | 'fraction'

export interface TraceData {
  kind: TraceWorkload['kind']
  /** the file or folder read */
  source: string
  interval: number
  bins: number
  /** the window on the trace's clock, seconds (since 1970 when `absolute`) */
  from: number
  to: number
  absolute: boolean
  cpuUnit: CpuUnit
  memoryUnit?: MemoryUnit
  io?: { names: string[]; unit: string }
  vms: TraceVm[]
  skippedRows: number
  firstSkipped?: Diagnostic
  /** the trace's own note on where it comes from (the lab's trace folders carry one) */
  attribution?: string
}

/** Where an option of the workload is, for diagnostics. */
export function optionError(req: TraceRequest, key: string, message: string): LabInputError {
  return new LabInputError([{ file: req.scenarioFile, path: `${req.path}.${key}`, message }])
}

export function gapRule(req: TraceRequest): GapRule {
  return req.workload.gaps
}

/** The window [from, to) on the trace's clock, and its bins (undefined: open-ended, an import to the end). */
export interface TraceWindow {
  from: number
  to: number
  bins: number | undefined
}

/**
 * The window on a trace's clock. `origin` is the trace's start: 0 for relative clocks (Azure steps,
 * Alibaba, times after a start), the earliest first reading of the chosen VMs for wall-clock traces.
 * `from` and `to` are durations after it, or date-times on wall-clock traces.
 */
export function traceWindow(req: TraceRequest, origin: number, absoluteClock: boolean): TraceWindow {
  const w = req.workload
  const point = (key: 'from' | 'to'): number | undefined => {
    const p = w[key]
    if (p === undefined) return undefined
    if (p.absolute && !absoluteClock)
      throw optionError(
        req,
        key,
        "expected a duration after the trace's start: this trace's clock counts seconds from its start, not dates",
      )
    return p.absolute ? p.seconds : origin + p.seconds
  }
  const from = point('from') ?? origin
  let to = point('to')
  if (to === undefined && req.duration !== undefined) to = from + req.duration
  if (to !== undefined && !(to > from))
    throw optionError(req, 'to', `expected the end of the window after its start (${from} s), found ${to} s`)
  return {
    from,
    to: to ?? Number.POSITIVE_INFINITY,
    bins: to === undefined ? undefined : Math.ceil((to - from) / req.interval - 1e-9),
  }
}

/** Whether the window needs the trace's start: a bound given as a duration after it, or none given. */
export function needsOrigin(w: TraceWorkload): boolean {
  return !(w.from?.absolute ?? false) || (w.to !== undefined && !w.to.absolute)
}

/** Natural order of ids: numbers by value ("2" before "10"), then text. */
export function naturalOrder(a: string, b: string): number {
  const x = Number(a)
  const y = Number(b)
  const an = a !== '' && Number.isFinite(x)
  const bn = b !== '' && Number.isFinite(y)
  if (an && bn) return x - y || (a < b ? -1 : a > b ? 1 : 0)
  if (an !== bn) return an ? -1 : 1
  return a < b ? -1 : a > b ? 1 : 0
}

/**
 * The VMs to replay out of those a trace offers (in its order): `vms` picks by id (each must exist), `count`
 * takes the first ones. `available` undefined: the trace's VMs are only known while streaming (one long
 * file); then the choice is made as ids appear (see `StreamingChoice`).
 */
export function chooseVms(req: TraceRequest, available: string[], source: string): string[] {
  const wanted = req.workload.vms
  let chosen = available
  if (wanted) {
    const known = new Set(available)
    const missing = wanted.filter((id) => !known.has(id))
    if (missing.length > 0)
      throw optionError(
        req,
        'vms',
        `expected VM ids that ${source} holds (${describeIds(available)}), found ${missing.map((m) => `"${m}"`).join(', ')}`,
      )
    chosen = wanted
  }
  return takeCount(req, chosen, source)
}

function takeCount(req: TraceRequest, chosen: string[], source: string): string[] {
  if (req.count === undefined) return chosen
  if (req.count > chosen.length)
    throw new LabInputError([
      {
        file: req.scenarioFile,
        path: req.path.replace(/\.workload$/, '.count'),
        message: `expected at most ${chosen.length} VMs (what ${source} holds${req.workload.vms ? ' of the listed ones' : ''}), found ${req.count}`,
      },
    ])
  return chosen.slice(0, req.count)
}

function describeIds(ids: string[]): string {
  if (ids.length === 0) return 'none'
  const shown = ids.slice(0, 6).join(', ')
  return ids.length > 6 ? `${ids.length}: ${shown}, …` : shown
}

/**
 * Choosing VMs in one long file whose ids appear as it is read (Azure readings, Alibaba, a CSV with an id
 * column): by `vms`, or the first `count` ids to appear (all when neither is set).
 */
export class StreamingChoice {
  /** chosen id → its index in the result */
  readonly index = new Map<string, number>()
  readonly ids: string[] = []
  private readonly limit: number

  constructor(private readonly req: TraceRequest) {
    const wanted = req.workload.vms
    const count = req.count
    if (wanted) {
      const take = count === undefined ? wanted : wanted.slice(0, count)
      take.forEach((id, i) => this.index.set(id, i))
      this.ids.push(...take)
      this.limit = take.length
    } else this.limit = count ?? Number.POSITIVE_INFINITY
  }

  /** The index of a row's VM, or −1 when it is not replayed. */
  of(id: string): number {
    const i = this.index.get(id)
    if (i !== undefined) return i
    if (this.req.workload.vms || this.ids.length >= this.limit) return -1
    this.index.set(id, this.ids.length)
    this.ids.push(id)
    return this.ids.length - 1
  }

  /** Whether every VM to replay is known (no new id can join). */
  get full(): boolean {
    return this.ids.length >= this.limit
  }

  /** After the file: every listed VM must have appeared, and `count` must have been reached. */
  check(seen: (i: number) => boolean, source: string): void {
    const req = this.req
    if (req.workload.vms) {
      const missing = this.ids.filter((_, i) => !seen(i))
      if (missing.length > 0)
        throw optionError(
          req,
          'vms',
          `expected VM ids that ${source} holds, found ${missing.map((m) => `"${m}"`).join(', ')}`,
        )
      return
    }
    if (req.count !== undefined && this.ids.length < req.count)
      throw new LabInputError([
        {
          file: req.scenarioFile,
          path: req.path.replace(/\.workload$/, '.count'),
          message: `expected at most ${this.ids.length} VMs (what ${source} holds), found ${req.count}`,
        },
      ])
    if (this.ids.length === 0)
      throw new LabInputError([{ file: source, message: 'expected rows of readings, found none' }])
  }
}

/** A VM without a single reading in the window cannot be held: say so, naming the window. */
export function noReadings(source: string, id: string, w: TraceWindow, absolute: boolean): LabInputError {
  const at = (s: number) => (absolute ? new Date(s * 1000).toISOString().replace('.000Z', 'Z') : `${s} s`)
  const to = Number.isFinite(w.to) ? at(w.to) : 'the end'
  return new LabInputError([
    {
      file: source,
      message: `VM "${id}": expected readings between ${at(w.from)} and ${to}, found none (choose other VMs with vms, or set gaps: zero)`,
    },
  ])
}

/** The folders and files a workload reads, as the scenario writes them (the web build packs them). */
export function workloadInputs(w: { kind: string; dir?: string; file?: string; vmtable?: string }): {
  dirs: string[]
  files: string[]
} {
  return {
    dirs: w.dir !== undefined ? [w.dir] : [],
    files: [w.file, w.vmtable].filter((f): f is string => f !== undefined),
  }
}
