// The coordinator's id-indexed tables that a step's per-host and per-VM outputs land in (protocol.ts's H, M
// and V columns, by global id). A host belongs to one shard and a VM runs on one shard in a step, so each
// shard's rows fill their own entries: they are added in as each shard answers, in any order, and the
// reductions over them (energy, SLA, the frame's sums, the plan's histories) run in id order afterwards.
import { HOST_COL, HOST_FIELDS, MEMORY_FIELDS, VM_COL, VM_FIELDS, type StepOutput } from './protocol'
import { SLA_CAUSES } from './shard-sla'

/** What sizes the tables. */
export interface StepColumnsShape {
  hostCount: number
  vmCount: number
  /** whether hosts manage memory (then the M columns are kept) */
  memory: boolean
  /** whether the LR screen's per-VM sums are kept (index-lr.ts) */
  lrScreen: boolean
}

export class StepColumns {
  /** the host's state at the end of the step (the plan's `hostState`) */
  readonly hostState: Uint8Array
  /** granted MIPS / capacity, average power (W), RAM of its VMs (MB): the last step's */
  readonly hostUtil: Float64Array
  readonly hostPowerW: Float64Array
  readonly hostRamMB: Float64Array
  /** seconds of the last step the host was active and short of CPU / active */
  readonly hostStepSla: Float64Array
  readonly hostStepActive: Float64Array
  /** why the host was in violation in the last step (an index of SLA_CAUSES, −1: it was not) */
  readonly hostStepCause: Int8Array
  /** MIPS × seconds the host's VMs lost in the last step, by cause (SLA_CAUSES.length values per host) */
  readonly hostStepLost: Float64Array
  /** per host, MEMORY_FIELDS values (M), when hosts manage memory */
  readonly hostMemory: Float64Array | undefined
  /** the VM's demand in the last step, MIPS (the plan's `vmDemand`) */
  readonly vmDemand: Float64Array
  /** 1 for the VMs whose rows came in this step (the frame's sums read and clear it) */
  readonly vmReported: Uint8Array
  /** MIPS the VM got in the last step, and its steal */
  readonly vmGrantedNow: Float64Array
  /**
   * the host whose CPU gave the VM `vmGrantedNow` (−1: not running): after a migration completes the plan
   * has the VM on its target already, but that step it ran on its source
   */
  readonly vmRanOn: Int32Array
  readonly vmStealMips: Float64Array
  /** MIPS-seconds asked for, got and lost to migrations, so far */
  readonly vmRequested: Float64Array
  readonly vmGranted: Float64Array
  readonly vmMigrationLoss: Float64Array
  /** CPU seconds a protected VM spent on its continuous checkpoints in the last step (0 for the others) */
  readonly vmProtection: Float64Array
  /** the LR screen's S, T and Σ |y_i| per VM (3 values each; the LrScreen's table), when kept */
  readonly vmScreenSums: Float64Array | undefined

  constructor(readonly shape: StepColumnsShape) {
    const { hostCount: nH, vmCount: nV } = shape
    this.hostState = new Uint8Array(nH)
    this.hostUtil = new Float64Array(nH)
    this.hostPowerW = new Float64Array(nH)
    this.hostRamMB = new Float64Array(nH)
    this.hostStepSla = new Float64Array(nH)
    this.hostStepActive = new Float64Array(nH)
    this.hostStepCause = new Int8Array(nH).fill(-1)
    this.hostStepLost = new Float64Array(nH * SLA_CAUSES.length)
    this.hostMemory = shape.memory ? new Float64Array(nH * MEMORY_FIELDS) : undefined
    this.vmDemand = new Float64Array(nV)
    this.vmReported = new Uint8Array(nV)
    this.vmGrantedNow = new Float64Array(nV)
    this.vmRanOn = new Int32Array(nV).fill(-1)
    this.vmStealMips = new Float64Array(nV)
    this.vmRequested = new Float64Array(nV)
    this.vmGranted = new Float64Array(nV)
    this.vmMigrationLoss = new Float64Array(nV)
    this.vmProtection = new Float64Array(nV)
    this.vmScreenSums = shape.lrScreen ? new Float64Array(nV * 3) : undefined
  }

  /**
   * A shard's rows into the tables: host rows (H, and M when kept), VM rows (V); the VMs' accounts grow by
   * the step's `dt`. A dead shard's hosts send no memory rows: they hold nothing.
   */
  absorbRows(rows: Pick<StepOutput, 'hostIds' | 'hosts' | 'memory' | 'vmIds' | 'vms'>, dt: number): void {
    // Two functions, one loop each: V8 optimizes a long first loop on its own (on-stack replacement), and
    // code after it that had not run yet would leave that optimized code at once, on every call.
    this.absorbHostRows(rows.hostIds, rows.hosts, rows.memory)
    this.absorbVmRows(rows.vmIds, rows.vms, dt)
  }

  private absorbHostRows(hostIds: Int32Array, hosts: Float64Array, rowsMemory: Float64Array | undefined): void {
    const memory = this.hostMemory
    for (let i = 0; i < hostIds.length; i++) {
      const h = hostIds[i]!
      const r = i * HOST_FIELDS
      this.hostState[h] = hosts[r + HOST_COL.state]!
      this.hostUtil[h] = hosts[r + HOST_COL.utilization]!
      this.hostPowerW[h] = hosts[r + HOST_COL.powerW]!
      this.hostRamMB[h] = hosts[r + HOST_COL.ramMB]!
      this.hostStepSla[h] = hosts[r + HOST_COL.slaSeconds]!
      this.hostStepActive[h] = hosts[r + HOST_COL.activeSeconds]!
      this.hostStepCause[h] = hosts[r + HOST_COL.slaCause]!
      this.hostStepLost.set(hosts.subarray(r + HOST_COL.lostCpu, r + HOST_COL.lostPause + 1), h * SLA_CAUSES.length)
      if (memory && rowsMemory)
        memory.set(rowsMemory.subarray(i * MEMORY_FIELDS, (i + 1) * MEMORY_FIELDS), h * MEMORY_FIELDS)
      else if (memory) memory.fill(0, h * MEMORY_FIELDS, (h + 1) * MEMORY_FIELDS)
    }
  }

  private absorbVmRows(vmIds: Int32Array, vms: Float64Array, dt: number): void {
    const screen = this.vmScreenSums
    for (let i = 0; i < vmIds.length; i++) {
      const v = vmIds[i]!
      const r = i * VM_FIELDS
      const demand = vms[r + VM_COL.demandMips]!
      const granted = vms[r + VM_COL.grantedMips]!
      this.vmDemand[v] = demand
      this.vmReported[v] = 1
      this.vmGrantedNow[v] = granted
      this.vmRanOn[v] = vms[r + VM_COL.host]!
      this.vmStealMips[v] = vms[r + VM_COL.stealMips]!
      this.vmRequested[v] = this.vmRequested[v]! + demand * dt
      this.vmGranted[v] = this.vmGranted[v]! + granted * dt
      this.vmMigrationLoss[v] = this.vmMigrationLoss[v]! + vms[r + VM_COL.migrationLossMipsSeconds]!
      this.vmProtection[v] = vms[r + VM_COL.protectionCpuSeconds]!
      if (screen) {
        screen[v * 3] = vms[r + VM_COL.lrS]!
        screen[v * 3 + 1] = vms[r + VM_COL.lrT]!
        screen[v * 3 + 2] = vms[r + VM_COL.lrAbs]!
      }
    }
  }
}
