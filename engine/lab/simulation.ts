// The lab model's coordinator: it owns the clock, the plan and the policy; host shards (in this thread or
// in worker threads, ./shards.ts) step the hosts. One call per shard per step, in parallel; their outputs
// are combined in host and VM id order, so results are bit-identical whatever the number of shards.
// Its parts, each in a file of its own: the orders a running lab takes (order-desk.ts), the work handed to
// the shards with the next step (shard-orders.ts), the migrations queued and in flight (migration-queue.ts),
// HA's side of host failures (ha-coordinator.ts), the running accounts (lab-accounts.ts), the report and
// state hash (lab-summary.ts) and whole-lab checkpoints (lab-state.ts). docs/lab-model.md has the step order.
import type { ClusterModel } from '../model/cluster-model'
import { HOST_STATE, type Frame, type LabEvent } from '../vocabulary'
import { RandomStream, streamFor } from '../random'
import { overloadSentence } from '../policies/explain'
import { formatClock } from '../api/units'
import { LabPlan } from './plan'
import type { LabDecision } from './consolidation'
import {
  ShardFailure,
  failedShard,
  inProcessShards,
  mergeSnapshots,
  shardPart,
  startShards,
  type ShardFactory,
  type ShardHandle,
} from './shards'
import type { LabOrder, LabState } from './lab-state'
import { initialPlacement } from './initial-placement'
import { outputBuffers } from './output-buffers'
import { StepColumns } from './step-columns'
import { flattenSnapshots } from './vm-snapshots'
import { SnapshotTree, type SnapshotInfo } from '../checkpoint/snapshot-tree'
import { MemoryAccount } from './memory-report'
import { migrationStats } from './migration-log'
import type { MigrationInfo } from '../migration'
import type { StepInput, StepOutput, ShardSnapshot } from './protocol'
import { ShardOrders } from './shard-orders'
import { MigrationQueue, type InFlight, type QueuedMigration } from './migration-queue'
import { HaCoordinator } from './ha-coordinator'
import { OrderDesk } from './order-desk'
import { LabAccounts } from './lab-accounts'
import { labStateHash, type LabSummary } from './lab-summary'
import { RuleBook, accountRule } from './rule-book'
import { HostModes } from './host-modes'
import { PlacementLog, type PlacementRow } from './placement-log'
import type { LoggedOrder, RecommendationAction } from './lab-state'
import { PolicyRunner, type PassResult } from './policy-runner'
import { RecommendationBook, proposalKey, type Proposal, type Recommendation } from './recommendations'
import { moveEffect, powerOnEffect } from './expected'
import { PassState, type PassBatch } from './pass-state'
import { hostVerdict, verdictSentence } from './placement-choice'
import { REJECTION } from '../policies/filters'
import { listIds } from '../policies/rules'
import { VM_AUTOMATION } from '../model/cluster-model'
import type { AutomationLevel } from '../scenario/schema'
import type { OrderSource } from './order-desk'

export type { LabSummary } from './lab-summary'

/** The run stopped because a worker died and the scenario says to stop. */
export class LabRunStopped extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'LabRunStopped'
  }
}

/** Shard events by host, each host's in the order its shard gave them (hostless ones first). */
function byHost(events: LabEvent[]): LabEvent[] {
  return events
    .map((e, i) => ({ e, i }))
    .sort((a, b) => (a.e.host ?? -1) - (b.e.host ?? -1) || a.i - b.i)
    .map((x) => x.e)
}

/** A shard's part of a checkpoint with each VM's LR-screen window from the restored plan's histories. */
function withLrWindows(part: ShardSnapshot, plan: LabPlan): ShardSnapshot {
  return { ...part, vms: part.vms.map((v) => ({ ...v, lrWindow: plan.screenWindow(v.vm) })) }
}

/** The id-indexed tables a lab's step outputs land in. */
function stepColumns(model: ClusterModel): StepColumns {
  return new StepColumns({
    hostCount: model.hostCount,
    vmCount: model.vmCount,
    memory: model.memoryManaged,
    lrScreen: model.policy.kind === 'migration' && (model.policy.detector === 'lr' || model.policy.detector === 'lrr'),
  })
}

/** Per-VM records from every shard, by VM id. */
function byVm<T extends { vm: number }>(records: T[]): T[] {
  return records.sort((a, b) => a.vm - b.vm)
}

/** A lab frame is the API's Frame, every field filled. */
export type LabFrame = Frame

/** Where a lab run's wall-clock time went, in milliseconds (for benchmarks and profiles; not a result). */
export interface LabTiming {
  /** creating the lab: the plan, the initial placement, starting the shards */
  startMs: number
  /** the steps in all */
  stepsMs: number
  /** of which waiting for the shards' answers: their work, the messages, threads waking up */
  shardWaitMs: number
  /** Σ of every shard's own time on its steps */
  shardWorkMs: number
  /** Σ over the steps of the slowest shard's time */
  slowestShardMs: number
}

export class LabSimulation {
  readonly plan: LabPlan
  private readonly shardOfHost: Int32Array
  private readonly steps: number
  private stepIndex = 0
  // What the API's views read (placement map, host and VM details): per host and per VM, after the last step.
  /** seconds each host was active and short of CPU / active, so far */
  readonly hostSla: Float64Array
  readonly hostActive: Float64Array
  /** MIPS-seconds each VM asked for / got / lost to migrations, so far */
  readonly vmRequested: Float64Array
  readonly vmGranted: Float64Array
  readonly vmMigrationLoss: Float64Array
  /** CPU utilization (0..1), average power (W) and resident RAM (MB) of each host in the last step */
  readonly hostUtil: Float64Array
  readonly hostPowerW: Float64Array
  readonly hostRamMB: Float64Array
  /** MIPS each VM got in the last step, and its steal: runnable, not run (contention or its cap) */
  readonly vmGrantedNow: Float64Array
  /** the host each VM ran on in the last step (StepColumns.vmRanOn) */
  readonly vmRanOn: Int32Array
  readonly vmStealMips: Float64Array
  /** per-host memory (M columns) after the last step, when hosts manage memory */
  readonly hostMemory: Float64Array | undefined
  /** whether any VM is protected (continuous checkpoints: their CPU cost is summed each step) */
  private readonly protectedVms: boolean
  /** whether the policy is LR: shards then keep each VM's screen window and send its sums (index-lr.ts) */
  private readonly lrScreen: boolean
  /** each shard's last output buffers, absorbed: handed back with its next input */
  private spentBuffers: ArrayBuffer[][] = []
  /** what goes to the shards with the next step */
  private readonly shardOrders = new ShardOrders()
  private readonly migrations: MigrationQueue
  private readonly haSide: HaCoordinator
  private readonly desk: OrderDesk
  private readonly accounts: LabAccounts
  /** the rules' accounts (violations measured on where VMs run) */
  readonly ruleBook: RuleBook
  /** maintenance and standby */
  readonly hostModes: HostModes
  /** placement changes as they happen (start, migrated, restarted, stopped, killed), when someone listens */
  private readonly placements = new PlacementLog()
  /** each VM's snapshots, as its shard last reported them (for the views) */
  readonly snapshotLists = new Map<number, SnapshotInfo[]>()
  /** the report's memory section, when hosts manage memory */
  private readonly memoryAccount: MemoryAccount | undefined
  /** the policy's pass at the end of each step: rule repairs, then the research policy's round or a preset's */
  private readonly runner: PolicyRunner
  /** every recommendation: waiting for approval, or what became of it */
  readonly recommendations = new RecommendationBook()
  /** what waits for the operator: the scenario's level, then as orders change it */
  automation: AutomationLevel
  /** the last step's pass, undone because it waited: approving all of it at the next step's start replays it */
  private batch: PassBatch | undefined
  /** undoing and replaying a pass */
  private readonly passState: PassState
  readonly timing: LabTiming = { startMs: 0, stepsMs: 0, shardWaitMs: 0, shardWorkMs: 0, slowestShardMs: 0 }
  private finished = false
  explain = false
  onEvent: ((event: LabEvent) => void) | undefined

