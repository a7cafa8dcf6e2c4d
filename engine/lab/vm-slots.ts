// Dense local slots for the VMs a shard holds. A shard's per-VM tables are indexed by slot, not by global
// VM id: with VM ids spread over every shard, id-indexed tables made each shard touch nearly every cache
// line of every table however few of the VMs it held, so splitting hosts over workers barely split the
// memory traffic. Slots are handed out densely and reused; they are storage only and never reach a result
// (every computation still runs in VM id order where order matters). Migrations scatter a host's VMs over
// the slots, so the shard renumbers them now and then (`compact`) in the order it steps them: host by
// host, each host's VMs in its own order, so that a step walks its tables front to back.
export class VmSlots {
  /** slot of each VM (by global id), −1 when the VM is not on this shard */
  readonly slotOf: Int32Array
  /** VM in each slot, −1 when free */
  vmOf: Int32Array
  /** slots ever used: every occupied slot is below it */
  end = 0
  private readonly free: number[] = []

  constructor(
    vmCount: number,
    capacity: number,
    /** called with the new capacity before a slot past the old one is used */
    private readonly grow: (capacity: number) => void,
  ) {
    this.slotOf = new Int32Array(vmCount).fill(-1)
    this.vmOf = new Int32Array(Math.max(16, capacity)).fill(-1)
    grow(this.vmOf.length)
  }

  get capacity(): number {
    return this.vmOf.length
  }

  /** VMs holding a slot */
  get size(): number {
    return this.end - this.free.length
  }

  has(vm: number): boolean {
    return this.slotOf[vm]! >= 0
  }

  /** A slot for VM `vm` (which must not hold one): the last one freed, else the next new one. */
  take(vm: number): number {
    let slot: number
    if (this.free.length > 0) slot = this.free.pop()!
    else {
      slot = this.end++
      if (slot >= this.vmOf.length) {
        const capacity = this.vmOf.length * 2
        const vmOf = new Int32Array(capacity).fill(-1)
        vmOf.set(this.vmOf)
        this.vmOf = vmOf
        this.grow(capacity)
      }
    }
    this.slotOf[vm] = slot
    this.vmOf[slot] = vm
    return slot
  }

  /**
   * Renumbers the slots: the VM in slot `order[k]` moves to slot k, for k < order.length (every VM holding a
   * slot, once). The caller moves its tables' rows alike (engine/row-permutation.ts).
   */
  compact(order: Int32Array): void {
    const vms = new Int32Array(order.length)
    for (let k = 0; k < order.length; k++) vms[k] = this.vmOf[order[k]!]!
    this.vmOf.fill(-1)
    for (let k = 0; k < vms.length; k++) {
      this.slotOf[vms[k]!] = k
      this.vmOf[k] = vms[k]!
    }
    this.end = vms.length
    this.free.length = 0
  }

  /** VM `vm` leaves: its slot is free again. Returns the slot it had. */
  release(vm: number): number {
    const slot = this.slotOf[vm]!
    this.slotOf[vm] = -1
    this.vmOf[slot] = -1
    this.free.push(slot)
    return slot
  }
}

/** A typed array grown to `capacity`, its old contents kept and new entries set to `fill`. */
export function grown<T extends Float64Array | Int32Array>(a: T, capacity: number, fill = 0): T {
  if (a.length >= capacity) return a
  const b = new (a.constructor as { new (n: number): T })(capacity)
  b.set(a)
  if (fill !== 0) b.fill(fill, a.length)
  return b
}
