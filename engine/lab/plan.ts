// The coordinator's picture of the cluster in the lab model: where each VM runs, where it is going, what
// each host holds once planned migrations finish, and the per-VM utilization histories the overload
// detectors read. Decisions change the plan at once; shards carry them out.
import type { ClusterModel } from '../model/cluster-model'
import {
  FALLBACK_THRESHOLD,
  HISTORY_LENGTH,
  LR_POINTS,
  lrHorizon,
  lrWeights,
  type HostLoad,
} from '../policies/detectors'
import { HOST_STATE } from '../vocabulary'
import { specPower } from '../power'
import { ramCapacityMB, vcpuCapacity } from '../policies/admission'
import { admissionRejection, REJECTION } from '../policies/filters'
import { RuleSet } from '../policies/rules'
import { LrScreen, SCREEN_OVER, SCREEN_UNSURE, LR_WINDOW, windowFromHistory } from './index-lr'

/** one bit per history value (HISTORY_LENGTH ≤ 31) */
const HISTORY_BITS = 2 ** HISTORY_LENGTH - 1

/**
 * Where every VM is and is going and what each host holds (members in order, their sums), the hosts' power
 * states and modes: what a policy pass changes. A tentative pass (manual automation) is undone by restoring
 * it, exactly (member order and sums as they were: a replay then decides as the pass did).
 */
export interface PlacementSnapshot {
  hostState: Uint8Array
  hostMode: Uint8Array
  vmHost: Int32Array
  vmTarget: Int32Array
  memberOffsets: Int32Array
  members: Int32Array
  hostDemand: Float64Array
  hostRamUse: Float64Array
  hostVcpus: Float64Array
}

/** LabPlan.state(): what a checkpoint keeps of the plan. */
export interface LabPlanState {
  hostState: Uint8Array
  vmHost: Int32Array
  vmTarget: Int32Array
  vmDemand: Float64Array
  hist: Float64Array
  histHead: Int32Array
  histLen: Int32Array
  vmTrim: Int32Array
  /** members of host h: members[memberOffsets[h] .. memberOffsets[h + 1]) */
  memberOffsets: Int32Array
  members: Int32Array
  hostDemand: Float64Array
  hostRamUse: Float64Array
  hostVcpus: Float64Array
  /** the operator's host modes and pinned VMs (absent in checkpoints from before they existed: none) */
  hostMode?: Uint8Array
  vmPinned?: Uint8Array
}

export class LabPlan {
  readonly hostCount: number
  readonly vmCount: number
  readonly hostType: Int32Array
  readonly capacity: Float64Array
  readonly peMips: Float64Array
  /** RAM a host accepts for VMs: (RAM − reserved) × RAM allocation ratio, MB */
  readonly hostRam: Float64Array
  /** vCPUs a host accepts: cores × CPU allocation ratio */
  readonly hostVcpuLimit: Float64Array
  readonly bwKbps: Float64Array
  readonly power: Float64Array[]
  readonly hostState: Uint8Array
  /** the operator's mode of each host (HOST_MODE): maintenance, standby, or on the way there */
  readonly hostMode: Uint8Array
  /** VMs the operator pinned: consolidation and evacuation never move them */
  readonly vmPinned: Uint8Array
  /** the placement rules in force (rules.ts): every placement path reads them */
  readonly rules: RuleSet
  /** host ids per type, ascending (idle hosts of a type are interchangeable) */
  readonly hostsOfType: Int32Array[]

