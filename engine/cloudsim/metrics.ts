// CloudSim's SLA metrics (examples' Helper: SLATAH, PDM, overall and average SLA violation, host
// shutdowns), accumulated online from the host and VM state entries instead of storing the histories.
// An entry written at the same instant as the previous one replaces it, so an entry is only final once a
// later one arrives; each interval uses the values of its starting entry.

/**
 * One host update's state entries, filled in by the caller before record(): each VM's allocated and
 * requested MIPS and migration flag, and the host's totals. Passing them through typed arrays keeps
 * the doubles unboxed on the hottest path.
 */
export interface EntryBatch {
  time: number
  count: number
  vm: Int32Array
  allocated: Float64Array
  requested: Float64Array
  migrating: Uint8Array
  hostAllocated: number
  hostRequested: number
}

export class StateHistoryMetrics {
  readonly batch: EntryBatch = {
    time: Number.NaN,
    count: 0,
    vm: new Int32Array(64),
    allocated: new Float64Array(64),
    requested: new Float64Array(64),
    migrating: new Uint8Array(64),
    hostAllocated: Number.NaN,
    hostRequested: Number.NaN,
  }
  // hosts: the pending (last) entry and the activity of the last final entry
  private readonly hTime: Float64Array
  private readonly hAlloc: Float64Array
  private readonly hReq: Float64Array
  private readonly hActive: Uint8Array
  private readonly hHas: Uint8Array
  private readonly hPrevActive: Uint8Array
  private readonly hSlaTime: Float64Array
  private readonly hActiveTime: Float64Array
  private readonly hShutdowns: Int32Array
  // VMs
  private readonly vTime: Float64Array
  private readonly vAlloc: Float64Array
  private readonly vReq: Float64Array
  private readonly vMig: Uint8Array
  private readonly vHas: Uint8Array
  private readonly vAllocated: Float64Array
  private readonly vRequested: Float64Array
  private readonly vMigShortfall: Float64Array
  // Starts as a fraction (reset in the constructor): a field first holding a small integer gets an
  // integer representation in V8, and its first fraction would throw away the code optimized so far.
  private violationSum = 0.5
  private violationCount = 0

  constructor(hosts: number, vms: number) {
    this.violationSum = 0
    this.hTime = new Float64Array(hosts)
    this.hAlloc = new Float64Array(hosts)
    this.hReq = new Float64Array(hosts)
    this.hActive = new Uint8Array(hosts)
    this.hHas = new Uint8Array(hosts)
    this.hPrevActive = new Uint8Array(hosts).fill(1)
    this.hSlaTime = new Float64Array(hosts)
    this.hActiveTime = new Float64Array(hosts)
    this.hShutdowns = new Int32Array(hosts)
    this.vTime = new Float64Array(vms)
    this.vAlloc = new Float64Array(vms)
    this.vReq = new Float64Array(vms)
    this.vMig = new Uint8Array(vms)
    this.vHas = new Uint8Array(vms)
    this.vAllocated = new Float64Array(vms)
    this.vRequested = new Float64Array(vms)
    this.vMigShortfall = new Float64Array(vms)
  }

  /** Makes room for `n` VM entries in the batch. */
  reserve(n: number): EntryBatch {
    const b = this.batch
    if (b.vm.length < n) {
      const size = Math.max(n, b.vm.length * 2)
      b.vm = new Int32Array(size)
      b.allocated = new Float64Array(size)
      b.requested = new Float64Array(size)
      b.migrating = new Uint8Array(size)
    }
    return b
  }

  /** The batch's VM entries in order, then host h's entry (active when it has allocated MIPS). */
  record(h: number): void {
    const b = this.batch
    const time = b.time
    for (let i = 0; i < b.count; i++) this.vmEntry(b.vm[i]!, time, b.allocated[i]!, b.requested[i]!, b.migrating[i]!)
    this.hostEntry(h, time, b.hostAllocated, b.hostRequested, b.hostAllocated > 0)
  }

  private hostEntry(h: number, time: number, allocated: number, requested: number, active: boolean): void {
    if (this.hHas[h] && this.hTime[h] !== time) this.finalizeHost(h, time)
    this.hTime[h] = time
    this.hAlloc[h] = allocated
    this.hReq[h] = requested
    this.hActive[h] = active ? 1 : 0
    this.hHas[h] = 1
  }

