// The CloudSim-compatible simulation: CloudSim 3.0.3's PowerDatacenter event loop, replayed literally.
//   t = 0      every VM is placed in index order (PABFD, or first fit for NPA/DVFS)
//   t = 0.1    cloudlets are submitted; the first periodic step is due at 0.1 + interval
//   each step  all hosts update (energy for the frame), zero-demand VMs are destroyed, then the policy
//              optimizes and migrations start; each completes after RAM / (BW / 16000) seconds, splitting
//              the energy frame for every host
//   the end    events at or after the duration are never processed
import type { ClusterModel } from '../model/cluster-model'
import { specPower } from '../power'
import { cloudSimPolicyKey } from '../policies/policy-name'
import { cloudSimMigrationSeconds } from '../policies/migration-cost'
import { streamFor } from '../random'
import { StateHasher } from '../hash'
import { CloudSimHosts } from './hosts'
import { VmDemand } from './demand'
import { StateHistoryMetrics } from './metrics'
import { CloudSimOptimizer, type MigrationDecision } from './optimizer'
import type { Frame, LabEvent } from '../vocabulary'
import { formatMiB } from '../api/units'

/** Delay between a VM's creation and its cloudlet's submission (CloudSim.getMinTimeBetweenEvents). */
const SUBMIT_DELAY = 0.1

interface Completion {
  time: number
  vm: number
  target: number
  seq: number
}

/** What the simulation publishes after every periodic step: the API's Frame without the lab's SLA series. */
export interface CloudSimFrame extends Omit<Frame, 'slatah' | 'slaViolationShare'> {
  decisions?: MigrationDecision[]
}

export interface CloudSimSummary {
  mode: 'cloudsim'
  policy: string
  policyKey: string
  seed: number
  hosts: number
  vms: number
  simulatedSeconds: number
  lastEventSeconds: number
  energyKWh: number
  migrations: number
  slatah: number
  pdm: number
  slav: number
  esv: number
  overallSla: number
  averageSla: number
  hostShutdowns: number
  vmsRemovedForZeroDemand: number
  stateHash: string
}

export class CloudSimSimulation {
  readonly hosts: CloudSimHosts
  private readonly metrics: StateHistoryMetrics
  private readonly optimizer: CloudSimOptimizer | undefined
  private readonly nonPowerAware: boolean
  private readonly alive: Uint8Array
  private readonly maxPower: Float64Array
  /** Σ of every host's MIPS and of every host's full power, the frame's constant terms */
  private readonly totalMips: number
  private readonly totalMaxPower: number
  private energyJ = 0
  private migrationCount = 0
  private removedForZeroDemand = 0
  private lastProcessTime = 0
  private nextPeriodic: number
  private stepIndex = 0
  private events: Completion[] = []
  private readonly scratch: number[] = []
  /** busyHostsInOrder's result: the first busyCount entries */
  private readonly busyIds: Int32Array
  private busyCount = 0
  private everyHostUpdated = false
  /** hosts whose VM lists changed at the current instant */
  private readonly changedAtInstant: HostSet
  private seq = 0
  private finished = false
  /** the closing frame was given */
  private closed = false
  /** migrations started up to the last periodic step, and what that step's frame reports of it */
  private framedMigrations = 0
  private stepMigrations = 0
  private stepOverloaded = 0
  private stepDecisions: MigrationDecision[] | undefined
  private lastEvent = 0
  /** Ask the optimizer for explanations (costs a little; the UI and the event log want them). */
  explain = false
  /** Receives migration completions and VM removals as they happen (the UI's event log). */
  onEvent: ((event: LabEvent) => void) | undefined

