// What a LabSession remembers about the open scenario: the whole-lab checkpoints taken (kept in memory as
// their files, with the frames and events of the run up to them) and the runs made of the scenario — from
// t = 0, or continued from a checkpoint with the same policy (a rewind) or another policy or parameters (a
// branch) — with the final report of each that ran to the end, for the side-by-side comparison.
import type { BranchSummary, CheckpointSummary, Frame, LabEvent, RunReport } from './lab-api'
import type { LabCheckpoint, ScenarioOrigin } from '../checkpoint/lab-checkpoint'

/** Where a run's scenario came from, as a checkpoint file records it (its binding digest added at the take). */
export type Origin = Omit<ScenarioOrigin, 'bindingDigest'>

/** The frame fields, in the order the app packs them into a checkpoint file. */
export const FRAME_KEYS = [
  'time',
  'step',
  'energyKWh',
  'powerW',
  'activeHosts',
  'cpuUtilization',
  'migrations',
  'migrationsStarted',
  'overloadedHosts',
  'vmsRunning',
  'slatah',
  'slaViolationShare',
] as const satisfies readonly (keyof Frame)[]

/** The frame fields the series export reads, packed beside FRAME_KEYS (files written before them lack them). */
export const FRAME_SERIES_KEYS = [
  'demandMips',
  'grantedMips',
  'migrationsInFlight',
  'memoryUsedBytes',
  'ksmSavedBytes',
  'balloonBytes',
  'swappedBytes',
] as const satisfies readonly (keyof Frame)[]

/**
 * A LabCheckpoint as the app writes it: the file `conlab resume`, `branch` and `snapshots` read, plus the run's
 * frames up to the checkpoint, so a loaded file shows its charts from t = 0 (other readers ignore `app`);
 * `series` holds FRAME_SERIES_KEYS per frame, `balance` FRAME_BALANCE_KEYS (NaN where a frame has none).
 */
export interface AppCheckpoint extends LabCheckpoint {
  app?: { frames: Float64Array; series?: Float64Array; balance?: Float64Array }
}

/** The recommendations' frame fields (issue 18), packed apart so files written before them keep their series. */
export const FRAME_BALANCE_KEYS = [
  'loadStdDev',
  'balance',
  'recommendationsWaiting',
] as const satisfies readonly (keyof Frame)[]

export function packFrameSeries(
  frames: readonly Frame[],
  keys: readonly (keyof Frame)[] = FRAME_SERIES_KEYS,
): Float64Array {
  const n = keys.length
  const out = new Float64Array(frames.length * n)
  frames.forEach((f, i) => keys.forEach((k, j) => (out[i * n + j] = f[k] ?? Number.NaN)))
  return out
}

/** Optional per-frame fields from `packed` (keys.length numbers per frame; NaN: absent) into `frames`. */
function addSeries(frames: Frame[], packed: unknown, keys: readonly (keyof Frame)[]): void {
  const m = keys.length
  if (!(packed instanceof Float64Array) || packed.length !== frames.length * m) return
  frames.forEach((f, i) =>
    keys.forEach((k, j) => {
      const x = packed[i * m + j]!
      if (!Number.isNaN(x)) (f as unknown as Record<string, number>)[k] = x
    }),
  )
}

/** Frames as one Float64Array, FRAME_KEYS.length numbers per frame. */
export function packFrames(frames: readonly Frame[]): Float64Array {
  const n = FRAME_KEYS.length
  const out = new Float64Array(frames.length * n)
  frames.forEach((f, i) => FRAME_KEYS.forEach((k, j) => (out[i * n + j] = f[k])))
  return out
}