  private finalizeHost(h: number, next: number): void {
    const dt = next - (this.hTime[h] as number)
    // Helper.getSlaTimePerActiveHost: the interval counts if the host was active at its start.
    if (this.hActive[h]) {
      this.hActiveTime[h] = (this.hActiveTime[h] as number) + dt
      if ((this.hAlloc[h] as number) < (this.hReq[h] as number)) this.hSlaTime[h] = (this.hSlaTime[h] as number) + dt
    }
    this.countTransition(h)
  }

  /** Helper.getTimesBeforeHostShutdown counts active → inactive transitions, starting from "active". */
  private countTransition(h: number): void {
    if (this.hPrevActive[h] && !this.hActive[h]) this.hShutdowns[h]!++
    this.hPrevActive[h] = this.hActive[h] as number
  }

  private vmEntry(v: number, time: number, allocated: number, requested: number, inMigration: number): void {
    if (this.vHas[v] && this.vTime[v] !== time) {
      const dt = time - (this.vTime[v] as number)
      const a = this.vAlloc[v] as number
      const r = this.vReq[v] as number
      this.vAllocated[v] = (this.vAllocated[v] as number) + a * dt
      this.vRequested[v] = (this.vRequested[v] as number) + r * dt
      if (a < r) {
        this.violationSum += (r - a) / r
        this.violationCount++
        if (this.vMig[v]) this.vMigShortfall[v] = (this.vMigShortfall[v] as number) + (r - a) * dt
      }
    }
    this.vTime[v] = time
    this.vAlloc[v] = allocated
    this.vReq[v] = requested
    this.vMig[v] = inMigration
    this.vHas[v] = 1
  }

  /**
   * Σ MIPS requested and allocated at the VMs' latest entries, over the VMs `alive` marks (in VM order): what
   * the cluster's VMs ask for and get from the periodic update on.
   */
  currentMips(alive: Uint8Array): { requested: number; allocated: number } {
    let requested = 0
    let allocated = 0
    for (let v = 0; v < this.vTime.length; v++) {
      if (!alive[v] || !this.vHas[v]) continue
      requested += this.vReq[v] as number
      allocated += this.vAlloc[v] as number
    }
    return { requested, allocated }
  }

  /** The figures CloudSim prints at the end of a run. */
  summary(): { slatah: number; pdm: number; overallSla: number; averageSla: number; hostShutdowns: number } {
    let slaTime = 0
    let activeTime = 0
    let shutdowns = 0
    for (let h = 0; h < this.hTime.length; h++) {
      slaTime += this.hSlaTime[h] as number
      activeTime += this.hActiveTime[h] as number
      // The last entry has no interval after it, but its transition still counts.
      shutdowns += (this.hShutdowns[h] as number) + (this.hHas[h] && this.hPrevActive[h] && !this.hActive[h] ? 1 : 0)
    }
    let allocated = 0
    let requested = 0
    let migShortfall = 0
    for (let v = 0; v < this.vTime.length; v++) {
      allocated += this.vAllocated[v] as number
      requested += this.vRequested[v] as number
      migShortfall += this.vMigShortfall[v] as number
    }
    return {
      slatah: activeTime > 0 ? slaTime / activeTime : 0,
      pdm: requested > 0 ? migShortfall / requested : 0,
      overallSla: requested > 0 ? (requested - allocated) / requested : 0,
      averageSla: this.violationCount > 0 ? this.violationSum / this.violationCount : 0,
      hostShutdowns: shutdowns,
    }
  }

  /** Σ over hosts of SLA-violation seconds and active seconds, over the intervals that are final so far. */
  totals(): { slaSeconds: number; activeSeconds: number } {
    let sla = 0
    let active = 0
    for (let h = 0; h < this.hTime.length; h++) {
      sla += this.hSlaTime[h] as number
      active += this.hActiveTime[h] as number
    }
    return { slaSeconds: sla, activeSeconds: active }
  }

  /** Per-host SLA time and active time so far (for reports and the UI). */
  hostSlaSeconds(h: number): { violation: number; active: number } {
    return { violation: this.hSlaTime[h] as number, active: this.hActiveTime[h] as number }
  }
}
