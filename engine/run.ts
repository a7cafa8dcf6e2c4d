// Running a cluster model to its end and producing the report. The simulation follows the scenario's
// mode — cloudsim: CloudSim's event loop on this thread; lab: the lab model's coordinator with host
// shards — and every report says which model ran.
import type { ClusterModel } from './model/cluster-model'
import { CloudSimSimulation, type CloudSimFrame } from './cloudsim/simulation'
import { LabSimulation, inProcessShards, type LabFrame, type ShardFactory } from './lab/simulation'
import { workloadBinding, type RunReport } from './report'
import type { LabEvent } from './api/lab-api'

export type Frame = CloudSimFrame | LabFrame

export interface RunOptions {
  onFrame?: (frame: Frame) => void
  /** stop after the step at or past this simulated time (seconds); the report then covers [0, until] */
  untilSeconds?: number
  /** lab mode: number of host shards (default 1) and how to start them (default: in this thread) */
  shards?: number
  shardFactory?: ShardFactory
  /** lab mode: every event of the run (migrations, power, warnings), as it happens */
  onEvent?: (event: LabEvent) => void
  /** A monotonic clock in milliseconds (performance.now by default). */
  clock?: () => number
}

export async function runToEnd(model: ClusterModel, options: RunOptions = {}): Promise<RunReport> {
  const clock = options.clock ?? (() => performance.now())
  const started = clock()
  const binding = workloadBinding(model)
  const stop = (f: Frame) => options.untilSeconds !== undefined && f.time >= options.untilSeconds
  if (model.mode === 'cloudsim') {
    const sim = new CloudSimSimulation(model)
    for (let f = sim.step(); f; f = sim.step()) {
      options.onFrame?.(f)
      if (stop(f)) break
    }
    const s = sim.summary()
    return {
      scenario: model.name,
      mode: s.mode,
      policy: s.policy,
      seed: s.seed,
      hosts: s.hosts,
      vms: s.vms,
      simulatedSeconds: sim.done ? s.simulatedSeconds : sim.time,
      energyKWh: s.energyKWh,
      migrations: s.migrations,
      slatah: s.slatah,
      pdm: s.pdm,
      slav: s.slav,
      esv: s.esv,
      hostShutdowns: s.hostShutdowns,
      stateHash: s.stateHash,
      wallMs: clock() - started,
      overallSla: s.overallSla,
      averageSla: s.averageSla,
      vmsRemovedForZeroDemand: s.vmsRemovedForZeroDemand,
      workload: binding,
      migrationModel: 'cloudsim',
    }
  }
  const sim = await LabSimulation.create(model, options.shards ?? 1, options.shardFactory ?? inProcessShards)
  sim.onEvent = options.onEvent
  try {
    for (let f = await sim.step(); f; f = await sim.step()) {
      options.onFrame?.(f)
      if (stop(f)) break
    }
    const s = sim.summary()
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
      wallMs: clock() - started,
      overallSla: s.overallSla,
      averageSla: s.averageSla,
      workload: binding,
      shards: s.shards,
      migrationModel: s.migrationModel,
      migrationStats: s.migrationStats,
      migrationsDetail: s.migrationsDetail,
    }
  } finally {
    await sim.close()
  }
}
