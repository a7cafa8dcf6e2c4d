// An index over the hosts a power-aware best-fit placement scans, so that it need not look at every one.
// A host's power rise for a VM is P(u + δ) − P(u) with P its type's SPECpower table (piecewise linear over
// ten 10 % segments), u its planned utilization and δ the VM's demand over the host's MIPS. Hosts are kept
// in buckets by type and segment of u; for a bucket, P(u + δ) − P(u) ≥ δ × the smallest slope over the
// segments [u, u + δ] can reach — a lower bound for every host in it. The placement visits buckets by
// increasing bound and stops when the next bound is above the best rise found (by more than any rounding
// of the computed rises), so every host it skips would have lost. The best host is the one a scan of all
// hosts finds: the same score, computed the same way, and ties to the lowest id whatever the visiting order.
// Hosts that draw nothing before the VM comes (off, or about to be switched off) count their whole power
// and are kept apart, always visited.
// Within a bucket, hosts are kept apart by their room: how many of the VMs' distinct RAM sizes still fit
// (by the admission test itself, `RAM in use + size ≤ RAM`, which is monotone in the size). A VM visits
// only the hosts with room for its size: on a consolidated cluster most busy hosts are full, and a scan
// spent most of its visits refusing them.

/** Far above the rounding of a computed rise (a few ulps of a few hundred watts), far below any real difference. */
const SLACK_W = 1e-6

export class PlacementIndex {
  private readonly typeCount: number
  /** bucket of each host (−1: not indexed) and its position there */
  private readonly bucketOf: Int32Array
  private readonly position: Int32Array
  /** buckets (type × 10 + segment) × (rooms + 1) + room, then one of hosts drawing nothing */
  private readonly buckets: number[][]
  /** the distinct RAM sizes of the VMs, ascending */
  private readonly sizes: Float64Array
  /** room classes: 0 (no size fits) … sizes.length (every size fits) */
  private readonly rooms: number
  /** slope of each type's segment, W per unit of utilization */
  private readonly slope: Float64Array
  /** MIPS of each type */
  private readonly typeMips: Float64Array
  /** per placement: the groups (type × 10 + segment) to visit in order, their bounds, the room needed */
  private readonly order: Int32Array
  private readonly bound: Float64Array
  private need = 0

  constructor(
    private readonly hostType: Int32Array,
    capacity: Float64Array,
    power: Float64Array[],
    typeCount: number,
    vmRam: Float64Array,
  ) {
    this.typeCount = typeCount
    this.sizes = Float64Array.from(new Set(vmRam)).sort()
    this.rooms = this.sizes.length + 1
    const hostCount = hostType.length
    this.bucketOf = new Int32Array(hostCount).fill(-1)
    this.position = new Int32Array(hostCount)
    this.buckets = Array.from({ length: typeCount * 10 * this.rooms + 1 }, () => [])
    this.slope = new Float64Array(typeCount * 10)
    this.typeMips = new Float64Array(typeCount)
    const seen = new Uint8Array(typeCount)
    for (let h = 0; h < hostCount; h++) {
      const t = hostType[h]!
      if (seen[t]) continue
      seen[t] = 1
      this.typeMips[t] = capacity[h]!
      const table = power[h]!
      for (let j = 0; j < 10; j++) this.slope[t * 10 + j] = (table[j + 1]! - table[j]!) * 10
    }
    this.order = new Int32Array(typeCount * 10)
    this.bound = new Float64Array(typeCount * 10)
  }

  /** Nothing indexed. */
  clear(): void {
    for (const b of this.buckets) b.length = 0
    this.bucketOf.fill(-1)
  }

  /** How many of the VM RAM sizes fit beside `ramUse` MB on a host that accepts `ram` MB (its room class). */
  roomFor(ramUse: number, ram: number): number {
    let room = 0
    while (room < this.sizes.length && ramUse + this.sizes[room]! <= ram) room++
    return room
  }

  /**
   * Host h (to be scanned) at planned utilization u with room class `room` (roomFor), or drawing nothing
   * before a VM comes (`dark`).
   */
  set(h: number, u: number, dark: boolean, room: number): void {
    let bucket: number
    if (dark) bucket = this.typeCount * 10 * this.rooms
    else {
      let k = Math.floor(u * 10)
      if (!(k >= 0)) k = 0
      if (k > 9) k = 9
      bucket = (this.hostType[h]! * 10 + k) * this.rooms + room
    }
    const current = this.bucketOf[h]!
    if (current === bucket) return
    if (current >= 0) this.remove(h)
    const list = this.buckets[bucket]!
    this.bucketOf[h] = bucket
    this.position[h] = list.length
    list.push(h)
  }

  private remove(h: number): void {
    const list = this.buckets[this.bucketOf[h]!]!
    const i = this.position[h]!
    const last = list.pop()!
    if (last !== h) {
      list[i] = last
      this.position[last] = i
    }
    this.bucketOf[h] = -1
  }

  /** The hosts drawing nothing before a VM comes: visit them all. */
  get dark(): readonly number[] {
    return this.buckets[this.typeCount * 10 * this.rooms]!
  }

  /**
   * Orders the groups (type, segment) holding hosts with room for a VM of `demand` MIPS and `ram` MB (one
   * of the VMs' sizes) by their lower bound on its power rise; returns how many. Visit the hosts of group i
   * (`hostsAt(i, r)` for r from `firstRoom` to `lastRoom`) while it is not `beaten`.
   */
  prepare(demand: number, ram: number): number {
    let need = 0
    while (need < this.sizes.length && this.sizes[need]! < ram) need++
    this.need = need + 1
    let n = 0
    for (let t = 0; t < this.typeCount; t++) {
      const delta = demand / this.typeMips[t]!
      // segments [u, u + δ] reaches from segment k: k … ⌊(k + 1 + 10 δ)⌋ (the end's own segment included)
      const reach = Math.floor(delta * 10) + 1
      for (let k = 0; k < 10; k++) {
        const b = t * 10 + k
        let hosts = 0
        for (let r = this.need; r < this.rooms; r++) hosts += this.buckets[b * this.rooms + r]!.length
        if (hosts === 0) continue
        let min = Number.POSITIVE_INFINITY
        const last = k + reach < 9 ? k + reach : 9
        for (let j = k; j <= last; j++) if (this.slope[t * 10 + j]! < min) min = this.slope[t * 10 + j]!
        // P(u + δ) − P(u) = ∫ slope ≥ δ × min (also when a table falls somewhere: min < 0)
        const bound = delta * min
        // insertion by bound (at most types × 10 buckets)
        let i = n++
        while (i > 0 && this.bound[i - 1]! > bound) {
          this.bound[i] = this.bound[i - 1]!
          this.order[i] = this.order[i - 1]!
          i--
        }
        this.bound[i] = bound
        this.order[i] = b
      }
    }
    return n
  }

  /** The room classes a VM prepared for fits in. */
  get firstRoom(): number {
    return this.need
  }

  get lastRoom(): number {
    return this.rooms - 1
  }

  /** The hosts of the i-th group with room class `room`. */
  hostsAt(i: number, room: number): readonly number[] {
    return this.buckets[this.order[i]! * this.rooms + room]!
  }

  /** Whether every host of the i-th bucket rises by more than `best` (so none can win or tie). */
  beaten(i: number, best: number): boolean {
    return this.bound[i]! > best + SLACK_W
  }
}
