// What the vendors' presets read of a cluster and how they act on it: a view each mode gives of its plan
// (the lab's: engine/lab/plan-view.ts), as VM selection reads a SelectionView. A preset is a pure function
// of the view; its moves go through `move`, so the filters it asks next see them.

export interface ClusterView {
  readonly hostCount: number
  /** seconds per step: windows of history are whole steps */
  readonly interval: number
  /** in the cluster now: powered on (or booting), in service, not failed — what balancing spreads load over */
  active(h: number): boolean
  /** powered on and done booting (DPM does not power off a host still booting) */
  running(h: number): boolean
  /** switched off and free to be powered on by a policy (in service, or in a standby the policy itself ordered) */
  wakeable(h: number): boolean
  /** host MIPS, and the RAM admission lets VMs reserve (MB) */
  capacity(h: number): number
  ramCapacity(h: number): number
  /** the VMs host h holds once planned moves finish, in arrival order */
  vms(h: number): readonly number[]
  /** a VM's CPU capacity (vCPUs × MIPS) and configured RAM (MB) */
  vmCapacity(v: number): number
  vmRam(v: number): number
  /** the VM's CPU utilization i steps back (0: the last step), 0 where it has no history */
  utilization(v: number, i: number): number
  /** how many history values the VM has */
  historyLength(v: number): number
  /** whether automation may move VM v now (running where planned, not moving, not pinned or disabled, no must-affinity) */
  movable(v: number): boolean
  /** whether host h takes VM v now: the filters (state and mode, admission, CPU room), must and should rules */
  admits(v: number, h: number): boolean
  /** migrations a host may carry at once (vMotion's limits, migration.maxConcurrentPerHost) */
  migrationSlots(h: number): number
  /** plans a move (undone by moving the VM back to where it runs) */
  move(v: number, h: number): void
  /** plans a power-on: host h takes VMs from now on (it boots first) */
  powerOn(h: number): void
}

/** Steps in a window of `seconds` (at least 1, at most what a VM's history holds). */
export function windowSteps(view: ClusterView, seconds: number, max = 30): number {
  return Math.max(1, Math.min(max, Math.round(seconds / view.interval)))
}

/** A VM's mean CPU demand over the newest `steps` steps it has history for, MIPS. */
export function meanDemand(view: ClusterView, v: number, steps: number): number {
  const n = Math.min(steps, view.historyLength(v))
  if (n === 0) return 0
  let sum = 0
  for (let i = 0; i < n; i++) sum += view.utilization(v, i)
  return (sum / n) * view.vmCapacity(v)
}

/** The active hosts, ascending. */
export function activeHosts(view: ClusterView): number[] {
  const out: number[] = []
  for (let h = 0; h < view.hostCount; h++) if (view.active(h)) out.push(h)
  return out
}

/** Population standard deviation of `values` (0 for none). */
export function standardDeviation(values: ArrayLike<number>): number {
  const n = values.length
  if (n === 0) return 0
  let sum = 0
  for (let i = 0; i < n; i++) sum += values[i]!
  const mean = sum / n
  let sq = 0
  for (let i = 0; i < n; i++) {
    const d = values[i]! - mean
    sq += d * d
  }
  return Math.sqrt(sq / n)
}

/**
 * Σ and Σ² of per-host loads, so that the spread after moving load between two hosts costs O(1): the
 * population standard deviation is √(Σ²/n − (Σ/n)²).
 */
export class LoadSpread {
  n = 0
  sum = 0
  sumSq = 0

  constructor(loads: ArrayLike<number>) {
    for (let i = 0; i < loads.length; i++) this.add(loads[i]!)
  }

  add(x: number): void {
    this.n++
    this.sum += x
    this.sumSq += x * x
  }

  std(): number {
    return spreadOf(this.n, this.sum, this.sumSq)
  }

  mean(): number {
    return this.n > 0 ? this.sum / this.n : 0
  }

  /** The standard deviation if one host's load went from a to a2 and another's from b to b2. */
  stdAfter(a: number, a2: number, b: number, b2: number): number {
    return spreadOf(this.n, this.sum - a - b + a2 + b2, this.sumSq - a * a - b * b + a2 * a2 + b2 * b2)
  }

  /** σ/μ after the same change (CloudStack's imbalance), 0 when the mean is 0. */
  imbalanceAfter(a: number, a2: number, b: number, b2: number): number {
    const sum = this.sum - a - b + a2 + b2
    if (sum <= 0) return 0
    return spreadOf(this.n, sum, this.sumSq - a * a - b * b + a2 * a2 + b2 * b2) / (sum / this.n)
  }

  move(a: number, a2: number, b: number, b2: number): void {
    this.sum += a2 + b2 - a - b
    this.sumSq += a2 * a2 + b2 * b2 - a * a - b * b
  }
}

function spreadOf(n: number, sum: number, sumSq: number): number {
  if (n === 0) return 0
  const mean = sum / n
  const variance = sumSq / n - mean * mean
  return variance > 0 ? Math.sqrt(variance) : 0
}