  private constructor(
    readonly model: ClusterModel,
    private shards: ShardHandle[],
    shardOfHost: Int32Array,
    plan: LabPlan,
    /** where the steps' per-host and per-VM outputs land (the plan's hostState and vmDemand among them) */
    private readonly columns: StepColumns,
    private readonly selection = streamFor(model.seed, 'vm-selection', 0),
  ) {
    this.plan = plan
    this.shardOfHost = shardOfHost
    this.steps = Math.floor(model.duration / model.interval)
    this.runner = new PolicyRunner(plan, model, selection, (h) => this.hostModes.policyStandby(h))
    this.automation = model.automation
    this.accounts = new LabAccounts(plan, columns, model.interval)
    this.hostSla = this.accounts.hostSla
    this.hostActive = this.accounts.hostActive
    this.vmRequested = columns.vmRequested
    this.vmGranted = columns.vmGranted
    this.vmMigrationLoss = columns.vmMigrationLoss
    this.hostUtil = columns.hostUtil
    this.hostPowerW = columns.hostPowerW
    this.hostRamMB = columns.hostRamMB
    this.vmGrantedNow = columns.vmGrantedNow
    this.vmRanOn = columns.vmRanOn
    this.vmStealMips = columns.vmStealMips
    this.hostMemory = columns.hostMemory
    this.lrScreen = columns.shape.lrScreen
    this.protectedVms = model.groups.some((g) => g.protection !== undefined)
    this.memoryAccount = model.memoryManaged ? new MemoryAccount(model) : undefined
    this.migrations = new MigrationQueue(model)
    this.ruleBook = new RuleBook(plan, model.interval)
    this.haSide = new HaCoordinator(model, plan, this.shardOrders, this.migrations, this.ruleBook)
    this.hostModes = new HostModes(model, plan, this.shardOrders, this.migrations, this.ruleBook)
    this.desk = new OrderDesk(
      model,
      plan,
      this.shardOrders,
      this.migrations,
      this.haSide,
      this.hostModes,
      this.ruleBook,
      this,
    )
    this.passState = new PassState(plan, selection, this.shardOrders, this.accounts, this.haSide)
  }

  /** Places the VMs at t = 0 and starts `shardCount` shards over contiguous host ranges. */
  static async create(
    model: ClusterModel,
    shardCount: number,
    factory: ShardFactory = inProcessShards,
  ): Promise<LabSimulation> {
    if (model.mode !== 'lab') throw new Error('LabSimulation runs scenarios in lab mode')
    const started = performance.now()
    const columns = stepColumns(model)
    const plan = new LabPlan(model, columns)
    const ruleBook = new RuleBook(plan, model.interval)
    for (const r of model.rules) ruleBook.add(r, 0)
    for (const r of initialPlacement(plan, model.ha.reserveHosts)) ruleBook.brokenOnPurpose(r)
    const placement = plan.vmHost.slice()
    const hostsOn = Int32Array.from({ length: model.hostCount }, (_, h) => h).filter(
      (h) => plan.hostState[h] === HOST_STATE.on,
    )
    const { shards, shardOfHost } = await startShards(model, shardCount, factory, (hostIds) => ({
      model,
      hostIds,
      placement,
      hostsOn,
    }))
    const sim = new LabSimulation(model, shards, shardOfHost, plan, columns)
    sim.ruleBook.accounts = ruleBook.accounts
    sim.timing.startMs = performance.now() - started
    return sim
  }

  /** Planned migrations waiting for a free slot (per-host limit) or for their target to boot, oldest first. */
  get queued(): readonly QueuedMigration[] {
    return this.migrations.queue
  }

  /** migrations started and not finished: VM → its source, target and start time */
  get inFlight(): ReadonlyMap<number, InFlight> {
    return this.migrations.inFlight
  }

  /** query-migrate of each live migration in flight, as of the end of the last step */
  get inFlightInfo(): ReadonlyMap<number, MigrationInfo> {
    return this.migrations.inFlightInfo
  }

  /** every migration that ended so far */
  get migrationLog(): readonly LabSummary['migrationsDetail'][number][] {
    return this.migrations.log
  }

