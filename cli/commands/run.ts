// conlab run <scenario> [--policy P] [--traces DIR] [--seed N] [--workers N] [--until T] [--set path=value]… [--json] [--out FILE]
import { parseFlags } from '../main'
import { UsageError, requireInt } from '../usage'
import { openScenario } from '../../engine/scenario/open'
import { nodeFiles } from '../../engine/platform/node/files'
import { runToEnd } from '../../engine/run'
import { formatSummary, type RunReport } from '../../engine/report'
import { Progress } from '../progress'
import { writeReports } from '../output'
import { shardOptions } from '../../engine/platform/node/shard-workers'
import { parseDuration } from '../../engine/scenario/duration'
import type { LabEvent } from '../../engine/api/lab-api'

/** d+hh:mm:ss.s of simulated time. */
function formatClock(seconds: number): string {
  const d = Math.floor(seconds / 86400)
  const rest = seconds - d * 86400
  const h = Math.floor(rest / 3600)
  const m = Math.floor((rest % 3600) / 60)
  const s = rest % 60
  return `${d}+${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${s.toFixed(1).padStart(4, '0')}`
}

export const RUN_FLAGS = {
  policy: { type: 'string' },
  traces: { type: 'string' },
  seed: { type: 'string' },
  workers: { type: 'string' },
  until: { type: 'string' },
  set: { type: 'string', multiple: true },
  events: { type: 'boolean' },
  json: { type: 'boolean' },
  out: { type: 'string' },
} as const

export async function runCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags(args, RUN_FLAGS)
  if (positionals.length !== 1) throw new UsageError(`run: expected one scenario file, found ${positionals.length}`)
  const file = positionals[0]!
  const workers = requireInt('workers', values.workers, 0)
  const opened = performance.now()
  const model = openScenario(file, nodeFiles, {
    policy: values.policy,
    seed: requireInt('seed', values.seed, 0),
    traces: values.traces,
    set: values.set,
  })
  let untilSeconds: number | undefined
  if (values.until !== undefined) {
    untilSeconds = parseDuration(values.until)
    if (untilSeconds === undefined || untilSeconds <= 0)
      throw new UsageError(`--until: expected a duration such as 6h or 21600, found "${values.until}"`)
  }
  const progress = new Progress(model.policy.name, untilSeconds ?? model.duration)
  const onEvent = values.events
    ? (e: LabEvent) => {
        progress.clear()
        process.stderr.write(`${formatClock(e.time)}  ${e.kind.padEnd(15)} ${e.message}\n`)
      }
    : undefined
  const report: RunReport = await runToEnd(model, {
    onFrame: (f) => progress.update(f.time),
    onEvent,
    untilSeconds,
    ...shardOptions(model, workers),
  })
  progress.done()
  if (process.env.CONLAB_TIMING) {
    process.stderr.write(
      `timing: process start → command ${opened.toFixed(0)} ms, scenario + traces ${(performance.now() - opened - report.wallMs).toFixed(0)} ms, simulation ${report.wallMs.toFixed(0)} ms\n`,
    )
  }
  if (values.out) writeReports(values.out, [report])
  if (values.json) process.stdout.write(`${JSON.stringify(report)}\n`)
  else process.stdout.write(`${formatSummary(report)}\n`)
  return 0
}
