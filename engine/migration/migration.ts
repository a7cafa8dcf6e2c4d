// Live migration of one VM, as QEMU does it (QEMU's migration/migration.c and ram.c; docs/migration.md): a pure, deterministic state machine the
// host shard advances once per scheduling step with the bandwidth the coordinator granted it for that step.
//
//   setup ─► pre-copy rounds ─► stop-and-copy (downtime) ─► completed
//                 │    └──────► post-copy switch (downtime) ─► post-copy ─► completed
//                 └─► cancelled (VM stays on the source) / failed (aborted, or the VM is lost)
//
// Pre-copy copies the VM's real MemoryImage while the guest keeps writing to it through its PageWriter:
// round 0 ("bulk stage") sends every page (zero pages as a 9-byte header), later rounds send the pages KVM's
// dirty log reported at the last bitmap sync. Time advances in QEMU's 100 ms rate-limit windows (aligned to
// the migration's own clock, not to the caller's slices); the guest's writes are interleaved at that
// resolution, and exactly at every sync, so the dirty log holds what KVM would report. The switch-over rule,
// the expected downtime, auto-converge and the statistics follow QEMU's code (migration.c, ram.c,
// cpu-throttle.c) as docs/migration.md summarises them.
//
// Per step the shard calls advance(dt, bandwidth, activity): the migration also drives the guest's page
// writes for the whole slice, through the guest's memory when it is given (GuestPages; do not call the VM's
// writer for that slice), and reports how much of the slice the guest really ran (throttle, pause,
// post-copy faults), the source CPU spent sending, and its events.
import { ZERO_TOKEN, popcount, type MemoryImage } from '../memory/image'
import type { PageSink, PageWriter } from '../workload/page-writes'
import {
  BUFFER_DELAY,
  GiB,
  MiB,
  POSTCOPY_STEP,
  RATE_PERIOD,
  THROTTLE_DIRTY_SYNC_PERIOD,
  resolveMigrationParams,
  type MigrationParams,
} from './params'

/** QEMU's `status` values this engine produces. */
export type MigrationStatus = 'setup' | 'active' | 'postcopy-active' | 'completed' | 'cancelled' | 'failed'

type Stage = 'setup' | 'precopy' | 'stop-and-copy' | 'postcopy' | 'completed' | 'cancelled' | 'failed'

export type MigrationPhase =
  | { kind: 'setup' }
  /** round 0 = the bulk stage; round i = after the i-th bitmap sync of the iterations */
  | { kind: 'precopy'; round: number }
  /** the guest is paused: final RAM, device state, destination resume (`switchTo` says what follows) */
  | { kind: 'stop-and-copy'; switchTo: 'completed' | 'postcopy' }
  | { kind: 'postcopy' }
  | { kind: 'completed' }
  | { kind: 'cancelled'; reason: string }
  | { kind: 'failed'; reason: string; vmLost: boolean }

/** Where the guest lives: its whole state on the source, on the destination, or nowhere any more. */
export type VmLocation = 'source' | 'destination' | 'lost'

export type MigrationEventKind =
  | 'iterations-start'
  | 'throttle'
  | 'not-converging'
  | 'switchover'
  | 'postcopy-start'
  | 'completed'
  | 'cancelled'
  | 'failed'

export interface MigrationEvent {
  kind: MigrationEventKind
  /** seconds since the migration started */
  time: number
  message: string
  /** throttle: the new cpu-throttle-percentage */
  throttle?: number
  /** failed: whether the VM is lost */
  vmLost?: boolean
}

/**
 * What the guest's writes go through while it migrates: in the lab its GuestMemory, which keeps its use
 * counts, balloon and KSM sharing exact (a write to a page the guest gave to its balloon lands on the frame
 * its allocator hands out for it); without one, the image itself (every page is its own frame).
 */
export interface GuestPages extends PageSink {
  /** the frame a write to `page` lands on now, taking one from the guest's allocator if needed (−1: none) */
  frame(page: number): number
}

/** What one advance() did to the guest and the hosts, for the shard's CPU/SLA/PDM accounting. */
export interface MigrationSlice {
  dt: number
  /** seconds of the slice the guest's vCPUs could run (× its delivered CPU = what it really got) */
  runSeconds: number
  /** runSeconds / dt */
  runFraction: number
  /** seconds lost to auto-converge (throttle % × time) */
  throttledSeconds: number
  /** seconds the guest was paused (downtime) */
  pausedSeconds: number
  /** seconds the guest was blocked on post-copy page faults */
  stallSeconds: number
  /** bytes put on the wire (RAM pages, zero-page headers, device state) */
  bytesSent: number
  /** CPU-seconds the source spent sending (cpuSecondsPerGiB × GiB sent) */
  sourceCpuSeconds: number
  /** page writes the guest issued during the slice */
  pageWrites: number
  /** where the VM is at the end of the slice */
  location: VmLocation
  /** seconds into the slice at which the migration ended (completed, cancelled, failed), or -1 */
  endedAt: number
  events: MigrationEvent[]
}

/** query-migrate's RAM statistics (qapi/migration.json's MigrationStats), bytes unless said otherwise. */
export interface MigrationRamStats {
  transferred: number
  /** bytes still dirty in the migration bitmap (absent once completed) */
  remaining?: number
  total: number
  /** zero pages sent (header only) */
  duplicate: number
  skipped: 0
  /** full pages sent */
  normal: number
  'normal-bytes': number
  /** pages dirtied per second over the last ≥ 1 s period */
  'dirty-pages-rate': number
  /** Mbit/s (decimal): last window while active; bytes × 8 / (total − setup) when completed */
  mbps: number
  'dirty-sync-count': number
  'postcopy-requests': number
  'page-size': number
  'pages-per-second': number
  'precopy-bytes': number
  'downtime-bytes': number
  'postcopy-bytes': number
}

