// What a whole-lab checkpoint holds (LabSimulation.checkpoint / restore), and the orders a running lab
// takes: a scheduled event's action, given now.
import type { ScenarioEvent } from '../scenario/schema'
import type { MigrationInfo } from '../migration'
import type { LabPlanState } from './plan'
import type { MigrationRecord } from './migration-log'
import type { MemoryAccountState } from './memory-report'
import type { HaState } from './ha'
import type { ShardSnapshot, VmTransfer } from './protocol'
import type { SnapshotOrder } from './vm-snapshots'
import type { RuleAccount } from './rule-book'
import type { HostModesState } from './host-modes'
import type { SnapshotInfo } from '../checkpoint/snapshot-tree'
import type { AutomationLevel } from '../scenario/schema'
import type { RecommendationBookState } from './recommendations'
import type { PassBatch } from './pass-state'

/** An order to the lab: a scheduled event's action, given now (applied at the start of the next step). */
export type LabOrder = ScenarioEvent extends infer E ? (E extends { at: number } ? Omit<E, 'at'> : never) : never

/**
 * The operator's actions on hosts, VMs, rules and recommendations: maintenance, standby, pin, add or remove a
 * rule, approve or dismiss recommendations, change the automation level.
 */
export type OperatorAction = Extract<
  LabOrder,
  | { maintenance: unknown }
  | { standby: unknown }
  | { pin: unknown }
  | { addRule: unknown }
  | { removeRule: unknown }
  | RecommendationAction
>

/** The orders about recommendations and automation (applied first in a step: docs/policies.md). */
export type RecommendationAction = Extract<
  LabOrder,
  { approve: unknown } | { approveAll: unknown } | { dismiss: unknown } | { automation: unknown }
>

/** The orders that are not operator actions: migrations, balloons, snapshots, failures and repairs. */
export type LabAction = Exclude<LabOrder, OperatorAction>

/** An order given during a run (LabSimulation.order), with the simulated time it was applied at. */
export interface LoggedOrder {
  /** simulated seconds: the start of the step it was applied in */
  time: number
  action: LabOrder
}

/**
 * What a checkpoint keeps of the operator's side: the rules' accounts (those still in force go back into the
 * plan), maintenance and standby requests, and the log of the orders given during the run.
 */
export interface OperatorState {
  rules: RuleAccount[]
  modes: HostModesState
  orderLog: LoggedOrder[]
}

/** A whole-lab checkpoint's content (LabSimulation.checkpoint / restore). */
export interface LabState {
  format: 'conlab.lab-state'
  version: 1
  hosts: number
  vms: number
  stepIndex: number
  finished: boolean
  plan: LabPlanState
  /** the VM-selection stream of the policy (RS) */
  selection: number[]
  /** every host and VM, from all shards */
  cluster: ShardSnapshot
  totals: {
    energyJ: number
    migrationCount: number
    shutdowns: number
    vmsKilled: number
    nextEvent: number
    nextFailureEvent: number
  }
  accounts: {
    hostSla: Float64Array
    hostActive: Float64Array
    vmRequested: Float64Array
    vmGranted: Float64Array
    vmMigrationLoss: Float64Array
    hostUtil: Float64Array
    hostPowerW: Float64Array
    hostRamMB: Float64Array
    vmGrantedNow: Float64Array
    vmStealMips: Float64Array
    vmRanOn?: Int32Array
    hostMemory?: Float64Array
    /** SLA-violation seconds and MIPS × seconds lost so far, by cause (shard-sla.ts SLA_CAUSES) */
    slaByCause?: Float64Array
    lostByCause?: Float64Array
    /** Σ shortfall share and count of VM-steps short beyond the tolerance (averageSla) */
    shortSteps?: Float64Array
  }
  pending: {
    queue: { vm: number; target: number; since: number }[]
    arrivals: VmTransfer[]
    power: { host: number; on: boolean }[]
    cancel: { vm: number; source: number }[]
    targetFailed: { vm: number; source: number }[]
    balloons: { vm: number; targetBytes: number | 'auto' }[]
    snapshots: SnapshotOrder[]
    orders: LabOrder[]
    inFlight: { vm: number; source: number; target: number; start: number }[]
    bandwidthDemand: { vm: number; bytesPerSecond: number }[]
  }
  migrationLog: MigrationRecord[]
  /** query-migrate of the live migrations in flight, as the views last saw them */
  inFlightInfo: { vm: number; info: MigrationInfo }[]
  memory?: MemoryAccountState
  /**
   * every VM's snapshot list as the views show it, in VM id order: also of the VMs between shards (in
   * `pending.arrivals`), waiting for HA, or ended by the OOM killer, whose trees no shard holds (absent in
   * checkpoints written before it was kept: the lists of the VMs on the shards are rebuilt from their trees)
   */
  snapshotLists?: { vm: number; snapshots: SnapshotInfo[] }[]
  ha: HaState & { failHosts: number[]; failing: number[]; repairs: number[]; stuck: number[] }
  /**
   * The operator's side (absent in checkpoints from before it existed: no rules beyond the scenario's, no
   * orders logged, no host modes): the rules in force, the order log, maintenance and standby requests and
   * rule accounts.
   */
  operator?: OperatorState
  /**
   * Recommendations (absent in checkpoints from before them: full automation, none made): the automation level
   * as orders left it, every recommendation waiting or recently resolved with the counts, and the last step's
   * waiting pass with the state it was made on (approving all of it replays it).
   */
  recommendations?: { automation: AutomationLevel; book: RecommendationBookState; batch?: PassBatch }
}