  /**
   * The whole lab at the end of the current step: every host and VM across the shards, migrations in
   * flight, the plan and its histories, the policy's random stream, metrics so far. Plain data (typed
   * arrays included) for engine/checkpoint's codec; `restore` continues from it bit for bit.
   */
  async checkpoint(): Promise<LabState> {
    const parts = await Promise.all(this.shards.map((s) => s.capture()))
    const A = this.accounts
    const M = this.migrations
    const O = this.shardOrders
    const HA = this.haSide
    return {
      format: 'conlab.lab-state',
      version: 1,
      hosts: this.model.hostCount,
      vms: this.model.vmCount,
      stepIndex: this.stepIndex,
      finished: this.finished,
      plan: this.plan.state(),
      selection: this.selection.state(),
      cluster: mergeSnapshots(parts),
      totals: {
        energyJ: A.energyJ,
        migrationCount: M.started,
        shutdowns: A.shutdowns,
        vmsKilled: A.vmsKilled,
        nextEvent: this.desk.nextEvent,
        nextFailureEvent: this.desk.nextFailureEvent,
      },
      accounts: {
        hostSla: this.hostSla.slice(),
        hostActive: this.hostActive.slice(),
        vmRequested: this.vmRequested.slice(),
        vmGranted: this.vmGranted.slice(),
        vmMigrationLoss: this.vmMigrationLoss.slice(),
        hostUtil: this.hostUtil.slice(),
        hostPowerW: this.hostPowerW.slice(),
        hostRamMB: this.hostRamMB.slice(),
        vmGrantedNow: this.vmGrantedNow.slice(),
        vmRanOn: this.vmRanOn.slice(),
        vmStealMips: this.vmStealMips.slice(),
        hostMemory: this.hostMemory?.slice(),
        slaByCause: A.slaByCause.slice(),
        lostByCause: A.lostByCause.slice(),
        shortSteps: A.shortSteps.slice(),
      },
      pending: {
        queue: M.queue.map((q) => ({ ...q })),
        arrivals: O.arrivals,
        power: O.power.map((p) => ({ ...p })),
        cancel: O.cancel.map((c) => ({ ...c })),
        targetFailed: O.targetFailed.map((c) => ({ ...c })),
        balloons: O.balloons.map((b) => ({ ...b })),
        snapshots: O.snapshots,
        orders: this.desk.given,
        inFlight: [...M.inFlight].map(([vm, m]) => ({ vm, ...m })),
        bandwidthDemand: [...M.bandwidthDemand].map(([vm, bytesPerSecond]) => ({ vm, bytesPerSecond })),
      },
      migrationLog: M.log,
      inFlightInfo: [...M.inFlightInfo].map(([vm, info]) => ({ vm, info })),
      memory: this.memoryAccount?.state(),
      snapshotLists: [...this.snapshotLists].sort((a, b) => a[0] - b[0]).map(([vm, snapshots]) => ({ vm, snapshots })),
      ha: {
        ...HA.ha.state(),
        failHosts: [...O.failHosts],
        failing: [...HA.failing],
        repairs: [...O.repairs],
        stuck: [...HA.stuck],
      },
      operator: {
        rules: this.ruleBook.state(),
        modes: this.hostModes.state(),
        orderLog: this.desk.log.map((o) => ({ ...o })),
      },
      recommendations: {
        automation: this.automation,
        book: this.recommendations.state(),
        ...(this.batch ? { batch: structuredClone(this.batch) } : {}),
      },
    }
  }

  /**
   * A lab continued from a checkpoint, over `shardCount` shards (any number: hosts are re-split). The model
   * must describe the same cluster (hosts, VMs); its policy and parameters may differ (a branch).
   */
  static async restore(
    model: ClusterModel,
    state: LabState,
    shardCount: number,
    factory: ShardFactory = inProcessShards,
  ): Promise<LabSimulation> {
    if (state.format !== 'conlab.lab-state' || state.version !== 1)
      throw new Error(`not a lab state this version can read (format ${state.format}, version ${state.version})`)
    if (state.hosts !== model.hostCount || state.vms !== model.vmCount)
      throw new Error(
        `the checkpoint holds ${state.hosts} hosts and ${state.vms} VMs, the scenario ${model.hostCount} and ${model.vmCount}`,
      )
    const started = performance.now()
    const columns = stepColumns(model)
    const plan = new LabPlan(model, columns)
    plan.restore(state.plan)
    const { shards, shardOfHost } = await startShards(model, shardCount, factory, (hostIds) => ({
      model,
      hostIds,
      placement: new Int32Array(0),
      hostsOn: new Int32Array(0),
      restore: withLrWindows(shardPart(state.cluster, hostIds), plan),
    }))
    const sim = new LabSimulation(model, shards, shardOfHost, plan, columns, RandomStream.fromState(state.selection))
    if (state.operator) {
      sim.ruleBook.restore(state.operator.rules, accountRule)
      sim.hostModes.restore(state.operator.modes)
      sim.desk.log = state.operator.orderLog.map((o) => ({ ...o }))
    } else for (const r of model.rules) sim.ruleBook.add(r, 0)
    if (state.recommendations) {
      sim.automation = state.recommendations.automation
      sim.recommendations.restore(state.recommendations.book)
      if (state.recommendations.batch) sim.batch = structuredClone(state.recommendations.batch)
    }
    sim.stepIndex = state.stepIndex
    sim.finished = state.finished
    const t = state.totals
    const A = sim.accounts
    A.energyJ = t.energyJ
    A.shutdowns = t.shutdowns
    A.vmsKilled = t.vmsKilled
    sim.desk.nextEvent = t.nextEvent
    sim.desk.nextFailureEvent = t.nextFailureEvent
    const a = state.accounts
    sim.hostSla.set(a.hostSla)
    sim.hostActive.set(a.hostActive)
    sim.vmRequested.set(a.vmRequested)
    sim.vmGranted.set(a.vmGranted)
    sim.vmMigrationLoss.set(a.vmMigrationLoss)
    sim.hostUtil.set(a.hostUtil)
    sim.hostPowerW.set(a.hostPowerW)
    sim.hostRamMB.set(a.hostRamMB)
    sim.vmGrantedNow.set(a.vmGrantedNow)
    if (a.vmRanOn) sim.vmRanOn.set(a.vmRanOn)
    sim.vmStealMips.set(a.vmStealMips)
    if (sim.hostMemory && a.hostMemory) sim.hostMemory.set(a.hostMemory)
    if (a.slaByCause) A.slaByCause.set(a.slaByCause)
    if (a.lostByCause) A.lostByCause.set(a.lostByCause)
    if (a.shortSteps) A.shortSteps.set(a.shortSteps)
    const p = state.pending
    const M = sim.migrations
    M.started = t.migrationCount
    M.queue = p.queue.map((q) => ({ ...q }))
    for (const f of p.inFlight) M.inFlight.set(f.vm, { source: f.source, target: f.target, start: f.start })
    M.bandwidthDemand = new Map(p.bandwidthDemand.map((b) => [b.vm, b.bytesPerSecond]))
    M.log.push(...state.migrationLog)
    for (const { vm, info } of state.inFlightInfo) M.inFlightInfo.set(vm, info)
    const O = sim.shardOrders
    O.arrivals = p.arrivals
    O.power = p.power.map((x) => ({ ...x }))
    O.cancel = p.cancel.map((x) => ({ ...x }))
    O.targetFailed = p.targetFailed.map((x) => ({ ...x }))
    O.balloons = p.balloons.map((x) => ({ ...x }))
    O.snapshots = [...p.snapshots]
    O.failHosts = [...state.ha.failHosts]
    O.repairs = [...state.ha.repairs]
    sim.desk.given = [...p.orders]
    if (state.snapshotLists) for (const l of state.snapshotLists) sim.snapshotLists.set(l.vm, l.snapshots)
    else
      for (const v of state.cluster.vms)
        if (v.snapshots) sim.snapshotLists.set(v.vm, flattenSnapshots(SnapshotTree.fromState(v.snapshots).list()))
    if (sim.memoryAccount && state.memory) sim.memoryAccount.restore(state.memory)
    const HA = sim.haSide
    HA.ha.restore(state.ha)
    HA.failing = [...state.ha.failing]
    for (const v of state.ha.stuck) HA.stuck.add(v)
    sim.timing.startMs = performance.now() - started
    return sim
  }

