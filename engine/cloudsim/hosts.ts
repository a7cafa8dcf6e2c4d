// The hosts of CloudSim's power datacenter: VM lists, the time-shared over-subscription CPU scheduler,
// RAM/BW provisioners and the per-VM cloudlet state that decides what each VM requests. Every rule here
// follows CloudSim 3.0.3 (Host, HostDynamicWorkload, VmSchedulerTimeShared[OverSubscription],
// RamProvisionerSimple, CloudletSchedulerDynamicWorkload, PowerVm), including its quirks:
//   - a VM's request is its utilization at the scheduler's last update, uncapped;
//   - each vCPU's request is capped at the host's PE MIPS when allocating;
//   - a VM migrating in gets 10 % of its request, a VM migrating out 90 %;
//   - an over-subscribed host gives every VM floor(request × total / Σ requests).
// Only what changes results is modelled (storage never binds; PE-level provisioning does not matter).
import type { ClusterModel } from '../model/cluster-model'
import { clampUtilization, frameEnergy, interpolateWithDeltas, POWER_POINTS, segmentDeltas, specPower } from '../power'
import { HISTORY_LENGTH, type HostLoad } from '../policies/detectors'
import type { VmDemand } from './demand'
import type { StateHistoryMetrics } from './metrics'

const NONE = -1

/**
 * Empties an array without letting go of its storage (setting length to 0 would). Two copies, one for
 * arrays of ids and one for arrays of doubles, so that each call site sees one element kind: a shared
 * one goes polymorphic and stays slow until optimized.
 */
function clearIds(a: number[]): void {
  while (a.length > 0) a.pop()
}

function clearDoubles(a: number[]): void {
  while (a.length > 0) a.pop()
}

/** Σ of a per-vCPU value over the vCPUs, added one by one as CloudSim sums its lists. */
function sumPes(perPe: number, pes: number): number {
  if (pes === 1) return perPe
  let total = 0
  for (let i = pes; i > 0; i--) total += perPe
  return total
}

export class CloudSimHosts {
  readonly hostCount: number
  readonly vmCount: number
  // host constants
  readonly totalMips: Float64Array
  readonly peMips: Float64Array
  readonly ramMB: Float64Array
  readonly bwKbps: Float64Array
  /** each host's power table and its segment slopes (segmentDeltas): views of its type's rows below */
  readonly power: Float64Array[]
  readonly powerDeltas: Float64Array[]
  /** every host type's power table and slopes, POWER_POINTS entries per type (PABFD's scan reads them by hostTypeOf) */
  readonly typeWatts: Float64Array
  readonly typeDeltas: Float64Array
  // VM constants
  readonly vmMips: Float64Array
  readonly vmPes: Int32Array
  readonly vmRam: Float64Array
  readonly vmBw: Float64Array

  // host state
  /** host.getVmList(), in arrival order */
  readonly list: number[][]
  /** request per vCPU stored when each listed VM was allocated (mipsMapRequested), parallel to list */
  readonly storedReq: number[][]
  /** total MIPS allocated to each listed VM (mipsMap), parallel to list */
  readonly alloc: number[][]
  /** host.getVmsMigratingIn() (the scheduler keeps the same set) */
  readonly migIn: number[][]
  /** in how many migIn lists each VM is: most are in none, which spares the search */
  private readonly migInCount: Int32Array
  /** the scheduler's vmsMigratingOut */
  readonly migOut: Set<number>[]
  readonly available: Float64Array
  readonly ramAvail: Float64Array
  readonly bwAvail: Float64Array
  readonly ramAlloc: Map<number, number>[]
  readonly bwAlloc: Map<number, number>[]
  /** MIPS used at the last update (HostDynamicWorkload.utilizationMips) and the one before */
  readonly utilMips: Float64Array
  readonly prevUtilMips: Float64Array

  // VM state
  readonly inMigration: Uint8Array
  readonly beingInstantiated: Uint8Array
  /** vm.getHost() */
  readonly hostRef: Int32Array
  /** the allocation policy's vmTable */
  readonly vmTable: Int32Array
  /** request per vCPU at the cloudlet scheduler's last update */
  readonly reqPerPe: Float64Array
  readonly schedTime: Float64Array
  /** whether reqPerPe was computed with cloudlets submitted (before that every request is 0) */
  private readonly schedFresh: Uint8Array
  /** PowerVm.previousTime: the last time a history value was recorded */
  readonly histTime: Float64Array
  /** utilization history, newest first: hist[v * 30 + i] */
  readonly hist: Float64Array
  readonly histLen: Int32Array

  /**
   * At the last update of each host: whether a listed VM not migrating requested exactly 0 (CloudSim
   * then destroys it), and whether a listed VM requested more than 0.
   */
  readonly idleVmListed: Uint8Array
  readonly demandListed: Uint8Array

  /** power at the last update's utilization (PowerHost.getPower) */
  readonly powerLast: Float64Array
  /** hosts with VMs listed or power drawn, for scans that can skip the idle ones (swap-remove set) */
  readonly busy: Int32Array
  busyCount = 0
  private readonly busyPos: Int32Array
  /** host ids of each host type, ascending: idle hosts of one type are interchangeable for placement */
  readonly hostsOfType: Int32Array[]
  readonly hostTypeOf: Int32Array
  private readonly firstIdleCache: Int32Array
  /** every host of type t before hostsOfType[t][idleFrom[t]] is busy; indexInType[h]: h's position there */
  private readonly idleFrom: Int32Array
  private readonly indexInType: Int32Array

  /** tentative mode (an optimization round): hosts changed since it began, and their lists before */
  private tentative = false
  /** each touched host's list as it was (without the VMs migrating in), kept between rounds for reuse */
  private readonly snapshot: number[][]
  private readonly snapshotTaken: Uint8Array
  private readonly rebuildScratch: Int32Array
  private readonly touchedList: number[] = []
  private readonly single = [0]
  /** the time of the update in progress (a field, so that no call boxes it) */
  private now = Number.NaN
  private readonly movedVms: number[] = []

