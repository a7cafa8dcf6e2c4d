// A LabSession's run of a `mode: lab` scenario: the lab's own model (engine/lab, LabSimulation), its host
// shards where the platform puts them (engine/api/shard-plan.ts: in this thread, in worker threads in Electron
// and Node, in Web Workers in the browser). Results do not depend on the number of shards, so the figures are
// those of `conlab run` for the same scenario, policy and seed. Every answer is read from the simulation's
// views: the plan (where VMs run and are going, demands, utilization histories), the last step's per-host and
// per-VM figures, the migration log, live query-migrate of migrations in flight and the VMs' snapshot trees.
// The run keeps its frames and events since t = 0 (a rewind or branch shows them up to its checkpoint), takes
// whole-lab checkpoints and passes the trainee's orders to the coordinator.
import type {
  AdvanceRequest,
  AdvanceResult,
  Frame,
  HostDetails,
  HostEligibility,
  HostModeInfo,
  MigrationPrediction,
  RuleState,
  HostMemory,
  LabEvent,
  LabInfo,
  PlacementView,
  SeriesPoint,
  VmDetails,
  VmMigration,
  RecommendationsView,
  Recommendation,
} from './lab-api'
import type { ClusterModel } from '../model/cluster-model'
import { LabSimulation } from '../lab/simulation'
import type { LabOrder, LabState } from '../lab/lab-state'
import { MEMORY_COL, MEMORY_FIELDS } from '../lab/protocol'
import { CLOUDSIM_POLICIES } from '../policies/policy-name'
import { workloadBinding, type RunReport, type WorkloadBinding } from '../report'
import { traceDemand } from '../workload/trace-demand'
import { GeneratorBank } from '../workload/generators'
import { labReport } from '../run'
import type { MigrationInfo } from '../migration'
import { checkHost, checkVm, labInfo, vmMigration, type SessionRun } from './session-common'
import { checkAction } from './session-orders'
import type { ShardPlan } from './shard-plan'
import { HOST_MODE, HOST_STATE } from '../vocabulary'
import { REJECTION } from '../policies/filters'
import { predictMigration } from '../lab/migration-estimate'
import { hostVerdict, verdictSentence } from '../lab/placement-choice'
import type { LoggedOrder } from '../lab/lab-state'

/** Policies a lab scenario runs with: none, or a detector with a VM selection (npa and dvfs mean none here). */
export const LAB_POLICIES = ['none', ...CLOUDSIM_POLICIES.filter((p) => p !== 'npa' && p !== 'dvfs')]

/** A run's frames and events since t = 0 (append-only: a checkpoint keeps how far they went). */
export interface RunHistory {
  frames: Frame[]
  events: LabEvent[]
}

/** Where a run continued from a checkpoint (the report says so, as `conlab resume` and `branch` do). */
export interface ResumedFrom {
  checkpoint: string
  time: number
  policy: string
}

const PRESSURE: HostMemory['pressure'][] = ['none', 'pressure', 'critical']

const MODE_NAMES: HostModeInfo['mode'][] = [
  'in-service',
  'entering-maintenance',
  'maintenance',
  'entering-standby',
  'standby',
]

const FILTER_NAMES: Record<number, HostEligibility['filter']> = {
  [REJECTION.state]: 'state',
  [REJECTION.coreSpeed]: 'core-speed',
  [REJECTION.ram]: 'ram',
  [REJECTION.vcpus]: 'vcpus',
  [REJECTION.rule]: 'rule',
}

/** One host's row of the simulation's memory table. */
function hostMemory(table: Float64Array, host: number): HostMemory {
  const o = host * MEMORY_FIELDS
  return {
    configuredMB: table[o + MEMORY_COL.configuredMB]!,
    residentMB: table[o + MEMORY_COL.residentMB]!,
    ksmSavedMB: table[o + MEMORY_COL.ksmSavedMB]!,
    balloonMB: table[o + MEMORY_COL.balloonMB]!,
    hostSwappedMB: table[o + MEMORY_COL.hostSwappedMB]!,
    guestSwappedMB: table[o + MEMORY_COL.guestSwappedMB]!,
    pressure: PRESSURE[table[o + MEMORY_COL.pressure]!] ?? 'none',
  }
}