  readonly vmCap: Float64Array
  readonly vmMipsPerVcpu: Float64Array
  readonly vmRam: Float64Array
  readonly vmVcpus: Float64Array
  /** where each VM runs now (−1: nowhere) */
  readonly vmHost: Int32Array
  /** where a VM is being moved to (−1: not moving) */
  readonly vmTarget: Int32Array
  /** VMs moving to each host: its members whose move has not finished (planned or in flight) */
  readonly incoming: Int32Array
  /** VMs running on each host now (vmHost), and on all of them */
  readonly runningAt: Int32Array
  private running = 0
  /** the VM's demand in the last step, MIPS */
  readonly vmDemand: Float64Array
  /**
   * Utilization history per VM: a ring of 30, `histHead` the newest. Written lazily (see `recordStep`):
   * read it only after `syncHistory(v)` or `syncHistories()`; `histLen` and `vmTrim` are always current.
   */
  readonly hist: Float64Array
  readonly histHead: Int32Array
  readonly histLen: Int32Array
  /**
   * The newest steps' values, time-major (step s in row s mod 30), not yet in the VMs' rings: a step writes
   * one row in VM order instead of one cache line per VM, and each VM's ring takes its values in a batch.
   * `staged[row + v]` says whether VM v ran in that step; VM v's ring holds every step before `synced[v]`.
   */
  private readonly stage: Float64Array
  private readonly staged: Uint8Array
  private readonly synced: Int32Array
  /** steps recorded since the start (or the last restore) */
  private recorded = 0
  /** per VM: bit i set when its i-th newest history value is non-zero (which gives `vmTrim` without the ring) */
  private readonly nonZero: Int32Array

  /** the VMs each host holds once planned moves complete, in arrival order */
  readonly members: number[][]
  /** Σ demand and Σ RAM of each host's members */
  readonly hostDemand: Float64Array
  readonly hostRamUse: Float64Array
  /** Σ vCPUs of each host's members */
  readonly hostVcpus: Float64Array
  /** trimmed history length per VM (index after its oldest non-zero value; 1 when all zero) */
  readonly vmTrim: Int32Array
  /** per host: Σ of its members' newest `cachedNeed` weighted history values, their trimmed length, max RAM */
  private readonly hostHist: Float64Array
  private readonly hostHistLen: Int32Array
  private readonly hostMaxRam: Float64Array
  private readonly hostCached: Int32Array
  /** LR in linear form: per-horizon weights, and cached dot products of hosts and VMs with them */
  private readonly lrWeightsByHorizon = new Map<number, Float64Array>()
  private readonly hostDot: Float64Array
  private readonly hostDotHorizon: Int32Array
  private readonly vmDot: Float64Array
  private readonly vmDotHorizon: Int32Array
  /** the LR test's screen (index-lr.ts): a cache */
  private readonly screen: LrScreen
  /**
   * Whether every VM's RAM and vCPUs are whole numbers (with room to spare below 2^53): then Σ RAM and
   * Σ vCPUs are exact in any order, so the running sums kept as members come and go equal a fresh sum
   * and a step need not redo them.
   */
  private readonly wholeSums: boolean
  private readonly loadScratch: HostLoad

