// The VMs on each of a shard's hosts, in VM id order, in one flat table: host i's VMs are
// ids[i · stride … i · stride + count[i]). A step walks every host's list; as 10,000 small arrays spread over
// the heap, each host cost a cache miss or two before its first VM. The stride doubles when a host fills its
// row, so it ends up as the most VMs any host held.

export class HostResidents {
  readonly count: Int32Array
  ids: Int32Array
  stride: number

  constructor(
    readonly hosts: number,
    stride = 8,
  ) {
    this.count = new Int32Array(hosts)
    this.stride = Math.max(1, stride)
    this.ids = new Int32Array(hosts * this.stride)
  }

  /** VM v joins host i, in id order. */
  insert(i: number, v: number): void {
    if (this.count[i] === this.stride) this.widen(this.stride * 2)
    const base = i * this.stride
    let at = base + this.count[i]!
    while (at > base && this.ids[at - 1]! > v) {
      this.ids[at] = this.ids[at - 1]!
      at--
    }
    this.ids[at] = v
    this.count[i]!++
  }

  /** VM v leaves host i (it must be there). */
  remove(i: number, v: number): void {
    const base = i * this.stride
    const end = base + this.count[i]!
    let at = base
    while (at < end && this.ids[at] !== v) at++
    if (at === end) throw new Error(`VM ${v} is not on the shard's host ${i}`)
    this.ids.copyWithin(at, at + 1, end)
    this.count[i]!--
  }

  /** Host i's VMs, as a copy. */
  list(i: number): number[] {
    const base = i * this.stride
    return Array.from(this.ids.subarray(base, base + this.count[i]!))
  }

  private widen(stride: number): void {
    const ids = new Int32Array(this.hosts * stride)
    for (let i = 0; i < this.hosts; i++)
      ids.set(this.ids.subarray(i * this.stride, i * this.stride + this.count[i]!), i * stride)
    this.ids = ids
    this.stride = stride
  }
}
