// What a lab run reports at its end (or so far), and the hash that identifies its state bit for bit.
import type { ClusterModel } from '../model/cluster-model'
import type { SlaCauses } from './lab-accounts'
import { StateHasher } from '../hash'
import type { HaReport } from './ha'
import type { MemoryReport } from './memory-report'
import type { MigrationRecord, MigrationStats } from './migration-log'
import type { LabPlan } from './plan'
import type { RulesReport } from './rule-book'
import type { ModeRequest } from './host-modes'
import type { LoggedOrder } from './lab-state'
import type { RecommendationReport } from './recommendations'

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
  /** the SLA shortfall's tolerance, and what caused the violations (engine/lab/shard-sla.ts) */
  slaCauses: SlaCauses
  /** hosts managing memory: KSM and balloon savings, swap and its cost, over time */
  memory?: MemoryReport
  /** host failures and HA restarts (when the scenario has failures or protected VMs) */
  ha?: HaReport
  /** the placement rules: violations measured on where VMs ran, in total and per rule */
  rules: RulesReport
  /** every request to enter maintenance or standby: when, when entered, what blocks it */
  maintenance: ModeRequest[]
  /** the orders given during the run, with the simulated time each was applied at */
  orders: LoggedOrder[]
  /**
   * lab mode: the recommendations — proposed (each counted once, however many passes repeat it), applied (by
   * full automation or approved), dismissed, expired (the state they were made on gone) — and those still waiting
   */
  recommendations: RecommendationReport
  /** the DRS standard deviation of CPU load over the hosts in service now, as the last frame's loadStdDev */
  loadStdDev: number
}

/** What the hash covers: the totals, where every VM is and is going, its demand and history, the accounts. */
export interface HashedState {
  energyJ: number
  migrations: number
  stepIndex: number
  plan: LabPlan
  hostSla: Float64Array
  vmRequested: Float64Array
  vmGranted: Float64Array
}

export function labStateHash(s: HashedState): string {
  const P = s.plan
  P.syncHistories()
  return new StateHasher()
    .number(s.energyJ)
    .number(s.migrations)
    .number(s.stepIndex)
    .bytes(P.vmHost)
    .bytes(P.vmTarget)
    .bytes(P.vmDemand)
    .bytes(P.hist)
    .bytes(P.hostState)
    .bytes(s.hostSla)
    .bytes(s.vmRequested)
    .bytes(s.vmGranted)
    .hex()
}
