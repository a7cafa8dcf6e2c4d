// A hash table from content tokens (integers below 2^53) to non-negative numbers, on typed arrays: no
// boxing, no allocation per operation (a Map keyed by such numbers allocates a heap number per key).
// Open addressing with linear probing; deletions leave tombstones; clear() is O(1) (a generation
// counter). The layout depends only on the sequence of operations, so it is deterministic, and state()
// captures it exactly.

const TOMB = -1
// entry i: data[3i] = key, data[3i + 1] = value (TOMB: deleted), data[3i + 2] = generation (in use when
// equal to the table's): one cache line per probe
const STRIDE = 3

export interface TokenTableState {
  /** key, value, in use (1/0) per entry */
  data: Float64Array
  size: number
  live: number
}

export class TokenTable {
  private data: Float64Array
  private cur = 1
  private mask: number
  /** slots in use in this generation (live + tombstones) */
  private size = 0
  /** live entries */
  private liveCount = 0

  constructor(capacity = 64) {
    let n = 16
    while (n < capacity * 2) n *= 2
    this.data = new Float64Array(n * STRIDE)
    this.mask = n - 1
  }

  get count(): number {
    return this.liveCount
  }

  private get slots(): number {
    return this.mask + 1
  }

  private slotOf(key: number): number {
    const lo = key >>> 0
    const hi = Math.floor(key / 4294967296) | 0
    let h = Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b)
    h ^= h >>> 13
    h = Math.imul(h, 0xc2b2ae35)
    h ^= h >>> 16
    return h & this.mask
  }

  /** The value for `key`, or −1. */
  get(key: number): number {
    const d = this.data
    const cur = this.cur
    const mask = this.mask
    let i = this.slotOf(key)
    for (;;) {
      const e = i * STRIDE
      if (d[e + 2] !== cur) return -1
      if (d[e] === key) {
        const v = d[e + 1]!
        if (v !== TOMB) return v
      }
      i = (i + 1) & mask
    }
  }

  /** Sets `key` to `value` (≥ 0). */
  set(key: number, value: number): void {
    const d = this.data
    const cur = this.cur
    const mask = this.mask
    let i = this.slotOf(key)
    let free = -1
    for (;;) {
      const e = i * STRIDE
      if (d[e + 2] !== cur) break
      if (d[e + 1] === TOMB) {
        if (free < 0) free = e
      } else if (d[e] === key) {
        d[e + 1] = value
        return
      }
      i = (i + 1) & mask
    }
    if (free >= 0) {
      d[free] = key
      d[free + 1] = value
      this.liveCount++
      return
    }
    if ((this.size + 1) * 2 > this.slots) {
      this.rehash(this.liveCount + 1 > this.slots / 4 ? this.slots * 2 : this.slots)
      this.set(key, value)
      return
    }
    const e = i * STRIDE
    d[e] = key
    d[e + 1] = value
    d[e + 2] = cur
    this.size++
    this.liveCount++
  }

  /** Removes `key`; returns whether it was there. */
  delete(key: number): boolean {
    const d = this.data
    const cur = this.cur
    const mask = this.mask
    let i = this.slotOf(key)
    for (;;) {
      const e = i * STRIDE
      if (d[e + 2] !== cur) return false
      if (d[e] === key && d[e + 1] !== TOMB) {
        d[e + 1] = TOMB
        this.liveCount--
        return true
      }
      i = (i + 1) & mask
    }
  }

  clear(): void {
    this.size = 0
    this.liveCount = 0
    if (this.cur >= 2 ** 52) {
      const d = this.data
      for (let e = 2; e < d.length; e += STRIDE) d[e] = 0
      this.cur = 1
    } else this.cur++
  }

  private rehash(n: number): void {
    const old = this.data
    const cur = this.cur
    this.data = new Float64Array(n * STRIDE)
    this.mask = n - 1
    this.cur = 1
    this.size = 0
    this.liveCount = 0
    for (let e = 0; e < old.length; e += STRIDE) {
      if (old[e + 2] === cur && old[e + 1] !== TOMB) this.set(old[e]!, old[e + 1]!)
    }
  }

  /** Calls fn for every live entry, in table order. */
  forEach(fn: (key: number, value: number) => void): void {
    const d = this.data
    for (let e = 0; e < d.length; e += STRIDE) if (d[e + 2] === this.cur && d[e + 1] !== TOMB) fn(d[e]!, d[e + 1]!)
  }

  state(): TokenTableState {
    const data = this.data.slice()
    for (let e = 2; e < data.length; e += STRIDE) data[e] = data[e] === this.cur ? 1 : 0
    return { data, size: this.size, live: this.liveCount }
  }

  static fromState(s: TokenTableState): TokenTable {
    const t = new TokenTable(8)
    t.data = s.data.slice()
    t.cur = 1
    t.mask = s.data.length / STRIDE - 1
    t.size = s.size
    t.liveCount = s.live
    return t
  }
}