/** The lab's additions to query-migrate. */
export interface MigrationLabStats {
  phase: MigrationPhase
  /** pre-copy rounds so far: bitmap syncs after the bulk stage (the final one included) */
  rounds: number
  /** complete sweeps of the bitmap by the sender */
  passes: number
  location: VmLocation
  vmLost: boolean
  /** ms: downtime + network re-convergence (what a ping sees) */
  'observed-downtime'?: number
  /** every throttle step taken, in order (%) */
  'throttle-steps': number[]
  /** seconds since the start at which each throttle step was taken */
  'throttle-times': number[]
  /** seconds of guest run time lost: throttle, pause, faults */
  'guest-lost-seconds': number
  'throttle-lost-seconds': number
  'paused-seconds': number
  'fault-stall-seconds': number
  'source-cpu-seconds': number
  /** ms at which the guest stopped on the source (switch-over) */
  'switchover-time'?: number
  /** why it ended, for cancelled / failed */
  reason?: string
  /** why it is not converging (when it is not), with the numbers */
  diagnosis?: string
  /** the completion timeout, s (Infinity = none) */
  timeout: number
}

/** One migration's statistics, shaped like QEMU's query-migrate (times in ms). */
export interface MigrationInfo {
  status: MigrationStatus
  'total-time': number
  'setup-time': number
  /** present once completed or in post-copy */
  downtime?: number
  /** present while active */
  'expected-downtime'?: number
  /** present while auto-converge throttles */
  'cpu-throttle-percentage'?: number
  /** ms of vCPU time blocked on post-copy faults, summed over the vCPUs (QEMU's postcopy-vcpu-blocktime, summed) */
  'postcopy-blocktime'?: number
  'error-desc'?: string
  ram: MigrationRamStats
  lab: MigrationLabStats
}

/** Everything a checkpoint needs to resume a migration in flight (plain numbers, strings, typed arrays). */
export interface MigrationState {
  version: 1
  params: MigrationParams
  pageCount: number
  pageSize: number
  stage: Stage
  stopKind: 'completed' | 'postcopy'
  t: number
  precopyStart: number
  window: number
  windowBytes: number
  measuredBw: number
  bitmap: Uint32Array
  remaining: number
  cursor: number
  passes: number
  credit: number
  needCheck: boolean
  postcopyRequested: boolean
  syncCount: number
  activeSyncs: number
  nextTick: number
  syncCountAtTick: number
  periodStart: number
  periodDirtyPages: number
  periodXferStart: number
  dirtyHighCount: number
  throttle: number
  throttleSteps: number[]
  throttleTimes: number[]
  dirtyPagesRate: number
  dirtyBytesLastSync: number
  expectedDowntime: number
  bestPending: number
  syncsSinceBest: number
  stalledReported: boolean
  transferred: number
  normalPages: number
  zeroPages: number
  precopyBytes: number
  downtimeBytes: number
  postcopyBytes: number
  postcopyRequests: number
  blocktime: number
  stallCarry: number
  stopStart: number
  deviceLeft: number
  resumeLeft: number
  downtime: number
  postcopyStart: number
  pcStep: number
  endTime: number
  reason: string
  vmLost: boolean
  location: VmLocation
  throttledSeconds: number
  pausedSeconds: number
  stallSeconds: number
  sourceCpuSeconds: number
  lastRate: number
  lastActivity: number
  lastWindowMbps: number
  timeout: number
  events: MigrationEvent[]
}

const EPS = 1e-9
const mib = (b: number) => (b / MiB).toFixed(1)

export class LiveMigration {
  private params: MigrationParams
  readonly pageCount: number
  readonly pageSize: number
  private stage: Stage = 'setup'
  private stopKind: 'completed' | 'postcopy' = 'completed'
  /** seconds since the migration started */
  private t = 0
  private precopyStart = 0
  private window = 0
  private windowBytes = 0
  /** bytes per second measured over the last complete 100 ms window (QEMU's bandwidth) */
  private measuredBw = 0
  /** the migration bitmap: pages still to send (pre-copy) or missing on the destination (post-copy) */
  private readonly bitmap: Uint32Array
  private remaining = 0
  private cursor = 0
  private passes = 0
  /** send budget carried between segments, bytes (≤ 0: the last page overshot) */
  private credit = 0
  private needCheck = false
  private postcopyRequested = false
  private syncCount = 0
  private activeSyncs = 0
  private nextTick = THROTTLE_DIRTY_SYNC_PERIOD
  private syncCountAtTick = 0
  private periodStart = 0
  private periodDirtyPages = 0
  private periodXferStart = 0
  private dirtyHighCount = 0
  private throttle = 0
  private throttleSteps: number[] = []
  private throttleTimes: number[] = []
  private dirtyPagesRate = 0
  private dirtyBytesLastSync = 0
  private expectedDowntime: number
  private bestPending = Infinity
  private syncsSinceBest = 0
  private stalledReported = false
  private transferred = 0
  private normalPages = 0
  private zeroPages = 0
  private precopyBytes = 0
  private downtimeBytes = 0
  private postcopyBytes = 0
  private postcopyRequests = 0
  private blocktime = 0
  private stallCarry = 0
  private stopStart = 0
  private deviceLeft = 0
  private resumeLeft = 0
  private downtime = 0
  private postcopyStart = 0
  private pcStep = 0
  private endTime = -1
  private reason = ''
  private vmLost = false
  private location: VmLocation = 'source'
  private throttledSeconds = 0
  private pausedSeconds = 0
  private stallSeconds = 0
  private sourceCpuSeconds = 0
  /** effective pre-copy rate of the last segment, B/s (for the diagnosis) */
  private lastRate = 0
  /** the guest's activity in the last slice */
  private lastActivity = 1
  private lastWindowMbps = 0
  private timeout: number
  private events: MigrationEvent[] = []
  /** events of the current advance() */
  private sliceEvents: MigrationEvent[] = []
  /** scratch for the dirty-log sync (not state) */
  private readonly scratch: Uint32Array