export function unpackFrames(packed: unknown, series?: unknown, balance?: unknown): Frame[] {
  const n = FRAME_KEYS.length
  if (!(packed instanceof Float64Array) || packed.length % n !== 0) return []
  const m = FRAME_SERIES_KEYS.length
  const withSeries = series instanceof Float64Array && series.length === (packed.length / n) * m
  const frames: Frame[] = []
  for (let i = 0; i < packed.length; i += n) {
    const f = {} as Record<(typeof FRAME_KEYS)[number], number> &
      Partial<Record<(typeof FRAME_SERIES_KEYS)[number], number>>
    FRAME_KEYS.forEach((k, j) => (f[k] = packed[i + j]!))
    if (withSeries)
      FRAME_SERIES_KEYS.forEach((k, j) => {
        const x = series[(i / n) * m + j]!
        if (!Number.isNaN(x)) f[k] = x
      })
    frames.push(f)
  }
  addSeries(frames, balance, FRAME_BALANCE_KEYS)
  return frames
}

/** A run's history up to a checkpoint: the run's own (append-only) arrays and how far they went. */
export interface HistoryMark {
  frames: readonly Frame[]
  frameCount: number
  events: readonly LabEvent[]
  eventCount: number
}

interface StoredCheckpoint {
  summary: CheckpointSummary
  bytes: Uint8Array
  /** undefined for a checkpoint loaded from a file (its frames are in the file, its events are not) */
  mark: HistoryMark | undefined
}

interface Branch {
  id: number
  policy: string
  seed: number
  settings: string[]
  from?: { checkpoint: number; name: string; time: number }
  time: number
  report?: RunReport
}

/** The part of a report the comparison keeps: everything but the per-migration detail. */
function comparable(report: RunReport): RunReport {
  const { migrationsDetail: _detail, ...rest } = report
  return rest
}

export function branchLabel(policy: string, settings: readonly string[]): string {
  return settings.length ? `${policy} + ${settings.join(' ')}` : policy
}

export class SessionHistory {
  private stored: StoredCheckpoint[] = []
  private runs: Branch[] = []
  private current: Branch | undefined
  private nextCheckpoint = 1
  private nextBranch = 1
  /** which scenario the lists belong to (its file and text) */
  private key: string | undefined

  /** A run of `origin` starts: the lists are kept if it is the same scenario, else started afresh. */
  scenario(origin: Origin): void {
    const key = `${origin.file}\u0000${origin.text}`
    if (key === this.key) return
    this.key = key
    this.stored = []
    this.runs = []
    this.current = undefined
  }

  addCheckpoint(summary: Omit<CheckpointSummary, 'id'>, bytes: Uint8Array, mark?: HistoryMark): CheckpointSummary {
    const s: CheckpointSummary = { id: this.nextCheckpoint++, ...summary }
    this.stored.push({ summary: s, bytes, mark })
    return s
  }

  checkpoint(id: number): StoredCheckpoint {
    const c = this.stored.find((x) => x.summary.id === id)
    if (!c)
      throw new RangeError(
        `no checkpoint ${id} in this session${this.stored.length ? ` (${this.stored.map((x) => x.summary.id).join(', ')})` : ''}`,
      )
    return c
  }

  /** A new run becomes the current one. */
  startBranch(b: Omit<Branch, 'id' | 'report'>): BranchSummary {
    const branch: Branch = { id: this.nextBranch++, ...b }
    this.runs.push(branch)
    this.current = branch
    return this.summary(branch)
  }

  get currentBranch(): number | undefined {
    return this.current?.id
  }

  /** The current run has reached `time`; once `done`, its final report is kept for the comparison. */
  progress(time: number, done: boolean, report: () => RunReport): void {
    const b = this.current
    if (!b) return
    b.time = time
    if (done && !b.report) b.report = comparable(report())
  }

  private summary(b: Branch): BranchSummary {
    return {
      id: b.id,
      label: branchLabel(b.policy, b.settings),
      policy: b.policy,
      seed: b.seed,
      settings: [...b.settings],
      ...(b.from ? { from: { ...b.from } } : {}),
      current: b === this.current,
      time: b.time,
      ...(b.report ? { report: b.report } : {}),
    }
  }

  list(): { checkpoints: CheckpointSummary[]; branches: BranchSummary[] } {
    return {
      checkpoints: this.stored.map((c) => ({ ...c.summary, settings: [...c.summary.settings] })),
      branches: this.runs.map((b) => this.summary(b)),
    }
  }
}