  get done(): boolean {
    return this.finished
  }

  get time(): number {
    return this.stepIndex * this.model.interval
  }

  get shardCount(): number {
    return this.shards.length
  }

  async close(): Promise<void> {
    await Promise.all(this.shards.map((s) => s.close()))
  }

  /** An order (the app, a script): applied at the start of the next step, and logged with that time. */
  order(action: LabOrder): void {
    this.desk.give(action)
  }

  /** Every order given so far, with the simulated time it was applied at (orders not yet applied excluded). */
  get orderLog(): readonly LoggedOrder[] {
    return this.desk.log
  }

  /**
   * Placement changes as they happen — each VM's start at t = 0 (at once), then every migration completed,
   * HA restart, VM stopped (its host failed, its migration lost it) or killed (out of memory) — in time order.
   */
  onPlacement(listener: ((row: PlacementRow) => void) | undefined): void {
    this.placements.listener = listener
    if (listener && this.stepIndex === 0) this.placements.starts(this.plan.vmHost)
  }

  async step(): Promise<LabFrame | undefined> {
    if (this.finished) return undefined
    if (this.stepIndex >= this.steps) {
      this.finished = true
      return undefined
    }
    const stepStarted = performance.now()
    const dt = this.model.interval
    const time = this.stepIndex * dt
    const events: LabEvent[] = []
    this.desk.applyDue(time, events)
    const book = this.recommendations
    const restarts = this.haSide.step(time, dt, events, this.placements, this.automation === 'manual')
    if (restarts.length || book.waiting.length) this.propose('ha', restarts, time, events)
    const evacuations = this.hostModes.progress(time, events, (v) => this.waits(v))
    if (evacuations.length || book.waiting.length) this.propose('evacuation', evacuations, time, events)
    const inputs: StepInput[] = this.shards.map((_, i) => ({
      time,
      dt,
      arrivals: [],
      migrations: [],
      cancel: [],
      targetFailed: [],
      bandwidth: [],
      power: [],
      balloons: [],
      snapshots: [],
      failHosts: [],
      repairHosts: [],
      reuse: this.spentBuffers[i] ?? [],
    }))
    this.spentBuffers = []
    const inputOf = (h: number) => inputs[this.shardOfHost[h]!]!
    this.shardOrders.dispatch(inputOf, this.plan, this.lrScreen ? (v) => this.plan.screenWindow(v) : undefined)
    // protected VMs' checkpoint cost is per step: the running ones' comes with their shard's rows
    if (this.protectedVms) this.columns.vmProtection.fill(0)
    let started = 0
    for (const m of this.migrations.startable(time, this.plan)) {
      inputOf(m.source).migrations.push(m)
      started++
    }
    if (this.model.migrationModel !== 'cloudsim') {
      for (const b of this.migrations.allotBandwidth(this.plan))
        inputOf(b.source).bandwidth.push({ vm: b.vm, bytesPerSecond: b.bytesPerSecond })
    }
    const outputs = await this.stepShards(inputs, time, events)
    this.absorb(outputs, events)
    this.spentBuffers = outputs.map(outputBuffers)
    this.stepIndex++
    const frameTime = this.stepIndex * dt
    this.ruleBook.measure(frameTime, events)
    this.placements.flush()
    const overloaded = this.closeStep(frameTime, events)
    if (this.onEvent) for (const e of events.sort((a, b) => a.time - b.time)) this.onEvent(e)
    this.timing.stepsMs += performance.now() - stepStarted
    const frame = this.accounts.frame(
      frameTime,
      this.stepIndex,
      this.migrations.started,
      started,
      overloaded,
      this.migrations.inFlight.size,
    )
    const deviation = this.loadDeviation()
    frame.loadStdDev = deviation
    frame.balance = this.runner.hasPreset ? this.runner.measure() : deviation
    frame.recommendationsWaiting = book.waiting.length
    return frame
  }

  /** The DRS standard deviation of CPU load over the hosts in service, from the planned demands. */
  loadDeviation(): number {
    const P = this.plan
    let n = 0
    let sum = 0
    let sumSq = 0
    for (let h = 0; h < P.hostCount; h++) {
      const s = P.hostState[h]
      if ((s !== HOST_STATE.on && s !== HOST_STATE.booting) || P.hostMode[h] !== 0) continue
      const u = P.hostDemand[h]! / P.capacity[h]!
      n++
      sum += u
      sumSq += u * u
    }
    if (n === 0) return 0
    const mean = sum / n
    const variance = sumSq / n - mean * mean
    return variance > 0 ? Math.sqrt(variance) : 0
  }

  /** The policy's measure of the cluster (docs/policies.md): its name, and whether lower or higher is better. */
  get balanceMetric(): { name: string; better: 'lower' | 'higher' } {
    return this.runner.metric
  }

  /** Whether VM v's moves wait for approval: the automation level, or its own (a VM group's `automation`). */
  private waits(v: number): boolean {
    return this.automation !== 'full' || this.model.vmAutomation[v] === VM_AUTOMATION.manual
  }

  /** A pass's waiting recommendations into the book (one event per new one, when someone listens). */
  private propose(
    source: Recommendation['source'],
    proposals: readonly Proposal[],
    time: number,
    events: LabEvent[],
  ): Recommendation[] {
    const before = this.recommendations.nextId
    const recs = this.recommendations.propose(source, proposals, time)
    if (this.onEvent)
      for (const r of recs)
        if (r.id >= before)
          events.push({
            time,
            kind: 'recommendation',
            ...(r.vm !== undefined ? { vm: r.vm } : {}),
            ...(r.from !== undefined || r.host !== undefined ? { host: r.from ?? r.host } : {}),
            ...(r.to !== undefined ? { targetHost: r.to } : {}),
            message: `recommendation #${r.id} (priority ${r.priority}) waits for approval: ${r.reason}`,
          })
    return recs
  }