  constructor(
    readonly image: MemoryImage,
    readonly writer: PageWriter,
    params: Partial<MigrationParams> = {},
    private readonly guest?: GuestPages,
  ) {
    if (writer.pageCount !== image.pageCount || writer.pageSize !== image.pageSize)
      throw new RangeError(
        `migration: the page writer covers ${writer.pageCount} pages of ${writer.pageSize} B, the image ${image.pageCount} of ${image.pageSize} B`,
      )
    this.params = resolveMigrationParams(params)
    this.pageCount = image.pageCount
    this.pageSize = image.pageSize
    this.bitmap = new Uint32Array(Math.ceil(this.pageCount / 32))
    this.scratch = new Uint32Array(this.bitmap.length)
    this.expectedDowntime = this.params.downtimeLimit
    this.timeout = this.resolveTimeout()
  }

  // ── the shard's interface ─────────────────────────────────────────────────────────────────────────────

  /**
   * Advances the migration by `dt` seconds with `bandwidth` B/s allocated to it for this slice (its share of
   * the NICs; pre-copy also respects max-bandwidth, stop-and-copy does not, as in QEMU). `activity` is the
   * guest's delivered CPU as a fraction of the reference its write rate is given at (0 = idle).
   */
  advance(dt: number, bandwidth: number, activity = 1): MigrationSlice {
    if (!(dt >= 0) || !Number.isFinite(dt)) throw new RangeError(`migration: dt must be finite and ≥ 0, found ${dt}`)
    if (!(bandwidth >= 0) || !Number.isFinite(bandwidth))
      throw new RangeError(`migration: bandwidth must be finite and ≥ 0 B/s, found ${bandwidth}`)
    const slice: MigrationSlice = {
      dt,
      runSeconds: 0,
      runFraction: 1,
      throttledSeconds: 0,
      pausedSeconds: 0,
      stallSeconds: 0,
      bytesSent: 0,
      sourceCpuSeconds: 0,
      pageWrites: 0,
      location: this.location,
      endedAt: -1,
      events: [],
    }
    if (this.isFinished() || dt === 0) {
      slice.runSeconds = this.vmLost ? 0 : dt
      slice.runFraction = this.vmLost ? 0 : 1
      return slice
    }
    this.sliceEvents = []
    this.lastActivity = activity
    const start = this.t
    const end = this.t + dt
    const sent0 = this.transferred
    const thr0 = this.throttledSeconds
    const pause0 = this.pausedSeconds
    const stall0 = this.stallSeconds
    const writes0 = this.writer.written
    let guard = 0
    while (this.t < end) {
      if (++guard > 50_000_000) throw new Error('migration: no progress (internal error)')
      switch (this.stage) {
        case 'setup':
          this.stepSetup(end, activity)
          break
        case 'precopy':
          this.stepPrecopy(end, bandwidth, activity)
          break
        case 'stop-and-copy':
          this.stepStop(end, bandwidth)
          break
        case 'postcopy':
          this.stepPostcopy(end, bandwidth, activity)
          break
        default:
          // ended during this slice: the guest runs on (on the source after a cancel, on the destination
          // after a completion) unless it was lost
          if (!this.vmLost) this.writer.run(this.sink, end - this.t, activity)
          this.t = end
      }
    }
    this.t = end
    slice.bytesSent = this.transferred - sent0
    slice.sourceCpuSeconds = (slice.bytesSent / GiB) * this.params.cpuSecondsPerGiB
    this.sourceCpuSeconds += slice.sourceCpuSeconds
    slice.throttledSeconds = this.throttledSeconds - thr0
    slice.pausedSeconds = this.pausedSeconds - pause0
    slice.stallSeconds = this.stallSeconds - stall0
    slice.pageWrites = this.writer.written - writes0
    const lostAfter = this.vmLost && this.endTime >= start ? end - this.endTime : 0
    slice.runSeconds = Math.max(
      0,
      dt - slice.throttledSeconds - slice.pausedSeconds - slice.stallSeconds - (this.vmLost ? lostAfter : 0),
    )
    slice.runFraction = dt > 0 ? slice.runSeconds / dt : 1
    slice.location = this.location
    slice.endedAt = this.isFinished() ? Math.max(0, this.endTime - start) : -1
    slice.events = this.sliceEvents
    this.sliceEvents = []
    return slice
  }

  /**
   * Cancels (migrate_cancel). Possible until the guest runs on the destination; returns whether it did (the
   * 'cancelled' event is then the last of history()).
   */
  cancel(reason = 'cancelled'): boolean {
    if (
      this.stage === 'setup' ||
      this.stage === 'precopy' ||
      (this.stage === 'stop-and-copy' && this.stopKind === 'completed')
    ) {
      this.finish('cancelled', reason, false, 'source')
      return true
    }
    return false
  }

  /**
   * The source or the destination host failed. Source: the VM is lost (its only running copy was there, or
   * half of its memory in post-copy). Destination: before the guest ran there the migration aborts and the
   * VM goes on running on the source; in post-copy the VM is lost. Returns the 'failed' event (for the
   * lab's event log), or undefined when the migration had already ended.
   */
  hostFailed(which: 'source' | 'destination'): MigrationEvent | undefined {
    if (this.isFinished()) return undefined
    const inPostcopy = this.stage === 'postcopy'
    if (which === 'source') {
      this.finish(
        'failed',
        inPostcopy
          ? 'source host failed during post-copy: the pages not yet on the destination are gone, the VM is lost'
          : 'source host failed: the VM was running there and is lost',
        true,
        'lost',
      )
    } else if (inPostcopy) {
      this.finish(
        'failed',
        'destination host failed during post-copy: the running guest and its new pages were there, the VM is lost',
        true,
        'lost',
      )
    } else {
      this.finish(
        'failed',
        'destination host failed: migration aborted, the VM keeps running on the source',
        false,
        'source',
      )
    }
    return this.events.at(-1)
  }

