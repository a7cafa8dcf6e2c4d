// conlab branch <checkpoint> --policy P[,Q…] [--set path=value]… [--workers N] [--json] [--out FILE]: from
// one whole-lab checkpoint, continue once with the policy it was taken with and once per policy given (and
// any changed parameters), each to the scenario's end, and put the branches side by side.
import { parseFlags } from '../main'
import { UsageError, requireInt } from '../usage'
import { nodeFiles } from '../../engine/platform/node/files'
import { checkpointModel } from '../../engine/checkpoint/lab-checkpoint'
import { parsePolicyName } from '../../engine/policies/policy-name'
import type { RunReport } from '../../engine/report'
import { formatDuration } from '../../engine/scenario/duration'
import { writeReports } from '../output'
import { execute } from '../execute'
import { loadLabCheckpoint } from '../checkpoints'
import { table } from '../bench/measure'

export async function branchCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags(args, {
    policy: { type: 'string' },
    set: { type: 'string', multiple: true },
    workers: { type: 'string' },
    json: { type: 'boolean' },
    out: { type: 'string' },
  })
  if (positionals.length !== 1)
    throw new UsageError(`branch: expected one checkpoint file, found ${positionals.length}`)
  if (values.policy === undefined && values.set === undefined)
    throw new UsageError('branch: give --policy P (or a list a,b,c) and/or --set path=value for the new branch')
  const file = positionals[0]!
  const c = loadLabCheckpoint(file)
  const policies = values.policy ? values.policy.split(',').map((p) => p.trim()) : [c.policy]
  policies.forEach((p) => parsePolicyName(p))
  const branches = [{ policy: c.policy, set: [] as string[], label: `${c.policy} (as checkpointed)` }]
  for (const p of policies) {
    const label = `${p}${values.set ? ` + ${values.set.join(' ')}` : ''}`
    if (p !== c.policy || values.set) branches.push({ policy: p, set: values.set ?? [], label })
  }
  const workers = requireInt('workers', values.workers, 0)
  const reports: RunReport[] = []
  for (const b of branches) {
    const model = checkpointModel(c, nodeFiles, { policy: b.policy, set: b.set })
    reports.push(
      await execute(model, {
        workers,
        label: b.label,
        origin: { ...c.scenario, policy: b.policy, set: [...c.scenario.set, ...b.set] },
        resume: { state: c.lab, file, time: c.time, policy: c.policy },
      }),
    )
  }
  if (values.out) writeReports(values.out, reports)
  if (values.json) {
    process.stdout.write(`${JSON.stringify(reports)}\n`)
    return 0
  }
  const pct = (x: number, d = 2) => `${(x * 100).toFixed(d)} %`
  process.stdout.write(
    [
      `Branches of "${c.scenario.name}" from ${file} (${formatDuration(c.time)} simulated), each run to the end; figures cover the whole run.`,
      '',
      table(
        ['branch', 'energy (kWh)', 'migrations', 'SLATAH', 'PDM', 'SLAV', 'overall SLA', 'shutdowns', 'state hash'],
        branches.map((b, i) => {
          const r = reports[i]!
          return [
            b.label,
            r.energyKWh.toFixed(2),
            String(r.migrations),
            pct(r.slatah),
            pct(r.pdm, 3),
            r.slav.toExponential(3),
            pct(r.overallSla, 3),
            String(r.hostShutdowns),
            r.stateHash,
          ]
        }),
      ),
      '',
    ].join('\n'),
  )
  return 0
}