  /**
   * The end of a step: the policy's pass, then idle hosts switched off and HA's reserve noted. In full
   * automation the pass's decisions are applied; otherwise the pass is made on the plan as full automation
   * would make it (the same decisions in the same order, the same random draws), turned into waiting
   * recommendations with their expected effect, and undone; the undo is kept, so that approving all of them
   * at the next step's start replays the pass exactly where full automation applied it.
   */
  private closeStep(time: number, events: LabEvent[]): number {
    if (this.stepIndex >= this.steps) {
      // the scenario's last step: no pass — what it decided would start after the run ends (and a waiting
      // pass could not be approved), so every automation level ends on the same state
      this.batch = undefined
      this.haSide.holdReserve([], time, events)
      this.switchOffIdleHosts(time, events)
      this.haSide.noteReserve()
      return 0
    }
    if (this.automation === 'full') {
      this.batch = undefined
      const overloaded = this.applyPass(time, events)
      this.switchOffIdleHosts(time, events)
      this.haSide.noteReserve()
      return overloaded
    }
    const before = this.passState.take()
    const pass = this.runner.run(this.explain, this.stepIndex)
    // the tentative pass's own events (HA admission control refusing a move) are not the run's
    const kept = this.haSide.holdReserve(pass.decisions, time, [])
    const proposals = this.proposalsOf(pass, kept, before)
    this.passState.restore(before, false)
    const ids = this.propose('rules', proposals.rules, time, events).map((r) => r.id)
    if (pass.policyRan) ids.push(...this.propose('policy', proposals.policy, time, events).map((r) => r.id))
    this.haSide.holdReserve([], time, events)
    this.switchOffIdleHosts(time, events)
    this.haSide.noteReserve()
    this.batch = { state: before, time, stepIndex: this.stepIndex, ids, policyRan: pass.policyRan }
    return pass.overloaded.length
  }

  /** Full automation's pass: decisions applied as made (a VM of its own manual level waits). */
  private applyPass(time: number, events: LabEvent[]): number {
    const P = this.plan
    const pass = this.runner.run(this.explain, this.stepIndex)
    const kept = this.haSide.holdReserve(pass.decisions, time, events)
    const held = kept.filter((d) => this.model.vmAutomation[d.vm] === VM_AUTOMATION.manual)
    const auto = held.length ? kept.filter((d) => !held.includes(d)) : kept
    for (const d of [...held].reverse()) {
      P.unmove(d.vm, d.to)
      if (d.powerOn && P.members[d.to]!.length === 0) P.hostState[d.to] = HOST_STATE.off
    }
    const say = (kind: LabEvent['kind'], message: string, extra: Partial<LabEvent> = {}): void => {
      events.push({ time, kind, message, ...extra })
    }
    for (const p of pass.power) if (p.kind === 'power-on') this.hostModes.wake(p.host, time, say, true, false)
    for (const d of auto) this.decide(d, time, events)
    for (const p of pass.power)
      if (p.kind === 'standby') {
        this.hostModes.standby(p.host, true, time, say, 'policy')
        if (this.onEvent) events.push({ time, kind: 'host-mode', host: p.host, message: p.sentence })
      }
    const book = this.recommendations
    const keys = (list: readonly LabDecision[], power: PassResult['power']) => () => [
      ...power.map((p) => proposalKey({ kind: p.kind, host: p.host })),
      ...list
        .filter((d) => d.standby === undefined)
        .map((d) => proposalKey({ kind: 'migrate', vm: d.vm, from: d.from, to: d.to })),
    ]
    const repairs = auto.filter((d) => d.reason === 'rule')
    const moves = auto.filter((d) => d.reason !== 'rule')
    book.applied('rules', repairs.length, time, keys(repairs, []))
    book.applied(
      'policy',
      moves.filter((d) => d.standby === undefined).length + pass.power.length,
      time,
      keys(moves, pass.power),
    )
    const heldProposals = held.map((d) => this.proposalOf(d, moveEffect(P, this.model, d.vm, d.from, d.to)))
    if (book.waiting.length || heldProposals.length) {
      this.propose(
        'rules',
        heldProposals.filter((p) => p.priority === 1),
        time,
        events,
      )
      if (pass.policyRan)
        this.propose(
          'policy',
          heldProposals.filter((p) => p.priority !== 1),
          time,
          events,
        )
    }
    return pass.overloaded.length
  }

  /** A decision as a recommendation. */
  private proposalOf(d: LabDecision, expected: Proposal['expected']): Proposal {
    return {
      kind: 'migrate',
      vm: d.vm,
      from: d.from,
      to: d.to,
      priority: d.priority ?? 2,
      reason: PolicyRunner.sentence(d),
      expected,
    }
  }

  /**
   * The recommendations of a tentative pass, with their expected effect: replayed from the placement before
   * the pass, one decision at a time (power-ons first, as applied), each with the loads, power and the
   * policy's measure before and after it. A standby is one recommendation with the moves that empty its host.
   */
  private proposalsOf(pass: PassResult, kept: LabDecision[], before: ReturnType<PassState['take']>) {
    const P = this.plan
    P.restorePlacement(before.placement)
    const metric = this.runner.metric.name
    let level = this.runner.measure()
    const rules: Proposal[] = []
    const policy: Proposal[] = []
    for (const p of pass.power) {
      if (p.kind !== 'power-on') continue
      policy.push({
        kind: 'power-on',
        host: p.host,
        priority: p.priority,
        reason: p.sentence,
        expected: powerOnEffect(P, this.model, p.host),
      })
      P.hostMode[p.host] = 0
      P.hostState[p.host] =
        this.model.hostTypes[P.hostType[p.host]!]!.bootSeconds > 0 ? HOST_STATE.booting : HOST_STATE.on
    }
    const standby = new Map<number, { vm: number; to: number }[]>()
    const standbyPower = new Map<number, number>()
    for (const d of kept) {
      const e = moveEffect(P, this.model, d.vm, d.from, d.to)
      if (P.hostState[d.to] === HOST_STATE.off) P.hostState[d.to] = HOST_STATE.booting
      P.move(d.vm, d.to)
      const after = this.runner.measure()
      e.balance = { metric, before: level, after }
      level = after
      if (d.standby !== undefined) {
        standby.set(d.standby, [...(standby.get(d.standby) ?? []), { vm: d.vm, to: d.to }])
        standbyPower.set(d.standby, (standbyPower.get(d.standby) ?? 0) + (e.powerW ?? 0))
        continue
      }
      ;(d.reason === 'rule' ? rules : policy).push(this.proposalOf(d, e))
    }
    for (const p of pass.power)
      if (p.kind === 'standby')
        policy.push({
          kind: 'standby',
          host: p.host,
          priority: p.priority,
          reason: p.sentence,
          expected: { moves: standby.get(p.host) ?? [], powerW: standbyPower.get(p.host) ?? 0 },
        })
    return { rules, policy }
  }

