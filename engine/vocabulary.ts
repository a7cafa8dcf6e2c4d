// The words every layer shares — the engine's simulations, the API contract, the CLI and the UI: what a
// frame of the cluster holds, an event of the log, a host's state. A leaf: it imports nothing, so the
// contract (engine/api/lab-api.ts) can re-export it without the engine's internals depending on the contract.

export type LabMode = 'cloudsim' | 'lab'

/** How migrations are modelled: CloudSim's (RAM ÷ bandwidth, 10 % CPU lost) or QEMU's live migration. */
export type MigrationModel = 'cloudsim' | 'precopy' | 'postcopy' | 'hybrid'

/** The cluster after one scheduling interval: every figure computed by the engine. */
export interface Frame {
  time: number
  step: number
  energyKWh: number
  powerW: number
  activeHosts: number
  /** Σ used MIPS / Σ MIPS of all hosts */
  cpuUtilization: number
  migrations: number
  migrationsStarted: number
  overloadedHosts: number
  vmsRunning: number
  /** share of active-host time so far with a host short of CPU (SLATAH so far) */
  slatah: number
  /** SLA violation time of active hosts in this interval / active-host time in this interval */
  slaViolationShare: number
  /** Σ CPU the running VMs asked for / were granted in this interval, MIPS (absent in frames of older files) */
  demandMips?: number
  grantedMips?: number
  /** migrations started and not finished at the end of the interval */
  migrationsInFlight?: number
  /** lab mode: the hosts' memory at the end of the interval — resident (RAM the VMs occupy; without memory
   * management their configured RAM), saved by KSM, held by balloons, swapped out by the hosts — bytes */
  memoryUsedBytes?: number
  ksmSavedBytes?: number
  balloonBytes?: number
  swappedBytes?: number
  /** lab mode: the DRS standard deviation of CPU load — Σ planned demand ÷ capacity per host in service, over those hosts — after the step's decisions */
  loadStdDev?: number
  /** lab mode: the policy's own measure of the cluster (docs/policies.md; LabInfo.balanceMetric names it) */
  balance?: number
  /** lab mode: recommendations waiting for the operator's approval at the end of the interval */
  recommendationsWaiting?: number
}

export type LabEventKind =
  | 'migration-start'
  | 'migration-end'
  | 'overload'
  | 'host-on'
  | 'host-off'
  | 'vm-removed'
  /** lab mode: a VM snapshot taken, reverted or deleted */
  | 'snapshot'
  /** lab mode: a host failed or was repaired */
  | 'host-failed'
  /** lab mode: HA restarted a VM (from its checkpoint or by a cold boot) */
  | 'ha-restart'
  /** lab mode: a placement rule became violated or satisfied, was added or removed, or was broken on purpose */
  | 'rule'
  /** lab mode: a host entering or leaving maintenance or standby, and its evacuation */
  | 'host-mode'
  /** lab mode: a recommendation made that waits for the operator's approval */
  | 'recommendation'
  | 'info'
  | 'warning'

export interface LabEvent {
  time: number
  kind: LabEventKind
  /** one line for the event log, with the numbers that explain the decision */
  message: string
  host?: number
  vm?: number
  targetHost?: number
  /** lab mode, a snapshot event: what was done to which of the VM's snapshots (what a guided lab's checks count) */
  snapshot?: { op: 'take' | 'revert' | 'delete'; name: string }
}

/**
 * A host's state on the placement map. off … failed are physical (the shards step them); the others show the
 * operator's mode over it: `maintenance` (empty, on, takes no VMs), `evacuating` (entering maintenance or
 * standby: its VMs are leaving), `standby` (evacuated and powered off until the operator powers it on).
 */
export const HOST_STATE = { off: 0, on: 1, booting: 2, failed: 3, maintenance: 4, evacuating: 5, standby: 6 } as const
export type HostState = (typeof HOST_STATE)[keyof typeof HOST_STATE]

/** The operator's mode of a host (set by maintenance and standby orders); anything but normal takes no VMs. */
export const HOST_MODE = { normal: 0, enteringMaintenance: 1, maintenance: 2, enteringStandby: 3, standby: 4 } as const
export type HostMode = (typeof HOST_MODE)[keyof typeof HOST_MODE]