  /**
   * `tables`: the coordinator's step tables (step-columns.ts), where the shards' outputs land: the plan's
   * `hostState`, `vmDemand` and the LR screen's per-VM sums are those tables.
   */
  constructor(
    model: ClusterModel,
    tables?: { hostState: Uint8Array; vmDemand: Float64Array; vmScreenSums?: Float64Array },
  ) {
    const nH = model.hostCount
    const nV = model.vmCount
    this.hostCount = nH
    this.vmCount = nV
    this.hostType = model.hostType.slice()
    this.capacity = new Float64Array(nH)
    this.peMips = new Float64Array(nH)
    this.hostRam = new Float64Array(nH)
    this.hostVcpuLimit = new Float64Array(nH)
    this.bwKbps = new Float64Array(nH)
    this.power = []
    for (let h = 0; h < nH; h++) {
      const t = model.hostTypes[model.hostType[h]!]!
      this.capacity[h] = t.totalMips
      this.peMips[h] = Math.trunc(t.mipsPerCore)
      this.hostRam[h] = ramCapacityMB(t.ramMB, model.admission)
      this.hostVcpuLimit[h] = vcpuCapacity(t.cores, model.admission)
      this.bwKbps[h] = t.bwKbps
      this.power.push(t.power)
    }
    this.hostState = tables?.hostState ?? new Uint8Array(nH)
    this.hostMode = new Uint8Array(nH)
    this.vmPinned = new Uint8Array(nV)
    this.rules = new RuleSet(nV, nH)
    this.hostsOfType = model.hostTypes.map((_, t) =>
      Int32Array.from({ length: nH }, (_, h) => h).filter((h) => model.hostType[h] === t),
    )
    this.vmCap = new Float64Array(nV)
    this.vmMipsPerVcpu = new Float64Array(nV)
    this.vmRam = new Float64Array(nV)
    this.vmVcpus = new Float64Array(nV)
    for (let v = 0; v < nV; v++) {
      const t = model.vmTypes[model.vmType[v]!]!
      this.vmCap[v] = t.vcpus * t.mips
      this.vmMipsPerVcpu[v] = t.mips
      this.vmRam[v] = t.ramMB
      this.vmVcpus[v] = t.vcpus
    }
    this.vmHost = new Int32Array(nV).fill(-1)
    this.vmTarget = new Int32Array(nV).fill(-1)
    this.incoming = new Int32Array(nH)
    this.runningAt = new Int32Array(nH)
    this.vmDemand = tables?.vmDemand ?? new Float64Array(nV)
    this.hist = new Float64Array(nV * HISTORY_LENGTH)
    this.histHead = new Int32Array(nV)
    this.histLen = new Int32Array(nV)
    this.stage = new Float64Array(nV * HISTORY_LENGTH)
    this.staged = new Uint8Array(nV * HISTORY_LENGTH)
    this.synced = new Int32Array(nV)
    this.nonZero = new Int32Array(nV)
    this.members = Array.from({ length: nH }, () => [])
    this.hostDemand = new Float64Array(nH)
    this.hostRamUse = new Float64Array(nH)
    this.hostVcpus = new Float64Array(nH)
    this.vmTrim = new Int32Array(nV).fill(1)
    this.hostHist = new Float64Array(nH * HISTORY_LENGTH)
    this.hostHistLen = new Int32Array(nH)
    this.hostMaxRam = new Float64Array(nH)
    this.hostCached = new Int32Array(nH).fill(-1)
    this.hostDot = new Float64Array(nH)
    this.hostDotHorizon = new Int32Array(nH).fill(-1)
    this.vmDot = new Float64Array(nV)
    this.vmDotHorizon = new Int32Array(nV).fill(-1)
    this.screen = new LrScreen(this, nH, nV, tables?.vmScreenSums)
    let ram = 0
    let vcpus = 0
    let whole = true
    for (let v = 0; v < nV; v++) {
      whole &&= Number.isInteger(this.vmRam[v]) && Number.isInteger(this.vmVcpus[v])
      ram += Math.abs(this.vmRam[v]!)
      vcpus += Math.abs(this.vmVcpus[v]!)
    }
    this.wholeSums = whole && ram < 2 ** 52 && vcpus < 2 ** 52
    this.loadScratch = {
      requestedMips: 0,
      totalMips: 0,
      history: new Float64Array(HISTORY_LENGTH),
      historyLength: 0,
      maxVmRamMB: 0,
      bwKbps: 0,
      interval: model.interval,
    }
  }

  /** The planned host of a VM: its target while moving, else where it runs. */
  plannedHost(v: number): number {
    const t = this.vmTarget[v]!
    return t >= 0 ? t : this.vmHost[v]!
  }

  /** Places a VM at start (no migration). */
  place(v: number, h: number): void {
    this.setHost(v, h)
    this.addMember(h, v)
  }

  /** Plans a move: the VM leaves the source's members and joins the target's. */
  move(v: number, target: number): void {
    const from = this.plannedHost(v)
    if (from >= 0) this.removeMember(from, v)
    this.setTarget(v, target)
    this.addMember(target, v)
  }

