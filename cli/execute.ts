// Running a model for `run`, `resume` and `branch`: every flag checked against the model before the first
// step (a refusal exits 2; where the run does something other than asked, one line on stderr says what),
// output folders prepared, then the run with progress on stderr, events with --events, whole-lab
// checkpoints with --checkpoint-every/--checkpoint-dir.
import { resolve } from 'node:path'
import type { ClusterModel } from '../engine/model/cluster-model'
import { runToEnd, type Frame } from '../engine/run'
import type { RunReport } from '../engine/report'
import type { LabEvent } from '../engine/api/lab-api'
import type { LabState } from '../engine/lab/lab-state'
import type { LabTiming } from '../engine/lab/simulation'
import type { PlacementRow } from '../engine/lab/placement-log'
import { labCheckpoint, type ScenarioOrigin } from '../engine/checkpoint/lab-checkpoint'
import { shardOptions } from '../engine/platform/node/shard-workers'
import { formatDuration } from '../engine/scenario/duration'
import { LabInputError } from '../engine/scenario/diagnostics'
import { pick } from './flags'
import { favourShortRun } from './v8-tuning'
import { durationFlag, workersFlag } from './flag-values'
import { prepareCheckpointFolder, prepareReportFile } from './outputs'
import { formatBytes, formatClock } from '../engine/api/units'
import { Progress } from './progress'
import { saveLabCheckpoint } from './checkpoints'
import type { Io } from './io'

/** The flags every command that runs a lab understands. */
export const EXECUTE_FLAGS = pick(
  'workers',
  'until',
  'events',
  'progress',
  'json',
  'out',
  'checkpoint-every',
  'checkpoint-dir',
)

export interface ExecuteFlags {
  workers?: string
  until?: string
  events?: boolean
  progress?: boolean
  out?: string
  'checkpoint-every'?: string
  'checkpoint-dir'?: string
}

/** What a run will do, decided before its first step. */
export interface RunPlan {
  workers?: number
  untilSeconds?: number
  checkpointEvery?: number
  checkpointDir?: string
  /** one line each, for stderr: where the run does something other than the flags literally say */
  notices: string[]
}

function refuse(flag: string, value: string, message: string): LabInputError {
  return new LabInputError([{ file: `--${flag} ${value}`, message }])
}

function isStep(seconds: number, interval: number): boolean {
  const q = seconds / interval
  return Math.abs(q - Math.round(q)) < 1e-9
}

/**
 * Checks the run's flags against the model (and the checkpoint a run resumes from) and prepares the
 * output folders; throws LabInputError naming the flag for anything impossible.
 */
export function planRun(model: ClusterModel, flags: ExecuteFlags, resumeTime = 0): RunPlan {
  const notices: string[] = []
  const end = model.duration
  let untilSeconds = durationFlag('until', flags.until)
  if (untilSeconds !== undefined) {
    const text = flags.until!
    if (untilSeconds <= resumeTime)
      throw refuse('until', text, `expected a time after the checkpoint's (${formatDuration(resumeTime)})`)
    if (untilSeconds > end) {
      notices.push(
        `conlab: --until ${text} is past the end of the scenario (${formatDuration(end)}): the run goes to its end`,
      )
      untilSeconds = undefined
    } else if (!isStep(untilSeconds, model.interval)) {
      const step = Math.min(end, Math.ceil(untilSeconds / model.interval) * model.interval)
      notices.push(
        `conlab: --until ${text} is not a step boundary (steps of ${formatDuration(model.interval)}): the run stops after the step that ends at ${formatDuration(step)}`,
      )
      untilSeconds = step
    }
  }
  const every = durationFlag('checkpoint-every', flags['checkpoint-every'])
  if ((every !== undefined || flags['checkpoint-dir'] !== undefined) && model.mode !== 'lab')
    throw refuse(
      every !== undefined ? 'checkpoint-every' : 'checkpoint-dir',
      flags['checkpoint-every'] ?? flags['checkpoint-dir']!,
      'checkpoints need a lab-mode scenario: the CloudSim-compatible mode replays CloudSim 3.0.3 and keeps no checkpoints',
    )
  if (flags['checkpoint-dir'] !== undefined && every === undefined)
    throw refuse('checkpoint-dir', flags['checkpoint-dir'], 'give --checkpoint-every too (e.g. --checkpoint-every 1h)')
  if (every !== undefined) {
    const text = flags['checkpoint-every']!
    if (!isStep(every, model.interval))
      throw refuse(
        'checkpoint-every',
        text,
        `expected a multiple of the scenario's interval (${formatDuration(model.interval)}), found ${formatDuration(every)}`,
      )
    const last = untilSeconds ?? end
    if (Math.floor(last / every) * every <= resumeTime)
      throw refuse(
        'checkpoint-every',
        text,
        `no checkpoint time falls within the run (${formatDuration(resumeTime)} to ${formatDuration(last)})`,
      )
  }
  let workers = workersFlag(flags.workers)
  if (workers !== undefined && model.mode === 'cloudsim') {
    notices.push(
      `conlab: --workers ${flags.workers}: the cloudsim mode runs in this thread (CloudSim's event loop is serial); no worker threads started`,
    )
    workers = undefined
  } else if (workers !== undefined && workers > model.hostCount) {
    notices.push(
      `conlab: --workers ${flags.workers}: the lab has ${model.hostCount} hosts; runs ${model.hostCount} workers, one per host`,
    )
    workers = model.hostCount
  }
  if (flags.out !== undefined) prepareReportFile('out', flags.out)
  let checkpointDir: string | undefined
  if (every !== undefined) {
    checkpointDir = flags['checkpoint-dir'] ?? 'checkpoints'
    const removed = prepareCheckpointFolder(
      flags['checkpoint-dir'] === undefined ? 'checkpoint-every' : 'checkpoint-dir',
      checkpointDir,
    )
    if (removed.length)
      notices.push(
        `conlab: removed ${removed.length} temporary file${removed.length > 1 ? 's' : ''} of an interrupted save from ${checkpointDir}`,
      )
  }
  return { workers, untilSeconds, checkpointEvery: every, checkpointDir, notices }
}

