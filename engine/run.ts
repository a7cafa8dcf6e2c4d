// Running a cluster model to its end and producing the report. The simulation follows the scenario's
// mode — cloudsim: CloudSim's event loop on this thread; lab: the lab model's coordinator with host
// shards — and every report says which model ran. `cloudSimReport` and `labReport` are the one place
// that turns a simulation into a RunReport: the CLI (runToEnd) and the app's LabSession both use them.
import type { ClusterModel } from './model/cluster-model'
import { CloudSimSimulation, type CloudSimFrame, type CloudSimSummary } from './cloudsim/simulation'
import { LabSimulation, type LabFrame, type LabSummary, type LabTiming } from './lab/simulation'
import { inProcessShards, type ShardFactory } from './lab/shards'
import type { LabState } from './lab/lab-state'
import { workloadBinding, type RunReport, type WorkloadBinding } from './report'
import type { LabEvent } from './vocabulary'
import type { PlacementRow } from './lab/placement-log'

export type Frame = CloudSimFrame | LabFrame

export interface RunOptions {
  /** every step's frame (cloudsim mode: and the closing frame at the scenario's end); a promise it returns
   * is awaited (the CLI lets its event loop run: signals, output) */
  onFrame?: (frame: Frame) => void | Promise<void>
  /**
   * every step's simulated time (and the scenario's end when a closing frame is given), after onFrame; for a
   * caller that needs only the clock: without onFrame a cloudsim run computes no frame at all
   */
  onStep?: (time: number) => void | Promise<void>
  /** stop after the step at or past this simulated time (seconds); the report then covers [0, until] */
  untilSeconds?: number
  /** lab mode: number of host shards (default 1) and how to start them (default: in this thread) */
  shards?: number
  shardFactory?: ShardFactory
  /** every event of the run as it happens (lab: migrations, power, warnings; cloudsim: migrations, VM removals) */
  onEvent?: (event: LabEvent) => void
  /** A monotonic clock in milliseconds (performance.now by default). */
  clock?: () => number
  /** lab mode: continue from this checkpoint instead of starting at t = 0 */
  resume?: LabState
  /** lab mode: take a whole-lab checkpoint every this many simulated seconds (and hand it to onCheckpoint) */
  checkpointEvery?: number
  onCheckpoint?: (state: LabState, time: number) => void | Promise<void>
  /** lab mode: filled at the end with where the run's time went (coordinator, shards, waiting) */
  timing?: LabTiming
  /**
   * Every placement change, in time order (both modes): each VM's start at t = 0, migrations completed, and
   * in lab mode HA restarts and VMs stopped (host failure, lost migration) or killed (out of memory); in
   * cloudsim mode VMs CloudSim destroyed (stopped). Not called for a run resumed from a checkpoint's starts.
   */
  onPlacement?: (row: PlacementRow) => void
}

/** Hosts with utilization above zero now: what a cloudsim frame counts as active. */
export function cloudSimActiveHosts(sim: CloudSimSimulation): number {
  let active = 0
  for (let h = 0; h < sim.hosts.hostCount; h++) if (sim.hosts.utilization(h) > 0) active++
  return active
}

/** Hosts that ran something in the last step: what a lab frame counts as active. */
export function labActiveHosts(sim: LabSimulation): number {
  let active = 0
  for (let h = 0; h < sim.hostUtil.length; h++) if (sim.hostUtil[h]! > 0) active++
  return active
}

/** The keys every report starts with, in the order `--json` prints them (both modes' summaries have them). */
function reportHead(model: ClusterModel, s: CloudSimSummary | LabSummary) {
  return {
    scenario: model.name,
    mode: s.mode,
    policy: s.policy,
    seed: s.seed,
    hosts: s.hosts,
    vms: s.vms,
    simulatedSeconds: s.simulatedSeconds,
    energyKWh: s.energyKWh,
    migrations: s.migrations,
    slatah: s.slatah,
    pdm: s.pdm,
    slav: s.slav,
    esv: s.esv,
    hostShutdowns: s.hostShutdowns,
    stateHash: s.stateHash,
  }
}

/** The report of a cloudsim run as it stands (complete once `sim.done`). */
export function cloudSimReport(
  model: ClusterModel,
  sim: CloudSimSimulation,
  wallMs: number,
  binding: WorkloadBinding = workloadBinding(model),
): RunReport {
  const s = sim.summary()
  return {
    ...reportHead(model, s),
    simulatedSeconds: sim.done ? s.simulatedSeconds : sim.time,
    wallMs,
    overallSla: s.overallSla,
    averageSla: s.averageSla,
    activeHosts: cloudSimActiveHosts(sim),
    vmsRemovedForZeroDemand: s.vmsRemovedForZeroDemand,
    workload: binding,
    migrationModel: 'cloudsim',
  }
}