  // caches of per-host sums, rebuilt when a host's list changes
  /** whether the last host state entry written was inactive */
  private readonly inactiveEntry: Uint8Array
  /** mipsInUse per host and whether it is current (read directly by the PABFD scan) */
  readonly inUseCache: Float64Array
  readonly inUseValid: Uint8Array
  private readonly histLenCache: Int32Array
  private readonly backupVm: Int32Array
  private readonly backupSumReq: Float64Array
  private readonly backupMaxRam: Float64Array
  private readonly backupHistLen: Int32Array
  private readonly backupInUse: Float64Array
  private readonly backupHist: Float64Array
  private readonly sumReqCache: Float64Array
  private readonly maxRamCache: Float64Array
  private readonly histCache: Float64Array
  private readonly cacheValid: Uint8Array
  private readonly loadScratch: HostLoad

  constructor(
    model: ClusterModel,
    readonly demand: VmDemand,
    /** receives the host and VM state entries every update writes (a direct call: no boxing on the hot path) */
    readonly metrics: StateHistoryMetrics,
  ) {
    const nH = model.hostCount
    const nV = model.vmCount
    this.hostCount = nH
    this.vmCount = nV
    this.totalMips = new Float64Array(nH)
    this.peMips = new Float64Array(nH)
    this.ramMB = new Float64Array(nH)
    this.bwKbps = new Float64Array(nH)
    this.power = []
    this.powerDeltas = []
    this.typeWatts = new Float64Array(model.hostTypes.length * POWER_POINTS)
    this.typeDeltas = new Float64Array(model.hostTypes.length * POWER_POINTS)
    const wattsOfType: Float64Array[] = []
    const deltasOfType: Float64Array[] = []
    model.hostTypes.forEach((t, i) => {
      const row = i * POWER_POINTS
      this.typeWatts.set(t.power, row)
      this.typeDeltas.set(segmentDeltas(t.power), row)
      wattsOfType.push(this.typeWatts.subarray(row, row + POWER_POINTS))
      deltasOfType.push(this.typeDeltas.subarray(row, row + POWER_POINTS - 1))
    })
    for (let h = 0; h < nH; h++) {
      const t = model.hostTypes[model.hostType[h]!]!
      this.totalMips[h] = t.totalMips
      this.peMips[h] = Math.trunc(t.mipsPerCore)
      this.ramMB[h] = t.ramMB
      this.bwKbps[h] = t.bwKbps
      this.power.push(wattsOfType[model.hostType[h]!]!)
      this.powerDeltas.push(deltasOfType[model.hostType[h]!]!)
    }
    this.vmMips = new Float64Array(nV)
    this.vmPes = new Int32Array(nV)
    this.vmRam = new Float64Array(nV)
    this.vmBw = new Float64Array(nV)
    for (let v = 0; v < nV; v++) {
      const t = model.vmTypes[model.vmType[v]!]!
      this.vmMips[v] = t.mips
      this.vmPes[v] = t.vcpus
      this.vmRam[v] = t.ramMB
      this.vmBw[v] = t.bwKbps
    }
    // Lists of VM ids and lists of MIPS come from two array literals: V8 remembers the widest element kind
    // an array literal's arrays reached, so with one literal for both the next simulation's id lists started
    // as lists of doubles, and every function optimized in the first run was thrown away in the second.
    const idLists = () => Array.from({ length: nH }, () => [] as number[])
    const mipsLists = () => Array.from({ length: nH }, () => [] as number[])
    this.list = idLists()
    this.storedReq = mipsLists()
    this.alloc = mipsLists()
    this.migIn = idLists()
    this.migInCount = new Int32Array(nV)
    this.migOut = Array.from({ length: nH }, () => new Set<number>())
    this.available = this.totalMips.slice()
    this.ramAvail = this.ramMB.slice()
    this.bwAvail = this.bwKbps.slice()
    this.ramAlloc = Array.from({ length: nH }, () => new Map<number, number>())
    this.bwAlloc = Array.from({ length: nH }, () => new Map<number, number>())
    this.utilMips = new Float64Array(nH)
    this.prevUtilMips = new Float64Array(nH)

    this.inMigration = new Uint8Array(nV)
    this.beingInstantiated = new Uint8Array(nV).fill(1)
    this.hostRef = new Int32Array(nV).fill(NONE)
    this.vmTable = new Int32Array(nV).fill(NONE)
    this.reqPerPe = new Float64Array(nV)
    this.schedTime = new Float64Array(nV)
    this.schedFresh = new Uint8Array(nV)
    this.histTime = new Float64Array(nV)
    this.hist = new Float64Array(nV * HISTORY_LENGTH)
    this.histLen = new Int32Array(nV)

    this.powerLast = new Float64Array(nH)
    this.idleVmListed = new Uint8Array(nH)
    this.demandListed = new Uint8Array(nH)
    this.busy = new Int32Array(nH)
    this.busyPos = new Int32Array(nH).fill(NONE)
    this.hostTypeOf = model.hostType.slice()
    this.hostsOfType = model.hostTypes.map((_, t) => {
      const ids: number[] = []
      for (let h = 0; h < nH; h++) if (model.hostType[h] === t) ids.push(h)
      return Int32Array.from(ids)
    })
    for (let h = 0; h < nH; h++) this.powerLast[h] = specPower(this.power[h]!, 0)
    this.firstIdleCache = new Int32Array(model.hostTypes.length).fill(-2)
    this.idleFrom = new Int32Array(model.hostTypes.length)
    this.indexInType = new Int32Array(nH)
    for (const ids of this.hostsOfType) ids.forEach((h, i) => (this.indexInType[h] = i))
    this.snapshot = Array.from({ length: nH }, () => [] as number[])
    this.snapshotTaken = new Uint8Array(nH)
    this.rebuildScratch = new Int32Array(nH)
    this.inactiveEntry = new Uint8Array(nH)
    this.inUseCache = new Float64Array(nH)
    this.inUseValid = new Uint8Array(nH)
    this.histLenCache = new Int32Array(nH)
    this.backupVm = new Int32Array(nH).fill(NONE)
    this.backupSumReq = new Float64Array(nH)
    this.backupMaxRam = new Float64Array(nH)
    this.backupHistLen = new Int32Array(nH)
    this.backupInUse = new Float64Array(nH)
    this.backupHist = new Float64Array(nH * HISTORY_LENGTH)
    this.sumReqCache = new Float64Array(nH)
    this.maxRamCache = new Float64Array(nH)
    this.histCache = new Float64Array(nH * HISTORY_LENGTH)
    this.cacheValid = new Uint8Array(nH)
    this.loadScratch = {
      requestedMips: 0,
      totalMips: 0,
      history: new Float64Array(HISTORY_LENGTH),
      historyLength: 0,
      maxVmRamMB: 0,
      bwKbps: 0,
      interval: demand.interval,
    }
  }

