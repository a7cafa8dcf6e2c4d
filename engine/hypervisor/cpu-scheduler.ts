// CPU scheduling on one host: the VMs' vCPU demand shared out over the host's pCPUs by weight, with
// optional caps, as a fluid model of cgroup v2 (`cpu.weight`, `cpu.max`) under the kernel's fair
// scheduler and of Xen's credit scheduler (weights, caps in % of a pCPU; both work-conserving).
//
// Weighted max-min fairness ("water-filling"): every VM is bounded by u = min(demand, cap, vCPUs × one
// pCPU); if the bounds fit in the host's capacity every VM gets its bound, otherwise a level λ is found
// such that Σ min(u_i, λ·w_i) = capacity, so a VM that wants less than its weighted share (idle, capped)
// leaves the rest to the others in proportion to their weights (the kernel's cgroup-v2 documentation,
// Documentation/admin-guide/cgroup-v2.rst, on cpu.weight and cpu.max).
//
// Data: one VcpuTable per shard (struct of arrays indexed by the shard's VM slot), a host passes the
// slots of its VMs. No allocation on the scheduling path; fixed iteration order (the order of the slot
// list), so results are bit-identical however the shard is stepped.
import type { RowPermutation } from '../row-permutation'

/** cgroup v2 `cpu.weight`: default 100, range 1..10000 (Documentation/admin-guide/cgroup-v2.rst). */
export const CPU_WEIGHT_DEFAULT = 100
export const CPU_WEIGHT_MIN = 1
export const CPU_WEIGHT_MAX = 10000

export interface CpuHostSpec {
  cores: number
  mipsPerCore: number
}

export function checkCpuWeight(weight: number): number {
  if (!Number.isInteger(weight) || weight < CPU_WEIGHT_MIN || weight > CPU_WEIGHT_MAX) {
    throw new RangeError(`cpu.weight must be an integer in ${CPU_WEIGHT_MIN}..${CPU_WEIGHT_MAX}, found ${weight}`)
  }
  return weight
}

/** The serialisable state of a VcpuTable. */
export interface VcpuTableState {
  size: number
  vcpus: Float64Array
  weight: Float64Array
  cap: Float64Array
  demand: Float64Array
  stall: Float64Array
  granted: Float64Array
  steal: Float64Array
  shortfall: Float64Array
}

/**
 * Per-VM CPU settings and per-step results of a shard, indexed by VM slot.
 *
 * Inputs: `vcpus`; `weight` (cgroup cpu.weight); `cap` in MIPS (Infinity = none); `demand` in MIPS (what
 * the workload asks for this step); `stall` ∈ [0, 1), the fraction of its running time the VM spends
 * blocked on memory (host or guest swap faults, from HostMemory): a blocked vCPU does not compete for
 * a pCPU, so only demand × (1 − stall) is offered to the scheduler.
 *
 * Outputs: `granted` (MIPS); `steal` = offered demand − granted, the time its vCPUs were runnable and
 * did not run (contention or cap; the guest's %st); `shortfall` = demand − granted, what the VM wanted
 * and did not get, i.e. steal plus memory stalls (its SLA shortfall). Without stalls steal = shortfall.
 */
export class VcpuTable {
  size = 0
  vcpus: Float64Array = new Float64Array(0)
  weight: Float64Array = new Float64Array(0)
  cap: Float64Array = new Float64Array(0)
  demand: Float64Array = new Float64Array(0)
  stall: Float64Array = new Float64Array(0)
  granted: Float64Array = new Float64Array(0)
  steal: Float64Array = new Float64Array(0)
  shortfall: Float64Array = new Float64Array(0)

  constructor(capacity = 16) {
    this.grow(capacity)
  }

  /** Makes room for slots 0..capacity−1 (new slots: 1 vCPU, weight 100, no cap, no demand). */
  grow(capacity: number): void {
    if (capacity <= this.vcpus.length) return
    const n = Math.max(capacity, this.vcpus.length * 2)
    this.vcpus = extend(this.vcpus, n, 1)
    this.weight = extend(this.weight, n, CPU_WEIGHT_DEFAULT)
    this.cap = extend(this.cap, n, Infinity)
    this.demand = extend(this.demand, n, 0)
    this.stall = extend(this.stall, n, 0)
    this.granted = extend(this.granted, n, 0)
    this.steal = extend(this.steal, n, 0)
    this.shortfall = extend(this.shortfall, n, 0)
  }

  /** Rows moved with the slots (lab/vm-slots.ts: `compact`). */
  permute(p: RowPermutation): void {
    for (const a of [
      this.vcpus,
      this.weight,
      this.cap,
      this.demand,
      this.stall,
      this.granted,
      this.steal,
      this.shortfall,
    ])
      p.apply(a)
  }

  /** Sets a slot's static settings (a VM placed in the slot). */
  set(slot: number, vcpus: number, weight = CPU_WEIGHT_DEFAULT, capMips = Infinity): void {
    if (!(vcpus >= 1)) throw new RangeError(`a VM needs at least one vCPU, found ${vcpus}`)
    if (!(capMips > 0)) throw new RangeError(`a cap must be positive MIPS (Infinity for none), found ${capMips}`)
    this.grow(slot + 1)
    if (slot >= this.size) this.size = slot + 1
    this.vcpus[slot] = vcpus
    this.weight[slot] = checkCpuWeight(weight)
    this.cap[slot] = capMips
  }

