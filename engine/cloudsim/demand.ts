// What each VM asks for over time in the CloudSim-compatible mode: a utilization series sampled once per
// scheduling interval (a PlanetLab trace, or a generated series), interpolated as CloudSim's
// UtilizationModelPlanetLabInMemory does. Before the cloudlets are submitted (t < 0.1) VMs request nothing.
import { isMultipleOf } from '../workload/planetlab'

export class VmDemand {
  private isSubmitted = false
  /**
   * The same samples by slot: bySlot[k * vmCount + v] = samples[offset[v] + k]. Every VM is asked at the
   * same instants, so one instant reads two short rows instead of two values from each trace.
   */
  private readonly bySlot: Float64Array
  private readonly vmCount: number
  /** every VM's utilization at `time` */
  readonly current: Float64Array
  private preparedTime = Number.NaN
  private history = false

  constructor(
    /** samples[offset[v] + k] = utilization of VM v at k × interval */
    readonly samples: Float64Array,
    readonly offset: Int32Array,
    readonly interval: number,
    /** samples per VM */
    private readonly slots: number,
  ) {
    const n = offset.length
    this.vmCount = n
    this.current = new Float64Array(n)
    this.bySlot = new Float64Array(slots * n)
    for (let v = 0; v < n; v++) {
      const from = offset[v] as number
      for (let k = 0; k < slots; k++) this.bySlot[k * n + v] = samples[from + k] as number
    }
  }

  /** The broker submits the cloudlets: from now on VMs request their traces. */
  submit(): void {
    this.isSubmitted = true
    this.preparedTime = Number.NaN
  }

  /** false until CloudSim's broker submits the cloudlets (at t = 0.1) */
  get submitted(): boolean {
    return this.isSubmitted
  }

  /** The instant `current` holds. */
  get time(): number {
    return this.preparedTime
  }

  /** Whether PowerVm records a history value at `time`: (time − 0.1) is a multiple of the interval. */
  get historyDue(): boolean {
    return this.history
  }

  /**
   * Every VM's utilization at `time` (valid until the next call with another time): CloudSim's
   * UtilizationModelPlanetLabInMemory.getUtilization, the time-only parts computed once per instant and
   * the per-VM arithmetic in its order.
   */
  at(time: number): Float64Array {
    if (time !== this.preparedTime) this.prepare(time)
    return this.current
  }

  private prepare(time: number): void {
    const { interval, current, vmCount: n } = this
    this.preparedTime = time
    this.history = isMultipleOf(time - 0.1, interval)
    if (!this.isSubmitted) {
      current.fill(0)
      return
    }
    const inSlots = (k: number) => k >= 0 && k < this.slots
    if (isMultipleOf(time, interval)) {
      const index = Math.trunc(Math.trunc(time) / Math.trunc(interval))
      if (inSlots(index)) current.set(this.bySlot.subarray(index * n, index * n + n))
      else for (let v = 0; v < n; v++) current[v] = this.samples[(this.offset[v] as number) + index] as number
      return
    }
    const t1 = Math.floor(time / interval)
    const t2 = Math.ceil(time / interval)
    const span = (t2 - t1) * interval
    const elapsed = time - t1 * interval
    const inRange = inSlots(t1) && inSlots(t2)
    for (let v = 0; v < n; v++) {
      const u1 = (inRange ? this.bySlot[t1 * n + v] : this.samples[(this.offset[v] as number) + t1]) as number
      const u2 = (inRange ? this.bySlot[t2 * n + v] : this.samples[(this.offset[v] as number) + t2]) as number
      const delta = (u2 - u1) / span
      current[v] = u1 + delta * elapsed
    }
  }
}