  // ---------------------------------------------------------------- VM requests (Vm, CloudletScheduler)

  /** Request per vCPU (Vm.getCurrentRequestedMips): the full MIPS while being instantiated. */
  requestPerPe(v: number): number {
    return this.beingInstantiated[v] ? (this.vmMips[v] as number) : (this.reqPerPe[v] as number)
  }

  /** Vm.getCurrentRequestedTotalMips: Σ of the per-vCPU list. */
  requestTotal(v: number): number {
    return sumPes(this.requestPerPe(v), this.vmPes[v] as number)
  }

  /** RAM requested now: the full RAM while being instantiated, else 0 (the cloudlet's RAM model is null). */
  private requestRam(v: number): number {
    return this.beingInstantiated[v] ? (this.vmRam[v] as number) : 0
  }

  private requestBw(v: number): number {
    return this.beingInstantiated[v] ? (this.vmBw[v] as number) : 0
  }

  /** PowerVm.updateVmProcessing: the cloudlet scheduler moves to `time`; a history value at each step. */
  updateVmProcessing(v: number, time: number): void {
    this.now = time
    this.single[0] = v
    this.advanceVms(this.single)
  }

  /** updateVmProcessing to `now` for each VM of `list`; returns whether one of them is migrating. */
  private advanceVms(list: readonly number[]): boolean {
    const time = this.now
    const demand = this.demand
    if (demand.time !== time) demand.at(time)
    const u = demand.current
    const history = demand.historyDue
    const fresh = this.demand.submitted ? 1 : 0
    const { schedTime, schedFresh, vmPes, vmMips, reqPerPe, histTime, hist, histLen } = this
    let migrating = false
    for (let i = 0; i < list.length; i++) {
      const v = list[i]!
      if (this.inMigration[v]) migrating = true
      // The request is a function of the update time: a second update at the same instant changes nothing.
      if (schedTime[v] === time && schedFresh[v]) continue
      schedTime[v] = time
      schedFresh[v] = fresh
      this.cachesStale = true
      const x = u[v] as number
      const pes = vmPes[v] as number
      // x / 1 is x exactly
      reqPerPe[v] = pes === 1 ? x * (vmMips[v] as number) : (x * (pes * (vmMips[v] as number))) / pes
      if (history && time > (histTime[v] as number)) {
        if (time !== 0 || x !== 0) {
          const base = v * HISTORY_LENGTH
          hist.copyWithin(base + 1, base, base + HISTORY_LENGTH - 1)
          hist[base] = x
          if ((histLen[v] as number) < HISTORY_LENGTH) histLen[v]!++
        }
        histTime[v] = time
      }
    }
    return migrating
  }

  /** How many of the newest values the cached host histories hold (what the over-load detector reads). */
  historyDepth = HISTORY_LENGTH

  /** Set when any VM's request or history changed; the next cache read rebuilds every host. */
  private cachesStale = false

  /**
   * Set while the migrations completing at one instant are applied: list changes then skip the CPU
   * re-allocation, since the update that ends the instant recomputes every changed host from its list
   * and nothing reads an allocation before that. The migration bookkeeping still happens.
   */
  deferAllocation = false

  // ---------------------------------------------------------------- CPU scheduler

  /** Whether VM v is in host h's migIn list. */
  isMigratingIn(h: number, v: number): boolean {
    return this.migInCount[v] !== 0 && this.migIn[h]!.includes(v)
  }

  private cappedTotal(h: number, v: number, perPe: number): number {
    const pe = this.peMips[h] as number
    return sumPes(perPe > pe ? pe : perPe, this.vmPes[v] as number)
  }

  /** VmSchedulerTimeShared.allocatePesForVm(Vm, mips): migration bookkeeping, then the over-subscription rule. */
  private allocatePes(h: number, index: number): void {
    this.trackMigratingOut(h, this.list[h]![index]!)
    this.allocateStored(h, index)
  }

  private trackMigratingOut(h: number, v: number): void {
    const out = this.migOut[h]!
    if (this.inMigration[v]) {
      if (!this.isMigratingIn(h, v) && !out.has(v)) out.add(v)
    } else if (out.size > 0) {
      out.delete(v)
    }
  }

  /** VmSchedulerTimeSharedOverSubscription.allocatePesForVm(uid, mips) for list[h][index] and its stored request. */
  private allocateStored(h: number, index: number): void {
    const v = this.list[h]![index]!
    const perPe = this.storedReq[h]![index]!
    const migIn = this.isMigratingIn(h, v)
    let total = this.cappedTotal(h, v, perPe)
    if (migIn) total *= 0.1
    if ((this.available[h] as number) >= total) {
      this.alloc[h]![index] = this.allocatedFor(h, v, perPe, migIn, 1, false)
      this.available[h] = (this.available[h] as number) - total
    } else {
      this.redistribute(h, index + 1)
    }
  }

  /** Σ over vCPUs of the allocation of a (capped, scaled) per-vCPU request. */
  private allocatedFor(h: number, v: number, perPe: number, migIn: boolean, scaling: number, floor: boolean): number {
    const pe = this.peMips[h] as number
    let mips = perPe > pe ? pe : perPe
    const out = this.migOut[h]!
    if (out.size > 0 && out.has(v)) {
      if (floor) mips *= scaling
      mips *= 0.9
    } else if (migIn) {
      mips *= 0.1
      if (floor) mips *= scaling
    } else if (floor) {
      mips *= scaling
    }
    if (floor) mips = Math.floor(mips)
    return sumPes(mips, this.vmPes[v] as number)
  }