  constructor(readonly model: ClusterModel) {
    if (model.mode !== 'cloudsim') throw new Error('CloudSimSimulation runs scenarios in cloudsim mode')
    const offsets = new Int32Array(model.vmCount)
    for (let v = 0; v < model.vmCount; v++) {
      const trace = model.vmTrace[v]!
      if (trace < 0) throw new Error(`cloudsim mode needs a trace for every VM (VM ${v} has a generated workload)`)
      offsets[v] = trace * model.traces.slots
    }
    const demand = new VmDemand(model.traces.samples, offsets, model.interval, model.traces.slots)
    this.metrics = new StateHistoryMetrics(model.hostCount, model.vmCount)
    this.hosts = new CloudSimHosts(model, demand, this.metrics)
    this.nonPowerAware = model.policy.kind === 'npa'
    this.optimizer =
      model.policy.kind === 'migration'
        ? new CloudSimOptimizer(this.hosts, model.policy, streamFor(model.seed, 'vm-selection', 0))
        : undefined
    this.alive = new Uint8Array(model.vmCount)
    this.busyIds = new Int32Array(model.hostCount)
    this.changedAtInstant = new HostSet(model.hostCount)
    this.maxPower = new Float64Array(model.hostCount)
    for (let h = 0; h < model.hostCount; h++) this.maxPower[h] = specPower(this.hosts.power[h]!, 1)
    // the frame's constant sums, in host order as the frame once summed them
    let totalMips = 0
    let totalMaxPower = 0
    for (let h = 0; h < model.hostCount; h++) {
      totalMips += this.hosts.totalMips[h] as number
      totalMaxPower += this.maxPower[h] as number
    }
    this.totalMips = totalMips
    this.totalMaxPower = totalMaxPower
    this.placeInitially()
    this.nextPeriodic = SUBMIT_DELAY + model.interval
    demand.submit()
  }

  /** t = 0: each VM, in index order, is placed by the policy's findHostForVm and created while being instantiated. */
  private placeInitially(): void {
    const H = this.hosts
    for (let v = 0; v < H.vmCount; v++) {
      const h = this.optimizer ? this.optimizer.findHostForVm(v) : this.firstFit(v)
      if (h < 0 || !H.vmCreate(h, v)) continue
      H.vmTable[v] = h
      this.alive[v] = 1
      H.beingInstantiated[v] = 0
      H.updateVmProcessing(v, 0)
    }
  }

  private firstFit(v: number): number {
    for (let h = 0; h < this.hosts.hostCount; h++) if (this.hosts.isSuitable(h, v)) return h
    return -1
  }

  get done(): boolean {
    return this.finished
  }

  get time(): number {
    return this.lastProcessTime
  }

  /** Processes events up to and including the next periodic step; returns its frame (undefined at the end). */
  step(): CloudSimFrame | undefined {
    return this.advance() ? this.stepFrame() : undefined
  }

  /**
   * step() without the frame: processes events up to and including the next periodic step; false at the end.
   * A caller that needs only the clock (the CLI's progress) skips the frame's sums over every host and VM.
   */
  advance(): boolean {
    if (this.finished) return false
    const end = this.model.duration
    const migrationsBefore = this.migrationCount
    // completions due before the periodic step
    while (this.events.length > 0 && this.events[0]!.time < this.nextPeriodic && this.events[0]!.time < end) {
      this.processCompletion()
    }
    if (!(this.nextPeriodic < end)) {
      while (this.events.length > 0 && this.events[0]!.time < end) this.processCompletion()
      this.finished = true
      return false
    }
    const t = this.nextPeriodic
    this.lastEvent = t
    const anyDemand = this.nonPowerAware ? this.npaUpdate(t) : this.fullUpdate(t)
    let decisions: MigrationDecision[] | undefined
    let overloaded = 0
    if (this.optimizer) {
      const result = this.optimizer.optimize(t, this.explain)
      overloaded = result.overloadedHosts.length
      this.startMigrations(result.migrations, t)
      if (this.explain) decisions = result.migrations
    }
    this.lastProcessTime = t
    this.stepIndex++
    if (anyDemand) this.nextPeriodic = t + this.model.interval
    else this.nextPeriodic = Number.POSITIVE_INFINITY
    this.stepMigrations = this.migrationCount - migrationsBefore
    this.stepOverloaded = overloaded
    this.stepDecisions = decisions
    this.framedMigrations = this.migrationCount
    return true
  }