/** A migration in flight as VmDetails shows it: query-migrate's figures as of the end of the last step. */
function inFlight(flight: { source: number; target: number; start: number }, info: MigrationInfo | undefined) {
  const m: VmMigration = { source: flight.source, target: flight.target, start: flight.start, outcome: 'in-flight' }
  if (!info) return m
  m.status = info.status
  m.phase = info.lab.phase.kind
  m.transferredBytes = info.ram.transferred
  m.totalBytes = info.ram.total
  if (info.ram.remaining !== undefined) m.remainingBytes = info.ram.remaining
  if (info['expected-downtime'] !== undefined) m.expectedDowntimeMs = info['expected-downtime']
  m.rounds = info.lab.rounds
  m.throttlePercent = info['cpu-throttle-percentage'] ?? 0
  m.throttleSteps = [...info.lab['throttle-steps']]
  if (info.lab.diagnosis !== undefined) m.reason = info.lab.diagnosis
  m.info = info
  return m
}

export class LabRun implements SessionRun {
  readonly info: LabInfo
  readonly history: RunHistory
  private pending: LabEvent[] = []
  private lastSla: { violation: number; active: number }
  private readonly binding: WorkloadBinding
  private generators: GeneratorBank | undefined
  private lastWorkload: { vm: number; series: SeriesPoint[] } | undefined
  /** called after every step with its end time and its events (a guided lab follows its objectives with it) */
  onStep: ((time: number, events: readonly LabEvent[]) => void) | undefined

  private constructor(
    readonly model: ClusterModel,
    private readonly sim: LabSimulation,
    description: string,
    settings: string[],
    private readonly clock: () => number,
    /** wall time counts from before the shards were started, as `conlab run` counts it */
    private readonly started: number,
    plan: ShardPlan,
    history: RunHistory,
    private readonly resumedFrom: ResumedFrom | undefined,
  ) {
    sim.explain = true
    sim.onEvent = (e) => this.pending.push(e)
    this.binding = workloadBinding(model)
    this.info = labInfo(model, description, LAB_POLICIES, settings, { count: sim.shardCount, where: plan.where })
    this.history = history
    this.lastSla = this.slaTotals()
  }

  static async create(
    model: ClusterModel,
    description: string,
    settings: string[],
    clock: () => number,
    plan: ShardPlan,
  ): Promise<LabRun> {
    const started = clock()
    const sim = await LabSimulation.create(model, plan.shards, plan.shardFactory)
    return new LabRun(model, sim, description, settings, clock, started, plan, { frames: [], events: [] }, undefined)
  }

  /** A run continued from a whole-lab checkpoint; `history` holds its frames and events up to it. */
  static async restore(
    model: ClusterModel,
    state: LabState,
    description: string,
    settings: string[],
    clock: () => number,
    plan: ShardPlan,
    history: RunHistory,
    resumedFrom: ResumedFrom,
  ): Promise<LabRun> {
    const started = clock()
    const sim = await LabSimulation.restore(model, state, plan.shards, plan.shardFactory)
    return new LabRun(model, sim, description, settings, clock, started, plan, history, resumedFrom)
  }

  /** simulated seconds reached */
  get time(): number {
    return this.sim.time
  }

  get done(): boolean {
    return this.sim.done
  }

  /** An order, checked, for the start of the next step; its outcome arrives as events of that step. */
  order(action: LabOrder): void {
    this.sim.order(checkAction(action, this.model.hostCount, this.model.vmCount))
  }

  /** The orders applied so far, with their simulated times. */
  orderLog(): LoggedOrder[] {
    return this.sim.orderLog.map((o) => ({ ...o }))
  }

  /** The recommendations waiting, the latest `limit` resolved, the counts and the automation level. */
  recommendations(limit: number): RecommendationsView {
    const { sim } = this
    const book = sim.recommendations
    const copy = (r: Recommendation) => structuredClone(r)
    return {
      automation: sim.automation,
      waiting: book.waiting.map(copy),
      recent: book.recent.slice(Math.max(0, book.recent.length - Math.max(0, limit))).map(copy),
      counts: { ...book.counts },
      balanceMetric: sim.balanceMetric,
    }
  }

  /** The rules in force or removed during the run, and their state now. */
  rules(): RuleState[] {
    return this.sim.ruleBook.report().byRule.map((a) => ({
      name: a.name,
      kind: a.kind,
      enforcement: a.enforcement,
      vms: a.vms,
      ...(a.hosts ? { hosts: a.hosts, placement: a.placement } : {}),
      state: a.removedAt !== null ? 'removed' : a.violatedSince !== null ? 'violated' : 'satisfied',
      violatedSince: a.violatedSince,
      ...(a.why !== undefined ? { why: a.why } : {}),
      violating: a.violating,
      violations: a.violations,
      violationSeconds: a.violationSeconds,
      placements: a.placements,
      addedAt: a.addedAt,
      removedAt: a.removedAt,
    }))
  }