  /** redistributeMipsDueToOverSubscription over the first `count` listed VMs (those allocated so far). */
  private redistribute(h: number, count: number): void {
    const list = this.list[h]!
    const stored = this.storedReq[h]!
    let required = 0
    for (let i = 0; i < count; i++) {
      let r = this.cappedTotal(h, list[i]!, stored[i]!)
      if (this.isMigratingIn(h, list[i]!)) r *= 0.1
      required += r
    }
    const scaling = (this.totalMips[h] as number) / required
    const alloc = this.alloc[h]!
    for (let i = 0; i < count; i++) {
      const v = list[i]!
      alloc[i] = this.allocatedFor(h, v, stored[i]!, this.isMigratingIn(h, v), scaling, true)
    }
    this.available[h] = 0
  }

  /** Recomputes every allocation of a host from the stored requests, in list order (deallocatePesForVm). */
  private reallocateStored(h: number): void {
    this.available[h] = this.totalMips[h] as number
    const n = this.list[h]!.length
    for (let i = 0; i < n; i++) this.allocateStored(h, i)
  }

  /** Allocated MIPS of VM v on host h (0 when not listed there). */
  allocatedOn(h: number, v: number): number {
    const i = this.list[h]!.indexOf(v)
    return i < 0 ? 0 : this.alloc[h]![i]!
  }

  // ---------------------------------------------------------------- RAM / BW provisioners
  // Only VMs being instantiated (t = 0) request RAM and BW; afterwards requests are 0, so the tables
  // merely release what creation reserved.

  private allocateRam(h: number, v: number, ram: number): boolean {
    const table = this.ramAlloc[h]!
    if (ram === 0 && table.size === 0) return true
    if (ram >= (this.vmRam[v] as number)) ram = this.vmRam[v] as number
    this.ramAvail[h] = (this.ramAvail[h] as number) + (table.get(v) ?? 0)
    table.delete(v)
    if (this.ramAvail[h] >= ram) {
      this.ramAvail[h] = this.ramAvail[h] - ram
      if (ram !== 0) table.set(v, ram)
      return true
    }
    return false
  }

  private allocateBw(h: number, v: number, bw: number): boolean {
    const table = this.bwAlloc[h]!
    if (bw === 0 && table.size === 0) return true
    if (bw >= (this.vmBw[v] as number)) bw = this.vmBw[v] as number
    this.bwAvail[h] = (this.bwAvail[h] as number) + (table.get(v) ?? 0)
    table.delete(v)
    if (this.bwAvail[h] >= bw) {
      this.bwAvail[h] = this.bwAvail[h] - bw
      if (bw !== 0) table.set(v, bw)
      return true
    }
    return false
  }

  private deallocateRamBw(h: number, v: number): void {
    const ram = this.ramAlloc[h]!
    if (ram.size > 0) {
      this.ramAvail[h] = (this.ramAvail[h] as number) + (ram.get(v) ?? 0)
      ram.delete(v)
    }
    const bw = this.bwAlloc[h]!
    if (bw.size > 0) {
      this.bwAvail[h] = (this.bwAvail[h] as number) + (bw.get(v) ?? 0)
      bw.delete(v)
    }
  }

  /** RamProvisionerSimple.isSuitableForVm and BwProvisionerSimple.isSuitableForVm together. */
  private ramBwSuitable(h: number, v: number): boolean {
    if (!this.beingInstantiated[v]) return true
    const ram = Math.min(this.requestRam(v), this.vmRam[v] as number)
    const bw = Math.min(this.requestBw(v), this.vmBw[v] as number)
    // What the VM already holds there (≥ 0) only matters when the free amount alone falls short.
    const ramAvail = this.ramAvail[h] as number
    const bwAvail = this.bwAvail[h] as number
    return (
      (ramAvail >= ram || ramAvail + (this.ramAlloc[h]!.get(v) ?? 0) >= ram) &&
      (bwAvail >= bw || bwAvail + (this.bwAlloc[h]!.get(v) ?? 0) >= bw)
    )
  }

  // ---------------------------------------------------------------- Host operations

  /** Host.isSuitableForVm */
  isSuitable(h: number, v: number): boolean {
    return (
      (this.peMips[h] as number) >= this.requestPerPe(v) &&
      (this.available[h] as number) >= this.requestTotal(v) &&
      this.ramBwSuitable(h, v)
    )
  }

  /** Host.vmCreate: RAM, BW, then CPU; the VM joins the end of the host's list. */
  vmCreate(h: number, v: number): boolean {
    this.changing(h)
    if (!this.allocateRam(h, v, this.requestRam(v))) return false
    if (!this.allocateBw(h, v, this.requestBw(v))) {
      this.deallocateRamBw(h, v)
      return false
    }
    if (this.deferAllocation) {
      this.list[h]!.push(v)
      this.storedReq[h]!.push(this.requestPerPe(v))
      this.alloc[h]!.push(0)
      this.trackMigratingOut(h, v)
      this.setHostRef(v, h)
      this.changed(h)
      return true
    }
    const cached = this.cacheValid[h] === 1 && !this.cachesStale
    const inUseCached = this.inUseValid[h] === 1
    if (cached) this.backupCaches(h, v)
    const availableBefore = this.available[h] as number
    this.list[h]!.push(v)
    this.storedReq[h]!.push(this.requestPerPe(v))
    this.alloc[h]!.push(0)
    const index = this.list[h]!.length - 1
    this.allocatePes(h, index)
    this.setHostRef(v, h)
    this.changed(h)
    // Appending keeps every cached sum in its summation order, so the caches extend exactly.
    if (cached) this.appendToCaches(h, v)
    if (
      inUseCached &&
      this.available[h] !== 0 &&
      this.migIn[h]!.length === 0 &&
      availableBefore >= this.requestTotal(v)
    ) {
      this.inUseCache[h] = (this.inUseCache[h] as number) + this.alloc[h]![index]!
      this.inUseValid[h] = 1
    }
    return true
  }

  private appendToCaches(h: number, v: number): void {
    this.sumReqCache[h] = (this.sumReqCache[h] as number) + this.requestTotal(v)
    if ((this.vmRam[v] as number) > (this.maxRamCache[h] as number)) this.maxRamCache[h] = this.vmRam[v] as number
    this.addHistory(this.histCache, h * HISTORY_LENGTH, v, this.totalMips[h] as number, this.historyDepth)
    const vmLength = this.vmTrimmedLength(v)
    if (vmLength > (this.histLenCache[h] as number)) this.histLenCache[h] = vmLength
    this.cacheValid[h] = 1
  }