  /** The frame of the periodic step advance() has just processed. */
  stepFrame(): CloudSimFrame {
    return this.frame(this.lastProcessTime, this.stepMigrations, this.stepOverloaded, this.stepDecisions)
  }

  /**
   * Once the run is done, a last frame at the scenario's end: migrations that complete after the last
   * periodic step still update their hosts and add energy, which the report counts. Given once.
   */
  closingFrame(): CloudSimFrame | undefined {
    if (!this.finished || this.closed) return undefined
    this.closed = true
    const started = this.migrationCount - this.framedMigrations
    return { ...this.frame(this.model.duration, started, 0), step: this.stepIndex + 1 }
  }

  /** Runs to the end; `onFrame` sees every periodic step. */
  run(onFrame?: (frame: CloudSimFrame) => void): CloudSimSummary {
    for (let f = this.step(); f; f = this.step()) onFrame?.(f)
    return this.summary()
  }

  /** Starts migrations in order; each target and source then updates once (CloudSim: after each start). */
  private startMigrations(migrations: MigrationDecision[], t: number): void {
    const H = this.hosts
    const touched = this.changedAtInstant
    for (let i = 0; i < migrations.length; i++) {
      const { vm: v, to: target } = migrations[i]!
      H.addMigratingIn(target, v)
      touched.add(target)
      const source = H.hostRef[v]!
      if (source >= 0) touched.add(source)
      this.migrationCount++
      const delay = cloudSimMigrationSeconds(H.vmRam[v]!, H.bwKbps[target]!)
      this.insertEvent({ time: t + delay, vm: v, target, seq: this.seq++ })
    }
    touched.sort()
    H.updateHosts(touched.ids, touched.count, t)
    touched.clear()
  }

  private insertEvent(e: Completion): void {
    const q = this.events
    let i = q.length
    q.push(e)
    for (; i > 0 && (q[i - 1]!.time > e.time || (q[i - 1]!.time === e.time && q[i - 1]!.seq > e.seq)); i--) {
      q[i] = q[i - 1]!
    }
    q[i] = e
  }

  /** PowerDatacenter.processVmMigrate */
  private processCompletion(): void {
    const e = this.events.shift()!
    const H = this.hosts
    this.lastEvent = e.time
    if (e.time > this.lastProcessTime) this.fullUpdate(e.time)
    const source = H.vmTable[e.vm]!
    H.vmTable[e.vm] = -1
    // Both hosts are updated by settle() before anything reads their allocations.
    H.deferAllocation = true
    if (source >= 0) H.vmDestroy(source, e.vm)
    H.removeMigratingIn(e.target, e.vm)
    const created = H.vmCreate(e.target, e.vm)
    H.deferAllocation = false
    if (!created) throw new Error(`CloudSim would exit: VM ${e.vm} cannot be created on host ${e.target}`)
    H.vmTable[e.vm] = e.target
    H.inMigration[e.vm] = 0
    this.onEvent?.({
      time: e.time,
      kind: 'migration-end',
      vm: e.vm,
      host: source,
      targetHost: e.target,
      message: `VM ${e.vm} now runs on host ${e.target} (${formatMiB(H.vmRam[e.vm] as number)} copied at half of 1 Gbit/s)`,
    })
    if (source >= 0) this.changedAtInstant.add(source)
    this.changedAtInstant.add(e.target)
    const next = this.events[0]
    if (next === undefined || next.time > e.time) this.settle(e.time)
  }

  /**
   * The zero-length update CloudSim runs after the last completion of an instant. Hosts that took part
   * in no completion would recompute exactly what the update at the start of the instant gave them, so
   * only the hosts whose VM lists changed are updated.
   */
  private settle(t: number): void {
    const changed = this.changedAtInstant
    changed.sort()
    this.hosts.updateHosts(changed.ids, changed.count, t)
    this.removeZeroDemandVms(changed.ids, changed.count)
    changed.clear()
    this.lastProcessTime = t
  }