  /** migrate_start_postcopy: switch to post-copy at the next check (pre-copy only). */
  startPostcopy(): boolean {
    if (this.stage !== 'setup' && this.stage !== 'precopy') return false
    this.postcopyRequested = true
    return true
  }

  /** migrate-set-parameters while running (bandwidth, downtime limit, auto-converge, …). */
  setParameters(p: Partial<MigrationParams>): void {
    this.params = resolveMigrationParams({ ...this.params, ...p })
    this.timeout = this.resolveTimeout()
  }

  /** The bandwidth this migration would use if the links allowed it, B/s (Infinity: as much as it gets). */
  bandwidthDemand(): number {
    switch (this.stage) {
      case 'precopy':
        return this.params.maxBandwidth
      case 'stop-and-copy':
        return Infinity
      case 'postcopy':
        return this.params.maxPostcopyBandwidth > 0 ? this.params.maxPostcopyBandwidth : Infinity
      default:
        return 0
    }
  }

  get phase(): MigrationPhase {
    switch (this.stage) {
      case 'setup':
        return { kind: 'setup' }
      case 'precopy':
        return { kind: 'precopy', round: this.activeSyncs }
      case 'stop-and-copy':
        return { kind: 'stop-and-copy', switchTo: this.stopKind }
      case 'postcopy':
        return { kind: 'postcopy' }
      case 'completed':
        return { kind: 'completed' }
      case 'cancelled':
        return { kind: 'cancelled', reason: this.reason }
      case 'failed':
        return { kind: 'failed', reason: this.reason, vmLost: this.vmLost }
    }
  }

  get vmLocation(): VmLocation {
    return this.location
  }

  /** Seconds since the migration started. */
  get elapsed(): number {
    return this.t
  }

  isFinished(): boolean {
    return this.stage === 'completed' || this.stage === 'cancelled' || this.stage === 'failed'
  }

  /** Current cpu-throttle-percentage (0 when not throttling). */
  get throttlePercentage(): number {
    return this.throttle
  }

  /** Every event so far. */
  history(): readonly MigrationEvent[] {
    return this.events
  }

  /** query-migrate. */
  info(): MigrationInfo {
    const ms = (s: number) => s * 1000
    const status: MigrationStatus =
      this.stage === 'setup'
        ? 'setup'
        : this.stage === 'postcopy' || (this.stage === 'stop-and-copy' && this.stopKind === 'postcopy')
          ? 'postcopy-active'
          : this.stage === 'precopy' || this.stage === 'stop-and-copy'
            ? 'active'
            : this.stage
    const finished = this.isFinished()
    const total = finished ? this.endTime : this.t
    const sendTime = total - Math.min(total, this.params.setupTime)
    const completed = this.stage === 'completed'
    const downtimeKnown = completed || this.stage === 'postcopy' || this.downtime > 0
    const info: MigrationInfo = {
      status,
      'total-time': ms(total),
      'setup-time': ms(Math.min(total, this.params.setupTime)),
      ram: {
        transferred: this.transferred,
        total: this.pageCount * this.pageSize,
        duplicate: this.zeroPages,
        skipped: 0,
        normal: this.normalPages,
        'normal-bytes': this.normalPages * this.pageSize,
        'dirty-pages-rate': this.dirtyPagesRate,
        mbps: completed && sendTime > 0 ? (this.transferred * 8) / sendTime / 1e6 : this.lastWindowMbps,
        'dirty-sync-count': this.syncCount,
        'postcopy-requests': this.postcopyRequests,
        'page-size': this.pageSize,
        'pages-per-second': sendTime > 0 ? (this.normalPages + this.zeroPages) / sendTime : 0,
        'precopy-bytes': this.precopyBytes,
        'downtime-bytes': this.downtimeBytes,
        'postcopy-bytes': this.postcopyBytes,
      },
      lab: {
        phase: this.phase,
        rounds: this.activeSyncs,
        passes: this.passes,
        location: this.location,
        vmLost: this.vmLost,
        'throttle-steps': [...this.throttleSteps],
        'throttle-times': [...this.throttleTimes],
        'guest-lost-seconds': this.throttledSeconds + this.pausedSeconds + this.stallSeconds,
        'throttle-lost-seconds': this.throttledSeconds,
        'paused-seconds': this.pausedSeconds,
        'fault-stall-seconds': this.stallSeconds,
        'source-cpu-seconds': this.sourceCpuSeconds,
        timeout: this.timeout,
      },
    }
    if (!completed) info.ram.remaining = this.remaining * this.pageSize
    if (downtimeKnown) {
      info.downtime = ms(this.downtime)
      info.lab['observed-downtime'] = ms(this.downtime + this.params.networkOutage)
    }
    if (status === 'active') info['expected-downtime'] = ms(this.expectedDowntime)
    if (this.throttle > 0 && this.stage === 'precopy') info['cpu-throttle-percentage'] = this.throttle
    if (this.postcopyRequests > 0 || this.stage === 'postcopy') info['postcopy-blocktime'] = ms(this.blocktime)
    if (this.stage !== 'setup' && this.stage !== 'precopy' && this.stage !== 'stop-and-copy')
      info.lab['switchover-time'] = ms(this.stopStart)
    if (this.stage === 'failed' || this.stage === 'cancelled') {
      info.lab.reason = this.reason
      if (this.stage === 'failed') info['error-desc'] = this.reason
    }
    const d = this.diagnosis()
    if (d && this.stage !== 'completed') info.lab.diagnosis = d
    return info
  }

  /**
   * Why the migration is not converging, with the numbers: set once the dirty set has stopped shrinking
   * (and auto-converge, if on, cannot throttle any further), undefined otherwise. Dirty rate = QEMU's
   * dirty-pages-rate (distinct pages newly dirtied per second) × page size.
   */
  diagnosis(): string | undefined {
    return this.stalledReported ? this.describeStall() : undefined
  }