  /**
   * The target picker for VM v: every host, eligible for a manual move now (the order desk's own test: state
   * and mode, admission, must rules; CPU room is not asked, as vMotion does not) or the first filter that
   * refuses it, and for eligible hosts the predicted migration.
   */
  eligibility(vm: number): HostEligibility[] {
    const { sim, model } = this
    const P = sim.plan
    checkVm(vm, model.vmCount)
    const from = P.vmHost[vm]!
    const group = P.rules.any ? P.rules.inMustAffinity(vm) : undefined
    const out: HostEligibility[] = []
    for (let h = 0; h < model.hostCount; h++) {
      const row: HostEligibility = { host: h, eligible: false }
      if (from < 0) {
        out.push({ ...row, filter: 'vm', reason: 'the VM is not running' })
        continue
      }
      if (h === from) {
        out.push({ ...row, filter: 'vm', reason: 'the VM runs here' })
        continue
      }
      if (P.vmTarget[vm]! >= 0) {
        out.push({ ...row, filter: 'vm', reason: `the VM is already moving to host ${P.vmTarget[vm]}` })
        continue
      }
      const verdict = hostVerdict(P, vm, h, Number.NaN)
      if (verdict.rejection !== REJECTION.none) {
        out.push({
          ...row,
          filter: FILTER_NAMES[verdict.rejection],
          reason: verdictSentence(P, vm, h, Number.NaN, verdict),
          ...(verdict.rule ? { rule: verdict.rule.name } : {}),
        })
        continue
      }
      if (group) {
        out.push({
          ...row,
          filter: 'rule',
          rule: group.name,
          reason: `must rule "${group.name}" (affinity): moving VM ${vm} alone would split its group`,
        })
        continue
      }
      out.push({
        host: h,
        eligible: true,
        ...(verdict.rule
          ? { breaksShould: verdict.rule.name, reason: verdictSentence(P, vm, h, Number.NaN, verdict) }
          : {}),
        migration: this.predictMigration(vm, from, h),
      })
    }
    return out
  }

  /** The analytic pre-copy model (QEMU's switch-over rule, expected values) for VM v from host a to host b. */
  private predictMigration(v: number, a: number, b: number): MigrationPrediction {
    return predictMigration(this.model, this.sim.plan, v, a, b)
  }

  /** Host h's operator mode and evacuation. */
  private hostMode(h: number): HostModeInfo {
    const sim = this.sim
    const P = sim.plan
    const request = sim.hostModes.request(h)
    return {
      mode: MODE_NAMES[P.hostMode[h]!] ?? 'in-service',
      ...(request ? { requestedAt: request.requestedAt, enteredAt: request.enteredAt } : {}),
      vmsLeft: P.runningAt[h]! + P.incoming[h]!,
      blockedBy: request && request.enteredAt === null ? [...request.blockedBy] : [],
      heldOn: sim.hostModes.heldOn[h] === 1,
    }
  }

  /** The whole lab at the end of the last step. */
  checkpoint(): Promise<LabState> {
    return this.sim.checkpoint()
  }

  /** Events not yet handed out by advance (the notice of a rewind, say) come first in the next answer. */
  note(event: LabEvent): void {
    this.pending.push(event)
  }

