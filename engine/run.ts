// Running a cluster model to its end and producing the report. The simulation kind follows the
// scenario's mode; every report says which model ran.
import type { ClusterModel } from './model/cluster-model'
import { CloudSimSimulation, type CloudSimFrame } from './cloudsim/simulation'
import { workloadBinding, type RunReport } from './report'

export type Frame = CloudSimFrame

export interface Simulation {
  readonly model: ClusterModel
  readonly done: boolean
  /** Simulated seconds processed so far. */
  readonly time: number
  /** Advances one scheduling interval; undefined once the run is over. */
  step(): Frame | undefined
  stateHash(): string
}

export function createSimulation(model: ClusterModel): CloudSimSimulation {
  if (model.mode === 'cloudsim') return new CloudSimSimulation(model)
  throw new Error('lab mode is not available in this build')
}

export interface RunOptions {
  onFrame?: (frame: Frame) => void
  /** stop after the step at or past this simulated time (seconds); the report then covers [0, until] */
  untilSeconds?: number
  /** A monotonic clock in milliseconds (performance.now by default). */
  clock?: () => number
}

export function runToEnd(model: ClusterModel, options: RunOptions = {}): RunReport {
  const clock = options.clock ?? (() => performance.now())
  const started = clock()
  const sim = createSimulation(model)
  for (let f = sim.step(); f; f = sim.step()) {
    options.onFrame?.(f)
    if (options.untilSeconds !== undefined && f.time >= options.untilSeconds) break
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
    workload: workloadBinding(model),
  }
}