  /**
   * The recommendations at this state (`conlab recommend`): those waiting, and what the policy's pass — every
   * part of it, whatever its cadence — would propose now, made on the plan and undone (the random stream too:
   * the lab goes on as if it had not been asked).
   */
  recommendNow(): { waiting: Recommendation[]; pass: Proposal[] } {
    const before = this.passState.take()
    const pass = this.runner.run(true, this.stepIndex, true)
    const kept = this.haSide.holdReserve(pass.decisions, this.time, [])
    const proposals = this.proposalsOf(pass, kept, before)
    this.passState.restore(before, true)
    return {
      waiting: this.recommendations.waiting.map((r) => structuredClone(r)),
      pass: [...proposals.rules, ...proposals.policy],
    }
  }

  /** The orders about recommendations: approve, approve all, dismiss, the automation level. */
  recommendationOrder(action: RecommendationAction, time: number, events: LabEvent[], by: OrderSource): void {
    const book = this.recommendations
    const say = (kind: LabEvent['kind'], message: string, extra: Partial<LabEvent> = {}): void => {
      events.push({ time, kind, message: `${by}: ${message}`, ...extra })
    }
    if ('automation' in action) {
      const level = action.automation.level
      if (level === this.automation) return say('warning', `automation: already ${level}`)
      this.automation = level
      say(
        'info',
        `automation ${level}: ${level === 'full' ? 'recommendations are applied as they are made' : level === 'partial' ? 'VMs are placed automatically; migrations and power changes wait for approval' : 'every recommendation waits for approval'}`,
      )
      return
    }
    if ('approveAll' in action) {
      const replayed = this.replayBatch(time, events)
      const rest = [...book.waiting]
      if (replayed === undefined && rest.length === 0) return say('info', 'approve all: no recommendation waits')
      if (replayed !== undefined)
        say(
          'info',
          `approve all: the pass of ${formatClock(this.time)} applied as full automation would have (${replayed} recommendation${replayed === 1 ? '' : 's'})`,
        )
      this.applyRecommendations(rest, time, events, say)
      return
    }
    const id = 'approve' in action ? action.approve.id : action.dismiss.id
    const verb = 'approve' in action ? 'approve' : 'dismiss'
    const r = book.find(id)
    if (!r)
      return say(
        'warning',
        `${verb} #${id} refused: no recommendation has that id (${book.nextId > 1 ? `ids so far: 1–${book.nextId - 1}` : 'none made yet'})`,
      )
    if (r.state !== 'waiting')
      return say(
        'warning',
        `${verb} #${id} refused: it ${r.state === 'expired' ? 'expired' : `was ${r.state}`} at ${formatClock(r.resolvedAt ?? 0)}${r.state === 'expired' ? ' (the next pass no longer proposed it: the state it was made on is gone)' : ''}`,
      )
    if ('dismiss' in action) {
      book.resolve(r, 'dismissed', time)
      return say('info', `recommendation #${id} dismissed: ${r.reason}`)
    }
    this.applyRecommendations([r], time, events, say)
  }

  /**
   * Approve all, exactly: when every recommendation of the last step's pass still waits, undo what the end of
   * that step did after the pass (HA's reserve, idle hosts switched off) and replay the pass as full
   * automation made it there — the same decisions, random draws and queue order. The number of
   * recommendations applied, or undefined when the pass cannot be replayed (then they are approved one by one).
   */
  private replayBatch(time: number, events: LabEvent[]): number | undefined {
    const b = this.batch
    if (!b || b.stepIndex !== this.stepIndex) return undefined
    const waiting = new Set(
      this.recommendations.waiting
        .filter((r) => r.source === 'rules' || (b.policyRan && r.source === 'policy'))
        .map((r) => r.id),
    )
    if (waiting.size !== b.ids.length || !b.ids.every((id) => waiting.has(id))) return undefined
    this.batch = undefined
    this.passState.restore(b.state, true)
    this.applyPass(b.time, events)
    this.switchOffIdleHosts(b.time, events)
    this.haSide.noteReserve()
    return b.ids.length
  }

  /** Approved recommendations, applied in their order; a move still has to pass the filters and must rules. */
  private applyRecommendations(
    list: readonly Recommendation[],
    time: number,
    events: LabEvent[],
    say: (kind: LabEvent['kind'], message: string, extra?: Partial<LabEvent>) => void,
  ): void {
    const P = this.plan
    const book = this.recommendations
    const moved: { vm: number; to: number; powerOn: boolean; rec?: Recommendation; soft?: LabDecision['soft'] }[] = []
    const refuse = (r: Recommendation, why: string) =>
      say('warning', `approve #${r.id} refused: ${why}`, { ...(r.vm !== undefined ? { vm: r.vm } : {}) })
    const move = (v: number, from: number, to: number, rec?: Recommendation): string | undefined => {
      if (P.vmHost[v] !== from)
        return P.vmHost[v]! < 0 ? `VM ${v} is not running` : `VM ${v} runs on host ${P.vmHost[v]} now`
      if (P.vmTarget[v]! >= 0) return `VM ${v} is already moving to host ${P.vmTarget[v]}`
      const verdict = hostVerdict(P, v, to, Number.NaN)
      if (verdict.rejection !== REJECTION.none) return verdictSentence(P, v, to, Number.NaN, verdict)
      const group = P.rules.any ? P.rules.inMustAffinity(v) : undefined
      if (group)
        return `must rule "${group.name}" (affinity): VM ${v} would leave VMs ${listIds(group.vms.filter((u) => u !== v))} of its group`
      P.move(v, to)
      const powerOn = P.hostState[to] === HOST_STATE.off
      if (powerOn)
        P.hostState[to] = this.model.hostTypes[P.hostType[to]!]!.bootSeconds > 0 ? HOST_STATE.booting : HOST_STATE.on
      moved.push({ vm: v, to, powerOn, rec, soft: verdict.rule })
      return undefined
    }
    for (const r of list) {
      if (r.state !== 'waiting') continue
      if (r.kind === 'migrate') {
        const why = move(r.vm!, r.from!, r.to!, r)
        if (why) refuse(r, why)
      } else if (r.kind === 'restart') {
        const why = this.haSide.approveRestart(r.vm!, r.to!, time, this.model.interval, events, this.placements)
        if (why) refuse(r, why)
        else {
          book.resolve(r, 'applied', time)
          say('info', `recommendation #${r.id} applied: ${r.reason}`, { vm: r.vm!, host: r.to! })
        }
      } else if (r.kind === 'power-on') {
        const h = r.host!
        if (P.hostState[h] !== HOST_STATE.off) refuse(r, `host ${h} is not switched off`)
        else if (P.hostMode[h] !== 0 && !this.hostModes.policyStandby(h))
          refuse(r, `host ${h} is in the operator's standby`)
        else {
          this.hostModes.wake(h, time, say, false, true)
          book.resolve(r, 'applied', time)
        }
      } else {
        const h = r.host!
        if (P.hostMode[h] !== 0) refuse(r, `host ${h} is not in service`)
        else {
          for (const m of r.expected.moves ?? []) move(m.vm, h, m.to)
          this.hostModes.standby(h, true, time, say, 'policy')
          book.resolve(r, 'applied', time)
        }
      }
    }
    // HA admission control holds its reserve over the approved moves as over full automation's
    const kept = new Set(this.haSide.holdReserve(moved, time, events))
    for (const m of moved) {
      if (!kept.has(m)) {
        if (m.rec) refuse(m.rec, 'HA admission control: it would eat the failover reserve')
        continue
      }
      if (m.powerOn) this.shardOrders.power.push({ host: m.to, on: true })
      this.migrations.enqueue(m.vm, m.to, time)
      if (m.soft) this.ruleBook.brokenOnPurpose(m.soft)
      if (m.rec) {
        book.resolve(m.rec, 'applied', time)
        say('migration-start', `recommendation #${m.rec.id} applied: ${m.rec.reason}`, {
          vm: m.vm,
          host: m.rec.from!,
          targetHost: m.to,
        })
      }
    }
  }