  /** Undoes a planned move that has not started (all-or-nothing placement). */
  unmove(v: number, target: number): void {
    this.removeMember(target, v)
    this.setTarget(v, -1)
    const h = this.vmHost[v]!
    if (h >= 0) this.addMember(h, v)
  }

  /** A VM is gone (its host failed): out of the plan. */
  drop(v: number): void {
    const h = this.plannedHost(v)
    if (h >= 0) this.removeMember(h, v)
    this.setHost(v, -1)
    this.setTarget(v, -1)
  }

  /** A migration finished: the VM runs on its target. */
  arrived(v: number): void {
    this.setHost(v, this.vmTarget[v]!)
    this.setTarget(v, -1)
  }

  /** VMs running now, on any host. */
  get vmsRunning(): number {
    return this.running
  }

  private setHost(v: number, h: number): void {
    const before = this.vmHost[v]!
    if (before >= 0) {
      this.runningAt[before]!--
      this.running--
    }
    if (h >= 0) {
      this.runningAt[h]!++
      this.running++
    }
    this.vmHost[v] = h
  }

  private setTarget(v: number, target: number): void {
    const before = this.vmTarget[v]!
    if (before >= 0) this.incoming[before]!--
    if (target >= 0) this.incoming[target]!++
    this.vmTarget[v] = target
  }

  private addMember(h: number, v: number): void {
    this.invalidateHost(h)
    this.members[h]!.push(v)
    this.hostDemand[h] = this.hostDemand[h]! + this.vmDemand[v]!
    this.hostRamUse[h] = this.hostRamUse[h]! + this.vmRam[v]!
    this.hostVcpus[h] = this.hostVcpus[h]! + this.vmVcpus[v]!
  }

  private removeMember(h: number, v: number): void {
    const list = this.members[h]!
    const i = list.indexOf(v)
    if (i < 0) return
    this.invalidateHost(h)
    list.splice(i, 1)
    // an emptied host holds exactly nothing (subtracting could leave rounding residue)
    this.hostDemand[h] = list.length === 0 ? 0 : this.hostDemand[h]! - this.vmDemand[v]!
    this.hostRamUse[h] = list.length === 0 ? 0 : this.hostRamUse[h]! - this.vmRam[v]!
    this.hostVcpus[h] = list.length === 0 ? 0 : this.hostVcpus[h]! - this.vmVcpus[v]!
  }

  /**
   * `test` run as if the VMs `taken` had left host h: its members without them (in order), its sums
   * recomputed over those members; the host is as it was afterwards.
   */
  without<T>(h: number, taken: readonly number[], test: () => T): T {
    const members = this.members[h]!
    const demand = this.hostDemand[h]!
    const ram = this.hostRamUse[h]!
    const vcpus = this.hostVcpus[h]!
    const rest = members.filter((v) => !taken.includes(v))
    this.members[h] = rest
    this.sumMembers(h)
    this.invalidateHost(h)
    try {
      return test()
    } finally {
      this.members[h] = members
      this.hostDemand[h] = demand
      this.hostRamUse[h] = ram
      this.hostVcpus[h] = vcpus
      this.invalidateHost(h)
    }
  }

  /** Host h's members changed: its cached history sums and LR screen are stale. */
  private invalidateHost(h: number): void {
    this.hostCached[h] = -1
    this.hostDotHorizon[h] = -1
    this.screen.invalidateHost(h)
  }

  /** Host h's sums over its members, in VM id order (as recordStep sums them). */
  private sumMembers(h: number): void {
    let demand = 0
    let ram = 0
    let vcpus = 0
    for (const v of this.members[h]!.slice().sort((a, b) => a - b)) {
      demand += this.vmDemand[v]!
      ram += this.vmRam[v]!
      vcpus += this.vmVcpus[v]!
    }
    this.hostDemand[h] = demand
    this.hostRamUse[h] = ram
    this.hostVcpus[h] = vcpus
  }

  /** Admission (Nova-style): the host's cores are fast enough for the VM's vCPUs, and it has RAM and vCPUs left. */
  admits(h: number, v: number): boolean {
    return admissionRejection(this, h, v) === REJECTION.none
  }