  /** One level of undo: a VM tried on a host and taken away again restores the host's caches. */
  private backupCaches(h: number, v: number): void {
    this.backupVm[h] = v
    this.backupSumReq[h] = this.sumReqCache[h] as number
    this.backupMaxRam[h] = this.maxRamCache[h] as number
    this.backupHistLen[h] = this.histLenCache[h] as number
    this.backupInUse[h] = this.inUseValid[h] ? (this.inUseCache[h] as number) : Number.NaN
    const base = h * HISTORY_LENGTH
    for (let i = base; i < base + this.historyDepth; i++) this.backupHist[i] = this.histCache[i] as number
  }

  private restoreCaches(h: number): void {
    this.sumReqCache[h] = this.backupSumReq[h] as number
    this.maxRamCache[h] = this.backupMaxRam[h] as number
    this.histLenCache[h] = this.backupHistLen[h] as number
    const base = h * HISTORY_LENGTH
    for (let i = base; i < base + this.historyDepth; i++) this.histCache[i] = this.backupHist[i] as number
    this.cacheValid[h] = 1
    const inUse = this.backupInUse[h] as number
    if (!Number.isNaN(inUse)) {
      this.inUseCache[h] = inUse
      this.inUseValid[h] = 1
    }
  }

  /** Host.vmDestroy: deallocate (the scheduler re-allocates the others), leave the list. */
  vmDestroy(h: number, v: number): void {
    const list = this.list[h]!
    const undo = this.backupVm[h] === v && list[list.length - 1] === v && this.cacheValid[h] === 1 && !this.cachesStale
    this.changing(h)
    this.deallocateRamBw(h, v)
    this.removeFromList(h, v)
    if (!this.deferAllocation) this.reallocateStored(h)
    this.setHostRef(v, NONE)
    this.changed(h)
    if (undo) this.restoreCaches(h)
  }

  private removeFromList(h: number, v: number): void {
    const list = this.list[h]!
    const i = list.indexOf(v)
    if (i < 0) return
    const stored = this.storedReq[h]!
    const alloc = this.alloc[h]!
    for (let k = i + 1; k < list.length; k++) {
      list[k - 1] = list[k]!
      stored[k - 1] = stored[k]!
      alloc[k - 1] = alloc[k]!
    }
    list.pop()
    stored.pop()
    alloc.pop()
  }

  private setHostRef(v: number, h: number): void {
    if (this.tentative && this.hostRef[v] !== h) this.movedVms.push(v)
    this.hostRef[v] = h
  }

  /** Host.vmDestroyAll */
  vmDestroyAll(h: number): void {
    this.changing(h)
    this.available[h] = this.totalMips[h] as number
    this.ramAvail[h] = this.ramMB[h] as number
    if (this.ramAlloc[h]!.size > 0) this.ramAlloc[h]!.clear()
    this.bwAvail[h] = this.bwKbps[h] as number
    if (this.bwAlloc[h]!.size > 0) this.bwAlloc[h]!.clear()
    const list = this.list[h]!
    for (let i = 0; i < list.length; i++) this.setHostRef(list[i]!, NONE)
    clearIds(list)
    clearDoubles(this.storedReq[h]!)
    clearDoubles(this.alloc[h]!)
    this.changed(h)
  }

  /** Host.reallocateMigratingInVms (after a tentative round is rolled back). */
  reallocateMigratingInVms(h: number): void {
    if (this.migIn[h]!.length === 0) return
    this.changing(h)
    for (const v of this.migIn[h]!) {
      if (!this.list[h]!.includes(v)) {
        this.list[h]!.push(v)
        this.storedReq[h]!.push(this.requestPerPe(v))
        this.alloc[h]!.push(0)
      }
      this.allocateRam(h, v, this.requestRam(v))
      this.allocateBw(h, v, this.requestBw(v))
      const i = this.list[h]!.indexOf(v)
      this.storedReq[h]![i] = this.requestPerPe(v)
      this.allocatePes(h, i)
    }
    this.changed(h)
  }

  /**
   * Host.addMigratingInVm: the VM is now listed on the target too and receives 10 % there. CloudSim then
   * updates the target and the source at once; the caller does that once per host after starting all of
   * an instant's migrations, which ends in the same state (each update recomputes the host from scratch).
   */
  addMigratingIn(h: number, v: number): void {
    this.inMigration[v] = 1
    if (this.migIn[h]!.includes(v)) return
    this.changing(h)
    if (!this.allocateRam(h, v, this.requestRam(v)) || !this.allocateBw(h, v, this.requestBw(v))) {
      throw new Error(`CloudSim would exit: VM ${v} cannot migrate into host ${h} (RAM/BW)`)
    }
    this.migIn[h]!.push(v)
    this.migInCount[v]!++
    this.list[h]!.push(v)
    this.storedReq[h]!.push(this.requestPerPe(v))
    this.alloc[h]!.push(0)
    this.allocatePes(h, this.list[h]!.length - 1)
    this.changed(h)
  }

  /** Host.removeMigratingInVm */
  removeMigratingIn(h: number, v: number): void {
    this.changing(h)
    this.deallocateRamBw(h, v)
    this.removeFromList(h, v)
    if (!this.deferAllocation) this.reallocateStored(h)
    const migIn = this.migIn[h]!
    const i = migIn.indexOf(v)
    if (i >= 0) {
      for (let k = i + 1; k < migIn.length; k++) migIn[k - 1] = migIn[k]!
      migIn.pop()
      this.migInCount[v]!--
    }
    this.inMigration[v] = 0
    this.changed(h)
  }

  /** Whether the last host entry written for h was inactive (an idle host's new entry then changes nothing). */

  /** HostDynamicWorkload.updateVmsProcessing: VMs move to `time`, then every allocation is recomputed. */
  updateHost(h: number, time: number): void {
    this.now = time
    this.updateHostNow(h)
  }

  /** updateHost for ids[0, count), in that order. */
  updateHosts(ids: Int32Array, count: number, time: number): void {
    this.now = time
    for (let i = 0; i < count; i++) this.updateHostNow(ids[i]!)
  }

