// conlab compare <scenario> --policies a,b,c: one run per policy, the CloudSim-style table. With
// --reference FILE (figures measured with CloudSim, e.g. tests/fixtures/cloudsim-reference.json)
// each row also shows CloudSim's figures for the same trace day and the differences.
import { basename } from 'node:path'
import { UsageError } from '../usage'
import { openScenario } from '../../engine/scenario/open'
import { nodeFiles } from '../../engine/platform/node/files'
import { runToEnd } from '../../engine/run'
import {
  cloudSimPolicyKey,
  CLOUDSIM_POLICIES,
  PolicyNameError,
  parsePolicyName,
} from '../../engine/policies/policy-name'
import { reportsToMarkdown, type RunReport } from '../../engine/report'
import { LabInputError } from '../../engine/scenario/diagnostics'
import { Progress } from '../progress'
import { pick } from '../flags'
import { seedFlag } from '../flag-values'
import { command, finish } from '../command'
import { prepareReportFile } from '../outputs'

interface ReferenceRun {
  energyKWh: number
  migrations: number
  slatah: number
  pdm: number
}

export const compareCommand = command({
  name: 'compare',
  args: '<scenario>',
  summary:
    "Runs a scenario once per policy and prints CloudSim's comparison table (with --reference, CloudSim's own figures beside).",
  flags: pick('policies', 'traces', 'seed', 'json', 'out', 'reference', 'progress'),
  async run({ values, positionals }, io) {
    if (positionals.length !== 1)
      throw new UsageError(`compare: expected one scenario file, found ${positionals.length}`)
    const names =
      values.policies === undefined || values.policies === 'all'
        ? CLOUDSIM_POLICIES
        : values.policies.split(',').map((p) => p.trim())
    for (const p of names) {
      try {
        parsePolicyName(p)
      } catch (e) {
        if (e instanceof PolicyNameError)
          throw new LabInputError([{ file: `--policies ${values.policies}`, message: e.message }])
        throw e
      }
    }
    const seed = seedFlag(values.seed)
    // every policy's model, the reference and the output file are checked before the first run
    const models = names.map((policy) => {
      try {
        return openScenario(positionals[0]!, nodeFiles, { policy, seed, traces: values.traces })
      } catch (e) {
        if (e instanceof LabInputError)
          throw new LabInputError(
            e.diagnostics.map((d) =>
              d.file.startsWith('--policy ') ? { ...d, file: `--policies ${values.policies}` } : d,
            ),
          )
        throw e
      }
    })
    const day = values.traces ? basename(values.traces) : dayOf(models[0]!.workloads)
    const reference = values.reference ? loadReference(values.reference, day) : undefined
    if (values.out !== undefined) prepareReportFile('out', values.out)
    const reports: RunReport[] = []
    for (const model of models) {
      const progress = new Progress(model.policy.name, model.duration, io, values.progress)
      const report = await runToEnd(model, { onStep: (time) => progress.update(time) })
      progress.done(report.simulatedSeconds)
      reports.push(report)
    }
    const text = () => (reference ? referenceTable(reports, reference, day) : reportsToMarkdown(reports))
    return finish(io, reports, { json: values.json, out: values.out, text })
  },
})

function dayOf(workloads: { kind: string; dir?: string }[]): string {
  const w = workloads.find((x) => x.kind === 'planetlab')
  return w?.dir ? basename(w.dir) : ''
}

function loadReference(file: string, day: string): Record<string, ReferenceRun> {
  let json: { runs?: Record<string, Record<string, ReferenceRun>> }
  try {
    json = JSON.parse(nodeFiles.readText(file, { maxBytes: 16 * 1024 ** 2, what: 'reference file' })) as typeof json
  } catch (e) {
    if (e instanceof LabInputError) throw e
    throw new LabInputError([{ file: `--reference ${file}`, message: `not valid JSON (${(e as Error).message})` }])
  }
  const runs = json.runs?.[day]
  if (!runs) throw new LabInputError([{ file: `--reference ${file}`, message: `no figures for trace day "${day}"` }])
  return runs
}

function referenceTable(reports: RunReport[], ref: Record<string, ReferenceRun>, day: string): string {
  const pct = (a: number, b: number) => {
    if (b === 0) return a === 0 ? '0' : '∞'
    const text = (((a - b) / b) * 100).toFixed(3)
    return `${/^-0\.0+$/.test(text) ? text.slice(1) : text} %`
  }
  const lines = [
    `Mode: ${reports[0]?.mode ?? ''}. Trace day ${day}. CloudSim 3.0.3 figures from the reference file.`,
    '',
    '| policy | energy (kWh) | CloudSim | Δ | migrations | CloudSim | Δ | SLATAH | CloudSim | PDM | CloudSim |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ]
  for (const r of reports) {
    const c = ref[cloudSimPolicyKey(parsePolicyName(r.policy))]
    if (!c) {
      lines.push(
        `| ${r.policy} | ${r.energyKWh.toFixed(2)} | – | – | ${r.migrations} | – | – | ${(r.slatah * 100).toFixed(2)} % | – | ${(r.pdm * 100).toFixed(3)} % | – |`,
      )
      continue
    }
    lines.push(
      `| ${r.policy} | ${r.energyKWh.toFixed(2)} | ${c.energyKWh.toFixed(2)} | ${pct(r.energyKWh, c.energyKWh)} | ${r.migrations} | ${c.migrations} | ${pct(r.migrations, c.migrations)} | ${(r.slatah * 100).toFixed(2)} % | ${(c.slatah * 100).toFixed(2)} % | ${(r.pdm * 100).toFixed(3)} % | ${(c.pdm * 100).toFixed(3)} % |`,
    )
  }
  return `${lines.join('\n')}\n`
}