/** The report of a lab run as it stands (complete once `sim.done`). */
export function labReport(
  model: ClusterModel,
  sim: LabSimulation,
  wallMs: number,
  binding: WorkloadBinding = workloadBinding(model),
): RunReport {
  const s = sim.summary()
  return {
    ...reportHead(model, s),
    wallMs,
    overallSla: s.overallSla,
    averageSla: s.averageSla,
    activeHosts: labActiveHosts(sim),
    workload: binding,
    shards: s.shards,
    migrationModel: s.migrationModel,
    migrationStats: s.migrationStats,
    migrationsDetail: s.migrationsDetail,
    vmsKilled: s.vmsKilled,
    slaCauses: s.slaCauses,
    ...(s.memory ? { memory: s.memory } : {}),
    ...(s.ha ? { ha: s.ha } : {}),
    rules: s.rules,
    maintenance: s.maintenance,
    orders: s.orders,
    recommendations: s.recommendations,
    loadStdDev: s.loadStdDev,
  }
}

export async function runToEnd(model: ClusterModel, options: RunOptions = {}): Promise<RunReport> {
  const clock = options.clock ?? (() => performance.now())
  const started = clock()
  const binding = workloadBinding(model)
  const stop = (time: number) => options.untilSeconds !== undefined && time >= options.untilSeconds
  /** onFrame, then onStep; a promise only when one of them returned one (most steps wait for nothing) */
  const stepped = (time: number, frame: Frame | undefined): void | Promise<void> => {
    const waiting = frame && options.onFrame?.(frame)
    // callers' arrow functions may return anything truthy (an array's push): Promise.resolve takes it
    if (waiting) return Promise.resolve(waiting).then(() => options.onStep?.(time))
    return options.onStep?.(time)
  }
  if (model.mode === 'cloudsim') {
    const sim = new CloudSimSimulation(model)
    const placed = options.onPlacement
    // the placement log reads CloudSim's migration ends and VM removals from its events, beside the caller's
    sim.onEvent = placed
      ? (e) => {
          options.onEvent?.(e)
          if (e.kind === 'migration-end' && e.vm !== undefined && e.targetHost !== undefined)
            placed({ time: e.time, vm: e.vm, host: e.targetHost, event: 'migrated' })
          else if (e.kind === 'vm-removed' && e.vm !== undefined && e.host !== undefined)
            placed({ time: e.time, vm: e.vm, host: e.host, event: 'stopped' })
        }
      : options.onEvent
    if (placed) {
      const table = sim.hosts.vmTable
      for (let v = 0; v < table.length; v++)
        if (table[v]! >= 0) placed({ time: 0, vm: v, host: table[v]!, event: 'start' })
    }
    const frames = options.onFrame !== undefined
    while (sim.advance()) {
      const waiting = stepped(sim.time, frames ? sim.stepFrame() : undefined)
      if (waiting) await waiting
      if (stop(sim.time)) break
    }
    const closing = sim.closingFrame()
    if (closing) await stepped(closing.time, closing)
    return cloudSimReport(model, sim, clock() - started, binding)
  }
  const shards = options.shards ?? 1
  const factory = options.shardFactory ?? inProcessShards
  const sim = options.resume
    ? await LabSimulation.restore(model, options.resume, shards, factory)
    : await LabSimulation.create(model, shards, factory)
  sim.onEvent = options.onEvent
  sim.onPlacement(options.onPlacement)
  const every = options.checkpointEvery
  if (every !== undefined && !(every > 0 && every % model.interval === 0))
    throw new Error(`checkpoints: expected a multiple of the interval (${model.interval} s), found ${every} s`)
  try {
    for (let f = await sim.step(); f; f = await sim.step()) {
      const waiting = stepped(f.time, f)
      if (waiting) await waiting
      if (every && options.onCheckpoint && f.time % every === 0)
        await options.onCheckpoint(await sim.checkpoint(), f.time)
      if (stop(f.time)) break
    }
    if (options.timing) Object.assign(options.timing, sim.timing)
    return labReport(model, sim, clock() - started, binding)
  } finally {
    await sim.close()
  }
}