  private updateHostNow(h: number): void {
    const time = this.now
    const list = this.list[h]!
    this.prevUtilMips[h] = this.utilMips[h] as number
    if (list.length === 0) {
      // Nothing to allocate; an inactive host writing another inactive entry changes no metric.
      this.available[h] = this.totalMips[h] as number
      this.utilMips[h] = 0
      if (this.prevUtilMips[h] !== 0 || !this.inactiveEntry[h]) {
        const b = this.metrics.batch
        b.time = time
        b.count = 0
        b.hostAllocated = 0
        b.hostRequested = 0
        this.inactiveEntry[h] = 1
        this.metrics.record(h)
      }
      this.idleVmListed[h] = 0
      this.demandListed[h] = 0
      this.afterUpdate(h)
      return
    }
    const migrating = this.advanceVms(list)
    if (!migrating && this.migIn[h]!.length === 0) {
      if (!this.updateSimpleHost(h)) this.recordUpdate(h)
    } else {
      this.allocateMigratingHost(h)
      this.recordUpdate(h)
    }
    this.afterUpdate(h)
  }

  /**
   * allocatePes for every listed VM in order, from the full capacity, with its current request — the
   * migration bookkeeping and allocateStored inlined.
   *
   * Invariant: a listed VM that is neither migrating nor in the host's migIn list is not in its migOut
   * (a VM is dropped from migOut whenever it is listed while not migrating, only a migrating VM is
   * added, and a VM that stops migrating leaves its source's list first). Such a VM needs no set lookup,
   * and a host with no migration at all needs no migration factor (updateSimpleHost).
   */
  private allocateMigratingHost(h: number): void {
    const list = this.list[h]!
    const stored = this.storedReq[h]!
    const alloc = this.alloc[h]!
    const out = this.migOut[h]!
    const pe = this.peMips[h] as number
    this.available[h] = this.totalMips[h] as number
    for (let i = 0; i < list.length; i++) {
      const v = list[i]!
      const perPe = this.requestPerPe(v)
      stored[i] = perPe
      const incoming = this.isMigratingIn(h, v)
      let outgoing = false
      if (this.inMigration[v]) {
        if (incoming) {
          outgoing = out.has(v)
        } else {
          if (!out.has(v)) out.add(v)
          outgoing = true
        }
      } else if (incoming) {
        out.delete(v)
      }
      const pes = this.vmPes[v] as number
      const capped = perPe > pe ? pe : perPe
      let total = sumPes(capped, pes)
      if (incoming) total *= 0.1
      const free: number = this.available[h]
      if (free >= total) {
        // allocatedFor(h, v, perPe, incoming, 1, false)
        let mips = capped
        if (outgoing) mips *= 0.9
        else if (incoming) mips *= 0.1
        alloc[i] = sumPes(mips, pes)
        this.available[h] = free - total
      } else {
        this.redistribute(h, i + 1)
      }
    }
  }

  /**
   * allocateMigratingHost and recordUpdate for the common case — no VM of the host migrating: the same
   * allocation sequence without the migration factors, each VM recorded as it gets its share. When one
   * does not fit, the general rule takes over from it (and may lower the shares already given): returns
   * false, and the caller records afterwards.
   */
  private updateSimpleHost(h: number): boolean {
    const list = this.list[h]!
    const stored = this.storedReq[h]!
    const alloc = this.alloc[h]!
    const pe = this.peMips[h] as number
    const b = this.metrics.reserve(list.length)
    let available = this.totalMips[h] as number
    let fits = true
    let util = 0
    let requested = 0
    let idle = 0
    let demand = 0
    for (let i = 0; i < list.length; i++) {
      const v = list[i]!
      const perPe = this.beingInstantiated[v] ? (this.vmMips[v] as number) : (this.reqPerPe[v] as number)
      const pes = this.vmPes[v] as number
      stored[i] = perPe
      if (fits) {
        const capped = sumPes(perPe > pe ? pe : perPe, pes)
        if (available >= capped) {
          alloc[i] = capped
          available -= capped
        } else {
          fits = false
          this.available[h] = available
        }
      }
      if (!fits) {
        this.allocateStored(h, i)
        continue
      }
      const req = sumPes(perPe, pes)
      if (req === 0) idle = 1
      else if (req > 0) demand = 1
      b.vm[i] = v
      b.allocated[i] = alloc[i]!
      b.requested[i] = req
      b.migrating[i] = 0
      util += alloc[i]!
      requested += req
    }
    if (!fits) return false
    this.available[h] = available
    this.utilMips[h] = util
    this.idleVmListed[h] = idle
    this.demandListed[h] = demand
    this.inactiveEntry[h] = util > 0 ? 0 : 1
    b.time = this.now
    b.count = list.length
    b.hostAllocated = util
    b.hostRequested = requested
    this.metrics.record(h)
    return true
  }

  /**
   * The state entries of an update: each VM's allocation and request (none for a VM migrating in;
   * a VM migrating out counts its allocation / 0.9 towards the host), then the host's totals.
   */
  private recordUpdate(h: number): void {
    const list = this.list[h]!
    const alloc = this.alloc[h]!
    const b = this.metrics.reserve(list.length)
    let util = 0
    let requested = 0
    let idle = 0
    let demand = 0
    let n = 0
    for (let i = 0; i < list.length; i++) {
      const v = list[i]!
      const perPe = this.beingInstantiated[v] ? (this.vmMips[v] as number) : (this.reqPerPe[v] as number)
      const req = sumPes(perPe, this.vmPes[v] as number)
      const migrating = this.inMigration[v] as number
      if (req === 0 && !migrating) idle = 1
      else if (req > 0) demand = 1
      let allocated = alloc[i]!
      if (!this.isMigratingIn(h, v)) {
        b.vm[n] = v
        b.allocated[n] = allocated
        b.requested[n] = req
        b.migrating[n] = migrating
        n++
        if (migrating) allocated /= 0.9
      }
      util += allocated
      requested += req
    }
    this.utilMips[h] = util
    this.idleVmListed[h] = idle
    this.demandListed[h] = demand
    this.inactiveEntry[h] = util > 0 ? 0 : 1
    b.time = this.now
    b.count = n
    b.hostAllocated = util
    b.hostRequested = requested
    this.metrics.record(h)
  }