  /**
   * The plan as plain data, for whole-lab checkpoints. Everything decisions read is kept bit for bit
   * (members in arrival order, sums as they were updated); caches are not: they are recomputed from
   * the same data in the same order, so restoring invalidates them.
   */
  state(): LabPlanState {
    this.syncHistories()
    const { offsets, members } = this.flatMembers()
    return {
      hostState: this.hostState.slice(),
      vmHost: this.vmHost.slice(),
      vmTarget: this.vmTarget.slice(),
      vmDemand: this.vmDemand.slice(),
      hist: this.hist.slice(),
      histHead: this.histHead.slice(),
      histLen: this.histLen.slice(),
      vmTrim: this.vmTrim.slice(),
      memberOffsets: offsets,
      members,
      hostDemand: this.hostDemand.slice(),
      hostRamUse: this.hostRamUse.slice(),
      hostVcpus: this.hostVcpus.slice(),
      hostMode: this.hostMode.slice(),
      vmPinned: this.vmPinned.slice(),
    }
  }

  placement(): PlacementSnapshot {
    const { offsets, members } = this.flatMembers()
    return {
      hostState: this.hostState.slice(),
      hostMode: this.hostMode.slice(),
      vmHost: this.vmHost.slice(),
      vmTarget: this.vmTarget.slice(),
      memberOffsets: offsets,
      members,
      hostDemand: this.hostDemand.slice(),
      hostRamUse: this.hostRamUse.slice(),
      hostVcpus: this.hostVcpus.slice(),
    }
  }

  /** Each host's members, in arrival order, as one table: host h's are members[offsets[h], offsets[h + 1]). */
  private flatMembers(): { offsets: Int32Array; members: Int32Array } {
    const offsets = new Int32Array(this.hostCount + 1)
    for (let h = 0; h < this.hostCount; h++) offsets[h + 1] = offsets[h]! + this.members[h]!.length
    const members = new Int32Array(offsets[this.hostCount]!)
    for (let h = 0; h < this.hostCount; h++) members.set(this.members[h]!, offsets[h])
    return { offsets, members }
  }

  /** Back to a placement snapshot (the histories and demands are the plan's own: a pass does not change them). */
  restorePlacement(s: PlacementSnapshot): void {
    this.hostState.set(s.hostState)
    this.hostMode.set(s.hostMode)
    this.vmHost.set(s.vmHost)
    this.vmTarget.set(s.vmTarget)
    this.runningAt.fill(0)
    this.incoming.fill(0)
    this.running = 0
    for (let v = 0; v < this.vmCount; v++) {
      if (s.vmHost[v]! >= 0) {
        this.runningAt[s.vmHost[v]!]!++
        this.running++
      }
      if (s.vmTarget[v]! >= 0) this.incoming[s.vmTarget[v]!]!++
    }
    for (let h = 0; h < this.hostCount; h++) {
      const from = s.memberOffsets[h]!
      const to = s.memberOffsets[h + 1]!
      const list = this.members[h]!
      if (list.length !== to - from || list.some((v, i) => v !== s.members[from + i])) {
        this.members[h] = Array.from(s.members.subarray(from, to))
        this.invalidateHost(h)
      } else if (
        this.hostDemand[h] !== s.hostDemand[h] ||
        this.hostRamUse[h] !== s.hostRamUse[h] ||
        this.hostVcpus[h] !== s.hostVcpus[h]
      )
        this.invalidateHost(h)
    }
    this.hostDemand.set(s.hostDemand)
    this.hostRamUse.set(s.hostRamUse)
    this.hostVcpus.set(s.hostVcpus)
  }