  /**
   * updateCloudetProcessingWithoutSchedulingFutureEventsForce; returns whether any VM still has demand.
   * Idle hosts (no VMs, no load) are skipped: their update changes nothing and their energy term is
   * exactly 0, so summing the busy hosts in id order gives CloudSim's sum bit for bit.
   */
  private fullUpdate(t: number): boolean {
    const H = this.hosts
    const dt = t - this.lastProcessTime
    this.busyHostsInOrder()
    const { busyIds, busyCount } = this
    H.updateHosts(busyIds, busyCount, t)
    if (dt > 0) this.energyJ += H.frameEnergy(busyIds, busyCount, dt)
    const anyDemand = this.removeZeroDemandVms(busyIds, busyCount)
    this.lastProcessTime = t
    return anyDemand
  }

  /** Busy hosts by id into busyIds; at the first update every host, so each writes its first state entry. */
  private busyHostsInOrder(): void {
    const H = this.hosts
    const all = !this.everyHostUpdated
    this.everyHostUpdated = true
    let n = 0
    for (let h = 0; h < H.hostCount; h++) if (all || H.isBusy(h)) this.busyIds[n++] = h
    this.busyCount = n
  }

  /** PowerDatacenterNonPowerAware: every host draws its full power, whatever its load. */
  private npaUpdate(t: number): boolean {
    const H = this.hosts
    const dt = t - this.lastProcessTime
    let frame = 0
    for (let h = 0; h < H.hostCount; h++) frame += (this.maxPower[h] as number) * dt
    this.busyHostsInOrder()
    H.updateHosts(this.busyIds, this.busyCount, t)
    this.energyJ += frame
    const anyDemand = this.removeZeroDemandVms(this.busyIds, this.busyCount)
    this.lastProcessTime = t
    return anyDemand
  }

  /**
   * [quirk] CloudSim destroys every VM not migrating whose request is exactly 0, for the rest of the run.
   * `hosts` have just been updated: a host whose update saw no such VM is only asked whether it saw
   * demand (destroying VMs with no request elsewhere changes neither answer).
   */
  private removeZeroDemandVms(hosts: Int32Array, count: number): boolean {
    const H = this.hosts
    let anyDemand = false
    const completed = this.scratch
    for (let i = 0; i < count; i++) {
      const h = hosts[i]!
      const list = H.list[h]!
      if (list.length === 0) continue
      if (!H.idleVmListed[h]) {
        if (H.demandListed[h]) anyDemand = true
        continue
      }
      completed.length = 0
      for (const v of list) {
        if (!H.inMigration[v] && H.requestTotal(v) === 0) completed.push(v)
        else if (H.requestTotal(v) > 0) anyDemand = true
      }
      for (const v of completed) {
        const at = H.vmTable[v]!
        H.vmTable[v] = -1
        if (at >= 0) H.vmDestroy(at, v)
        if (this.alive[v]) {
          this.removedForZeroDemand++
          this.onEvent?.({
            time: this.hosts.schedTime[v] as number,
            kind: 'vm-removed',
            vm: v,
            host: at,
            message: `VM ${v} removed: its demand fell to exactly 0 (CloudSim destroys such VMs for the rest of the run)`,
          })
        }
        this.alive[v] = 0
      }
    }
    return anyDemand
  }

