// The memory of the VMs a shard runs (lab model, when memory matters: a live-migration model other than
// `cloudsim`, or hosts managing memory with KSM, balloons and swap): each VM's GuestMemory (its image of
// content tokens, balloon and use counts) and its page-write model. Where nobody watches the memory every
// step, writes accrue as the guest runs and are settled into the image only when someone looks — a
// migration starting — so a day of 1000 VMs costs O(pages) per migration instead of O(writes) per step.
import type { ClusterModel } from '../model/cluster-model'
import type { MemoryImage } from '../memory/image'
import { GuestMemory, type AccessProfile, type GuestMemoryState } from '../hypervisor/guest-memory'
import { PageWriter, type PageWriterState } from '../workload/page-writes'
import { streamFor } from '../random'

const MiB = 1024 * 1024

export interface VmMemoryState {
  guest: GuestMemoryState
  writer: PageWriterState
}

export class VmMemoryBank {
  private readonly guests: (GuestMemory | undefined)[]
  private readonly writers: (PageWriter | undefined)[]

  constructor(private readonly model: ClusterModel) {
    this.guests = Array.from({ length: model.vmCount }, () => undefined)
    this.writers = Array.from({ length: model.vmCount }, () => undefined)
  }

  /** A VM's memory at t = 0: its image filled from its group's content model, its page writer. */
  start(v: number): GuestMemory {
    const m = this.model
    const type = m.vmTypes[m.vmType[v]!]!
    const group = m.groups[m.vmGroup[v]!]!
    const guest = GuestMemory.create(v, type.ramMB * MiB, m.pageSize, group.content, streamFor(m.seed, 'vm-memory', v))
    const spec = group.pageWrites
    this.writers[v] = PageWriter.forVm(
      m.seed,
      v,
      {
        pattern: spec.pattern,
        bytesPerSecond: spec.rate,
        hotBytes: spec.hotSet ?? (type.ramMB * MiB) / 10,
        hotFraction: spec.hotFraction,
      },
      guest.image,
    )
    guest.setAccess(accessOf(this.writers[v], type.vcpus))
    this.guests[v] = guest
    return guest
  }

  guest(v: number): GuestMemory {
    const guest = this.guests[v]
    if (!guest) throw new Error(`VM ${v} has no memory on this shard`)
    return guest
  }

  image(v: number): MemoryImage {
    return this.guest(v).image
  }

  writer(v: number): PageWriter {
    const writer = this.writers[v]
    if (!writer) throw new Error(`VM ${v} has no page writer on this shard`)
    return writer
  }

  /** The guest ran `seconds` at `activity` (delivered CPU / its capacity): it owes page writes. */
  accrue(v: number, seconds: number, activity: number): void {
    this.writers[v]?.accrue(seconds, activity)
  }

  /** Writes owed become page contents, through the guest (so its use counts and KSM hear of them). */
  settle(v: number): void {
    this.writer(v).settle(this.guest(v))
  }

  state(v: number): VmMemoryState {
    return { guest: this.guest(v).state(), writer: this.writer(v).state() }
  }

  restore(v: number, s: VmMemoryState): GuestMemory {
    const guest = GuestMemory.fromState(s.guest)
    this.guests[v] = guest
    this.writers[v] = PageWriter.fromState(s.writer)
    return guest
  }

  /** The VM's memory and page writer replaced (a snapshot revert). */
  replace(v: number, guest: GuestMemory, writer: PageWriter): void {
    this.guests[v] = guest
    this.writers[v] = writer
  }

  release(v: number): void {
    this.guests[v] = undefined
    this.writers[v] = undefined
  }
}

/**
 * How a VM touches its memory, for the host's swap model: its page writes (the only accesses the lab
 * models) — uniform over all pages, `hotFraction` of them in the hot set (hot-cold), or all of them in the
 * swept region (sequential).
 */
export function accessOf(writer: PageWriter, vcpus: number): AccessProfile {
  const hot = writer.hotSet
  const spec = writer.spec
  const all = spec.pattern === 'uniform'
  return {
    perSecond: writer.perSecond,
    vcpus,
    hotFirst: all ? 0 : hot.first,
    hotPages: all ? writer.pageCount : hot.pages,
    hotShare: spec.pattern === 'hot-cold' ? (spec.hotFraction ?? 0.9) : 1,
  }
}
