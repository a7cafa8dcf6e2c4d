// conlab snapshots <checkpoint> [--vm N] [--json]: the VM snapshot trees kept in a whole-lab checkpoint, as
// vSphere's snapshot manager shows them (with "You are here" and the size each snapshot stores).
import { parseFlags } from '../main'
import { UsageError, requireInt } from '../usage'
import { loadLabCheckpoint } from '../checkpoints'
import { SnapshotTree, formatTree } from '../../engine/checkpoint/snapshot-tree'
import { formatDuration } from '../../engine/scenario/duration'

export function snapshotsCommand(args: string[]): number {
  const { values, positionals } = parseFlags(args, { vm: { type: 'string' }, json: { type: 'boolean' } })
  if (positionals.length !== 1)
    throw new UsageError(`snapshots: expected one checkpoint file, found ${positionals.length}`)
  const file = positionals[0]!
  const only = requireInt('vm', values.vm, 0)
  const c = loadLabCheckpoint(file)
  const trees = c.lab.cluster.vms
    .filter((v) => v.snapshots && (only === undefined || v.vm === only))
    .map((v) => ({ vm: v.vm, tree: SnapshotTree.fromState(v.snapshots, `${file}: snapshot tree of VM ${v.vm}`) }))
  if (values.json) {
    process.stdout.write(`${JSON.stringify(trees.map(({ vm, tree }) => ({ vm, snapshots: tree.list() })))}\n`)
    return 0
  }
  const head = `${file}: "${c.scenario.name}" at ${formatDuration(c.time)} simulated, policy ${c.policy}`
  if (trees.length === 0) {
    process.stdout.write(`${head}\n${only === undefined ? 'no VM has snapshots' : `VM ${only} has no snapshots`}\n`)
    return 0
  }
  process.stdout.write(`${head}\n\n${trees.map(({ tree }) => formatTree(tree)).join('\n\n')}\n`)
  return 0
}
