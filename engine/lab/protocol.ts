import type { LabEvent } from '../vocabulary'
import type { MigrationInfo, MigrationState } from '../migration'
import type { HostMemoryState } from '../hypervisor/host-memory'
import type { SnapshotInfo, SnapshotTreeState } from '../checkpoint/snapshot-tree'
import type { SnapshotOrder } from './vm-snapshots'
import type { VmMemoryState } from './vm-memory'

// What crosses between the lab's coordinator and its host shards, once per step per shard: plain records
// of typed arrays (transferred, not copied, between workers) and small arrays of numbers. Field indices
// name the columns of the packed per-host and per-VM tables.

/**
 * Per-host columns of a step's output (Float64Array, hosts × HOST_FIELDS). Only what the coordinator reads:
 * every column crosses between threads each step (energy is powerW × dt, computed there).
 */
export const HOST_COL = {
  state: 0,
  /** granted MIPS / capacity at the end of the step */
  utilization: 1,
  /** average power over the step, W */
  powerW: 2,
  /** seconds of the step the host was active and some VM lost more than the SLA tolerance (shard-sla.ts) */
  slaSeconds: 3,
  /** seconds of the step the host was active (on, with load) */
  activeSeconds: 4,
  /** RAM of the VMs resident on the host, MB */
  ramMB: 5,
  /** why the host was in violation: an index of SLA_CAUSES (−1: it was not) */
  slaCause: 6,
  /** MIPS × seconds its VMs lost this step, by cause (SLA_CAUSES order: cpu, memory, migration, throttling, pause) */
  lostCpu: 7,
  lostMemory: 8,
  lostMigration: 9,
  lostThrottling: 10,
  lostPause: 11,
} as const
export const HOST_FIELDS = 12

/**
 * Per-VM columns of a step's output (Float64Array, vms × VM_FIELDS), for the VMs listed in `vmIds`. MIPS-seconds
 * asked for and got are demandMips × dt and grantedMips × dt, computed by the coordinator.
 */
export const VM_COL = {
  demandMips: 0,
  grantedMips: 1,
  /** MIPS lost to migration (degradation, throttling, downtime) this step, × seconds */
  migrationLossMipsSeconds: 2,
  /** MIPS the VM was runnable for and did not get (contention or its cap): its steal time */
  stealMips: 3,
  /** CPU seconds a protected VM spent paused for its continuous checkpoints this step */
  protectionCpuSeconds: 4,
  /** the LR screen's S, T and Σ |y_i| of the VM's window after this step (index-lr.ts; LR policies only) */
  lrS: 5,
  lrT: 6,
  lrAbs: 7,
  /** the host whose CPU the VM ran on this step (a VM that finished migrating ran on its source) */
  host: 8,
} as const
export const VM_FIELDS = 9

/** A VM's LR-screen window for its shard (index-lr.ts): float32 history values by window slot, newest at head mod 10. */
export interface LrWindow {
  /** the VM's history ring head (its newest value's index in a ring of 30) */
  head: number
  values: number[]
}

/** Per-host memory columns (Float64Array, hosts × MEMORY_FIELDS), when the scenario manages memory. */
export const MEMORY_COL = {
  /** Σ configured RAM of the host's VMs */
  configuredMB: 0,
  /** RAM in use (host reserve, guests' present pages less KSM savings, less what is swapped out) */
  residentMB: 1,
  ksmSavedMB: 2,
  balloonMB: 3,
  hostSwappedMB: 4,
  guestSwappedMB: 5,
  /** CPU seconds the VMs lost to swap faults this step */
  lostCpuSeconds: 6,
  /** 0 none, 1 pressure (free < 20 %), 2 critical (free ≤ 5 %) */
  pressure: 7,
  oomKills: 8,
  ksmPagesShared: 9,
  ksmPagesSharing: 10,
  ksmPagesUnshared: 11,
  ksmPagesVolatile: 12,
  ksmFullScans: 13,
  /** host CPU seconds ksmd spent scanning this step */
  ksmCpuSeconds: 14,
  /** host swap faults (4 KiB pages) this step */
  hostFaults: 15,
} as const
export const MEMORY_FIELDS = 16

