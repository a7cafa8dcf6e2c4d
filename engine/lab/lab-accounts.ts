// The lab's running accounts: energy, each host's SLA-violation and active seconds, shutdowns, VMs killed,
// and the sums over the hosts that make a step's frame. Summed in host order, so the figures do not depend
// on how hosts are spread over shards.
import type { Frame } from '../vocabulary'
import type { LabPlan } from './plan'
import type { StepColumns } from './step-columns'
import { SLA_CAUSES, SLA_TOLERANCE, type SlaCause } from './shard-sla'
import { MEMORY_COL, MEMORY_FIELDS } from './protocol'

/** The report's account of the SLA shortfall: its tolerance, and its causes. */
export interface SlaCauses {
  /** a VM is short in a step when it lost more than this share of its demand (VMware: 5 % CPU ready) */
  tolerance: number
  /** host-seconds of violation by the cause that cost the short VMs most */
  violationSeconds: Record<SlaCause, number>
  /** MIPS × seconds all VMs lost, by cause */
  lostMipsSeconds: Record<SlaCause, number>
}

const MiB = 1024 * 1024

export class LabAccounts {
  energyJ = 0
  shutdowns = 0
  /** VMs the OOM killer ended */
  vmsKilled = 0
  /** VMs running after the last step's decisions */
  vmsRunning = 0
  /** seconds each host was active and short of CPU / active, so far */
  readonly hostSla: Float64Array
  readonly hostActive: Float64Array
  /** SLA-violation seconds so far by the cause that made them (SLA_CAUSES order), in host order */
  readonly slaByCause = new Float64Array(SLA_CAUSES.length)
  /** MIPS × seconds the VMs lost so far, by cause */
  readonly lostByCause = new Float64Array(SLA_CAUSES.length)
  /**
   * CloudSim's "average SLA violation" (CCPE 2012, §7.3): the mean over VM-steps with a shortfall of the share
   * of demand not granted — here, as for SLATAH, a shortfall beyond SLA_TOLERANCE. [sum, count], VM id order.
   */
  readonly shortSteps = new Float64Array(2)
  /** Σ over hosts of SLA-violation seconds and active seconds in the last step */
  private stepSlaSeconds = 0
  private stepActiveSeconds = 0
  /** sums over the hosts after the last step, for its frame */
  private readonly totals = { slaSeconds: 0, activeSeconds: 0, powerW: 0, usedMips: 0, activeHosts: 0 }
  /** Σ host MIPS, in host order */
  private readonly totalMips: number
  private readonly capacity: Float64Array

  constructor(
    plan: LabPlan,
    private readonly columns: StepColumns,
    private readonly interval: number,
  ) {
    this.hostSla = new Float64Array(plan.hostCount)
    this.hostActive = new Float64Array(plan.hostCount)
    let totalMips = 0
    for (let h = 0; h < plan.hostCount; h++) totalMips += plan.capacity[h]!
    this.totalMips = totalMips
    this.capacity = plan.capacity
  }

  /** One pass in VM id order: the steps in which a VM lost more than the tolerance of its demand. */
  sumVms(): void {
    const { vmDemand: demand, vmGrantedNow: granted } = this.columns
    let sum = 0
    let n = 0
    for (let v = 0; v < demand.length; v++) {
      const d = demand[v]!
      const short = d - granted[v]!
      if (d > 0 && short > SLA_TOLERANCE * d) {
        sum += short / d
        n++
      }
    }
    this.shortSteps[0] = this.shortSteps[0]! + sum
    this.shortSteps[1] = this.shortSteps[1]! + n
  }

  /** The mean share of demand a VM went without in the steps it was short (0 when it never was). */
  averageSla(): number {
    return this.shortSteps[1]! > 0 ? this.shortSteps[0]! / this.shortSteps[1]! : 0
  }