  private describeStall(): string {
    const p = this.params
    const rate = this.lastRate > 0 ? this.lastRate : Math.min(p.maxBandwidth, this.measuredBw)
    const bw = this.switchoverBandwidth()
    const thr = bw * p.downtimeLimit
    const dirty = this.dirtyPagesRate * this.pageSize
    const raw = this.writer.writesPerSecond(this.lastActivity * (1 - this.throttle / 100)) * this.pageSize
    const pending = this.dirtyBytesLastSync
    const throttle = p.autoConverge
      ? `auto-converge on, throttle ${this.throttle} %${this.throttle >= p.maxCpuThrottle ? ' (the maximum)' : ''}`
      : 'auto-converge off'
    const pause = bw > 0 ? `${((pending / bw) * 1000).toFixed(0)} ms` : 'an unbounded'
    const lambda = rate > 0 ? (dirty / rate).toFixed(2) : '∞'
    return (
      `the dirty set is back to ${mib(pending)} MiB at every bitmap sync, above the switch-over threshold ` +
      `${mib(thr)} MiB = ${mib(bw)} MiB/s × downtime-limit ${(p.downtimeLimit * 1000).toFixed(0)} ms ` +
      `(switching now would pause the guest ${pause}): the guest dirties ${mib(dirty)} MiB/s of distinct pages ` +
      `(it writes ${mib(raw)} MiB/s, repeats included) while ${mib(rate)} MiB/s are sent (λ = ${lambda}) (${throttle})`
    )
  }

  // ── state ─────────────────────────────────────────────────────────────────────────────────────────────

  state(): MigrationState {
    return {
      version: 1,
      params: { ...this.params },
      pageCount: this.pageCount,
      pageSize: this.pageSize,
      stage: this.stage,
      stopKind: this.stopKind,
      t: this.t,
      precopyStart: this.precopyStart,
      window: this.window,
      windowBytes: this.windowBytes,
      measuredBw: this.measuredBw,
      bitmap: this.bitmap.slice(),
      remaining: this.remaining,
      cursor: this.cursor,
      passes: this.passes,
      credit: this.credit,
      needCheck: this.needCheck,
      postcopyRequested: this.postcopyRequested,
      syncCount: this.syncCount,
      activeSyncs: this.activeSyncs,
      nextTick: this.nextTick,
      syncCountAtTick: this.syncCountAtTick,
      periodStart: this.periodStart,
      periodDirtyPages: this.periodDirtyPages,
      periodXferStart: this.periodXferStart,
      dirtyHighCount: this.dirtyHighCount,
      throttle: this.throttle,
      throttleSteps: [...this.throttleSteps],
      throttleTimes: [...this.throttleTimes],
      dirtyPagesRate: this.dirtyPagesRate,
      dirtyBytesLastSync: this.dirtyBytesLastSync,
      expectedDowntime: this.expectedDowntime,
      bestPending: this.bestPending,
      syncsSinceBest: this.syncsSinceBest,
      stalledReported: this.stalledReported,
      transferred: this.transferred,
      normalPages: this.normalPages,
      zeroPages: this.zeroPages,
      precopyBytes: this.precopyBytes,
      downtimeBytes: this.downtimeBytes,
      postcopyBytes: this.postcopyBytes,
      postcopyRequests: this.postcopyRequests,
      blocktime: this.blocktime,
      stallCarry: this.stallCarry,
      stopStart: this.stopStart,
      deviceLeft: this.deviceLeft,
      resumeLeft: this.resumeLeft,
      downtime: this.downtime,
      postcopyStart: this.postcopyStart,
      pcStep: this.pcStep,
      endTime: this.endTime,
      reason: this.reason,
      vmLost: this.vmLost,
      location: this.location,
      throttledSeconds: this.throttledSeconds,
      pausedSeconds: this.pausedSeconds,
      stallSeconds: this.stallSeconds,
      sourceCpuSeconds: this.sourceCpuSeconds,
      lastRate: this.lastRate,
      lastActivity: this.lastActivity,
      lastWindowMbps: this.lastWindowMbps,
      timeout: this.timeout,
      events: this.events.map((e) => ({ ...e })),
    }
  }

  /** Resumes a migration from its state, with the VM's image and writer (restored from their own states). */
  static fromState(s: MigrationState, image: MemoryImage, writer: PageWriter, guest?: GuestPages): LiveMigration {
    if (s.version !== 1) throw new Error(`migration state version ${String(s.version)} is not supported`)
    if (image.pageCount !== s.pageCount || image.pageSize !== s.pageSize)
      throw new RangeError('migration state: the image does not match the migration (page count or size)')
    const m = new LiveMigration(image, writer, s.params, guest)
    const {
      params: _params,
      bitmap,
      throttleSteps,
      throttleTimes,
      events,
      version: _v,
      pageCount: _n,
      pageSize: _p,
      ...rest
    } = s
    Object.assign(m, rest)
    m.bitmap.set(bitmap)
    m.throttleSteps = [...throttleSteps]
    m.throttleTimes = [...throttleTimes]
    m.events = events.map((e) => ({ ...e }))
    return m
  }

  // ── internals ─────────────────────────────────────────────────────────────────────────────────────────

  /** Where the guest's writes go: its memory (use counts, balloon and KSM kept), else the image. */
  private get sink(): PageSink {
    return this.guest ?? this.image
  }

  private resolveTimeout(): number {
    const p = this.params
    if (p.completionTimeout > 0) return p.completionTimeout
    if (p.completionTimeoutPerGiB > 0) return p.completionTimeoutPerGiB * ((this.pageCount * this.pageSize) / GiB)
    return Infinity
  }

  private emit(kind: MigrationEventKind, message: string, extra: Partial<MigrationEvent> = {}): void {
    const e: MigrationEvent = { kind, time: this.t, message, ...extra }
    this.events.push(e)
    this.sliceEvents.push(e)
  }