  restore(s: LabPlanState): void {
    this.hostState.set(s.hostState)
    if (s.hostMode) this.hostMode.set(s.hostMode)
    if (s.vmPinned) this.vmPinned.set(s.vmPinned)
    this.vmHost.set(s.vmHost)
    this.runningAt.fill(0)
    this.running = 0
    for (let v = 0; v < this.vmCount; v++)
      if (s.vmHost[v]! >= 0) {
        this.runningAt[s.vmHost[v]!]!++
        this.running++
      }
    this.vmTarget.set(s.vmTarget)
    this.incoming.fill(0)
    for (let v = 0; v < this.vmCount; v++) if (s.vmTarget[v]! >= 0) this.incoming[s.vmTarget[v]!]!++
    this.vmDemand.set(s.vmDemand)
    this.hist.set(s.hist)
    this.histHead.set(s.histHead)
    this.histLen.set(s.histLen)
    this.vmTrim.set(s.vmTrim)
    this.recorded = 0
    this.synced.fill(0)
    for (let v = 0; v < this.vmCount; v++) {
      let bits = 0
      for (let i = this.histLen[v]! - 1; i >= 0; i--) bits = (bits << 1) | (this.history(v, i) !== 0 ? 1 : 0)
      this.nonZero[v] = bits
    }
    for (let h = 0; h < this.hostCount; h++)
      this.members[h] = Array.from(s.members.subarray(s.memberOffsets[h], s.memberOffsets[h + 1]))
    this.hostDemand.set(s.hostDemand)
    this.hostRamUse.set(s.hostRamUse)
    this.hostVcpus.set(s.hostVcpus)
    this.hostCached.fill(-1)
    this.hostDotHorizon.fill(-1)
    this.vmDotHorizon.fill(-1)
    this.screen.invalidateAll()
  }

  /**
   * After a step, in one pass over the VMs in id order: a history value per running VM, and each host's sums
   * over its members (the VMs it holds once planned moves complete) recomputed from the new demands.
   */
  recordStep(): void {
    const L = HISTORY_LENGTH
    const { stage, staged, histLen, vmTrim, nonZero, vmHost, vmTarget, vmDemand, vmCap, screen } = this
    const { hostDemand, hostRamUse, hostVcpus, vmRam, vmVcpus } = this
    // the row about to be reused holds the step L back: every VM takes its staged values first
    if (this.recorded > 0 && this.recorded % L === 0) this.syncHistories()
    const row = (this.recorded % L) * this.vmCount
    // Σ RAM and Σ vCPUs of whole numbers stay exact as members come and go: only demands are summed anew
    const resum = !this.wholeSums
    hostDemand.fill(0)
    if (resum) {
      hostRamUse.fill(0)
      hostVcpus.fill(0)
    }
    screen.stepStarted()
    const screening = screen.active
    for (let v = 0; v < this.vmCount; v++) {
      const running = vmHost[v]! >= 0
      staged[row + v] = running ? 1 : 0
      if (running) {
        const value = vmDemand[v]! / vmCap[v]!
        stage[row + v] = value
        histLen[v] = histLen[v]! < L ? histLen[v]! + 1 : L
        // index after the oldest non-zero value (1 when all are zero)
        const bits = ((nonZero[v]! << 1) | (value !== 0 ? 1 : 0)) & HISTORY_BITS
        nonZero[v] = bits
        vmTrim[v] = bits === 0 ? 1 : 32 - Math.clz32(bits)
      }
      const h = vmTarget[v]! >= 0 ? vmTarget[v]! : vmHost[v]!
      if (h < 0) continue
      hostDemand[h] = hostDemand[h]! + vmDemand[v]!
      if (resum) {
        hostRamUse[h] = hostRamUse[h]! + vmRam[v]!
        hostVcpus[h] = hostVcpus[h]! + vmVcpus[v]!
      }
      if (screening) screen.vmStepped(v, h)
    }
    this.recorded++
    this.hostCached.fill(-1)
    this.hostDotHorizon.fill(-1)
    this.vmDotHorizon.fill(-1)
    screen.stepDone()
  }

  /** VM v's LR-screen sums as the plan holds them (from its shard, or summed from the histories on restore). */
  screenSumsOf(v: number): [number, number, number] {
    return this.screen.sumsOf(v)
  }

