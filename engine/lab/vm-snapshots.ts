// VM snapshots in the lab's shards: one SnapshotTree per VM (engine/checkpoint/snapshot-tree.ts), taken,
// reverted and deleted on the trainee's or the scenario's orders. A snapshot with memory also keeps the
// VM's running state — workload position and random stream, page-write model, balloon and allocator
// state — so a revert resumes the VM exactly where it was. The trees travel with their VM (migrations,
// checkpoints). Like libvirt ("domain has an active job"), nothing is done to a VM that is migrating.
import type { ClusterModel } from '../model/cluster-model'
import type { LabEvent } from '../vocabulary'
import { SnapshotTree, type SnapshotInfo, type SnapshotNode, type SnapshotTreeState } from '../checkpoint/snapshot-tree'
import { GuestMemory, type GuestMemoryState } from '../hypervisor/guest-memory'
import { PageWriter, type PageWriterState } from '../workload/page-writes'

/** An order for one VM's snapshots. */
export type SnapshotOrder = { vm: number } & (
  | { take: { name: string; description: string; memory: boolean } }
  | { revert: string }
  | { delete: { snapshot: string; children: boolean } }
)

/** The running state a snapshot with memory keeps besides the pages. */
interface RunningState {
  generator: [number, number, number]
  stream: number[]
  writer: PageWriterState
  /** the guest's memory state without its image (the tree keeps the pages) */
  guest: Omit<GuestMemoryState, 'image'>
}

/** What the shard gives the snapshot code to work on, for one VM. */
export interface SnapshotSubject {
  guest: GuestMemory
  writer: PageWriter
  generator: [number, number, number]
  stream: number[]
  migrating: boolean
  host: number
}

/** An event of a snapshot operation, with what it did to which snapshot when it did something. */
type Say = (kind: LabEvent['kind'], message: string, snapshot?: LabEvent['snapshot']) => void

/** What an order did to the VM. */
export interface SnapshotEffect {
  /** seconds the VM is paused (saving or loading memory) */
  pauseSeconds: number
  /** the VM's state after a revert: replace its memory, page writer and workload position */
  revert?: { guest: GuestMemory; writer: PageWriter; generator: [number, number, number]; stream: number[] }
  /** the VM was reverted to a disk-only snapshot: it is off and boots again with fresh memory */
  powerCycled?: boolean
}

export class VmSnapshots {
  private readonly trees = new Map<number, SnapshotTree>()

  constructor(private readonly model: ClusterModel) {}

  has(v: number): boolean {
    return this.trees.has(v)
  }

  /** The VM's tree as plain data (to move it with the VM or keep it in a checkpoint). */
  state(v: number): SnapshotTreeState | undefined {
    return this.trees.get(v)?.toState()
  }

  restore(v: number, s: SnapshotTreeState): void {
    this.trees.set(v, SnapshotTree.fromState(s, `snapshot tree of VM ${v}`))
  }

  release(v: number): void {
    this.trees.delete(v)
  }

  /** The VM's memory was replaced outside the tree (it booted afresh): the next take stores every page. */
  imageReplaced(v: number): void {
    this.trees.get(v)?.liveImageReplaced()
  }

  /** The VM's snapshots, flattened in tree order (for the coordinator's views). */
  list(v: number): SnapshotInfo[] {
    const tree = this.trees.get(v)
    return tree ? flattenSnapshots(tree.list()) : []
  }