  private finish(stage: 'completed' | 'cancelled' | 'failed', reason: string, vmLost: boolean, where: VmLocation) {
    this.stage = stage
    this.reason = reason
    this.vmLost = vmLost
    this.location = where
    this.endTime = this.t
    this.throttle = 0
    this.image.stopLogging()
    if (stage === 'completed')
      this.emit('completed', `completed in ${this.t.toFixed(3)} s, downtime ${(this.downtime * 1000).toFixed(1)} ms`)
    else this.emit(stage, reason, stage === 'failed' ? { vmLost } : {})
  }

  private stepSetup(end: number, activity: number): void {
    const stop = Math.min(end, this.params.setupTime)
    if (stop > this.t) {
      this.writer.run(this.sink, stop - this.t, activity)
      this.t = stop
    }
    if (this.t >= this.params.setupTime) this.beginIterations()
  }

  /** ram_init_bitmaps: dirty logging on, every page in the migration bitmap, the initial sync. */
  private beginIterations(): void {
    this.stage = 'precopy'
    this.precopyStart = this.t
    this.window = 0
    this.image.startLogging()
    this.bitmap.fill(0xffffffff)
    const tail = this.pageCount & 31
    if (tail !== 0) this.bitmap[this.bitmap.length - 1] = 0xffffffff >>> (32 - tail) // the low `tail` bits
    this.remaining = this.pageCount
    this.cursor = 0
    this.syncCount = 1
    this.periodStart = this.t
    this.periodXferStart = this.transferred
    this.needCheck = true
    this.emit('iterations-start', `setup done in ${(this.t * 1000).toFixed(0)} ms, bulk stage: ${this.pageCount} pages`)
  }

  private stepPrecopy(end: number, bandwidth: number, activity: number): void {
    if (this.needCheck) {
      this.needCheck = false
      this.check()
      if (this.stage !== 'precopy') return
    }
    const p = this.params
    const windowEnd = this.precopyStart + (this.window + 1) * BUFFER_DELAY
    const ticking = p.autoConverge && p.periodicDirtySync
    let segEnd = Math.min(end, windowEnd)
    if (ticking && this.nextTick < segEnd) segEnd = Math.max(this.t, this.nextTick)
    const h = segEnd - this.t
    const rate = Math.min(p.maxBandwidth, bandwidth)
    this.lastRate = rate
    const used = this.remaining > 0 ? this.transfer(h, rate, 'precopy') : 0
    if (used < h) this.needCheck = true // the bitmap emptied: check now (sync, maybe switch over)
    const run = 1 - this.throttle / 100
    this.writer.run(this.sink, used, activity * run)
    this.throttledSeconds += used * (1 - run)
    this.t = used < h ? this.t + used : segEnd
    if (ticking && this.t >= this.nextTick) this.tick()
    if (this.t >= windowEnd) this.closeWindow()
  }

  /** Sends pages for up to `h` seconds at `rate`; returns the time used (< h when the bitmap emptied). */
  private transfer(h: number, rate: number, kind: 'precopy' | 'downtime' | 'postcopy', spent = 0): number {
    if (this.remaining === 0) return 0
    if (!(rate > 0)) return h
    const budget = this.credit + rate * h - spent
    if (budget <= 0) {
      this.credit = budget
      return h
    }
    const left = this.sendPages(budget, kind)
    if (this.remaining === 0 && left > 0) {
      this.credit = 0
      return Math.max(0, Math.min(h, h - left / rate))
    }
    this.credit = left
    return h
  }

  /** Walks the bitmap from the cursor, sending pages while the budget lasts; returns what is left of it. */
  private sendPages(budget: number, kind: 'precopy' | 'downtime' | 'postcopy'): number {
    const bm = this.bitmap
    const tokens = this.image.tokens
    const words = bm.length
    const normalCost = this.pageSize + this.params.pageHeaderBytes
    const zeroCost = this.params.zeroPageBytes
    let w = this.cursor >>> 5
    let bit = this.cursor & 31
    let remaining = this.remaining
    let normal = 0
    let zero = 0
    let bytes = 0
    while (budget > 0 && remaining > 0) {
      const word = bit === 0 ? bm[w]! : bm[w]! & ~((1 << bit) - 1)
      if (word === 0) {
        w++
        bit = 0
        if (w === words) {
          w = 0
          this.passes++
        }
        continue
      }
      const b = 31 - Math.clz32(word & -word)
      bm[w] = bm[w]! & ~(1 << b)
      remaining--
      const cost = tokens[(w << 5) + b] === ZERO_TOKEN ? zeroCost : normalCost
      if (cost === zeroCost) zero++
      else normal++
      budget -= cost
      bytes += cost
      bit = b + 1
      if (bit === 32) {
        bit = 0
        w++
        if (w === words) {
          w = 0
          this.passes++
        }
      }
    }
    this.cursor = (w << 5) + bit
    this.remaining = remaining
    this.normalPages += normal
    this.zeroPages += zero
    this.account(bytes, kind)
    return budget
  }

  private account(bytes: number, kind: 'precopy' | 'downtime' | 'postcopy'): void {
    this.transferred += bytes
    this.windowBytes += bytes
    if (kind === 'precopy') this.precopyBytes += bytes
    else if (kind === 'downtime') this.downtimeBytes += bytes
    else this.postcopyBytes += bytes
  }

  /** End of a 100 ms window: measure the bandwidth (migration_update_counters), check the timeout. */
  private closeWindow(): void {
    this.measuredBw = this.windowBytes / BUFFER_DELAY
    this.lastWindowMbps = (this.windowBytes * 8) / BUFFER_DELAY / 1e6
    this.windowBytes = 0
    this.window++
    this.needCheck = true
    if (this.t >= this.timeout - EPS && this.stage === 'precopy') this.timedOut()
  }