  async advance(request: AdvanceRequest): Promise<AdvanceResult> {
    const sim = this.sim
    const frames: Frame[] = []
    const steps = request.untilSeconds !== undefined ? Number.POSITIVE_INFINITY : Math.max(1, request.steps ?? 1)
    for (let i = 0; i < steps && !sim.done; i++) {
      if (request.untilSeconds !== undefined && sim.time >= request.untilSeconds) break
      const before = this.pending.length
      const f = await sim.step()
      if (!f) break
      this.onStep?.(f.time, this.pending.slice(before))
      const sla = this.slaTotals()
      const dActive = sla.active - this.lastSla.active
      frames.push({
        time: f.time,
        step: f.step,
        energyKWh: f.energyKWh,
        powerW: f.powerW,
        activeHosts: f.activeHosts,
        cpuUtilization: f.cpuUtilization,
        migrations: f.migrations,
        migrationsStarted: f.migrationsStarted,
        overloadedHosts: f.overloadedHosts,
        vmsRunning: f.vmsRunning,
        slatah: f.slatah,
        slaViolationShare: dActive > 0 ? (sla.violation - this.lastSla.violation) / dActive : 0,
        demandMips: f.demandMips,
        grantedMips: f.grantedMips,
        migrationsInFlight: f.migrationsInFlight,
        memoryUsedBytes: f.memoryUsedBytes,
        ksmSavedBytes: f.ksmSavedBytes,
        balloonBytes: f.balloonBytes,
        swappedBytes: f.swappedBytes,
        loadStdDev: f.loadStdDev,
        balance: f.balance,
        recommendationsWaiting: f.recommendationsWaiting,
      })
      this.lastSla = sla
    }
    const events = this.pending
    this.pending = []
    for (const f of frames) this.history.frames.push(f)
    for (const e of events) this.history.events.push(e)
    return { frames, events, done: sim.done }
  }

  /** Host-seconds short of CPU and active so far, summed in host order. */
  private slaTotals(): { violation: number; active: number } {
    let violation = 0
    let active = 0
    for (let h = 0; h < this.model.hostCount; h++) {
      violation += this.sim.hostSla[h]!
      active += this.sim.hostActive[h]!
    }
    return { violation, active }
  }

  placement(): PlacementView {
    const { sim, model } = this
    const P = sim.plan
    const view: PlacementView = {
      time: sim.time,
      hostState: this.shownStates(),
      hostCpu: sim.hostUtil.slice(),
      hostRam: new Float64Array(model.hostCount),
      vmHost: P.vmHost.slice(),
      vmDemandMips: new Float64Array(model.vmCount),
      vmGrantedMips: new Float64Array(model.vmCount),
      vmRamMB: P.vmRam.slice(),
      vmMigratingTo: new Int32Array(model.vmCount).fill(-1),
    }
    for (let h = 0; h < model.hostCount; h++) view.hostRam[h] = this.ramUsedMB(h) / this.physicalRamMB(h)
    for (let v = 0; v < model.vmCount; v++) {
      if (P.vmHost[v]! < 0) continue
      view.vmDemandMips[v] = P.vmDemand[v]!
      view.vmGrantedMips[v] = sim.vmGrantedNow[v]!
      view.vmMigratingTo[v] = P.vmTarget[v]!
    }
    return view
  }

  /** Each host's state as the map shows it: the physical state, or the operator's mode over it. */
  private shownStates(): Uint8Array {
    const P = this.sim.plan
    const states = P.hostState.slice()
    for (let h = 0; h < states.length; h++) {
      const mode = P.hostMode[h]!
      if (mode === HOST_MODE.normal || states[h] === HOST_STATE.failed) continue
      states[h] =
        mode === HOST_MODE.maintenance
          ? HOST_STATE.maintenance
          : mode === HOST_MODE.standby
            ? HOST_STATE.standby
            : HOST_STATE.evacuating
    }
    return states
  }

  hostDetails(host: number): HostDetails {
    const { sim, model } = this
    const P = sim.plan
    checkHost(host, model.hostCount)
    const vms: HostDetails['vms'] = []
    const arriving: HostDetails['vms'] = []
    for (let v = 0; v < model.vmCount; v++) {
      const at = P.vmHost[v]!
      if (at < 0) continue
      const target = P.vmTarget[v]!
      const row = {
        vm: v,
        name: this.info.vmNames[v]!,
        demandMips: P.vmDemand[v]!,
        // a VM that finished moving here ran on its source in the last step: its MIPS were not this host's
        grantedMips: sim.vmRanOn[v] === host ? sim.vmGrantedNow[v]! : 0,
        ramMB: P.vmRam[v]!,
      }
      if (at === host) vms.push({ ...row, migrating: target >= 0, ...(target >= 0 ? { migratingTo: target } : {}) })
      else if (target === host) arriving.push({ ...row, grantedMips: 0, migrating: true, migratingFrom: at })
    }
    // what the overload detector reads: the planned members' utilization histories, weighted by capacity
    const load = P.load(host)
    return {
      host,
      typeName: model.hostTypes[model.hostType[host]!]!.name,
      state: this.shownStates()[host]! as HostDetails['state'],
      totalMips: P.capacity[host]!,
      ramMB: this.physicalRamMB(host),
      ramUsedMB: this.ramUsedMB(host),
      admissionRamMB: P.hostRam[host]!,
      admittedRamMB: P.hostRamUse[host]!,
      cpuUtilization: sim.hostUtil[host]!,
      powerW: sim.hostPowerW[host]!,
      vms: [...vms, ...arriving],
      utilizationHistory: Array.from(load.history.subarray(0, load.historyLength)),
      slaViolationSeconds: sim.hostSla[host]!,
      activeSeconds: sim.hostActive[host]!,
      ...(sim.hostMemory ? { memory: hostMemory(sim.hostMemory, host) } : {}),
      mode: this.hostMode(host),
    }
  }

