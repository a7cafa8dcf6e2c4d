// The lab model's coordinator: it owns the clock, the plan and the policy; host shards (in this thread or
// in worker threads, ./shards.ts) step the hosts. One call per shard per step, in parallel; their outputs
// are combined in host and VM id order, so results are bit-identical whatever the number of shards. Also
// here: the orders a running lab takes (scheduled events, the app), HA's side of host failures, and
// whole-lab checkpoints (./lab-state.ts). docs/lab-model.md has the step order.
import type { ClusterModel } from '../model/cluster-model'
import type { Frame, LabEvent } from '../vocabulary'
import { HOST_STATE } from '../vocabulary'
import { StateHasher } from '../hash'
import { RandomStream, streamFor } from '../random'
import { DETECTORS } from '../policies/policy-name'
import { LabPlan } from './plan'
import { LabConsolidation, type LabDecision } from './consolidation'
import { shareLinks, type Flow } from './link-sharing'
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
import type { LabAction, LabState } from './lab-state'
import { initialPlacement } from './initial-placement'
import { outputBuffers } from './output-buffers'
import { StepColumns } from './step-columns'
import { HaManager, type HaReport } from './ha'
import { flattenSnapshots, type SnapshotOrder } from './vm-snapshots'
import type { MigrationInfo } from '../migration'
import { SnapshotTree, type SnapshotInfo } from '../checkpoint/snapshot-tree'
import { MemoryAccount, type MemoryReport } from './memory-report'
import { migrationStats, type MigrationRecord, type MigrationStats } from './migration-log'
import { type MigrationOrder, type StepInput, type StepOutput, type VmTransfer, type ShardSnapshot } from './protocol'

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

function formatClock(seconds: number): string {
  const d = Math.floor(seconds / 86400)
  const h = Math.floor((seconds % 86400) / 3600)
  const m = Math.floor((seconds % 3600) / 60)
  return `${d > 0 ? `day ${d + 1} ` : ''}${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`
}

/** A lab frame is the API's Frame, every field filled. */
export type LabFrame = Frame

