// conlab snapshots <checkpoint> [--vm N] [--json]: the VM snapshot trees kept in a whole-lab checkpoint, as
// vSphere's snapshot manager shows them (with "You are here" and the size each snapshot stores).
import { UsageError } from '../usage'
import { loadLabCheckpoint } from '../checkpoints'
import { SnapshotTree, formatTree } from '../../engine/checkpoint/snapshot-tree'
import { formatDuration } from '../../engine/scenario/duration'
import { LabInputError } from '../../engine/scenario/diagnostics'
import { pick } from '../flags'
import { indexFlag } from '../flag-values'
import { command } from '../command'

export const snapshotsCommand = command({
  name: 'snapshots',
  args: '<checkpoint>',
  summary: 'Shows the VM snapshot trees kept in a whole-lab checkpoint, with "You are here" and what each stores.',
  flags: pick('vm', 'json'),
  run({ values, positionals }, io) {
    if (positionals.length !== 1)
      throw new UsageError(`snapshots: expected one checkpoint file, found ${positionals.length}`)
    const file = positionals[0]!
    const only = indexFlag('vm', values.vm)
    const c = loadLabCheckpoint(file)
    const vmCount = c.lab.vms
    if (only !== undefined && only >= vmCount)
      throw new LabInputError([
        {
          file: `--vm ${values.vm}`,
          message: `expected a VM id below ${vmCount} (${file} holds VMs 0..${vmCount - 1})`,
        },
      ])
    const trees = c.lab.cluster.vms
      .filter((v) => v.snapshots && (only === undefined || v.vm === only))
      .map((v) => ({ vm: v.vm, tree: SnapshotTree.fromState(v.snapshots, `${file}: snapshot tree of VM ${v.vm}`) }))
    if (values.json) {
      io.out(`${JSON.stringify(trees.map(({ vm, tree }) => ({ vm, snapshots: tree.list() })))}\n`)
      return 0
    }
    const head = `${file}: "${c.scenario.name}" at ${formatDuration(c.time)} simulated, policy ${c.policy}`
    if (trees.length === 0) {
      io.out(`${head}\n${only === undefined ? 'no VM has snapshots' : `VM ${only} has no snapshots`}\n`)
      return 0
    }
    io.out(`${head}\n\n${trees.map(({ tree }) => formatTree(tree)).join('\n\n')}\n`)
    return 0
  },
})
