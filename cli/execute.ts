// Running a model for `run`, `resume` and `branch`: progress on stderr, events with --events, whole-lab
// checkpoints with --checkpoint-every/--checkpoint-dir, the report as text, JSON or a file.
import { resolve } from 'node:path'
import type { ClusterModel } from '../engine/model/cluster-model'
import { runToEnd } from '../engine/run'
import type { RunReport } from '../engine/report'
import type { LabEvent } from '../engine/api/lab-api'
import type { LabState } from '../engine/lab/lab-state'
import type { LabTiming } from '../engine/lab/simulation'
import { labCheckpoint, type ScenarioOrigin } from '../engine/checkpoint/lab-checkpoint'
import { shardOptions } from '../engine/platform/node/shard-workers'
import { formatDuration, parseDuration } from '../engine/scenario/duration'
import { formatBytes, formatClock } from '../engine/api/units'
import { Progress } from './progress'
import { saveLabCheckpoint } from './checkpoints'
import { UsageError } from './usage'

/** The flags every command that runs a lab understands. */
export const EXECUTE_FLAGS = {
  workers: { type: 'string' },
  until: { type: 'string' },
  events: { type: 'boolean' },
  json: { type: 'boolean' },
  out: { type: 'string' },
  'checkpoint-every': { type: 'string' },
  'checkpoint-dir': { type: 'string' },
} as const

export interface ExecuteOptions {
  workers?: number
  until?: string
  events?: boolean
  checkpointEvery?: string
  checkpointDir?: string
  /** where the scenario came from (for checkpoint files) */
  origin: Omit<ScenarioOrigin, 'bindingDigest'>
  resume?: { state: LabState; file: string; time: number; policy: string }
  label?: string
  /** lab mode: filled with where the run's time went */
  timing?: LabTiming
}

function duration(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined
  const seconds = parseDuration(text)
  if (seconds === undefined || seconds <= 0)
    throw new UsageError(`--${flag}: expected a duration such as 6h or 21600, found "${text}"`)
  return seconds
}

export async function execute(model: ClusterModel, o: ExecuteOptions): Promise<RunReport> {
  const untilSeconds = duration('until', o.until)
  const every = duration('checkpoint-every', o.checkpointEvery)
  if ((every !== undefined || o.checkpointDir !== undefined) && model.mode !== 'lab')
    throw new UsageError(
      'checkpoints need a lab-mode scenario: the CloudSim-compatible mode replays CloudSim 3.0.3 and keeps no checkpoints',
    )
  if (o.checkpointDir !== undefined && every === undefined)
    throw new UsageError('--checkpoint-dir: give --checkpoint-every too (e.g. --checkpoint-every 1h)')
  if (every !== undefined && every % model.interval !== 0)
    throw new UsageError(
      `--checkpoint-every: expected a multiple of the scenario's interval (${formatDuration(model.interval)}), found ${formatDuration(every)}`,
    )
  const dir = resolve(o.checkpointDir ?? 'checkpoints')
  const progress = new Progress(o.label ?? model.policy.name, untilSeconds ?? model.duration)
  const onEvent = o.events
    ? (e: LabEvent) => {
        progress.clear()
        process.stderr.write(`${formatClock(e.time, true)}  ${e.kind.padEnd(15)} ${e.message}\n`)
      }
    : undefined
  const report = await runToEnd(model, {
    onFrame: (f) => progress.update(f.time),
    onEvent,
    untilSeconds,
    resume: o.resume?.state,
    checkpointEvery: every,
    onCheckpoint: (state, time) => {
      const saved = saveLabCheckpoint(dir, labCheckpoint(model, o.origin, state))
      progress.clear()
      process.stderr.write(
        `checkpoint ${formatClock(time, true)} → ${saved.path} (${formatBytes(saved.bytes)}, ${(saved.encodeMs + saved.writeMs).toFixed(0)} ms)\n`,
      )
    },
    ...shardOptions(model, o.workers),
    timing: o.timing,
  })
  progress.done()
  return o.resume
    ? { ...report, resumedFrom: { checkpoint: o.resume.file, time: o.resume.time, policy: o.resume.policy } }
    : report
}