  private frame(
    t: number,
    migrationsStarted: number,
    overloaded: number,
    decisions?: MigrationDecision[],
  ): CloudSimFrame {
    const H = this.hosts
    let power = this.nonPowerAware ? this.totalMaxPower : 0
    let active = 0
    let used = 0
    for (let h = 0; h < H.hostCount; h++) {
      // an idle host adds 0 MIPS and no power: skipping it leaves every sum as it was
      if (H.utilMips[h] === 0) continue
      const u = H.utilization(h)
      used += H.utilMips[h] as number
      if (!this.nonPowerAware && u > 0) power += specPower(H.power[h]!, u)
      if (u > 0) active++
    }
    const total = this.totalMips
    let running = 0
    let inFlight = 0
    for (let v = 0; v < H.vmCount; v++) {
      running += this.alive[v] as number
      if (this.alive[v] && H.inMigration[v]) inFlight++
    }
    const mips = this.metrics.currentMips(this.alive)
    return {
      time: t,
      step: this.stepIndex,
      energyKWh: this.energyJ / 3.6e6,
      powerW: power,
      activeHosts: active,
      cpuUtilization: used / total,
      migrations: this.migrationCount,
      migrationsStarted,
      overloadedHosts: overloaded,
      vmsRunning: running,
      demandMips: mips.requested,
      grantedMips: mips.allocated,
      migrationsInFlight: inFlight,
      decisions,
    }
  }

  /** SLA-violation and active host-seconds so far. */
  slaTotals(): { slaSeconds: number; activeSeconds: number } {
    return this.metrics.totals()
  }

  hostSla(h: number): { violation: number; active: number } {
    return this.metrics.hostSlaSeconds(h)
  }

  isRunning(v: number): boolean {
    return this.alive[v] === 1
  }

  stateHash(): string {
    const H = this.hosts
    const hasher = new StateHasher()
    hasher.number(this.energyJ).number(this.migrationCount).number(this.lastProcessTime)
    hasher.bytes(H.utilMips).bytes(H.prevUtilMips).bytes(H.vmTable).bytes(H.hist).bytes(H.reqPerPe).bytes(this.alive)
    for (let h = 0; h < H.hostCount; h++) hasher.bytes(Int32Array.from(H.list[h]!))
    return hasher.hex()
  }

  summary(): CloudSimSummary {
    const m = this.metrics.summary()
    const energyKWh = this.energyJ / (3600 * 1000)
    const slav = m.slatah * m.pdm
    let created = 0
    for (let v = 0; v < this.hosts.vmCount; v++) if (this.hosts.beingInstantiated[v] === 0) created++
    return {
      mode: 'cloudsim',
      policy: this.model.policy.name,
      policyKey: cloudSimPolicyKey(this.model.policy),
      seed: this.model.seed,
      hosts: this.hosts.hostCount,
      vms: created,
      simulatedSeconds: this.model.duration,
      lastEventSeconds: this.lastEvent,
      energyKWh,
      migrations: this.migrationCount,
      slatah: m.slatah,
      pdm: m.pdm,
      slav,
      esv: energyKWh * slav,
      overallSla: m.overallSla,
      averageSla: m.averageSla,
      hostShutdowns: m.hostShutdowns,
      vmsRemovedForZeroDemand: this.removedForZeroDemand,
      stateHash: this.stateHash(),
    }
  }
}

/** A set of host ids that lists them by id without allocating: marks plus the ids in insertion order. */
class HostSet {
  readonly ids: Int32Array
  count = 0
  private readonly marked: Uint8Array

  constructor(hostCount: number) {
    this.ids = new Int32Array(hostCount)
    this.marked = new Uint8Array(hostCount)
  }

  add(h: number): void {
    if (this.marked[h]) return
    this.marked[h] = 1
    this.ids[this.count++] = h
  }

  /** Orders ids[0, count) by id (insertion sort: a few dozen ids). */
  sort(): void {
    const ids = this.ids
    for (let i = 1; i < this.count; i++) {
      const h = ids[i]!
      let j = i
      for (; j > 0 && ids[j - 1]! > h; j--) ids[j] = ids[j - 1]!
      ids[j] = h
    }
  }

  clear(): void {
    for (let i = 0; i < this.count; i++) this.marked[this.ids[i]!] = 0
    this.count = 0
  }
}