  private timedOut(): void {
    const why = this.describeStall()
    const after = `after ${this.t.toFixed(1)} s (timeout ${this.timeout.toFixed(0)} s)`
    if (this.params.timeoutAction === 'postcopy') {
      this.emit('not-converging', `not converged ${after}: ${why}; switching to post-copy`)
      this.beginSwitch('postcopy')
    } else this.finish('cancelled', `not converged ${after}: ${why}`, false, 'source')
  }

  private switchoverBandwidth(): number {
    return this.params.availSwitchoverBandwidth > 0 ? this.params.availSwitchoverBandwidth : this.measuredBw
  }

  /** migration_iteration_run: sync when little is left, switch over when it fits the downtime limit. */
  private check(): void {
    const p = this.params
    const P = this.pageSize
    const thr = this.switchoverBandwidth() * p.downtimeLimit
    let pending = this.remaining * P
    let synced = false
    if (p.syncRule === 'qemu' ? pending < thr : this.remaining === 0) {
      this.sync(true)
      synced = true
      pending = this.remaining * P
    }
    // QEMU decides on the exact value after a sync, or on an empty bitmap with no threshold yet
    // (`!pending_size`); the textbook rule only right after its end-of-round sync
    if ((p.syncRule === 'qemu' || synced) && (pending === 0 || pending < thr)) {
      this.beginSwitch('completed')
      return
    }
    if (
      this.postcopyRequested ||
      p.mode === 'postcopy' ||
      (p.mode === 'hybrid' && this.activeSyncs >= p.postcopyAfterRounds)
    ) {
      this.beginSwitch('postcopy')
    }
  }

  /** The auto-converge dirty-sync timer (QEMU ≥ 9.2): a sync if none happened in the last 5 s. */
  private tick(): void {
    if (this.syncCount > 1 && this.syncCount === this.syncCountAtTick) this.sync(false)
    this.syncCountAtTick = this.syncCount
    this.nextTick += THROTTLE_DIRTY_SYNC_PERIOD
  }

  /** migration_bitmap_sync: pull KVM's dirty log into the migration bitmap. */
  private sync(fromCheck: boolean): void {
    this.syncCount++
    this.activeSyncs++
    const dirty = this.image.syncDirty(this.scratch)
    let fresh = 0
    if (dirty > 0) {
      const bm = this.bitmap
      const s = this.scratch
      for (let i = 0; i < s.length; i++) {
        const d = s[i]!
        if (d === 0) continue
        const add = d & ~bm[i]!
        if (add !== 0) {
          fresh += popcount(add)
          bm[i] = bm[i]! | add
        }
      }
    }
    this.remaining += fresh
    this.periodDirtyPages += fresh
    this.dirtyBytesLastSync = this.remaining * this.pageSize
    if (this.t - this.periodStart > RATE_PERIOD + EPS) {
      this.triggerThrottle()
      this.dirtyPagesRate = this.periodDirtyPages / (this.t - this.periodStart)
      this.periodStart = this.t
      this.periodDirtyPages = 0
      this.periodXferStart = this.transferred
    }
    const bw = this.switchoverBandwidth()
    if (this.dirtyPagesRate > 0 && this.transferred > 10000 && bw > 0)
      this.expectedDowntime = this.dirtyBytesLastSync / bw
    if (fromCheck) this.watchConvergence()
  }

  /** Flags a migration whose dirty set stopped shrinking (once per stall), with the diagnosis. */
  private watchConvergence(): void {
    const pending = this.dirtyBytesLastSync
    if (pending < this.bestPending * 0.98) {
      this.bestPending = pending
      this.syncsSinceBest = 0
      this.stalledReported = false
      return
    }
    this.syncsSinceBest++
    const p = this.params
    const canStillThrottle = p.autoConverge && this.throttle < p.maxCpuThrottle
    if (this.syncsSinceBest >= 5 && !this.stalledReported && !canStillThrottle) {
      this.stalledReported = true
      this.emit('not-converging', `not converging: ${this.describeStall()}`)
    }
  }

  /** migration_trigger_throttle: two "high" periods (dirtied > threshold % of sent) make one throttle step. */
  private triggerThrottle(): void {
    const p = this.params
    const bytesXfer = this.transferred - this.periodXferStart
    const bytesDirty = this.periodDirtyPages * this.pageSize
    const threshold = Math.floor((bytesXfer * p.throttleTriggerThreshold) / 100)
    if (bytesDirty > threshold && ++this.dirtyHighCount >= 2) {
      this.dirtyHighCount = 0
      if (p.autoConverge) this.throttleDown(bytesDirty, threshold, bytesXfer)
    }
  }

  /** mig_throttle_guest_down. */
  private throttleDown(bytesDirty: number, threshold: number, bytesXfer: number): void {
    const p = this.params
    if (this.throttle === 0) this.throttle = p.cpuThrottleInitial
    else {
      let inc = p.cpuThrottleIncrement
      if (p.cpuThrottleTailslow) {
        const cpuNow = 100 - this.throttle
        const cpuIdeal = Math.floor(cpuNow * (threshold / bytesDirty))
        inc = Math.min(cpuNow - cpuIdeal, p.cpuThrottleIncrement)
      }
      this.throttle = Math.min(this.throttle + inc, p.maxCpuThrottle)
    }
    this.throttleSteps.push(this.throttle)
    this.throttleTimes.push(this.t)
    this.emit(
      'throttle',
      `auto-converge: guest throttled to ${this.throttle} % (dirtied ${mib(bytesDirty)} MiB > ${p.throttleTriggerThreshold} % of the ${mib(bytesXfer)} MiB sent in the period, for the second time)`,
      { throttle: this.throttle },
    )
  }