export interface ExecuteOptions {
  io: Io
  plan: RunPlan
  events?: boolean
  progress?: boolean
  /** where the scenario came from (for checkpoint files) */
  origin: Omit<ScenarioOrigin, 'bindingDigest'>
  resume?: { state: LabState; file: string; time: number; policy: string }
  label?: string
  /** lab mode: filled with where the run's time went */
  timing?: LabTiming
  /** the refusal to give instead when the lab fails before its first step (engine/scenario/open.ts) */
  startFailure?: () => Error | undefined
  /** sees every step's frame (`run --series`) */
  onFrame?: (frame: Frame) => void
  /** every placement change, in time order (`--placement-log`) */
  onPlacement?: (row: PlacementRow) => void
}

export interface Execution {
  report: RunReport
  /** checkpoints that could not be saved (a full disk): the run went on; the command exits 1 */
  failures: string[]
}

/** How long the run may keep the event loop waiting: signals (Ctrl-C) and output are handled in between. */
const YIELD_EVERY_MS = 50

export async function execute(model: ClusterModel, o: ExecuteOptions): Promise<Execution> {
  const { io, plan } = o
  const progress = new Progress(o.label ?? model.policy.name, plan.untilSeconds ?? model.duration, io, o.progress)
  const failures: string[] = []
  const onEvent = o.events
    ? (e: LabEvent) => {
        progress.clear()
        io.err(`${formatClock(e.time, true)}  ${e.kind.padEnd(15)} ${e.message}\n`)
      }
    : undefined
  const dir = plan.checkpointDir === undefined ? undefined : resolve(plan.checkpointDir)
  let yielded = performance.now()
  let started = false
  if (model.mode === 'cloudsim') favourShortRun()
  const run = runToEnd(model, {
    onFrame: o.onFrame,
    onStep: (time) => {
      started = true
      progress.update(time)
      const now = performance.now()
      if (now - yielded < YIELD_EVERY_MS) return
      yielded = now
      return new Promise((done) => setImmediate(done))
    },
    onEvent,
    untilSeconds: plan.untilSeconds,
    resume: o.resume?.state,
    checkpointEvery: plan.checkpointEvery,
    onCheckpoint: (state, time) => {
      progress.clear()
      try {
        const saved = saveLabCheckpoint(dir!, labCheckpoint(model, o.origin, state))
        io.err(
          `checkpoint ${formatClock(time, true)} → ${saved.path} (${formatBytes(saved.bytes)}, ${(saved.encodeMs + saved.writeMs).toFixed(0)} ms)\n`,
        )
      } catch (e) {
        const message = `conlab: checkpoint ${formatClock(time, true)} not saved: ${(e as Error).message}; the run goes on`
        failures.push(message)
        io.err(`${message}\n`)
      }
    },
    ...shardOptions(model, plan.workers),
    timing: o.timing,
    onPlacement: o.onPlacement,
  })
  const report = await run.catch((e: unknown) => {
    throw (!started && o.startFailure?.()) || e
  })
  progress.done(report.simulatedSeconds)
  return {
    report: o.resume
      ? { ...report, resumedFrom: { checkpoint: o.resume.file, time: o.resume.time, policy: o.resume.policy } }
      : report,
    failures,
  }
}