  private physicalRamMB(host: number): number {
    return this.model.hostTypes[this.model.hostType[host]!]!.ramMB
  }

  /** Resident memory where hosts manage memory, else the RAM of the VMs that ran in the last step. */
  private ramUsedMB(host: number): number {
    const memory = this.sim.hostMemory
    return memory ? memory[host * MEMORY_FIELDS + MEMORY_COL.residentMB]! : this.sim.hostRamMB[host]!
  }

  vmDetails(vm: number): VmDetails {
    const { sim, model } = this
    const P = sim.plan
    checkVm(vm, model.vmCount)
    const host = P.vmHost[vm]!
    const target = P.vmTarget[vm]!
    const running = host >= 0
    const demand = running ? P.vmDemand[vm]! : 0
    const granted = running ? sim.vmGrantedNow[vm]! : 0
    const history: number[] = []
    for (let i = 0; i < P.histLen[vm]!; i++) history.push(P.history(vm, i))
    const migrations: VmMigration[] = sim.migrationLog.filter((r) => r.vm === vm).map(vmMigration)
    const flight = sim.inFlight.get(vm)
    if (flight) migrations.push(inFlight(flight, sim.inFlightInfo.get(vm)))
    const queued = flight ? undefined : sim.queued.find((q) => q.vm === vm)
    const moving = running && target >= 0
    return {
      vm,
      name: this.info.vmNames[vm]!,
      typeName: model.vmTypes[model.vmType[vm]!]!.name,
      host,
      state: !running ? 'lost' : moving ? 'migrating' : 'running',
      mips: P.vmCap[vm]!,
      ramMB: P.vmRam[vm]!,
      demandMips: demand,
      grantedMips: granted,
      stealMips: Math.max(0, demand - granted),
      schedulerStealMips: running ? sim.vmStealMips[vm]! : 0,
      utilizationHistory: history,
      workload: this.workload(vm),
      ...(moving
        ? {
            migratingTo: flight
              ? { target, start: flight.start }
              : queued
                ? { target, queuedSince: queued.since, queuedSeconds: sim.time - queued.since }
                : { target },
          }
        : {}),
      migrations,
      snapshots: sim.snapshotLists.get(vm) ?? [],
      pinned: P.vmPinned[vm] === 1,
      rules: P.rules.of(vm).map((r) => r.name),
    }
  }

  /** The VM's CPU demand (a fraction of its capacity) at each interval of the run, as its shard draws it. */
  private workload(vm: number): SeriesPoint[] {
    if (this.lastWorkload?.vm === vm) return this.lastWorkload.series
    const model = this.model
    const steps = Math.floor(model.duration / model.interval)
    const series: SeriesPoint[] = new Array<SeriesPoint>(steps)
    const trace = model.vmTrace[vm]!
    if (trace >= 0) {
      for (let k = 0; k < steps; k++) {
        const time = k * model.interval
        series[k] = { time, value: traceDemand(model, trace, time) }
      }
    } else {
      // a fresh generator from the VM's own seeded stream replays exactly what its shard drew
      const bank = (this.generators ??= new GeneratorBank(model.vmCount))
      bank.start(model.workloads[model.vmGroup[vm]!]!, model.seed, vm)
      for (let k = 0; k < steps; k++) series[k] = { time: k * model.interval, value: bank.next(vm, k * model.interval) }
      bank.release(vm)
    }
    this.lastWorkload = { vm, series }
    return series
  }

  report(): RunReport {
    const report = labReport(this.model, this.sim, this.clock() - this.started, this.binding)
    return this.resumedFrom ? { ...report, resumedFrom: { ...this.resumedFrom } } : report
  }

  close(): Promise<void> {
    return this.sim.close()
  }
}
