// conlab branch <checkpoint> --policy P[,Q…] [--set path=value]…: from one whole-lab checkpoint, continue
// once with the policy it was taken with and once per policy given (and any changed parameters), each to
// the scenario's end, and put the branches side by side.
import { UsageError } from '../usage'
import { nodeFiles } from '../../engine/platform/node/files'
import { checkpointModel } from '../../engine/checkpoint/lab-checkpoint'
import { PolicyNameError, parsePolicyName } from '../../engine/policies/policy-name'
import type { RunReport } from '../../engine/report'
import { formatDuration } from '../../engine/scenario/duration'
import { LabInputError } from '../../engine/scenario/diagnostics'
import { FLAGS, POLICY_HELP, pick } from '../flags'
import { command, finish } from '../command'
import { execute, planRun } from '../execute'
import { loadLabCheckpoint } from '../checkpoints'
import { table } from '../bench/measure'

export const branchCommand = command({
  name: 'branch',
  args: '<checkpoint>',
  summary:
    'Continues a whole-lab checkpoint once as checkpointed and once per policy or --set given, each to the end, and prints the branches side by side.',
  flags: {
    policy: {
      ...FLAGS.policy,
      value: 'P[,Q…]',
      help: `The policies of the new branches, comma-separated: ${POLICY_HELP}.`,
    },
    set: FLAGS.set,
    ...pick('workers', 'events', 'progress', 'json', 'out'),
  },
  async run({ values, positionals }, io) {
    if (positionals.length !== 1)
      throw new UsageError(`branch: expected one checkpoint file, found ${positionals.length}`)
    if (values.policy === undefined && values.set === undefined)
      throw new UsageError('branch: give --policy P (or a list a,b,c) and/or --set path=value for the new branch')
    const file = positionals[0]!
    const c = loadLabCheckpoint(file)
    const policies = values.policy ? values.policy.split(',').map((p) => p.trim()) : [c.policy]
    for (const p of policies) {
      try {
        parsePolicyName(p)
      } catch (e) {
        if (e instanceof PolicyNameError)
          throw new LabInputError([{ file: `--policy ${values.policy}`, message: e.message }])
        throw e
      }
    }
    const branches = [{ policy: c.policy, set: [] as string[], label: `${c.policy} (as checkpointed)` }]
    for (const p of policies) {
      const label = `${p}${values.set ? ` + ${values.set.join(' ')}` : ''}`
      if (p !== c.policy || values.set) branches.push({ policy: p, set: values.set ?? [], label })
    }
    // every branch's model and flags are checked before the first runs
    const models = branches.map((b) => checkpointModel(c, nodeFiles, { policy: b.policy, set: b.set, file }))
    const plans = models.map((m) => planRun(m, values, c.time))
    for (const n of new Set(plans.flatMap((p) => p.notices))) io.err(`${n}\n`)
    const reports: RunReport[] = []
    const failures: string[] = []
    for (const [i, b] of branches.entries()) {
      const run = await execute(models[i]!, {
        io,
        plan: plans[i]!,
        events: values.events,
        progress: values.progress,
        label: b.label,
        origin: { ...c.scenario, policy: b.policy, set: [...c.scenario.set, ...b.set] },
        resume: { state: c.lab, file, time: c.time, policy: c.policy },
      })
      reports.push(run.report)
      failures.push(...run.failures)
    }
    const pct = (x: number, d = 2) => `${(x * 100).toFixed(d)} %`
    const text = () =>
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
      ].join('\n')
    return finish(io, reports, { json: values.json, out: values.out, text }, failures)
  },
})
