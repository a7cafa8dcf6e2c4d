// conlab compare <scenario> --policies a,b,c: one run per policy, the CloudSim-style table. With
// --reference FILE (figures measured with CloudSim, e.g. ../shared/reference/cloudsim-planetlab.json)
// each row also shows CloudSim's figures for the same trace day and the differences.
import { readFileSync } from 'node:fs'
import { basename } from 'node:path'
import { parseFlags } from '../main'
import { UsageError, requireInt } from '../usage'
import { openScenario } from '../../engine/scenario/open'
import { nodeFiles } from '../../engine/platform/node/files'
import { runToEnd } from '../../engine/run'
import { cloudSimPolicyKey, CLOUDSIM_POLICIES, parsePolicyName } from '../../engine/policies/policy-name'
import { reportsToMarkdown, type RunReport } from '../../engine/report'
import { Progress } from '../progress'
import { writeReports } from '../output'

interface ReferenceRun {
  energyKWh: number
  migrations: number
  slatah: number
  pdm: number
}

export async function compareCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags(args, {
    policies: { type: 'string' },
    traces: { type: 'string' },
    seed: { type: 'string' },
    json: { type: 'boolean' },
    out: { type: 'string' },
    reference: { type: 'string' },
  })
  if (positionals.length !== 1) throw new UsageError(`compare: expected one scenario file, found ${positionals.length}`)
  const names =
    values.policies === undefined || values.policies === 'all'
      ? CLOUDSIM_POLICIES
      : values.policies.split(',').map((p) => p.trim())
  names.forEach((p) => parsePolicyName(p))
  const seed = requireInt('seed', values.seed, 0)
  const reports: RunReport[] = []
  let day = ''
  for (const policy of names) {
    const model = openScenario(positionals[0]!, nodeFiles, { policy, seed, traces: values.traces })
    day = values.traces ? basename(values.traces) : dayOf(model.workloads)
    const progress = new Progress(policy, model.duration)
    reports.push(await runToEnd(model, { onFrame: (f) => progress.update(f.time) }))
    progress.done()
  }
  if (values.out) writeReports(values.out, reports)
  const reference = values.reference ? loadReference(values.reference, day) : undefined
  if (values.json) {
    process.stdout.write(`${JSON.stringify(reports)}\n`)
  } else if (reference) {
    process.stdout.write(referenceTable(reports, reference, day))
  } else {
    process.stdout.write(reportsToMarkdown(reports))
  }
  return 0
}

function dayOf(workloads: { kind: string; dir?: string }[]): string {
  const w = workloads.find((x) => x.kind === 'planetlab')
  return w?.dir ? basename(w.dir) : ''
}

function loadReference(file: string, day: string): Record<string, ReferenceRun> {
  let json: { runs?: Record<string, Record<string, ReferenceRun>> }
  try {
    json = JSON.parse(readFileSync(file, 'utf8')) as typeof json
  } catch (e) {
    throw new UsageError(`--reference: cannot read "${file}" (${(e as Error).message})`)
  }
  const runs = json.runs?.[day]
  if (!runs) throw new UsageError(`--reference: "${file}" has no figures for trace day "${day}"`)
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