  /**
   * One call per shard, in parallel; each answer's rows go into the step tables as it comes, while the other
   * shards still work (each fills its own entries, so the order does not matter). A shard whose worker
   * died is reported: the run stops with a message naming the hosts and VMs lost, or — if the scenario
   * says so — continues with those hosts failed.
   */
  private async stepShards(inputs: StepInput[], time: number, events: LabEvent[]): Promise<StepOutput[]> {
    const posted = performance.now()
    const dt = this.model.interval
    const absorbRows = (o: StepOutput) => {
      this.columns.absorbRows(o, dt)
      return o
    }
    const results = await Promise.allSettled(this.shards.map((s, i) => s.step(inputs[i]!).then(absorbRows)))
    this.timing.shardWaitMs += performance.now() - posted
    let slowest = 0
    for (const r of results) {
      if (r.status !== 'fulfilled') continue
      this.timing.shardWorkMs += r.value.busyMs
      if (r.value.busyMs > slowest) slowest = r.value.busyMs
    }
    this.timing.slowestShardMs += slowest
    const outputs: StepOutput[] = []
    for (let i = 0; i < results.length; i++) {
      const r = results[i]!
      if (r.status === 'fulfilled') {
        outputs.push(r.value)
        continue
      }
      const failure = r.reason instanceof ShardFailure ? r.reason : undefined
      if (!failure) throw r.reason instanceof Error ? r.reason : new Error(String(r.reason))
      const lost = this.haSide.workerLost(failure.hostIds, this.time, this.placements)
      const what = `${failure.message}: ${failure.hostIds.length} hosts failed and ${lost.length} VMs were lost${lost.length ? ` (VM ${lost.slice(0, 12).join(', ')}${lost.length > 12 ? ', …' : ''})` : ''} at ${formatClock(time)} simulated`
      if (this.model.onWorkerFailure === 'stop') {
        await this.close()
        throw new LabRunStopped(`${what}; the run stopped (set onWorkerFailure: continue to go on without those hosts)`)
      }
      events.push({ time, kind: 'warning', message: `${what}; the run continues without them` })
      this.shards[i] = failedShard(failure.hostIds)
      outputs.push(absorbRows(await this.shards[i]!.step(inputs[i]!)))
    }
    return outputs
  }

  /** The step's outputs taken in: the accounts, migrations that ended, VMs failed or killed, what comes next. */
  private absorb(outputs: StepOutput[], events: LabEvent[]): void {
    const end = this.time + this.model.interval
    // hosts failing at the end of this step: HA's records first, their VMs come in the outputs
    this.haSide.recordFailures(end)
    const P = this.plan
    const M = this.migrations
    const HA = this.haSide.ha
    // summed in VM id order, whatever shard each VM ran on
    if (this.protectedVms) {
      const protection = this.columns.vmProtection
      for (let v = 0; v < protection.length; v++) HA.protectionOverheadCpuSeconds += protection[v]!
    }
    this.accounts.sumHosts()
    this.accounts.sumVms()
    // shard events by host (in each host's own order), then the lost and failed VMs by id
    events.push(...byHost(outputs.flatMap((o) => o.events)))
    const completions = outputs.flatMap((o) => o.completions).sort((a, b) => a.vm - b.vm)
    for (const c of completions) {
      const flight = M.inFlight.get(c.vm)
      M.inFlight.delete(c.vm)
      M.log.push({
        vm: c.vm,
        source: c.source,
        target: c.target,
        start: flight?.start ?? c.time - c.seconds,
        end: c.time,
        location: c.location,
        info: c.info,
      })
      if (c.location === 'destination') {
        P.arrived(c.vm)
        this.placements.add(c.time, c.vm, c.target, 'migrated')
        if (this.onEvent)
          events.push({
            time: c.time,
            kind: 'migration-end',
            vm: c.vm,
            host: c.source,
            targetHost: c.target,
            message: `VM ${c.vm} now runs on host ${c.target} (moved in ${c.seconds.toFixed(1)} s${c.info?.downtime !== undefined ? `, ${c.info.downtime.toFixed(0)} ms downtime` : ''})`,
          })
      } else if (c.location === 'source') {
        P.unmove(c.vm, c.target)
        events.push({
          time: c.time,
          kind: 'warning',
          vm: c.vm,
          host: c.source,
          targetHost: c.target,
          message: `VM ${c.vm} stays on host ${c.source}: its migration to host ${c.target} was ${c.info?.status ?? 'called off'}`,
        })
      } else {
        this.placements.add(c.time, c.vm, P.vmHost[c.vm]!, 'stopped')
        P.drop(c.vm)
        events.push({
          time: c.time,
          kind: 'warning',
          vm: c.vm,
          host: c.source,
          targetHost: c.target,
          message: `VM ${c.vm} is lost: ${c.info?.lab.reason ?? 'its migration failed'}`,
        })
      }
    }
    for (const f of outputs.flatMap((o) => o.failed).sort((a, b) => a.transfer.vm - b.transfer.vm)) {
      const v = f.transfer.vm
      M.lose(v, this.time)
      this.placements.add(end, v, f.host, 'stopped')
      P.drop(v)
      HA.vmFailed(f.transfer, f.host, end)
    }
    for (const l of outputs.flatMap((o) => o.lost).sort((a, b) => a.vm - b.vm)) {
      M.lose(l.vm, end)
      this.placements.add(end, l.vm, P.vmHost[l.vm]!, 'killed')
      P.drop(l.vm)
      this.accounts.vmsKilled++
    }
    if (this.memoryAccount && this.hostMemory) this.memoryAccount.absorb(end, this.hostMemory)
    M.bandwidthDemand = new Map()
    for (const d of byVm(outputs.flatMap((o) => o.bandwidthDemands))) M.bandwidthDemand.set(d.vm, d.bytesPerSecond)
    for (const l of byVm(outputs.flatMap((o) => o.snapshotLists))) this.snapshotLists.set(l.vm, l.snapshots)
    M.inFlightInfo.clear()
    for (const p of byVm(outputs.flatMap((o) => o.migrationProgress))) M.inFlightInfo.set(p.vm, p.info)
    this.shardOrders.arrivals = outputs.flatMap((o) => o.departures).sort((a, b) => a.vm - b.vm)
    this.haSide.failedAtStepEnd(end, this.placements)
    P.recordStep()
  }

