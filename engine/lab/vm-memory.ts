// The memory of the VMs a shard runs (lab model with a live-migration model other than `cloudsim`): each
// VM's memory image (a content token per page) and its page-write model. Writes accrue as the guest runs
// and are settled into the image only when someone looks at the memory — a migration starting — so a day
// of 1000 VMs costs O(pages) per migration instead of O(writes) per step.
import type { ClusterModel } from '../model/cluster-model'
import { MemoryImage, type MemoryImageState } from '../memory/image'
import { initialiseContent } from '../memory/content'
import { PageWriter, type PageWriterState } from '../workload/page-writes'
import { streamFor } from '../random'

const MiB = 1024 * 1024

export interface VmMemoryState {
  image: MemoryImageState
  writer: PageWriterState
}

export class VmMemoryBank {
  private readonly images: (MemoryImage | undefined)[]
  private readonly writers: (PageWriter | undefined)[]

  constructor(private readonly model: ClusterModel) {
    this.images = Array.from({ length: model.vmCount }, () => undefined)
    this.writers = Array.from({ length: model.vmCount }, () => undefined)
  }

  /** A VM's memory at t = 0: its image filled from its group's content model, its page writer. */
  start(v: number): void {
    const m = this.model
    const type = m.vmTypes[m.vmType[v]!]!
    const group = m.groups[m.vmGroup[v]!]!
    const image = new MemoryImage(v, type.ramMB * MiB, m.pageSize)
    initialiseContent(image, group.content, streamFor(m.seed, 'vm-memory', v))
    const spec = group.pageWrites
    const writer = PageWriter.forVm(
      m.seed,
      v,
      {
        pattern: spec.pattern,
        bytesPerSecond: spec.rate,
        hotBytes: spec.hotSet ?? (type.ramMB * MiB) / 10,
        hotFraction: spec.hotFraction,
      },
      image,
    )
    this.images[v] = image
    this.writers[v] = writer
  }

  image(v: number): MemoryImage {
    const image = this.images[v]
    if (!image) throw new Error(`VM ${v} has no memory image on this shard`)
    return image
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

  /** Writes owed become page contents (before a migration or a snapshot reads the image). */
  settle(v: number): void {
    this.writer(v).settle(this.image(v))
  }

  state(v: number): VmMemoryState {
    return { image: this.image(v).state(), writer: this.writer(v).state() }
  }

  restore(v: number, s: VmMemoryState): void {
    this.images[v] = MemoryImage.fromState(s.image)
    this.writers[v] = PageWriter.fromState(s.writer)
  }

  release(v: number): void {
    this.images[v] = undefined
    this.writers[v] = undefined
  }
}
