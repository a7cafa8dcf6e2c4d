// conlab recommend <checkpoint> [--json]: the recommendations at a whole-lab checkpoint's state — those waiting
// for approval there, and what the policy's pass would propose now — each with its priority, the reason in
// numbers and the expected effect (docs/policies.md).
import { UsageError } from '../usage'
import { nodeFiles } from '../../engine/platform/node/files'
import { checkpointModel } from '../../engine/checkpoint/lab-checkpoint'
import { LabSimulation } from '../../engine/lab/simulation'
import { inProcessShards } from '../../engine/lab/shards'
import type { Proposal, Recommendation } from '../../engine/lab/recommendations'
import { formatDuration } from '../../engine/scenario/duration'
import { formatPercent } from '../../engine/api/units'
import { pick } from '../flags'
import { command } from '../command'
import { loadLabCheckpoint } from '../checkpoints'

/** What a recommendation does, in words: `migrate VM 3: host 1 → host 4`. */
function action(r: Proposal): string {
  if (r.kind === 'migrate') return `migrate VM ${r.vm}: host ${r.from} → host ${r.to}`
  if (r.kind === 'restart') return `restart VM ${r.vm} on host ${r.to}`
  return `${r.kind} host ${r.host}`
}

/** The expected effect in one line: loads before → after, power, the policy's measure, the migration's time. */
function effect(r: Proposal): string {
  const e = r.expected
  const parts: string[] = []
  for (const l of [e.source, e.target])
    if (l) parts.push(`host ${l.host} ${formatPercent(l.before)} → ${formatPercent(l.after)}`)
  if (e.powerW !== undefined) parts.push(`${e.powerW >= 0 ? '+' : ''}${e.powerW.toFixed(1)} W`)
  if (e.balance) parts.push(`${e.balance.metric} ${e.balance.before.toFixed(4)} → ${e.balance.after.toFixed(4)}`)
  if (e.migration?.seconds != null)
    parts.push(
      `migration ${e.migration.seconds.toFixed(1)} s${e.migration.downtimeMs ? `, downtime ${e.migration.downtimeMs.toFixed(0)} ms` : ''}`,
    )
  if (e.moves?.length) parts.push(`moves ${e.moves.map((m) => `VM ${m.vm} → host ${m.to}`).join(', ')}`)
  return parts.join('; ')
}

export const recommendCommand = command({
  name: 'recommend',
  args: '<checkpoint>',
  summary:
    'Prints the recommendations at a whole-lab checkpoint: those waiting for approval and what the policy would propose now, with priority, reason and expected effect.',
  flags: pick('json'),
  async run({ values, positionals }, io) {
    if (positionals.length !== 1)
      throw new UsageError(`recommend: expected one checkpoint file, found ${positionals.length}`)
    const file = positionals[0]!
    const c = loadLabCheckpoint(file)
    const model = checkpointModel(c, nodeFiles, { file })
    const sim = await LabSimulation.restore(model, c.lab, 1, inProcessShards)
    const { waiting, pass } = sim.recommendNow()
    const automation = sim.automation
    await sim.close()
    if (values.json) {
      io.out(`${JSON.stringify({ time: c.time, policy: c.policy, automation, waiting, pass })}\n`)
      return 0
    }
    const lines = [
      `${file}: "${c.scenario.name}" at ${formatDuration(c.time)} simulated, policy ${c.policy}, automation ${automation}`,
    ]
    const list = (title: string, recs: (Proposal | Recommendation)[]) => {
      lines.push('', `${title} (${recs.length})`)
      for (const r of recs) {
        const id = 'id' in r ? `#${r.id} ` : ''
        lines.push(`  ${id}priority ${r.priority}  ${action(r)}`, `      ${r.reason}`, `      expected: ${effect(r)}`)
      }
    }
    list('waiting for approval', waiting)
    list("the policy's pass now", pass)
    io.out(`${lines.join('\n')}\n`)
    return 0
  },
})