  /** VM v's window for its shard (a VM arriving, a restore): its history's newest at `head`, as float32. */
  screenWindow(v: number): { head: number; values: number[] } {
    this.syncHistory(v)
    const window = new Float32Array(LR_WINDOW)
    windowFromHistory(this.hist, v * HISTORY_LENGTH, this.histHead[v]!, window, 0)
    return { head: this.histHead[v]!, values: Array.from(window) }
  }

  /** VM v's ring takes the values staged since it last did (each value once, oldest first). */
  syncHistory(v: number): void {
    const to = this.recorded
    let step = this.synced[v]!
    if (step === to) return
    const L = HISTORY_LENGTH
    const base = v * L
    let head = this.histHead[v]!
    for (; step < to; step++) {
      const at = (step % L) * this.vmCount + v
      if (!this.staged[at]) continue
      head = head === 0 ? L - 1 : head - 1
      this.hist[base + head] = this.stage[at]!
    }
    this.histHead[v] = head
    this.synced[v] = to
  }

  /** Every VM's ring up to date (before the rings are read as a whole). */
  syncHistories(): void {
    for (let v = 0; v < this.vmCount; v++) this.syncHistory(v)
  }

  /** The i-th newest history value of VM v. */
  history(v: number, i: number): number {
    this.syncHistory(v)
    return this.hist[v * HISTORY_LENGTH + ((this.histHead[v]! + i) % HISTORY_LENGTH)]!
  }

  /** Planned utilization (Σ member demand / capacity). */
  utilization(h: number): number {
    return this.hostDemand[h]! / this.capacity[h]!
  }

  /** Power the host draws at its planned utilization (0 when off). */
  powerOf(h: number): number {
    if (this.hostState[h] === HOST_STATE.off) return 0
    return specPower(this.power[h]!, clamp01(this.utilization(h)))
  }

  isIdle(h: number): boolean {
    return this.members[h]!.length === 0 && this.hostState[h] === HOST_STATE.off
  }

  /** Host h's summed history (newest `need` values), trimmed length and largest member RAM, cached. */
  private hostHistory(h: number, need: number): void {
    if (this.hostCached[h]! >= need) return
    const hostMips = this.capacity[h]!
    const base = h * HISTORY_LENGTH
    const sums = this.hostHist
    sums.fill(0, base, base + need)
    let length = 1
    let maxRam = -2147483648
    for (const v of this.members[h]!) {
      if (this.vmRam[v]! > maxRam) maxRam = this.vmRam[v]!
      this.addHistory(sums, base, v, hostMips, need)
      if (this.vmTrim[v]! > length) length = this.vmTrim[v]!
    }
    this.hostHistLen[h] = length
    this.hostMaxRam[h] = maxRam
    this.hostCached[h] = need
  }

  private addHistory(into: Float64Array, at: number, v: number, hostMips: number, need: number): void {
    this.syncHistory(v)
    const n = this.histLen[v]! < need ? this.histLen[v]! : need
    const head = this.histHead[v]!
    const base = v * HISTORY_LENGTH
    const weight = this.vmCap[v]! / hostMips
    for (let i = 0; i < n; i++) {
      let slot = head + i
      if (slot >= HISTORY_LENGTH) slot -= HISTORY_LENGTH
      into[at + i] = into[at + i]! + this.hist[base + slot]! * weight
    }
  }

  /** LR weights for a horizon (created once). */
  private weightsFor(horizon: number): Float64Array {
    let weights = this.lrWeightsByHorizon.get(horizon)
    if (!weights) this.lrWeightsByHorizon.set(horizon, (weights = lrWeights(horizon)))
    return weights
  }

