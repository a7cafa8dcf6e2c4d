// conlab run <scenario> [--policy P] [--traces DIR] [--seed N] [--set path=value]… [--workers N] [--until T]
//   [--events] [--checkpoint-every T --checkpoint-dir DIR] [--json] [--out FILE] [--series FILE.csv]
import { readFileSync } from 'node:fs'
import { extname, resolve } from 'node:path'
import { parseFlags } from '../main'
import { UsageError, requireInt } from '../usage'
import { openScenario } from '../../engine/scenario/open'
import { nodeFiles } from '../../engine/platform/node/files'
import { formatSummary } from '../../engine/report'
import { writeReports, writeSeries } from '../output'
import { seriesHeader, seriesRow } from '../../engine/api/report-format'
import type { Frame } from '../../engine/run'
import { EXECUTE_FLAGS, execute } from '../execute'
import type { LabTiming } from '../../engine/lab/simulation'

/** Where a lab run's time went: the coordinator's own work and the shards' (each shard's clock). */
export function formatTiming(t: LabTiming): string {
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`
  return (
    `timing: start ${s(t.startMs)}, steps ${s(t.stepsMs)}: coordinator ${s(t.stepsMs - t.shardWaitMs)}, ` +
    `waiting for shards ${s(t.shardWaitMs)} (their work ${s(t.shardWorkMs)}, the slowest shard's ${s(t.slowestShardMs)})`
  )
}

export const RUN_FLAGS = {
  series: { type: 'string' },
  policy: { type: 'string' },
  traces: { type: 'string' },
  seed: { type: 'string' },
  set: { type: 'string', multiple: true },
  ...EXECUTE_FLAGS,
} as const

export async function runCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags(args, RUN_FLAGS)
  if (positionals.length !== 1) throw new UsageError(`run: expected one scenario file, found ${positionals.length}`)
  const file = positionals[0]!
  const opened = performance.now()
  const seed = requireInt('seed', values.seed, 0)
  const set = values.set ?? []
  const model = openScenario(file, nodeFiles, { policy: values.policy, seed, traces: values.traces, set })
  const timing: LabTiming = { startMs: 0, stepsMs: 0, shardWaitMs: 0, shardWorkMs: 0, slowestShardMs: 0 }
  const series = values.series === undefined ? undefined : [seriesHeader(model.mode)]
  if (values.series !== undefined && extname(values.series).toLowerCase() !== '.csv')
    throw new UsageError(`--series: expected a file ending in .csv, found "${values.series}"`)
  const report = await execute(model, {
    ...(series ? { onFrame: (f: Frame) => series.push(seriesRow(f, model.mode)) } : {}),
    timing,
    workers: requireInt('workers', values.workers, 0),
    until: values.until,
    events: values.events,
    checkpointEvery: values['checkpoint-every'],
    checkpointDir: values['checkpoint-dir'],
    origin: {
      file: resolve(file),
      text: values['checkpoint-every'] ? readFileSync(file, 'utf8') : '',
      name: model.name,
      policy: values.policy,
      seed,
      traces: values.traces === undefined ? undefined : resolve(values.traces),
      set,
    },
  })
  if (process.env.CONLAB_TIMING) {
    process.stderr.write(
      `timing: process start → command ${opened.toFixed(0)} ms, scenario + traces ${(performance.now() - opened - report.wallMs).toFixed(0)} ms, simulation ${report.wallMs.toFixed(0)} ms\n`,
    )
    if (model.mode === 'lab') process.stderr.write(`${formatTiming(timing)}\n`)
  }
  // `conlab bench` reads where the time went from this line
  if (process.env.CONLAB_BENCH === '1' && model.mode === 'lab')
    process.stderr.write(`conlab-bench: timing=${JSON.stringify(timing)}\n`)
  if (values.out) writeReports(values.out, [report])
  if (series) writeSeries(values.series!, series)
  if (values.json) process.stdout.write(`${JSON.stringify(report)}\n`)
  else process.stdout.write(`${formatSummary(report)}\n`)
  return 0
}