  /** Carries out an order; events say what happened (or why not). */
  apply(order: SnapshotOrder, vm: SnapshotSubject, time: number, events: LabEvent[]): SnapshotEffect {
    const v = order.vm
    const say: Say = (kind, message, snapshot) =>
      events.push({ time, kind, vm: v, host: vm.host, message, ...(snapshot ? { snapshot } : {}) })
    const what = 'take' in order ? 'snapshot' : 'revert' in order ? 'revert' : 'delete a snapshot of'
    if (vm.migrating) {
      say(
        'warning',
        `cannot ${what} VM ${v}: it is migrating (a VM with an active migration job takes no snapshot operation)`,
      )
      return { pauseSeconds: 0 }
    }
    try {
      if ('take' in order) return this.take(v, order.take, vm, time, say)
      if ('revert' in order) return this.revert(v, order.revert, vm, say)
      const tree = this.trees.get(v)
      if (!tree) throw new Error(`VM ${v} has no snapshots`)
      const r = tree.delete(order.delete.snapshot, { withChildren: order.delete.children })
      say(
        'snapshot',
        `VM ${v}: deleted snapshot${r.removed.length > 1 ? `s ${r.removed.join(', ')}` : ` "${order.delete.snapshot}"`}; merging ${mib(r.cost.bytes)} into the snapshots based on it takes ${r.cost.seconds.toFixed(1)} s (the VM keeps running)`,
        { op: 'delete', name: order.delete.snapshot },
      )
      return { pauseSeconds: 0 }
    } catch (e) {
      say('warning', `cannot ${what} VM ${v}: ${(e as Error).message}`)
      return { pauseSeconds: 0 }
    }
  }

  private take(
    v: number,
    o: { name: string; description: string; memory: boolean },
    vm: SnapshotSubject,
    time: number,
    say: Say,
  ): SnapshotEffect {
    let tree = this.trees.get(v)
    if (!tree) {
      const c = this.model.snapshotCosts
      tree = SnapshotTree.forImage(vm.guest.image, {
        saveBytesPerSecond: c.saveRate,
        loadBytesPerSecond: c.loadRate,
        mergeBytesPerSecond: c.mergeRate,
        saveCost: c.saveCost,
      })
      this.trees.set(v, tree)
    }
    const { image: _image, ...guest } = vm.guest.state()
    const running: RunningState = { generator: vm.generator, stream: vm.stream, writer: vm.writer.state(), guest }
    const r = tree.take(vm.guest.image, {
      name: o.name,
      description: o.description,
      memory: o.memory,
      state: o.memory ? running : undefined,
      time,
    })
    say(
      'snapshot',
      `VM ${v}: snapshot "${o.name}"${o.memory ? ' with memory' : ' (disk only)'} stores ${mib(r.snapshot.sizeBytes)} (${r.snapshot.storedPages} pages)${o.memory ? `; saving ${mib(r.cost.bytes)} pauses the VM ${r.cost.seconds.toFixed(2)} s` : ''}`,
      { op: 'take', name: o.name },
    )
    return { pauseSeconds: o.memory ? r.cost.seconds : 0 }
  }

  private revert(v: number, name: string, vm: SnapshotSubject, say: Say): SnapshotEffect {
    const tree = this.trees.get(v)
    if (!tree) throw new Error(`VM ${v} has no snapshots`)
    const r = tree.revert(name)
    if (!r.image) {
      say(
        'snapshot',
        `VM ${v}: reverted to "${name}", a disk-only snapshot: the running state is gone, the VM powers off and boots again with fresh memory`,
        { op: 'revert', name },
      )
      return { pauseSeconds: r.cost.seconds, powerCycled: true }
    }
    const s = r.state as RunningState
    const guest = GuestMemory.fromState({ ...s.guest, image: r.image.state() })
    say(
      'snapshot',
      `VM ${v}: reverted to "${name}" (taken at ${r.snapshot.time.toFixed(0)} s); loading ${mib(r.cost.bytes)} pauses it ${r.cost.seconds.toFixed(2)} s, then it runs on from that state`,
      { op: 'revert', name },
    )
    return {
      pauseSeconds: r.cost.seconds,
      revert: { guest, writer: PageWriter.fromState(s.writer), generator: s.generator, stream: s.stream },
    }
  }
}

/** A snapshot forest flattened in tree order, each node without its children. */
export function flattenSnapshots(nodes: readonly SnapshotNode[]): SnapshotInfo[] {
  return nodes.flatMap(({ childNodes, ...info }) => [info, ...flattenSnapshots(childNodes)])
}

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`
}