  /** Stop the guest: the final sync, then RAM (pre-copy completion only), device state, resume. */
  private beginSwitch(to: 'completed' | 'postcopy'): void {
    this.stage = 'stop-and-copy'
    this.stopKind = to
    this.stopStart = this.t
    this.syncCount++ // the final migration_bitmap_sync (the guest is paused: nothing new after the check)
    const late = this.image.syncDirty(this.scratch)
    if (late > 0) {
      for (let i = 0; i < this.scratch.length; i++) {
        const add = this.scratch[i]! & ~this.bitmap[i]!
        if (add !== 0) {
          this.remaining += popcount(add)
          this.bitmap[i] = this.bitmap[i]! | add
        }
      }
    }
    this.image.stopLogging()
    this.throttle = 0
    this.credit = 0
    this.deviceLeft = this.params.deviceStateBytes
    this.resumeLeft = this.params.resumeTime
    const pending = this.remaining * this.pageSize
    if (to === 'completed')
      this.emit(
        'switchover',
        `switch-over after ${this.activeSyncs} round(s): ${mib(pending)} MiB left (expected downtime ${(this.expectedDowntime * 1000).toFixed(0)} ms)`,
      )
    else
      this.emit(
        'postcopy-start',
        `switching to post-copy after ${this.activeSyncs} round(s): ${mib(pending)} MiB will be pulled or pushed`,
      )
  }

  private stepStop(end: number, bandwidth: number): void {
    const before = this.t
    if (this.stopKind === 'completed' && this.remaining > 0) {
      // ram_save_complete: everything left, regardless of the rate limit
      const used = this.transfer(end - this.t, bandwidth, 'downtime')
      this.t = used < end - this.t ? this.t + used : end
    } else if (this.deviceLeft > 0) {
      if (bandwidth > 0) {
        const need = this.deviceLeft / bandwidth
        if (need <= end - this.t) {
          this.account(this.deviceLeft, 'downtime')
          this.deviceLeft = 0
          this.t += need
        } else {
          const part = bandwidth * (end - this.t)
          this.account(part, 'downtime')
          this.deviceLeft -= part
          this.t = end
        }
      } else this.t = end
    } else if (this.resumeLeft > 0) {
      const use = Math.min(this.resumeLeft, end - this.t)
      this.resumeLeft = use === this.resumeLeft ? 0 : this.resumeLeft - use
      this.t = use === end - this.t ? end : this.t + use
    }
    this.pausedSeconds += this.t - before
    if ((this.stopKind === 'postcopy' || this.remaining === 0) && this.deviceLeft === 0 && this.resumeLeft === 0) {
      this.downtime = this.t - this.stopStart
      if (this.stopKind === 'completed') this.finish('completed', '', false, 'destination')
      else {
        this.stage = 'postcopy'
        this.location = 'destination'
        this.postcopyStart = this.t
        this.pcStep = 0
        this.emit(
          'postcopy-start',
          `guest running on the destination after a ${(this.downtime * 1000).toFixed(1)} ms pause; ${this.remaining} pages missing`,
        )
      }
    }
  }

  /** The guest runs on the destination: first touches of missing pages fault; the rest is pushed in background. */
  private stepPostcopy(end: number, bandwidth: number, activity: number): void {
    const p = this.params
    const alignedEnd = this.postcopyStart + (this.pcStep + 1) * POSTCOPY_STEP
    const stepEnd = Math.min(end, alignedEnd)
    const h = stepEnd - this.t
    const wire = this.pageSize + p.pageHeaderBytes
    const latency = bandwidth > 0 ? p.postcopyFaultLatency + wire / bandwidth : Infinity
    const bm = this.bitmap
    const tokens = this.image.tokens
    this.writer.accrue(h, activity)
    const vcpus = p.vcpus
    let stall = 0
    let blocked = 0
    let faultBytes = 0
    while (this.writer.due >= 1) {
      // the guest touches a frame: the page itself, or the one its allocator gives a page it ballooned
      const page = this.writer.nextPage()
      const frame = this.guest ? this.guest.frame(page) : page
      if (frame < 0) continue
      const w = frame >>> 5
      const mask = 1 << (frame & 31)
      if ((bm[w]! & mask) !== 0) {
        if (latency === Infinity) {
          // no bandwidth: the vCPU blocks on this page for the rest of the step; it will retry
          this.writer.stall(h, activity)
          stall = h
          blocked += h
          break
        }
        bm[w] = bm[w]! & ~mask
        this.remaining--
        this.postcopyRequests++
        const cost = tokens[frame] === ZERO_TOKEN ? p.zeroPageBytes : wire
        if (cost === wire) this.normalPages++
        else this.zeroPages++
        faultBytes += cost
        blocked += latency
        stall += latency / vcpus
        this.writer.stall(latency / vcpus, activity)
      }
      this.sink.write(frame)
    }
    if (faultBytes > 0) this.account(faultBytes, 'postcopy')
    this.blocktime += blocked
    const owed = this.stallCarry + stall
    const lost = Math.min(h, owed)
    this.stallCarry = owed - lost
    this.stallSeconds += lost
    const rate = p.maxPostcopyBandwidth > 0 ? Math.min(p.maxPostcopyBandwidth, bandwidth) : bandwidth
    // completes when the push empties the bitmap (at that moment), or when faults took the last pages
    let doneAfter = h
    if (this.remaining > 0) doneAfter = this.transfer(h, rate, 'postcopy', faultBytes)
    if (this.remaining === 0) {
      this.t += Math.min(h, doneAfter)
      this.stallCarry = 0
      this.finish('completed', '', false, 'destination')
      // the guest's writes of this step are already issued: the slice goes on from the step's end
      this.t = stepEnd
      return
    }
    this.t = stepEnd
    if (stepEnd === alignedEnd) this.pcStep++
  }
}

/** Starts a migration of `image`, whose guest writes through `writer` (into `guest`, when given). */
export function startMigration(
  image: MemoryImage,
  writer: PageWriter,
  params: Partial<MigrationParams> = {},
  guest?: GuestPages,
): LiveMigration {
  return new LiveMigration(image, writer, params, guest)
}
