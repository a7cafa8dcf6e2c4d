// Hosts taken one at a time in ascending order of a key, ties to the lower id — the order a sort by
// (key, id) gives. The under-load phase of a round usually stops after a few dozen of its thousands of
// candidates, so a heap (linear to build, logarithmic per host taken) spares it sorting them all.
export class AscendingHosts {
  private heap = new Int32Array(64)
  private size = 0
  private key: Float64Array = new Float64Array(0)

  /** Starts over with `hosts`, ordered by `key[h]` (read while hosts are taken: keep it unchanged). */
  reset(hosts: readonly number[], key: Float64Array): void {
    if (this.heap.length < hosts.length) this.heap = new Int32Array(hosts.length * 2)
    for (let i = 0; i < hosts.length; i++) this.heap[i] = hosts[i]!
    this.size = hosts.length
    this.key = key
    for (let i = (this.size >> 1) - 1; i >= 0; i--) this.down(i)
  }

  /** The next host, or −1 when all have been taken. */
  next(): number {
    if (this.size === 0) return -1
    const top = this.heap[0]!
    this.size--
    if (this.size > 0) {
      this.heap[0] = this.heap[this.size]!
      this.down(0)
    }
    return top
  }

  private before(a: number, b: number): boolean {
    const ka = this.key[a]!
    const kb = this.key[b]!
    return ka < kb || (ka === kb && a < b)
  }

  private down(i: number): void {
    const heap = this.heap
    const n = this.size
    const h = heap[i]!
    for (;;) {
      let child = 2 * i + 1
      if (child >= n) break
      if (child + 1 < n && this.before(heap[child + 1]!, heap[child]!)) child++
      if (!this.before(heap[child]!, h)) break
      heap[i] = heap[child]!
      i = child
    }
    heap[i] = h
  }
}