  private afterUpdate(h: number): void {
    this.backupVm[h] = NONE
    const u = this.utilization(h)
    if (u < 0 || u > 1) specPower(this.power[h]!, u) // throws as CloudSim does
    this.powerLast[h] = interpolateWithDeltas(this.power[h]!, this.powerDeltas[h]!, u)
    this.invalidate(h)
    this.updateBusy(h)
  }

  // ---------------------------------------------------------------- change tracking

  /** Before a host's list changes: in tentative mode, remember the list as it was. */
  private changing(h: number): void {
    this.backupVm[h] = NONE
    if (this.tentative && !this.snapshotTaken[h]) {
      const list = this.list[h]!
      const snapshot = this.snapshot[h]!
      clearIds(snapshot)
      for (let i = 0; i < list.length; i++) if (!this.isMigratingIn(h, list[i]!)) snapshot.push(list[i]!)
      this.snapshotTaken[h] = 1
      this.touchedList.push(h)
    }
  }

  private changed(h: number): void {
    this.invalidate(h)
    this.updateBusy(h)
  }

  private invalidate(h: number): void {
    this.cacheValid[h] = 0
    this.inUseValid[h] = 0
  }

  /** Whether h is in the busy set. */
  isBusy(h: number): boolean {
    return this.busyPos[h] !== NONE
  }

  /**
   * Σ over ids[0, count), in that order, of each host's energy over the last `seconds` (CloudSim: power
   * moving linearly from the previous utilization to the current one; nothing when it was idle).
   */
  frameEnergy(ids: Int32Array, count: number, seconds: number): number {
    let frame = 0
    for (let i = 0; i < count; i++) {
      const h = ids[i]!
      frame += frameEnergy(this.power[h]!, this.previousUtilization(h), this.utilization(h), seconds)
    }
    return frame
  }

  /** Busy = listed VMs or non-zero utilization at the last update; idle hosts of a type are all alike. */
  isIdle(h: number): boolean {
    return this.list[h]!.length === 0 && this.utilMips[h] === 0
  }

  /** The lowest-id idle host of each type, or −1; recomputed lazily when a host of the type turns idle or busy. */
  firstIdleOfType(t: number): number {
    let first = this.firstIdleCache[t] as number
    if (first === -2) {
      first = NONE
      const ids = this.hostsOfType[t]!
      let i = this.idleFrom[t] as number
      while (i < ids.length && !this.isIdle(ids[i]!)) i++
      this.idleFrom[t] = i
      if (i < ids.length) first = ids[i]!
      this.firstIdleCache[t] = first
    }
    return first
  }

  private updateBusy(h: number): void {
    const idle = this.isIdle(h)
    const pos = this.busyPos[h] as number
    if (idle === (pos === NONE)) return
    const type = this.hostTypeOf[h]!
    this.firstIdleCache[type] = -2
    if (idle && (this.indexInType[h] as number) < (this.idleFrom[type] as number))
      this.idleFrom[type] = this.indexInType[h]!
    if (!idle && pos === NONE) {
      this.busy[this.busyCount] = h
      this.busyPos[h] = this.busyCount++
    } else if (idle && pos !== NONE) {
      const last = this.busy[--this.busyCount] as number
      this.busy[pos] = last
      this.busyPos[last] = pos
      this.busyPos[h] = NONE
    }
  }

  /**
   * An optimization round works on a tentative allocation that is rolled back afterwards
   * (saveAllocation / restoreAllocation). Rolling back a host nobody touched rebuilds exactly the state it
   * has, so only touched hosts — and hosts with migrations in flight, whose lists the rollback reorders —
   * are rebuilt.
   */
  beginTentative(): void {
    this.tentative = true
    clearIds(this.touchedList)
    clearIds(this.movedVms)
    for (let h = 0; h < this.hostCount; h++) {
      if (this.migIn[h]!.length > 0 || this.anyMigrating(this.list[h]!)) this.changing(h)
    }
  }

  private anyMigrating(vms: readonly number[]): boolean {
    for (let i = 0; i < vms.length; i++) if (this.inMigration[vms[i]!]) return true
    return false
  }

  private anyInstantiating(vms: readonly number[]): boolean {
    for (let i = 0; i < vms.length; i++) if (this.beingInstantiated[vms[i]!]) return true
    return false
  }

  /**
   * restoreAllocation for the touched hosts, in host order. A host whose list is back to what it was
   * (a VM tried there and taken away again) already holds exactly the state a rebuild would give.
   */
  endTentative(): void {
    this.tentative = false
    // the touched hosts whose lists changed, by id
    const hosts = this.rebuildScratch
    let n = 0
    const touched = this.touchedList
    for (let t = 0; t < touched.length; t++) {
      const h = touched[t]!
      if (this.unchangedSinceSnapshot(h)) continue
      let j = n++
      for (; j > 0 && (hosts[j - 1] as number) > h; j--) hosts[j] = hosts[j - 1] as number
      hosts[j] = h
    }
    for (let i = 0; i < n; i++) {
      const h = hosts[i]!
      this.vmDestroyAll(h)
      this.reallocateMigratingInVms(h)
    }
    for (let i = 0; i < n; i++) {
      const h = hosts[i]!
      const vms = this.snapshot[h]!
      if (this.ramAlloc[h]!.size === 0 && this.bwAlloc[h]!.size === 0 && !this.anyInstantiating(vms)) {
        this.recreate(h, vms)
        continue
      }
      for (const v of vms) {
        if (!this.vmCreate(h, v)) throw new Error(`CloudSim would exit: could not restore VM ${v} on host ${h}`)
        this.vmTable[v] = h
      }
    }
    for (let t = 0; t < touched.length; t++) this.snapshotTaken[touched[t]!] = 0
    // VMs tentatively created elsewhere point back to the host that lists them.
    const moved = this.movedVms
    for (let i = 0; i < moved.length; i++) {
      const v = moved[i]!
      if (this.vmTable[v] !== NONE) this.hostRef[v] = this.vmTable[v] as number
    }
    clearIds(this.touchedList)
    clearIds(this.movedVms)
  }