  /**
   * One pass in host order for the energy, the SLA accounts and the frame's sums. (A function of its own:
   * V8 optimizes this long loop on its own, and cold code after it in the same function would leave that
   * optimized code again on every call.)
   */
  sumHosts(): void {
    const dt = this.interval
    const { hostStepSla: stepSla, hostStepActive: stepActive, hostPowerW: powerW, hostUtil: util } = this.columns
    const { hostSla, hostActive, capacity } = this
    let energy = 0
    let stepSlaSeconds = 0
    let stepActiveSeconds = 0
    let slaSeconds = 0
    let activeSeconds = 0
    let power = 0
    let usedMips = 0
    let activeHosts = 0
    const { hostStepCause: cause, hostStepLost: lost } = this.columns
    const causes = SLA_CAUSES.length
    for (let h = 0; h < hostSla.length; h++) {
      energy += powerW[h]! * dt
      if (cause[h]! >= 0) this.slaByCause[cause[h]!] = this.slaByCause[cause[h]!]! + stepSla[h]!
      for (let c = 0; c < causes; c++) this.lostByCause[c] = this.lostByCause[c]! + lost[h * causes + c]!
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
    const f = this.totals
    f.slaSeconds = slaSeconds
    f.activeSeconds = activeSeconds
    f.powerW = power
    f.usedMips = usedMips
    f.activeHosts = activeHosts
  }

  /**
   * The step's frame, from the sums of the last pass, with the VMs' demand and grants (summed in VM id
   * order over the VMs that ran in the step) and the hosts' memory (in host order).
   */
  frame(time: number, step: number, migrations: number, started: number, overloaded: number, inFlight: number): Frame {
    const f = this.totals
    const { vmReported, vmDemand, vmGrantedNow } = this.columns
    let demand = 0
    let granted = 0
    for (let v = 0; v < vmReported.length; v++) {
      if (vmReported[v] === 0) continue
      demand += vmDemand[v]!
      granted += vmGrantedNow[v]!
      vmReported[v] = 0
    }
    return {
      time,
      step,
      energyKWh: this.energyJ / 3.6e6,
      powerW: f.powerW,
      activeHosts: f.activeHosts,
      cpuUtilization: f.usedMips / this.totalMips,
      migrations,
      migrationsStarted: started,
      overloadedHosts: overloaded,
      vmsRunning: this.vmsRunning,
      slatah: f.activeSeconds > 0 ? f.slaSeconds / f.activeSeconds : 0,
      slaViolationShare: this.stepActiveSeconds > 0 ? this.stepSlaSeconds / this.stepActiveSeconds : 0,
      demandMips: demand,
      grantedMips: granted,
      migrationsInFlight: inFlight,
      ...this.memory(),
    }
  }

  /** Σ over hosts of their memory at the end of the step (without memory management: their VMs' RAM). */
  private memory(): Pick<Frame, 'memoryUsedBytes' | 'ksmSavedBytes' | 'balloonBytes' | 'swappedBytes'> {
    const { hostMemory, hostRamMB } = this.columns
    let used = 0
    let ksm = 0
    let balloon = 0
    let swapped = 0
    if (hostMemory)
      for (let o = 0; o < hostMemory.length; o += MEMORY_FIELDS) {
        used += hostMemory[o + MEMORY_COL.residentMB]!
        ksm += hostMemory[o + MEMORY_COL.ksmSavedMB]!
        balloon += hostMemory[o + MEMORY_COL.balloonMB]!
        swapped += hostMemory[o + MEMORY_COL.hostSwappedMB]!
      }
    else for (let h = 0; h < hostRamMB.length; h++) used += hostRamMB[h]!
    return {
      memoryUsedBytes: used * MiB,
      ksmSavedBytes: ksm * MiB,
      balloonBytes: balloon * MiB,
      swappedBytes: swapped * MiB,
    }
  }

  /** The SLA shortfall's tolerance and causes so far. */
  slaCauses(): SlaCauses {
    const pick = (a: Float64Array) =>
      Object.fromEntries(SLA_CAUSES.map((c, i) => [c, a[i]!])) as Record<SlaCause, number>
    return {
      tolerance: SLA_TOLERANCE,
      violationSeconds: pick(this.slaByCause),
      lostMipsSeconds: pick(this.lostByCause),
    }
  }

  /** Σ SLA-violation and active seconds over all hosts so far. */
  slaSoFar(): { violation: number; active: number } {
    let violation = 0
    let active = 0
    for (let h = 0; h < this.hostSla.length; h++) {
      violation += this.hostSla[h]!
      active += this.hostActive[h]!
    }
    return { violation, active }
  }
}