/** A VM's complete state, moved from the source shard to the destination shard after a migration. */
export interface VmTransfer {
  vm: number
  host: number
  /** generator: level, burstLeft, phase */
  generator: [number, number, number]
  /** RandomStream state */
  stream: number[]
  /** memory image and page writer (live migration models) */
  memory?: VmMemoryState
  /** the VM's snapshot tree */
  snapshots?: SnapshotTreeState
  /** seconds the VM is still paused (a snapshot being saved or loaded) */
  pauseLeft?: number
  /** the LR screen's window, from the coordinator's history (set on arrival and restore, not kept in files) */
  lrWindow?: LrWindow
}

export interface MigrationOrder {
  vm: number
  source: number
  target: number
}

export interface MigrationCompletion {
  vm: number
  source: number
  target: number
  /** simulated time the migration ended */
  time: number
  /** seconds the migration took in total */
  seconds: number
  /** where the VM is now: moved, still on the source (cancelled, failed), or lost */
  location: 'source' | 'destination' | 'lost'
  /** query-migrate statistics (live migration models) */
  info?: MigrationInfo
}

export interface HostPowerOrder {
  host: number
  on: boolean
}

/** The coordinator's orders for one step of one shard. */
export interface StepInput {
  time: number
  dt: number
  arrivals: VmTransfer[]
  migrations: MigrationOrder[]
  /** VMs whose migration the trainee called off: they stay on the source unless already past switch-over */
  cancel: number[]
  /** VMs whose migration target failed: aborted in pre-copy, lost in post-copy */
  targetFailed: number[]
  /** bytes per second allotted to each running live migration, by VM */
  bandwidth: { vm: number; bytesPerSecond: number }[]
  power: HostPowerOrder[]
  /** balloon targets: a logical size in bytes, or back to the host's automatic policy */
  balloons: { vm: number; targetBytes: number | 'auto' }[]
  /** VM snapshot operations (take, revert, delete) */
  snapshots: SnapshotOrder[]
  /** hosts that fail at the end of this step: their VMs stop (reported in StepOutput.failed) */
  failHosts: number[]
  /** failed hosts back in service (switched off, usable) */
  repairHosts: number[]
  /** the buffers of this shard's last output, handed back to be filled again (output-buffers.ts) */
  reuse: ArrayBuffer[]
}

/** What a shard reports after a step. */
export interface StepOutput {
  /** global host ids, ascending */
  hostIds: Int32Array
  hosts: Float64Array
  /** global VM ids of the VMs that ran on this shard's hosts, ascending */
  vmIds: Int32Array
  vms: Float64Array
  /** per-host memory columns (M), when the scenario manages memory */
  memory?: Float64Array
  completions: MigrationCompletion[]
  departures: VmTransfer[]
  /** VMs that died on this shard's hosts this step (the OOM killer) */
  lost: { vm: number; host: number; reason: string }[]
  /** VMs of hosts that failed this step, with their state at the failure (for HA restarts) */
  failed: { host: number; transfer: VmTransfer }[]
  /** what each running live migration wants next step, bytes/s */
  bandwidthDemands: { vm: number; source: number; target: number; bytesPerSecond: number }[]
  /** query-migrate of every live migration still running, for the views */
  migrationProgress: { vm: number; info: MigrationInfo }[]
  /** the snapshot lists of the VMs whose trees changed this step */
  snapshotLists: { vm: number; snapshots: SnapshotInfo[] }[]
  events: LabEvent[]
  /** milliseconds the shard spent on this step by its own clock (where the time goes; not a result) */
  busyMs: number
}

/** A migration in flight, as a checkpoint keeps it. */
export type MigrationSnapshot =
  | { kind: 'timed'; target: number; left: number; total: number; cancelled: boolean }
  | { kind: 'live'; source: number; target: number; started: number; state: MigrationState }

/** A VM on a shard, as a checkpoint keeps it: what a migration would carry, and its migration in flight. */
export interface VmSnapshot extends VmTransfer {
  migration?: MigrationSnapshot
}

/**
 * A shard's state for a whole-lab checkpoint: its hosts and the VMs on them, keyed by global ids so that
 * the lab can be restored with a different number of shards (each takes the hosts of its range).
 */
export interface ShardSnapshot {
  hostIds: Int32Array
  hostState: Uint8Array
  bootLeft: Float64Array
  /** per host, when hosts manage memory (the VMs' order on each host is kept) */
  hostMemory?: HostMemoryState[]
  /** in VM id order */
  vms: VmSnapshot[]
}