  /**
   * vmCreate of each VM, in order, on a host vmDestroyAll has just emptied, when none is being
   * instantiated and no RAM or BW is reserved: such VMs request none, and the emptied host has no cache
   * left to extend, so only the lists, the migration bookkeeping and the CPU allocation remain of vmCreate.
   */
  private recreate(h: number, vms: readonly number[]): void {
    const list = this.list[h]!
    const stored = this.storedReq[h]!
    const alloc = this.alloc[h]!
    this.backupVm[h] = NONE
    for (let i = 0; i < vms.length; i++) {
      const v = vms[i]!
      list.push(v)
      stored.push(this.reqPerPe[v] as number)
      alloc.push(0)
      this.trackMigratingOut(h, v)
      this.allocateStored(h, list.length - 1)
      this.hostRef[v] = h
      this.vmTable[v] = h
    }
    this.changed(h)
  }

  private unchangedSinceSnapshot(h: number): boolean {
    const before = this.snapshot[h]!
    const now = this.list[h]!
    if (this.migIn[h]!.length > 0 || before.length !== now.length) return false
    for (let i = 0; i < now.length; i++) if (now[i] !== before[i] || this.inMigration[now[i]!]) return false
    return true
  }

  // ---------------------------------------------------------------- what the policies read

  /** HostDynamicWorkload.getUtilizationOfCpu: utilization at the last update, clamped as CloudSim does. */
  utilization(h: number): number {
    return clampUtilization((this.utilMips[h] as number) / (this.totalMips[h] as number))
  }

  previousUtilization(h: number): number {
    return clampUtilization((this.prevUtilMips[h] as number) / (this.totalMips[h] as number))
  }

  /** The allocation policy's getUtilizationOfCpuMips(host): Σ allocated, migrating-in VMs at their full demand. */
  mipsInUse(h: number): number {
    if (!this.inUseValid[h]) this.refreshInUse(h)
    return this.inUseCache[h] as number
  }

  /** Brings inUseCache[h] up to date. */
  refreshInUse(h: number): void {
    const list = this.list[h]!
    const alloc = this.alloc[h]!
    let mips = 0
    for (let i = 0; i < list.length; i++) {
      if (this.isMigratingIn(h, list[i]!)) mips += (alloc[i]! * 0.9) / 0.1
      mips += alloc[i]!
    }
    this.inUseCache[h] = mips
    this.inUseValid[h] = 1
  }

  private refresh(h: number): void {
    if (this.cachesStale) {
      this.cacheValid.fill(0)
      this.backupVm.fill(NONE)
      this.cachesStale = false
    }
    if (this.cacheValid[h]) return
    const list = this.list[h]!
    const hostMips = this.totalMips[h] as number
    const base = h * HISTORY_LENGTH
    const depth = this.historyDepth
    this.histCache.fill(0, base, base + depth)
    let sumReq = 0
    let maxRam = -2147483648
    // countNonZeroBeginning of the summed history: a sum of non-negative terms is zero exactly where
    // every term is, so the longest of the VMs' trimmed lengths (1 when there is none).
    let histLen = 1
    for (let i = 0; i < list.length; i++) {
      const v = list[i]!
      sumReq += this.requestTotal(v)
      if ((this.vmRam[v] as number) > maxRam) maxRam = this.vmRam[v] as number
      this.addHistory(this.histCache, base, v, hostMips, depth)
      const vmLength = this.vmTrimmedLength(v)
      if (vmLength > histLen) histLen = vmLength
    }
    this.sumReqCache[h] = sumReq
    this.maxRamCache[h] = maxRam
    this.histLenCache[h] = histLen
    this.cacheValid[h] = 1
  }

  private addHistory(into: Float64Array, base: number, v: number, hostMips: number, limit: number): void {
    const n = Math.min(this.histLen[v] as number, limit)
    const vb = v * HISTORY_LENGTH
    const mips = this.vmMips[v] as number
    for (let i = 0; i < n; i++)
      into[base + i] = (into[base + i] as number) + ((this.hist[vb + i] as number) * mips) / hostMips
  }

  /**
   * What the overload detector sees for host h, optionally as if VM `plus` were appended to its list.
   * Only the `historyNeeded` newest history values are filled in (LR reads 10, THR none); the trimmed
   * length comes cheaply from the parts because utilizations are never negative: a sum is zero exactly
   * where every term is.
   */
  load(h: number, plus: number = NONE, historyNeeded: number = HISTORY_LENGTH): HostLoad {
    this.refresh(h)
    const load = this.loadScratch
    const base = h * HISTORY_LENGTH
    const history = load.history
    if (historyNeeded <= this.historyDepth) {
      const cache = this.histCache
      for (let i = 0; i < historyNeeded; i++) history[i] = cache[base + i] as number
    } else {
      // deeper than the cache (a UI view): the same sums, computed afresh
      history.fill(0, 0, historyNeeded)
      for (const v of this.list[h]!) this.addHistory(history, 0, v, this.totalMips[h] as number, historyNeeded)
    }
    load.requestedMips = this.sumReqCache[h] as number
    load.maxVmRamMB = this.maxRamCache[h] as number
    load.historyLength = this.histLenCache[h] as number
    if (plus !== NONE) {
      // requestTotal(plus), written out: a call here returns its double boxed
      const perPe = this.beingInstantiated[plus] ? (this.vmMips[plus] as number) : (this.reqPerPe[plus] as number)
      load.requestedMips += sumPes(perPe, this.vmPes[plus] as number)
      if ((this.vmRam[plus] as number) > load.maxVmRamMB) load.maxVmRamMB = this.vmRam[plus] as number
      if (historyNeeded > 0) this.addHistory(history, 0, plus, this.totalMips[h] as number, historyNeeded)
      const vmLength = this.vmTrimmedLength(plus)
      if (vmLength > load.historyLength) load.historyLength = vmLength
    }
    load.totalMips = this.totalMips[h] as number
    load.bwKbps = this.bwKbps[h] as number
    return load
  }

  /** countNonZeroBeginning of a VM's 30-slot history. */
  private vmTrimmedLength(v: number): number {
    const base = v * HISTORY_LENGTH
    let i = (this.histLen[v] as number) - 1
    while (i >= 0 && this.hist[base + i] === 0) i--
    return i < 0 ? 1 : i + 1
  }

  /** Vm.getTotalUtilizationOfCpuMips(clock): what PABFD sorts VMs by. */
  demandMips(v: number, time: number): number {
    return (this.demand.at(time)[v] as number) * (this.vmMips[v] as number)
  }
}