  /** VM v's dot product with the LR weights of `horizon` (its own prediction), summed in history order, cached. */
  private vmLr(v: number, horizon: number): void {
    if (this.vmDotHorizon[v] === horizon) return
    const weights = this.weightsFor(horizon)
    let dot = 0
    const n = this.histLen[v]! < LR_POINTS ? this.histLen[v]! : LR_POINTS
    for (let i = 0; i < n; i++) dot += weights[i]! * this.history(v, i)
    this.vmDot[v] = dot
    this.vmDotHorizon[v] = horizon
  }

  /**
   * The LR over-load test for host h with VM `plus` (−1: none) in O(1) after caching: the prediction is
   * linear in the history, so host + VM = host's prediction + the VM's weighted prediction. Too little
   * history falls back to THR 0.7 on the current demand, as CloudSim's LR does. The screen (index-lr.ts)
   * decides when it can; only a prediction within rounding distance of the bound is summed exactly.
   */
  lrOverloaded(h: number, plus: number, safety: number, interval: number): boolean {
    const screen = this.screen
    screen.ensure(h, interval)
    const cap = this.capacity[h]!
    let length = screen.lengthOf(h)
    let demand = this.hostDemand[h]!
    let maxRam = screen.maxRamOf(h)
    if (plus >= 0) {
      if (this.vmTrim[plus]! > length) length = this.vmTrim[plus]!
      demand += this.vmDemand[plus]!
      if (this.vmRam[plus]! > maxRam) maxRam = this.vmRam[plus]!
    }
    if (length < LR_POINTS) return demand / cap > FALLBACK_THRESHOLD
    const horizon = lrHorizon(maxRam, this.bwKbps[h]!, interval)
    const verdict = screen.verdict(h, plus, horizon, safety)
    if (verdict !== SCREEN_UNSURE) return verdict === SCREEN_OVER
    return this.lrExact(h, plus, safety, horizon)
  }

  /** The LR prediction summed as the detector sums it: Σ over the history of weight × host history. */
  private lrExact(h: number, plus: number, safety: number, horizon: number): boolean {
    this.hostHistory(h, LR_POINTS)
    const cap = this.capacity[h]!
    if (this.hostDotHorizon[h] !== horizon) {
      const weights = this.weightsFor(horizon)
      let dot = 0
      const base = h * HISTORY_LENGTH
      for (let i = 0; i < LR_POINTS; i++) dot += weights[i]! * this.hostHist[base + i]!
      this.hostDot[h] = dot
      this.hostDotHorizon[h] = horizon
    }
    let predicted = this.hostDot[h]!
    if (plus >= 0) {
      this.vmLr(plus, horizon)
      predicted += (this.vmCap[plus]! / cap) * this.vmDot[plus]!
    }
    return predicted * safety >= 1
  }

  /**
   * What a detector sees for host h (with VM `plus` added when ≥ 0): only the `historyNeeded` newest
   * host history values are summed (LR reads 10); the trimmed length is the longest member history,
   * since demands are never negative and a sum is zero only where every term is.
   */
  load(h: number, plus = -1, historyNeeded = HISTORY_LENGTH): HostLoad {
    this.hostHistory(h, historyNeeded)
    const load = this.loadScratch
    const hostMips = this.capacity[h]!
    const history = load.history
    const base = h * HISTORY_LENGTH
    for (let i = 0; i < historyNeeded; i++) history[i] = this.hostHist[base + i]!
    load.requestedMips = this.hostDemand[h]!
    load.maxVmRamMB = this.hostMaxRam[h]!
    load.historyLength = this.hostHistLen[h]!
    if (plus >= 0) {
      load.requestedMips += this.vmDemand[plus]!
      if (this.vmRam[plus]! > load.maxVmRamMB) load.maxVmRamMB = this.vmRam[plus]!
      this.addHistory(history, 0, plus, hostMips, historyNeeded)
      if (this.vmTrim[plus]! > load.historyLength) load.historyLength = this.vmTrim[plus]!
    }
    load.totalMips = hostMips
    load.bwKbps = this.bwKbps[h]!
    return load
  }
}

function clamp01(u: number): number {
  return u < 0 ? 0 : u > 1 ? 1 : u
}