export interface LabSummary {
  mode: 'lab'
  policy: string
  seed: number
  hosts: number
  vms: number
  simulatedSeconds: number
  energyKWh: number
  migrations: number
  slatah: number
  pdm: number
  slav: number
  esv: number
  overallSla: number
  averageSla: number
  hostShutdowns: number
  stateHash: string
  shards: number
  migrationModel: ClusterModel['migrationModel']
  migrationStats: MigrationStats
  migrationsDetail: MigrationRecord[]
  /** VMs ended by a host's out-of-memory killer */
  vmsKilled: number
  /** hosts managing memory: KSM and balloon savings, swap and its cost, over time */
  memory?: MemoryReport
  /** host failures and HA restarts (when the scenario has failures or protected VMs) */
  ha?: HaReport
}

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
  private readonly consolidation: LabConsolidation | undefined
  private readonly shardOfHost: Int32Array
  private readonly steps: number
  private stepIndex = 0
  private energyJ = 0
  private migrationCount = 0
  private shutdowns = 0
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
  readonly vmStealMips: Float64Array
  /** per-host memory (M columns) after the last step, when hosts manage memory */
  readonly hostMemory: Float64Array | undefined
  private readonly migrationsAtHost: Int32Array
  /** whether any VM is protected (continuous checkpoints: their CPU cost is summed each step) */
  private readonly protectedVms: boolean
  private queue: { vm: number; target: number; since: number }[] = []
  /** whether the policy is LR: shards then keep each VM's screen window and send its sums (index-lr.ts) */
  private readonly lrScreen: boolean
  /** each shard's last output buffers, absorbed: handed back with its next input */
  private spentBuffers: ArrayBuffer[][] = []

  /** Planned migrations waiting for a free slot (per-host limit) or for their target to boot, oldest first. */
  get queued(): readonly { vm: number; target: number; since: number }[] {
    return this.queue
  }
  private pendingArrivals: VmTransfer[] = []
  private pendingPower: { host: number; on: boolean }[] = []
  /** in-flight migrations to call off (the trainee's cancel) or abort (their target failed) */
  private pendingCancel: { vm: number; source: number }[] = []
  private pendingTargetFailed: { vm: number; source: number }[] = []
  private pendingBalloons: { vm: number; targetBytes: number | 'auto' }[] = []
  private pendingSnapshots: SnapshotOrder[] = []
  private pendingFailHosts: number[] = []
  /** hosts failing at the end of the current step */
  private failing: number[] = []
  private pendingRepairs: number[] = []
  /** host failures, repairs and VM restarts */
  private readonly ha: HaManager
  /** VMs HA could not place yet (told once) */
  private readonly haStuck = new Set<number>()
  /** orders given since the last step (order()) */
  private orders: LabAction[] = []
  /** each VM's snapshots, as its shard last reported them (for the views) */
  readonly snapshotLists = new Map<number, SnapshotInfo[]>()
  /** the report's memory section, when hosts manage memory */
  private readonly memoryAccount: MemoryAccount | undefined
  /** VMs the OOM killer ended */
  private vmsKilled = 0
  /** query-migrate of each live migration in flight, as of the end of the last step */
  readonly inFlightInfo = new Map<number, MigrationInfo>()
  /** migrations started and not finished: VM → its source, target and start time */
  readonly inFlight = new Map<number, { source: number; target: number; start: number }>()
  /** bytes/s each running live migration asked for after the last step */
  private bandwidthDemand = new Map<number, number>()
  private nextEvent = 0
  private nextFailureEvent = 0
  /** Σ over hosts of SLA-violation seconds and active seconds in the last step */
  private stepSlaSeconds = 0
  /** sums over the hosts after the last step (absorb's pass), for its frame */
  private readonly hostTotals = { slaSeconds: 0, activeSeconds: 0, powerW: 0, usedMips: 0, activeHosts: 0 }
  /** VMs running after the last step's decisions (switchOffIdleHosts' pass) */
  private vmsRunning = 0
  readonly timing: LabTiming = { startMs: 0, stepsMs: 0, shardWaitMs: 0, shardWorkMs: 0, slowestShardMs: 0 }
  /** Σ host MIPS, in host order */
  private readonly totalMips: number
  private stepActiveSeconds = 0
  readonly migrationLog: MigrationRecord[] = []
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
    this.consolidation =
      model.policy.kind === 'migration'
        ? new LabConsolidation(plan, model.policy, selection, model.interval)
        : undefined
    this.hostSla = new Float64Array(model.hostCount)
    this.hostActive = new Float64Array(model.hostCount)
    this.vmRequested = columns.vmRequested
    this.vmGranted = columns.vmGranted
    this.vmMigrationLoss = columns.vmMigrationLoss
    this.hostUtil = columns.hostUtil
    this.hostPowerW = columns.hostPowerW
    this.hostRamMB = columns.hostRamMB
    this.vmGrantedNow = columns.vmGrantedNow
    this.vmStealMips = columns.vmStealMips
    this.hostMemory = columns.hostMemory
    this.migrationsAtHost = new Int32Array(model.hostCount)
    let totalMips = 0
    for (let h = 0; h < model.hostCount; h++) totalMips += plan.capacity[h]!
    this.totalMips = totalMips
    this.lrScreen = columns.shape.lrScreen
    this.protectedVms = model.groups.some((g) => g.protection !== undefined)
    this.memoryAccount = model.memoryManaged ? new MemoryAccount(model) : undefined
    this.ha = new HaManager(model)
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
    initialPlacement(plan)
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
    sim.timing.startMs = performance.now() - started
    return sim
  }

  /**
   * The whole lab at the end of the current step: every host and VM across the shards, migrations in
   * flight, the plan and its histories, the policy's random stream, metrics so far. Plain data (typed
   * arrays included) for engine/checkpoint's codec; `restore` continues from it bit for bit.
   */
  async checkpoint(): Promise<LabState> {
    const parts = await Promise.all(this.shards.map((s) => s.capture()))
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
        energyJ: this.energyJ,
        migrationCount: this.migrationCount,
        shutdowns: this.shutdowns,
        vmsKilled: this.vmsKilled,
        nextEvent: this.nextEvent,
        nextFailureEvent: this.nextFailureEvent,
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
        vmStealMips: this.vmStealMips.slice(),
        hostMemory: this.hostMemory?.slice(),
      },
      pending: {
        queue: this.queue.map((q) => ({ ...q })),
        arrivals: this.pendingArrivals,
        power: this.pendingPower.map((p) => ({ ...p })),
        cancel: this.pendingCancel.map((c) => ({ ...c })),
        targetFailed: this.pendingTargetFailed.map((c) => ({ ...c })),
        balloons: this.pendingBalloons.map((b) => ({ ...b })),
        snapshots: this.pendingSnapshots,
        orders: this.orders,
        inFlight: [...this.inFlight].map(([vm, m]) => ({ vm, ...m })),
        bandwidthDemand: [...this.bandwidthDemand].map(([vm, bytesPerSecond]) => ({ vm, bytesPerSecond })),
      },
      migrationLog: this.migrationLog,
      inFlightInfo: [...this.inFlightInfo].map(([vm, info]) => ({ vm, info })),
      memory: this.memoryAccount?.state(),
      ha: {
        ...this.ha.state(),
        failHosts: [...this.pendingFailHosts],
        failing: [...this.failing],
        repairs: [...this.pendingRepairs],
        stuck: [...this.haStuck],
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
    sim.stepIndex = state.stepIndex
    sim.finished = state.finished
    const t = state.totals
    sim.energyJ = t.energyJ
    sim.migrationCount = t.migrationCount
    sim.shutdowns = t.shutdowns
    sim.vmsKilled = t.vmsKilled
    sim.nextEvent = t.nextEvent
    sim.nextFailureEvent = t.nextFailureEvent
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
    sim.vmStealMips.set(a.vmStealMips)
    if (sim.hostMemory && a.hostMemory) sim.hostMemory.set(a.hostMemory)
    const p = state.pending
    sim.queue = p.queue.map((q) => ({ ...q }))
    sim.pendingArrivals = p.arrivals
    sim.pendingPower = p.power.map((x) => ({ ...x }))
    sim.pendingCancel = p.cancel.map((x) => ({ ...x }))
    sim.pendingTargetFailed = p.targetFailed.map((x) => ({ ...x }))
    sim.pendingBalloons = p.balloons.map((x) => ({ ...x }))
    sim.pendingSnapshots = [...p.snapshots]
    sim.orders = [...p.orders]
    for (const v of state.cluster.vms)
      if (v.snapshots) sim.snapshotLists.set(v.vm, flattenSnapshots(SnapshotTree.fromState(v.snapshots).list()))
    for (const f of p.inFlight) sim.inFlight.set(f.vm, { source: f.source, target: f.target, start: f.start })
    sim.bandwidthDemand = new Map(p.bandwidthDemand.map((b) => [b.vm, b.bytesPerSecond]))
    sim.migrationLog.push(...state.migrationLog)
    for (const { vm, info } of state.inFlightInfo) sim.inFlightInfo.set(vm, info)
    if (sim.memoryAccount && state.memory) sim.memoryAccount.restore(state.memory)
    sim.ha.restore(state.ha)
    sim.pendingFailHosts = [...state.ha.failHosts]
    sim.failing = [...state.ha.failing]
    sim.pendingRepairs = [...state.ha.repairs]
    for (const v of state.ha.stuck) sim.haStuck.add(v)
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
    this.applyActions(time, events)
    this.haStep(time, dt, events)
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
    const shardOf = (h: number) => inputs[this.shardOfHost[h]!]!
    for (const c of this.pendingCancel) shardOf(c.source).cancel.push(c.vm)
    for (const c of this.pendingTargetFailed) shardOf(c.source).targetFailed.push(c.vm)
    for (const a of this.pendingArrivals)
      shardOf(a.host).arrivals.push(this.lrScreen ? { ...a, lrWindow: this.plan.screenWindow(a.vm) } : a)
    for (const p of this.pendingPower) shardOf(p.host).power.push(p)
    for (const b of this.pendingBalloons) {
      const host = this.plan.vmHost[b.vm]!
      if (host >= 0) shardOf(host).balloons.push(b)
    }
    this.pendingBalloons = []
    for (const o of this.pendingSnapshots) shardOf(this.plan.vmHost[o.vm]!).snapshots.push(o)
    this.pendingSnapshots = []
    for (const h of this.pendingFailHosts) shardOf(h).failHosts.push(h)
    for (const h of this.pendingRepairs) shardOf(h).repairHosts.push(h)
    this.pendingFailHosts = []
    this.pendingRepairs = []
    this.pendingCancel = []
    this.pendingTargetFailed = []
    this.pendingArrivals = []
    this.pendingPower = []
    // protected VMs' checkpoint cost is per step: the running ones' comes with their shard's rows
    if (this.protectedVms) this.columns.vmProtection.fill(0)
    let started = 0
    for (const m of this.startableMigrations(time)) {
      shardOf(m.source).migrations.push(m)
      started++
    }
    if (this.model.migrationModel !== 'cloudsim') {
      for (const b of this.allotBandwidth())
        shardOf(b.source).bandwidth.push({ vm: b.vm, bytesPerSecond: b.bytesPerSecond })
    }
    const outputs = await this.stepShards(inputs, time, events)
    this.absorb(outputs, events)
    this.spentBuffers = outputs.map(outputBuffers)
    this.stepIndex++
    const frameTime = this.stepIndex * dt
    let overloaded = 0
    if (this.consolidation) {
      const consolidate = this.stepIndex % Math.max(1, Math.round(this.model.underloadEvery / dt)) === 0
      const { decisions, overloaded: over } = this.consolidation.round(this.explain, consolidate)
      overloaded = over.length
      for (const d of decisions) this.decide(d, frameTime, events)
    }
    this.switchOffIdleHosts(frameTime, events)
    if (this.onEvent) for (const e of events.sort((a, b) => a.time - b.time)) this.onEvent(e)
    this.timing.stepsMs += performance.now() - stepStarted
    return this.frame(frameTime, started, overloaded)
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
      const lost = this.failHosts(failure.hostIds)
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

  /**
   * Hosts gone with their worker: failed for the rest of the run. The VMs running there are lost, and so
   * are the migrations out of them; migrations into them are aborted by their source shard (the VM stays
   * on the source in pre-copy, is lost in post-copy) and reported back as completions.
   */
  private failHosts(hostIds: Int32Array): number[] {
    const P = this.plan
    const dead = new Set(hostIds)
    const lost: number[] = []
    for (const [v, m] of [...this.inFlight].sort((a, b) => a[0] - b[0])) {
      if (dead.has(m.source)) {
        this.inFlight.delete(v)
        this.migrationLog.push({
          vm: v,
          source: m.source,
          target: m.target,
          start: m.start,
          end: this.time,
          location: 'lost',
        })
      } else if (dead.has(m.target)) this.pendingTargetFailed.push({ vm: v, source: m.source })
    }
    for (let v = 0; v < P.vmCount; v++) {
      const host = P.vmHost[v]!
      const target = P.vmTarget[v]!
      if (host >= 0 && dead.has(host)) {
        lost.push(v)
        P.drop(v)
      } else if (target >= 0 && dead.has(target) && !this.inFlight.has(v)) P.unmove(v, target)
    }
    this.queue = this.queue.filter((q) => P.vmHost[q.vm]! >= 0 && !dead.has(q.target))
    for (const h of hostIds) P.hostState[h] = HOST_STATE.failed
    this.pendingArrivals = this.pendingArrivals.filter((a) => !dead.has(a.host))
    return lost
  }

  /** The scenario's scheduled actions due at the start of this step. */
  /** Orders given since the last step (the app, a script): applied at the start of the next step. */
  order(action: LabAction): void {
    this.orders.push(action)
  }

  /** The scenario's scheduled actions due at the start of this step, then the orders given meanwhile. */
  private applyActions(time: number, events: LabEvent[]): void {
    const list = this.model.events
    while (this.nextEvent < list.length && list[this.nextEvent]!.at <= time) {
      const { at: _at, ...action } = list[this.nextEvent++]!
      // host failures are applied one step ahead (below)
      if (!('failHost' in action)) this.apply(action, time, events, 'scheduled')
    }
    // a host failing at t fails at the end of the step that ends at t: its VMs ran until then
    const end = time + this.model.interval
    while (this.nextFailureEvent < list.length && list[this.nextFailureEvent]!.at <= end) {
      const e = list[this.nextFailureEvent++]!
      if ('failHost' in e) this.failHost(e.failHost.host, end, events, 'scheduled')
    }
    const orders = this.orders
    this.orders = []
    for (const action of orders) this.apply(action, time, events, 'ordered')
  }

  private apply(action: LabAction, time: number, events: LabEvent[], by: 'scheduled' | 'ordered'): void {
    const P = this.plan
    const say = (kind: LabEvent['kind'], message: string, extra: Partial<LabEvent> = {}) =>
      events.push({ time, kind, message: `${by}: ${message}`, ...extra })
    if ('migrate' in action) {
      const { vm, to } = action.migrate
      const refuse = (why: string) =>
        say('warning', `migration of VM ${vm} to host ${to} refused: ${why}`, { vm, targetHost: to })
      if (P.vmHost[vm]! < 0) refuse('the VM is not running')
      else if (P.vmTarget[vm]! >= 0) refuse(`the VM is already moving to host ${P.vmTarget[vm]}`)
      else if (P.vmHost[vm] === to) refuse('the VM already runs there')
      else if (P.hostState[to] === HOST_STATE.failed) refuse('the host has failed')
      else if (!P.admits(to, vm))
        refuse(
          `admission: the host accepts ${(P.hostRam[to]! - P.hostRamUse[to]!).toFixed(0)} MB and ${P.hostVcpuLimit[to]! - P.hostVcpus[to]!} vCPUs more, the VM needs ${P.vmRam[vm]} MB and ${P.vmVcpus[vm]} vCPUs`,
        )
      else {
        const from = P.vmHost[vm]!
        P.move(vm, to)
        if (P.hostState[to] === HOST_STATE.off) {
          this.pendingPower.push({ host: to, on: true })
          P.hostState[to] = this.model.hostTypes[P.hostType[to]!]!.bootSeconds > 0 ? HOST_STATE.booting : HOST_STATE.on
        }
        this.queue.push({ vm, target: to, since: time })
        say('info', `migrate VM ${vm} from host ${from} to host ${to}`, { vm, host: from, targetHost: to })
      }
    } else if ('cancelMigration' in action) {
      const { vm } = action.cancelMigration
      const queued = this.queue.findIndex((q) => q.vm === vm)
      const flight = this.inFlight.get(vm)
      if (queued >= 0) {
        P.unmove(vm, this.queue[queued]!.target)
        this.queue.splice(queued, 1)
        say('info', `migration of VM ${vm} cancelled before it started`, { vm })
      } else if (flight) {
        this.pendingCancel.push({ vm, source: flight.source })
        say('info', `cancel the migration of VM ${vm}`, { vm })
      } else say('warning', `cancel: VM ${vm} is not migrating`, { vm })
    } else if ('failHost' in action) {
      this.failHost(action.failHost.host, time + this.model.interval, events, by)
    } else if ('repairHost' in action) {
      const h = action.repairHost.host
      if (P.hostState[h] !== HOST_STATE.failed) say('warning', `repair: host ${h} has not failed`, { host: h })
      else this.repairHost(h, time, events)
    } else if ('balloon' in action) {
      const { vm, target } = action.balloon
      if (P.vmHost[vm]! < 0) say('warning', `balloon: VM ${vm} is not running`, { vm })
      else if (!this.model.memoryManaged) say('warning', 'balloon: hosts do not manage memory in this scenario', { vm })
      else this.pendingBalloons.push({ vm, targetBytes: target })
    } else {
      // VM snapshots: carried out by the shard holding the VM
      const vm =
        'snapshot' in action ? action.snapshot.vm : 'revert' in action ? action.revert.vm : action.deleteSnapshot.vm
      if (P.vmHost[vm]! < 0) say('warning', `snapshot operation: VM ${vm} is not running`, { vm })
      else if (!this.model.memoryImages)
        say('warning', 'snapshot operation: VMs have no memory images in this scenario (set memory.images: true)', {
          vm,
        })
      else if ('snapshot' in action) this.pendingSnapshots.push({ vm, take: action.snapshot })
      else if ('revert' in action) this.pendingSnapshots.push({ vm, revert: action.revert.snapshot })
      else
        this.pendingSnapshots.push({
          vm,
          delete: { snapshot: action.deleteSnapshot.snapshot, children: action.deleteSnapshot.children },
        })
    }
  }

  /** Random failures due in this step, repairs due, and the restarts HA can make now. */
  private haStep(time: number, dt: number, events: LabEvent[]): void {
    for (const h of this.ha.randomFailures(time + dt)) this.failHost(h, time + dt, events, 'random')
    for (const h of this.ha.repairsDue(time)) this.repairHost(h, time, events)
    const P = this.plan
    // VMs whose failure is detected during this step restart now, paused until detection + boot
    for (const w of this.ha.ready(time + dt)) {
      const h = this.restartHost(w.vm)
      if (h < 0) {
        if (!this.haStuck.has(w.vm)) {
          this.haStuck.add(w.vm)
          events.push({
            time,
            kind: 'warning',
            vm: w.vm,
            message: `HA cannot restart VM ${w.vm} yet: no host admits it (RAM ${P.vmRam[w.vm]} MB, ${P.vmVcpus[w.vm]} vCPUs); it waits for capacity`,
          })
        }
        continue
      }
      this.haStuck.delete(w.vm)
      P.place(w.vm, h)
      // a host switched on for the restart has to boot first
      const hostBoot = P.hostState[h] === HOST_STATE.on ? 0 : this.model.hostTypes[P.hostType[h]!]!.bootSeconds
      if (P.hostState[h] === HOST_STATE.off) {
        this.pendingPower.push({ host: h, on: true })
        P.hostState[h] = hostBoot > 0 ? HOST_STATE.booting : HOST_STATE.on
      }
      const from = Math.max(time, w.readyAt) + hostBoot
      const { bootSeconds, lostWork } = this.ha.restarted(w, from)
      const pause = from - time + bootSeconds
      this.pendingArrivals.push({ ...w.transfer, host: h, pauseLeft: (w.transfer.pauseLeft ?? 0) + pause })
      events.push({
        time,
        kind: 'ha-restart',
        vm: w.vm,
        host: h,
        message: w.protected
          ? `HA: VM ${w.vm} resumes on host ${h} from its last checkpoint (failover ${bootSeconds} s; lost ${lostWork.toFixed(2)} s of uncommitted work; running ${(from + bootSeconds - w.failedAt).toFixed(0)} s after its host failed)`
          : `HA: VM ${w.vm} cold-boots on host ${h} (${bootSeconds} s); its memory state of ${lostWork.toFixed(0)} s is lost; running ${(from + bootSeconds - w.failedAt).toFixed(0)} s after its host failed`,
      })
    }
  }

  /** Where HA restarts a VM: the powered-on host with the most free RAM that admits it, else an off one. */
  private restartHost(v: number): number {
    const P = this.plan
    let best = -1
    let bestFree = -Infinity
    for (let h = 0; h < P.hostCount; h++) {
      const state = P.hostState[h]
      if ((state !== HOST_STATE.on && state !== HOST_STATE.booting) || !P.admits(h, v)) continue
      const free = (P.hostRam[h]! - P.hostRamUse[h]!) / P.hostRam[h]!
      if (free > bestFree) {
        best = h
        bestFree = free
      }
    }
    if (best >= 0) return best
    for (let h = 0; h < P.hostCount; h++) if (P.hostState[h] === HOST_STATE.off && P.admits(h, v)) return h
    return -1
  }

  /**
   * Host h fails at the end of this step (`end`): its shard stops its VMs then and hands their state over
   * for HA; the plan learns of it in absorb().
   */
  private failHost(h: number, end: number, events: LabEvent[], by: 'scheduled' | 'ordered' | 'random'): void {
    const P = this.plan
    if (P.hostState[h] === HOST_STATE.failed || this.pendingFailHosts.includes(h)) {
      events.push({ time: end, kind: 'warning', host: h, message: `${by}: host ${h} has already failed` })
      return
    }
    this.pendingFailHosts.push(h)
    this.failing.push(h)
    const running = P.members[h]!.filter((v) => P.vmHost[v] === h).length
    events.push({
      time: end,
      kind: 'host-failed',
      host: h,
      message: `${by === 'random' ? 'random failure (MTBF)' : by}: host ${h} failed with ${running} VMs; HA restarts them after ${this.model.ha.detection} s of detection`,
    })
  }

  /** After the step in which hosts failed: the plan without them, migrations into them aborted. */
  private hostsFailed(_end: number): void {
    const P = this.plan
    for (const h of this.failing) {
      P.hostState[h] = HOST_STATE.failed
      for (const [v, m] of [...this.inFlight].sort((a, b) => a[0] - b[0]))
        if (m.target === h) this.pendingTargetFailed.push({ vm: v, source: m.source })
      for (const q of this.queue) if (q.target === h) P.unmove(q.vm, h)
      this.queue = this.queue.filter((q) => q.target !== h)
      this.pendingPower = this.pendingPower.filter((p) => p.host !== h)
    }
    this.failing = []
  }

  private repairHost(h: number, time: number, events: LabEvent[]): void {
    this.plan.hostState[h] = HOST_STATE.off
    this.pendingRepairs.push(h)
    this.ha.hostRepaired(h, time)
    events.push({
      time,
      kind: 'host-failed',
      host: h,
      message: `host ${h} repaired: back in the cluster (switched off)`,
    })
  }

  /** Queued migrations whose hosts have a free slot and whose target is on; oldest first. */
  private startableMigrations(time: number): MigrationOrder[] {
    const P = this.plan
    const limit = this.model.migration.maxConcurrentPerHost
    const busy = this.migrationsAtHost
    busy.fill(0)
    for (const m of this.inFlight.values()) {
      busy[m.source]!++
      busy[m.target]!++
    }
    const orders: MigrationOrder[] = []
    const remaining: typeof this.queue = []
    for (const q of this.queue) {
      const source = P.vmHost[q.vm]!
      // the VM stopped before its move could start (its host failed, the OOM killer): the plan dropped it
      if (source < 0 || P.vmTarget[q.vm] !== q.target) continue
      if (P.hostState[q.target] !== HOST_STATE.on || busy[source]! >= limit || busy[q.target]! >= limit) {
        remaining.push(q)
        continue
      }
      busy[source]!++
      busy[q.target]!++
      this.inFlight.set(q.vm, { source, target: q.target, start: time })
      this.migrationCount++
      orders.push({ vm: q.vm, source, target: q.target })
    }
    this.queue = remaining
    return orders
  }

  /**
   * NIC bandwidth for the live migrations of the coming step: max-min fair over both ends' NICs, each
   * migration asking for what it reported last (max-bandwidth when it has not reported yet).
   */
  private allotBandwidth(): { vm: number; source: number; bytesPerSecond: number }[] {
    const vms = [...this.inFlight.keys()].sort((a, b) => a - b)
    const maxBandwidth = this.model.migration.maxBandwidth
    const flows: Flow[] = vms.map((v) => {
      const m = this.inFlight.get(v)!
      const asked = this.bandwidthDemand.get(v) ?? 0
      return { source: m.source, target: m.target, demand: asked > 0 ? asked : maxBandwidth }
    })
    // kbit/s → bytes/s
    const rates = shareLinks(flows, (h) => this.plan.bwKbps[h]! * 125)
    return vms.map((vm, i) => ({ vm, source: flows[i]!.source, bytesPerSecond: rates[i]! }))
  }

  private absorb(outputs: StepOutput[], events: LabEvent[]): void {
    // hosts failing at the end of this step: HA's records first, their VMs come in the outputs
    for (const h of this.failing) this.ha.hostFailed(h, this.time + this.model.interval)
    const P = this.plan
    // the shards' rows are in the id-indexed step tables (stepShards): reduced here in id order
    const c = this.columns
    // summed in VM id order, whatever shard each VM ran on
    if (this.protectedVms) {
      const protection = c.vmProtection
      for (let v = 0; v < protection.length; v++) this.ha.protectionOverheadCpuSeconds += protection[v]!
    }
    this.sumHosts()
    // shard events by host (in each host's own order), then the lost and failed VMs by id
    events.push(...byHost(outputs.flatMap((o) => o.events)))
    const completions = outputs.flatMap((o) => o.completions).sort((a, b) => a.vm - b.vm)
    for (const c of completions) {
      const flight = this.inFlight.get(c.vm)
      this.inFlight.delete(c.vm)
      this.migrationLog.push({
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
    {
      for (const f of outputs.flatMap((o) => o.failed).sort((a, b) => a.transfer.vm - b.transfer.vm)) {
        const v = f.transfer.vm
        const flight = this.inFlight.get(v)
        if (flight) {
          this.inFlight.delete(v)
          this.migrationLog.push({
            vm: v,
            source: flight.source,
            target: flight.target,
            start: flight.start,
            end: this.time,
            location: 'lost',
          })
        }
        P.drop(v)
        this.ha.vmFailed(f.transfer, f.host, this.time + this.model.interval)
      }
      for (const l of outputs.flatMap((o) => o.lost).sort((a, b) => a.vm - b.vm)) {
        const flight = this.inFlight.get(l.vm)
        if (flight) {
          this.inFlight.delete(l.vm)
          this.migrationLog.push({
            vm: l.vm,
            source: flight.source,
            target: flight.target,
            start: flight.start,
            end: this.time + this.model.interval,
            location: 'lost',
          })
        }
        P.drop(l.vm)
        this.vmsKilled++
      }
    }
    if (this.memoryAccount && this.hostMemory)
      this.memoryAccount.absorb(this.time + this.model.interval, this.hostMemory)
    this.bandwidthDemand = new Map()
    for (const d of byVm(outputs.flatMap((o) => o.bandwidthDemands))) this.bandwidthDemand.set(d.vm, d.bytesPerSecond)
    for (const l of byVm(outputs.flatMap((o) => o.snapshotLists))) this.snapshotLists.set(l.vm, l.snapshots)
    this.inFlightInfo.clear()
    for (const p of byVm(outputs.flatMap((o) => o.migrationProgress))) this.inFlightInfo.set(p.vm, p.info)
    this.pendingArrivals = outputs.flatMap((o) => o.departures).sort((a, b) => a.vm - b.vm)
    if (this.failing.length) {
      const end = this.time + this.model.interval
      const dead = new Set(this.failing)
      this.hostsFailed(end)
      // VMs that finished moving onto a host that has just failed went down with it
      for (const a of this.pendingArrivals.filter((x) => dead.has(x.host))) {
        P.drop(a.vm)
        this.ha.vmFailed(a, a.host, end)
      }
      this.pendingArrivals = this.pendingArrivals.filter((a) => !dead.has(a.host))
    }
    P.recordStep()
  }

  /**
   * One pass in host order for the energy, the SLA accounts and the frame's sums. (A function of its own:
   * V8 optimizes this long loop on its own, and cold code after it in the same function would leave that
   * optimized code again on every call.)
   */
  private sumHosts(): void {
    const dt = this.model.interval
    const { hostStepSla: stepSla, hostStepActive: stepActive, hostPowerW: powerW, hostUtil: util } = this.columns
    const { hostSla, hostActive } = this
    const capacity = this.plan.capacity
    let energy = 0
    let stepSlaSeconds = 0
    let stepActiveSeconds = 0
    let slaSeconds = 0
    let activeSeconds = 0
    let power = 0
    let usedMips = 0
    let activeHosts = 0
    for (let h = 0; h < hostSla.length; h++) {
      energy += powerW[h]! * dt
      hostSla[h] = hostSla[h]! + stepSla[h]!
      hostActive[h] = hostActive[h]! + stepActive[h]!
      stepSlaSeconds += stepSla[h]!
      stepActiveSeconds += stepActive[h]!
      slaSeconds += hostSla[h]!
      activeSeconds += hostActive[h]!
      power += powerW[h]!
      usedMips += util[h]! * capacity[h]!
      // active in the last interval (a host switched off at its end still counts: it ran)
      if (util[h]! > 0) activeHosts++
    }
    this.energyJ += energy
    this.stepSlaSeconds = stepSlaSeconds
    this.stepActiveSeconds = stepActiveSeconds
    const f = this.hostTotals
    f.slaSeconds = slaSeconds
    f.activeSeconds = activeSeconds
    f.powerW = power
    f.usedMips = usedMips
    f.activeHosts = activeHosts
  }

  private decide(d: LabDecision, time: number, events: LabEvent[]): void {
    if (d.powerOn) this.pendingPower.push({ host: d.to, on: true })
    this.queue.push({ vm: d.vm, target: d.to, since: time })
    // the explanations, only when someone reads them (hundreds of decisions a step on 10,000 hosts)
    if (!this.onEvent) return
    if (d.powerOn)
      events.push({ time, kind: 'host-on', host: d.to, message: `host ${d.to} switched on to receive VM ${d.vm}` })
    if (d.verdict && d.reason === 'overload' && !events.some((e) => e.kind === 'overload' && e.host === d.from)) {
      const v = d.verdict
      const rule =
        v.rule === 'thr-fallback'
          ? `THR 0.7 fallback (too little history): utilization ${pct(v.value)} > 70 %`
          : v.rule === 'lr' || v.rule === 'lrr'
            ? `${DETECTORS[v.rule].label}: predicted utilization × safety = ${v.value.toFixed(3)} ≥ 1`
            : `${DETECTORS[v.rule].label}: utilization ${pct(v.value)} > threshold ${pct(v.threshold)}`
      events.push({ time, kind: 'overload', host: d.from, message: `host ${d.from} over-loaded — ${rule}` })
    }
    const why =
      d.reason === 'overload'
        ? `relieves over-loaded host ${d.from}`
        : `empties under-utilized host ${d.from} (${pct(d.sourceUtilization)} planned)`
    events.push({
      time,
      kind: 'migration-start',
      vm: d.vm,
      host: d.from,
      targetHost: d.to,
      message: `VM ${d.vm} → host ${d.to}: ${why}; power-aware best fit (+${d.powerIncreaseW.toFixed(2)} W, to ${pct(d.targetUtilizationAfter)} CPU)`,
    })
  }

  /** Hosts left with nothing to run and nothing coming are switched off. */
  private switchOffIdleHosts(time: number, events: LabEvent[]): void {
    const P = this.plan
    const running = P.runningAt
    this.vmsRunning = P.vmsRunning
    const reserve = this.failoverReserve()
    for (let h = 0; h < P.hostCount; h++) {
      if (P.hostState[h] !== HOST_STATE.on || running[h]! > 0 || P.members[h]!.length > 0) continue
      if (reserve && reserve.spare - P.hostRam[h]! < reserve.need) continue // kept on as failover capacity
      if (reserve) reserve.spare -= P.hostRam[h]!
      P.hostState[h] = HOST_STATE.off
      this.pendingPower.push({ host: h, on: false })
      this.shutdowns++
      events.push({ time, kind: 'host-off', host: h, message: `host ${h} idle: switched off` })
    }
  }

  /**
   * HA admission control (N host failures tolerated): the RAM the N most loaded powered-on hosts hold must
   * fit in the spare RAM of the others. Undefined when no reserve is asked for.
   */
  private failoverReserve(): { spare: number; need: number } | undefined {
    const n = this.model.ha.reserveHosts
    if (n === 0) return undefined
    const P = this.plan
    const on: number[] = []
    for (let h = 0; h < P.hostCount; h++)
      if (P.hostState[h] === HOST_STATE.on || P.hostState[h] === HOST_STATE.booting) on.push(h)
    on.sort((a, b) => P.hostRamUse[b]! - P.hostRamUse[a]! || a - b)
    let need = 0
    let spare = 0
    // the hosts that would fail are the most loaded; only the others' spare RAM can take their VMs
    on.forEach((h, i) => {
      if (i < n) need += P.hostRamUse[h]!
      else spare += P.hostRam[h]! - P.hostRamUse[h]!
    })
    return { spare, need }
  }

  /** The step's frame, from the sums absorb and switchOffIdleHosts made in their passes. */
  private frame(time: number, started: number, overloaded: number): LabFrame {
    const f = this.hostTotals
    return {
      time,
      step: this.stepIndex,
      energyKWh: this.energyJ / 3.6e6,
      powerW: f.powerW,
      activeHosts: f.activeHosts,
      cpuUtilization: f.usedMips / this.totalMips,
      migrations: this.migrationCount,
      migrationsStarted: started,
      overloadedHosts: overloaded,
      vmsRunning: this.vmsRunning,
      slatah: f.activeSeconds > 0 ? f.slaSeconds / f.activeSeconds : 0,
      slaViolationShare: this.stepActiveSeconds > 0 ? this.stepSlaSeconds / this.stepActiveSeconds : 0,
    }
  }

  private slaSoFar(): { violation: number; active: number } {
    let violation = 0
    let active = 0
    for (let h = 0; h < this.model.hostCount; h++) {
      violation += this.hostSla[h]!
      active += this.hostActive[h]!
    }
    return { violation, active }
  }

  /** Whether the scenario can see host failures or protects VMs (then the report has an `ha` section). */
  private haInPlay(): boolean {
    const m = this.model
    return (
      m.ha.mtbf !== undefined ||
      m.events.some((e) => 'failHost' in e) ||
      m.groups.some((g) => g.protection !== undefined) ||
      this.ha.report().hostFailures > 0
    )
  }

  stateHash(): string {
    const P = this.plan
    P.syncHistories()
    return new StateHasher()
      .number(this.energyJ)
      .number(this.migrationCount)
      .number(this.stepIndex)
      .bytes(P.vmHost)
      .bytes(P.vmTarget)
      .bytes(P.vmDemand)
      .bytes(P.hist)
      .bytes(P.hostState)
      .bytes(this.hostSla)
      .bytes(this.vmRequested)
      .bytes(this.vmGranted)
      .hex()
  }

  summary(): LabSummary {
    const sla = this.slaSoFar()
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
    const energyKWh = this.energyJ / 3.6e6
    return {
      mode: 'lab',
      policy: this.model.policy.name,
      seed: this.model.seed,
      hosts: this.model.hostCount,
      vms: this.model.vmCount,
      simulatedSeconds: this.time,
      energyKWh,
      migrations: this.migrationCount,
      slatah,
      pdm,
      slav: slatah * pdm,
      esv: energyKWh * slatah * pdm,
      overallSla: requested > 0 ? (requested - granted) / requested : 0,
      averageSla: 0,
      hostShutdowns: this.shutdowns,
      stateHash: this.stateHash(),
      shards: this.shards.length,
      migrationModel: this.model.migrationModel,
      migrationStats: migrationStats(this.migrationLog),
      migrationsDetail: this.migrationLog,
      vmsKilled: this.vmsKilled,
      memory: this.memoryAccount?.report(),
      ha: this.haInPlay() ? this.ha.report() : undefined,
    }
  }
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)} %`
}