  state(): VcpuTableState {
    const n = this.size
    return {
      size: n,
      vcpus: this.vcpus.slice(0, n),
      weight: this.weight.slice(0, n),
      cap: this.cap.slice(0, n),
      demand: this.demand.slice(0, n),
      stall: this.stall.slice(0, n),
      granted: this.granted.slice(0, n),
      steal: this.steal.slice(0, n),
      shortfall: this.shortfall.slice(0, n),
    }
  }

  static fromState(s: VcpuTableState): VcpuTable {
    const t = new VcpuTable(Math.max(1, s.size))
    t.size = s.size
    t.vcpus.set(s.vcpus)
    t.weight.set(s.weight)
    t.cap.set(s.cap)
    t.demand.set(s.demand)
    t.stall.set(s.stall)
    t.granted.set(s.granted)
    t.steal.set(s.steal)
    t.shortfall.set(s.shortfall)
    return t
  }
}

function extend(a: Float64Array, n: number, fill: number): Float64Array {
  const b = new Float64Array(n)
  b.set(a)
  b.fill(fill, a.length)
  return b
}

/** What one host's scheduling step produced, summed over its VMs (MIPS). */
export interface CpuHostSummary {
  capacity: number
  demand: number
  granted: number
  steal: number
  shortfall: number
  /** granted / capacity */
  utilization: number
}

export function emptyCpuSummary(): CpuHostSummary {
  return { capacity: 0, demand: 0, granted: 0, steal: 0, shortfall: 0, utilization: 0 }
}

/**
 * Schedules one host. Holds scratch space only (no state between steps); one instance per shard.
 */
export class CpuScheduler {
  private bound: Float64Array = new Float64Array(16)
  private open: Uint8Array = new Uint8Array(16)

  /**
   * Shares `host`'s capacity among the VMs whose slots are slots[0..n−1] of table `t`: reads vcpus, weight,
   * cap, demand, stall; writes granted, steal, shortfall; fills and returns `out` (host totals).
   */
  schedule(
    host: CpuHostSpec,
    t: VcpuTable,
    slots: ArrayLike<number>,
    n: number,
    out: CpuHostSummary = emptyCpuSummary(),
  ): CpuHostSummary {
    if (this.bound.length < n) {
      this.bound = new Float64Array(Math.max(n, this.bound.length * 2))
      this.open = new Uint8Array(this.bound.length)
    }
    const bound = this.bound
    const open = this.open
    const capacity = host.cores * host.mipsPerCore
    const perVcpu = host.mipsPerCore
    let sumBound = 0
    let sumDemand = 0
    for (let k = 0; k < n; k++) {
      const i = slots[k]!
      const demand = t.demand[i]!
      sumDemand += demand
      const offered = demand * (1 - t.stall[i]!)
      let u = offered
      const cap = t.cap[i]!
      if (cap < u) u = cap
      const limit = t.vcpus[i]! * perVcpu
      if (limit < u) u = limit
      if (u < 0) u = 0
      bound[k] = u
      sumBound += u
    }

    if (sumBound <= capacity) {
      for (let k = 0; k < n; k++) t.granted[slots[k]!] = bound[k]!
    } else {
      // Progressive filling: saturate every VM whose bound lies under the current level, share what is
      // left among the rest, until no one saturates; the remaining VMs get level × weight.
      let remaining = capacity
      let active = 0
      for (let k = 0; k < n; k++) {
        if (bound[k]! > 0) {
          open[k] = 1
          active++
        } else {
          open[k] = 0
          t.granted[slots[k]!] = 0
        }
      }
      while (active > 0) {
        let weights = 0
        for (let k = 0; k < n; k++) if (open[k] === 1) weights += t.weight[slots[k]!]!
        const level = remaining > 0 ? remaining / weights : 0
        let saturated = 0
        for (let k = 0; k < n; k++) {
          if (open[k] !== 1) continue
          const i = slots[k]!
          if (bound[k]! <= level * t.weight[i]!) {
            t.granted[i] = bound[k]!
            remaining -= bound[k]!
            open[k] = 0
            saturated++
          }
        }
        if (saturated === 0) {
          for (let k = 0; k < n; k++) {
            if (open[k] !== 1) continue
            const i = slots[k]!
            t.granted[i] = level * t.weight[i]!
            open[k] = 0
          }
          break
        }
        active -= saturated
      }
    }

    let granted = 0
    let steal = 0
    let shortfall = 0
    for (let k = 0; k < n; k++) {
      const i = slots[k]!
      const g = t.granted[i]!
      const demand = t.demand[i]!
      const offered = demand * (1 - t.stall[i]!)
      const s = offered > g ? offered - g : 0
      const f = demand > g ? demand - g : 0
      t.steal[i] = s
      t.shortfall[i] = f
      granted += g
      steal += s
      shortfall += f
    }
    out.capacity = capacity
    out.demand = sumDemand
    out.granted = granted
    out.steal = steal
    out.shortfall = shortfall
    out.utilization = capacity > 0 ? granted / capacity : 0
    return out
  }
}
