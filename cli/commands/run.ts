// conlab run <scenario>: a scenario to its end (or --until), the report as a table, JSON or a file.
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { UsageError } from '../usage'
import { modelOf, openScenarioFile, startFailure } from '../../engine/scenario/open'
import { parseScenario } from '../../engine/scenario/load'
import { mergeOrders } from '../../engine/scenario/orders-file'
import { LIMITS } from '../../engine/scenario/limits'
import { PLACEMENT_LOG_HEADER, placementRowCsv } from '../../engine/lab/placement-log'
import { nodeFiles } from '../../engine/platform/node/files'
import type { LabTiming } from '../../engine/lab/simulation'
import { pick } from '../flags'
import { seedFlag } from '../flag-values'
import { command, finish } from '../command'
import { EXECUTE_FLAGS, execute, planRun } from '../execute'
import { prepareSeriesFile, writeSeries } from '../outputs'
import { seriesHeader, seriesRow } from '../../engine/api/report-format'
import type { Frame } from '../../engine/run'

/** Where a lab run's time went: the coordinator's own work and the shards' (each shard's clock). */
export function formatTiming(t: LabTiming): string {
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`
  return (
    `timing: start ${s(t.startMs)}, steps ${s(t.stepsMs)}: coordinator ${s(t.stepsMs - t.shardWaitMs)}, ` +
    `waiting for shards ${s(t.shardWaitMs)} (their work ${s(t.shardWorkMs)}, the slowest shard's ${s(t.slowestShardMs)})`
  )
}

/** The flags that change the scenario itself (run, validate). */
export const SCENARIO_FLAGS = pick('policy', 'traces', 'seed', 'set')

export const runCommand = command({
  name: 'run',
  args: '<scenario>',
  summary:
    'Runs a scenario (YAML or JSON) to its end, or to --until, and prints a summary table (a progress line on a terminal).',
  flags: { ...SCENARIO_FLAGS, ...EXECUTE_FLAGS, ...pick('series', 'orders', 'placement-log') },
  async run({ values, positionals }, io) {
    if (positionals.length !== 1) throw new UsageError(`run: expected one scenario file, found ${positionals.length}`)
    const file = positionals[0]!
    const opened = performance.now()
    const seed = seedFlag(values.seed)
    const set = values.set ?? []
    // the initial placement is checked by the run's own start (startFailure words a failure as validate does)
    const options = { policy: values.policy, seed, traces: values.traces, start: false }
    // --orders: the orders file's events appended to the scenario's (checked at the orders file's lines)
    const text =
      values.orders === undefined
        ? undefined
        : mergeOrders(
            nodeFiles.readText(file, { maxBytes: LIMITS.scenarioBytes, what: 'scenario file' }),
            file,
            nodeFiles.readText(values.orders, { maxBytes: LIMITS.scenarioBytes, what: 'orders file' }),
            values.orders,
          )
    const { parsed, model } =
      text === undefined
        ? openScenarioFile(file, nodeFiles, { ...options, set })
        : (() => {
            const p = parseScenario(text, file, set)
            return { parsed: p, model: modelOf(p, nodeFiles, options) }
          })()
    const plan = planRun(model, values)
    if (values.series !== undefined) prepareSeriesFile('series', values.series)
    const placementLog = values['placement-log']
    if (placementLog !== undefined) prepareSeriesFile('placement-log', placementLog)
    const placements = placementLog === undefined ? undefined : [PLACEMENT_LOG_HEADER]
    for (const n of plan.notices) io.err(`${n}\n`)
    const series = values.series === undefined ? undefined : [seriesHeader(model.mode)]
    const timing: LabTiming = { startMs: 0, stepsMs: 0, shardWaitMs: 0, shardWorkMs: 0, slowestShardMs: 0 }
    const { report, failures } = await execute(model, {
      io,
      plan,
      timing,
      events: values.events,
      progress: values.progress,
      startFailure: () => startFailure(parsed, model),
      ...(series ? { onFrame: (f: Frame) => series.push(seriesRow(f, model.mode)) } : {}),
      ...(placements ? { onPlacement: (row) => placements.push(placementRowCsv(row)) } : {}),
      origin: {
        file: resolve(file),
        text: plan.checkpointEvery !== undefined ? (text ?? readFileSync(file, 'utf8')) : '',
        name: model.name,
        policy: values.policy,
        seed,
        traces: values.traces === undefined ? undefined : resolve(values.traces),
        set,
      },
    })
    if (process.env.CONLAB_TIMING) {
      io.err(
        `timing: process start → command ${opened.toFixed(0)} ms, scenario + traces ${(performance.now() - opened - report.wallMs).toFixed(0)} ms, simulation ${report.wallMs.toFixed(0)} ms\n`,
      )
      if (model.mode === 'lab') io.err(`${formatTiming(timing)}\n`)
    }
    // `conlab bench` reads where the time went from this line
    if (process.env.CONLAB_BENCH === '1' && model.mode === 'lab')
      io.err(`conlab-bench: timing=${JSON.stringify(timing)}\n`)
    const seriesFailure = series && writeSeries(values.series!, series)
    if (seriesFailure) io.err(`${seriesFailure}\n`)
    const placementFailure = placements && writeSeries(placementLog!, placements, 'placement-log')
    if (placementFailure) io.err(`${placementFailure}\n`)
    const written = [seriesFailure, placementFailure].filter((x): x is string => typeof x === 'string')
    return finish(io, [report], { json: values.json, out: values.out, single: true }, [...failures, ...written])
  },
})