  /** A consolidation decision: queued (its target switched on if need be), explained when someone listens. */
  private decide(d: LabDecision, time: number, events: LabEvent[]): void {
    if (d.powerOn) this.shardOrders.power.push({ host: d.to, on: true })
    this.migrations.enqueue(d.vm, d.to, time)
    if (d.soft) {
      this.ruleBook.brokenOnPurpose(d.soft)
      events.push({
        time,
        kind: 'rule',
        vm: d.vm,
        host: d.to,
        message: `should rule "${d.soft.name}" broken on purpose: no host that keeps it takes VM ${d.vm} (consolidation)`,
      })
    }
    // the explanations, only when someone reads them (hundreds of decisions a step on 10,000 hosts)
    if (!this.onEvent) return
    if (d.powerOn)
      events.push({ time, kind: 'host-on', host: d.to, message: `host ${d.to} switched on to receive VM ${d.vm}` })
    if (d.verdict && d.reason === 'overload' && !events.some((e) => e.kind === 'overload' && e.host === d.from))
      events.push({ time, kind: 'overload', host: d.from, message: overloadSentence(d.from, d.verdict) })
    events.push({
      time,
      kind: 'migration-start',
      vm: d.vm,
      host: d.from,
      targetHost: d.to,
      message: PolicyRunner.sentence(d),
    })
  }

  /** Hosts left with nothing to run and nothing coming are switched off, unless HA keeps them as reserve. */
  private switchOffIdleHosts(time: number, events: LabEvent[]): void {
    const P = this.plan
    const running = P.runningAt
    this.accounts.vmsRunning = P.vmsRunning
    const holdsReserve = this.model.ha.reserveHosts > 0
    // oVirt power saving keeps HostsInReserve idle hosts on for new load (the lowest ids)
    let spare = this.runner.idleReserve
    for (let h = 0; h < P.hostCount; h++) {
      if (P.hostState[h] !== HOST_STATE.on || running[h]! > 0 || P.members[h]!.length > 0) continue
      if (this.hostModes.keepsOn(h)) continue
      if (spare > 0 && P.hostMode[h] === 0) {
        spare--
        continue
      }
      P.hostState[h] = HOST_STATE.off
      // kept on as failover capacity when HA's admission control needs it (ha.ts failoverReserve)
      if (holdsReserve && !this.haSide.failoverReserve()!.held) {
        P.hostState[h] = HOST_STATE.on
        continue
      }
      this.shardOrders.power.push({ host: h, on: false })
      this.accounts.shutdowns++
      events.push({ time, kind: 'host-off', host: h, message: `host ${h} idle: switched off` })
    }
  }

  /** Whether the scenario can see host failures or protects VMs (then the report has an `ha` section). */
  private haInPlay(): boolean {
    const m = this.model
    return (
      m.ha.mtbf !== undefined ||
      m.ha.reserveHosts > 0 ||
      m.events.some((e) => 'failHost' in e) ||
      m.groups.some((g) => g.protection !== undefined) ||
      this.haSide.ha.report().hostFailures > 0
    )
  }

  stateHash(): string {
    return labStateHash({
      energyJ: this.accounts.energyJ,
      migrations: this.migrations.started,
      stepIndex: this.stepIndex,
      plan: this.plan,
      hostSla: this.hostSla,
      vmRequested: this.vmRequested,
      vmGranted: this.vmGranted,
    })
  }

  summary(): LabSummary {
    const sla = this.accounts.slaSoFar()
    let requested = 0
    let granted = 0
    let loss = 0
    for (let v = 0; v < this.model.vmCount; v++) {
      requested += this.vmRequested[v]!
      granted += this.vmGranted[v]!
      loss += this.vmMigrationLoss[v]!
    }
    const slatah = sla.active > 0 ? sla.violation / sla.active : 0
    const pdm = requested > 0 ? loss / requested : 0
    const energyKWh = this.accounts.energyJ / 3.6e6
    return {
      mode: 'lab',
      policy: this.model.policy.name,
      seed: this.model.seed,
      hosts: this.model.hostCount,
      vms: this.model.vmCount,
      simulatedSeconds: this.time,
      energyKWh,
      migrations: this.migrations.started,
      slatah,
      pdm,
      slav: slatah * pdm,
      esv: energyKWh * slatah * pdm,
      overallSla: requested > 0 ? (requested - granted) / requested : 0,
      averageSla: this.accounts.averageSla(),
      hostShutdowns: this.accounts.shutdowns,
      stateHash: this.stateHash(),
      shards: this.shards.length,
      migrationModel: this.model.migrationModel,
      migrationStats: migrationStats(this.migrations.log),
      migrationsDetail: this.migrations.log,
      vmsKilled: this.accounts.vmsKilled,
      slaCauses: this.accounts.slaCauses(),
      memory: this.memoryAccount?.report(),
      ha: this.haInPlay() ? this.haSide.ha.report() : undefined,
      rules: this.ruleBook.report(),
      maintenance: this.hostModes.state().requests,
      orders: this.desk.log.map((o) => ({ ...o })),
      recommendations: { ...this.recommendations.counts, waiting: this.recommendations.waiting.length },
      loadStdDev: this.loadDeviation(),
    }
  }
}
