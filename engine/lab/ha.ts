// High availability in the lab: hosts fail (scenario events, or at random with a seeded MTBF per host) and
// come back after their repair time; the VMs of a failed host are restarted on other hosts by HA priority
// once the failure is detected. A VM protected by continuous checkpointing (Remus-like) resumes from its
// last committed checkpoint on its backup and loses one epoch of speculative work; an unprotected VM
// cold-boots with fresh memory and loses everything it held in memory since it last booted. The report
// counts restarted VMs, lost work and the time to recover.
import type { ClusterModel } from '../model/cluster-model'
import { streamFor, RandomStream } from '../random'
import { HOST_MODE, HOST_STATE } from '../vocabulary'
import type { LabPlan } from './plan'
import type { VmTransfer } from './protocol'
import * as fdlibm from '../math/fdlibm'

/**
 * HA admission control, as vSphere HA's "host failures cluster tolerates" policy: enough capacity stays
 * powered on to restart every VM of the N hosts that hold the most (the most RAM admitted) on the other
 * hosts. vSphere counts CPU and memory reservations in slots, so that a VM's reservation is never split
 * over hosts; the lab checks the restart itself: the VMs of those hosts, largest first, each fit whole on
 * one of the others (RAM within the allocation ratio, vCPUs within the CPU ratio, cores fast enough), as
 * HA would place them. Booting hosts count as capacity (they are being powered on for it). The totals
 * (what those hosts hold, what the others have room for) are reported beside it.
 */
export interface FailoverReserve {
  /** host failures tolerated (ha.reserveHosts) */
  hosts: number
  /** what the N fullest hosts hold / what the others have room for */
  needRamMB: number
  spareRamMB: number
  needVcpus: number
  spareVcpus: number
  held: boolean
}

export function failoverReserve(plan: LabPlan, n: number): FailoverReserve {
  const on: number[] = []
  for (let h = 0; h < plan.hostCount; h++)
    if (plan.hostState[h] === HOST_STATE.on || plan.hostState[h] === HOST_STATE.booting) on.push(h)
  on.sort((a, b) => plan.hostRamUse[b]! - plan.hostRamUse[a]! || a - b)
  const r: FailoverReserve = { hosts: n, needRamMB: 0, spareRamMB: 0, needVcpus: 0, spareVcpus: 0, held: false }
  const failing: number[] = []
  const room: number[] = []
  const ram: number[] = []
  const vcpus: number[] = []
  on.forEach((h, i) => {
    if (i < n) {
      r.needRamMB += plan.hostRamUse[h]!
      r.needVcpus += plan.hostVcpus[h]!
      for (const v of plan.members[h]!) if (plan.vmHost[v] === h) failing.push(v)
    } else if (plan.hostMode[h] === HOST_MODE.normal) {
      // a host in (or entering) maintenance or standby takes no restarts: it is no room
      r.spareRamMB += plan.hostRam[h]! - plan.hostRamUse[h]!
      r.spareVcpus += plan.hostVcpuLimit[h]! - plan.hostVcpus[h]!
      room.push(h)
      ram.push(plan.hostRam[h]! - plan.hostRamUse[h]!)
      vcpus.push(plan.hostVcpuLimit[h]! - plan.hostVcpus[h]!)
    }
  })
  // the restart, first fit by decreasing RAM: every VM of the failed hosts whole on one other host
  failing.sort((a, b) => plan.vmRam[b]! - plan.vmRam[a]! || a - b)
  r.held = failing.every((v) => {
    for (let k = 0; k < room.length; k++) {
      if (ram[k]! < plan.vmRam[v]! || vcpus[k]! < plan.vmVcpus[v]! || plan.peMips[room[k]!]! < plan.vmMipsPerVcpu[v]!)
        continue
      ram[k] = ram[k]! - plan.vmRam[v]!
      vcpus[k] = vcpus[k]! - plan.vmVcpus[v]!
      return true
    }
    return false
  })
  return r
}

/** The report's account of the reserve: how often it held, and what holding it took. */
export interface HaReserveReport {
  hostsTolerated: number
  /** steps at whose end the reserve held, of all steps */
  stepsHeld: number
  steps: number
  /** the tightest moment: spare RAM left beyond the need (negative: short), MB */
  minMarginRamMB: number
  /** hosts powered on to hold it, and consolidation moves refused because they would have eaten it */
  hostsPoweredOn: number
  movesRefused: number
}

const PRIORITY_RANK = { high: 0, medium: 1, low: 2, disabled: 3 } as const

/** A VM of a failed host, waiting to be restarted. */
export interface Waiting {
  vm: number
  host: number
  failedAt: number
  /** restarts may begin (failure detected) */
  readyAt: number
  rank: number
  protected: boolean
  /** the VM's state: all of it for a protected VM (its backup has it); for an unprotected one, the
   * workload only (its memory is gone) */
  transfer: VmTransfer
}

export interface HaFailureRecord {
  host: number
  time: number
  /** VMs that ran on the host */
  vms: number
  restarted: number
  /** when the last of its restarted VMs ran again (null: not all are back) */
  recoveredAt: number | null
}

export interface HaReport {
  hostFailures: number
  hostRepairs: number
  vmsAffected: number
  restarted: number
  /** restarted from their last checkpoint on the backup (protected) / cold-booted (unprotected) */
  resumedFromCheckpoint: number
  coldBooted: number
  /** HA disabled for them, or no capacity left by the end of the run */
  notRestarted: number
  /** seconds of work the VMs lost: one epoch for a protected VM, its uptime for an unprotected one */
  lostWorkSeconds: { total: number; protected: number; unprotected: number }
  /** per VM, failure → running again (detection, placement, boot or failover) */
  downtimeSeconds: { total: number; median: number; max: number }
  /** per host failure, failure → the last of its VMs running again */
  timeToRecoverSeconds: { median: number; max: number }
  /** CPU seconds protected VMs spent paused for their checkpoints */
  protectionOverheadCpuSeconds: number
  failures: HaFailureRecord[]
  /** admission control's failover reserve (ha.reserveHosts > 0) */
  reserve?: HaReserveReport
}

export interface HaState {
  nextFailure: Float64Array
  repairAt: Float64Array
  streams: number[][]
  bootedAt: Float64Array
  waiting: Waiting[]
  failures: HaFailureRecord[]
  downtimes: number[]
  lost: { protected: number; unprotected: number }
  counts: { repairs: number; affected: number; resumed: number; cold: number; disabled: number }
  protectionOverheadCpuSeconds: number
  pendingRecovery: { failure: number; vms: number[] }[]
  reserve?: HaReserveReport
}

export class HaManager {
  /** simulated time of each host's next random failure (Infinity: none) */
  private nextFailure: Float64Array
  /** when each failed host is repaired (Infinity: not failed, or no repair) */
  private repairAt: Float64Array
  /**
   * Lower bounds of nextFailure and repairAt over all hosts (kept by every change that lowers a value), so
   * that most steps need not look at every host.
   */
  private earliestFailure = -Infinity
  private earliestRepair = -Infinity
  private readonly streams: (RandomStream | undefined)[]
  /** when each VM last booted (its in-memory state is this old) */
  private bootedAt: Float64Array
  private waiting: Waiting[] = []
  private failures: HaFailureRecord[] = []
  private downtimes: number[] = []
  private lost = { protected: 0, unprotected: 0 }
  private counts = { repairs: 0, affected: 0, resumed: 0, cold: 0, disabled: 0 }
  /** per failure, the VMs not yet running again */
  private pendingRecovery: { failure: number; vms: number[] }[] = []
  protectionOverheadCpuSeconds = 0
  /** the failover reserve's account (ha.reserveHosts > 0) */
  readonly reserve: HaReserveReport

  constructor(private readonly model: ClusterModel) {
    this.reserve = {
      hostsTolerated: model.ha.reserveHosts,
      stepsHeld: 0,
      steps: 0,
      minMarginRamMB: Infinity,
      hostsPoweredOn: 0,
      movesRefused: 0,
    }
    const n = model.hostCount
    this.nextFailure = new Float64Array(n).fill(Infinity)
    this.repairAt = new Float64Array(n).fill(Infinity)
    this.bootedAt = new Float64Array(model.vmCount)
    const mtbf = model.ha.mtbf
    this.streams = Array.from({ length: n }, (_, h) => (mtbf ? streamFor(model.seed, 'host-failure', h) : undefined))
    for (let h = 0; h < n; h++) this.nextFailure[h] = this.drawFailure(h, 0)
  }

  /** Exponential time to the next failure of host h after `from` (MTBF), or Infinity without one. */
  private drawFailure(h: number, from: number): number {
    const stream = this.streams[h]
    const mtbf = this.model.ha.mtbf
    if (!stream || !mtbf) return Infinity
    return from - mtbf * fdlibm.log(1 - stream.float())
  }

  /** Hosts whose random failure falls before `until` (the end of the coming step), in id order. */
  randomFailures(until: number): number[] {
    const out: number[] = []
    if (this.earliestFailure >= until) return out
    let earliest = Infinity
    for (let h = 0; h < this.nextFailure.length; h++) {
      const t = this.nextFailure[h]!
      if (t < until) out.push(h)
      if (t < earliest) earliest = t
    }
    this.earliestFailure = earliest
    return out
  }

  /** Failed hosts due back by `time`, in id order. */
  repairsDue(time: number): number[] {
    const out: number[] = []
    if (this.earliestRepair > time) return out
    let earliest = Infinity
    for (let h = 0; h < this.repairAt.length; h++) {
      const t = this.repairAt[h]!
      if (t <= time) out.push(h)
      if (t < earliest) earliest = t
    }
    this.earliestRepair = earliest
    return out
  }

  hostFailed(h: number, time: number): void {
    this.nextFailure[h] = Infinity
    this.repairAt[h] = time + this.model.ha.repairTime
    this.earliestRepair = Math.min(this.earliestRepair, this.repairAt[h])
    this.failures.push({ host: h, time, vms: 0, restarted: 0, recoveredAt: null })
    this.pendingRecovery.push({ failure: this.failures.length - 1, vms: [] })
  }

  hostRepaired(h: number, time: number): void {
    this.repairAt[h] = Infinity
    this.counts.repairs++
    this.nextFailure[h] = this.drawFailure(h, time)
    this.earliestFailure = Math.min(this.earliestFailure, this.nextFailure[h])
  }

  /** A VM went down with host h at `time`; `transfer` is its state at that moment. */
  vmFailed(transfer: VmTransfer, h: number, time: number): void {
    const v = transfer.vm
    const group = this.model.groups[this.model.vmGroup[v]!]!
    const failure = this.pendingRecovery.findLast((p) => this.failures[p.failure]!.host === h)
    if (failure) {
      this.failures[failure.failure]!.vms++
      failure.vms.push(v)
    }
    this.counts.affected++
    if (group.haPriority === 'disabled') {
      this.counts.disabled++
      return
    }
    const isProtected = group.protection !== undefined
    // an unprotected VM's memory is gone: it comes back with its workload only
    const state: VmTransfer = isProtected ? transfer : { ...transfer, memory: undefined, pauseLeft: 0 }
    this.waiting.push({
      vm: v,
      host: h,
      failedAt: time,
      readyAt: time + this.model.ha.detection,
      rank: PRIORITY_RANK[group.haPriority],
      protected: isProtected,
      transfer: state,
    })
    this.waiting.sort((a, b) => a.rank - b.rank || a.failedAt - b.failedAt || a.vm - b.vm)
  }

  /** VMs whose failure has been detected by `time`, highest priority first. */
  ready(time: number): Waiting[] {
    return this.waiting.filter((w) => w.readyAt <= time)
  }

  /**
   * VM w restarts on a host at `time` and runs after `bootSeconds` more; returns the seconds it will not
   * run from now (failover or boot) and what it lost.
   */
  restarted(w: Waiting, time: number): { bootSeconds: number; lostWork: number } {
    this.waiting = this.waiting.filter((x) => x !== w)
    const ha = this.model.ha
    const group = this.model.groups[this.model.vmGroup[w.vm]!]!
    const bootSeconds = w.protected ? ha.failoverTime : ha.bootTime
    const lostWork = w.protected ? group.protection!.epoch : w.failedAt - this.bootedAt[w.vm]!
    if (w.protected) {
      this.counts.resumed++
      this.lost.protected += lostWork
    } else {
      this.counts.cold++
      this.lost.unprotected += lostWork
      this.bootedAt[w.vm] = time + bootSeconds
    }
    const back = time + bootSeconds
    this.downtimes.push(back - w.failedAt)
    for (const p of this.pendingRecovery) {
      const i = p.vms.indexOf(w.vm)
      if (i < 0) continue
      p.vms.splice(i, 1)
      const f = this.failures[p.failure]!
      f.restarted++
      f.recoveredAt = Math.max(f.recoveredAt ?? 0, back)
    }
    return { bootSeconds, lostWork }
  }

  report(): HaReport {
    const d = [...this.downtimes].sort((a, b) => a - b)
    const median = (xs: number[]) =>
      xs.length === 0 ? 0 : xs.length % 2 ? xs[xs.length >> 1]! : (xs[xs.length / 2 - 1]! + xs[xs.length / 2]!) / 2
    const recovered = this.failures
      .filter((f) => f.vms > 0 && f.restarted === f.vms - this.disabledOn(f))
      .map((f) => f.recoveredAt! - f.time)
      .sort((a, b) => a - b)
    const restarted = this.counts.resumed + this.counts.cold
    return {
      hostFailures: this.failures.length,
      hostRepairs: this.counts.repairs,
      vmsAffected: this.counts.affected,
      restarted,
      resumedFromCheckpoint: this.counts.resumed,
      coldBooted: this.counts.cold,
      notRestarted: this.counts.affected - restarted,
      lostWorkSeconds: {
        total: this.lost.protected + this.lost.unprotected,
        protected: this.lost.protected,
        unprotected: this.lost.unprotected,
      },
      downtimeSeconds: { total: d.reduce((a, b) => a + b, 0), median: median(d), max: d.at(-1) ?? 0 },
      timeToRecoverSeconds: { median: median(recovered), max: recovered.at(-1) ?? 0 },
      protectionOverheadCpuSeconds: this.protectionOverheadCpuSeconds,
      failures: this.failures.map((f) => ({ ...f })),
      ...(this.reserve.hostsTolerated > 0
        ? {
            reserve: {
              ...this.reserve,
              minMarginRamMB: this.reserve.steps > 0 ? this.reserve.minMarginRamMB : 0,
            },
          }
        : {}),
    }
  }

  /** The reserve as it stood at the end of a step. */
  noteReserve(r: FailoverReserve): void {
    const a = this.reserve
    a.steps++
    if (r.held) a.stepsHeld++
    a.minMarginRamMB = Math.min(a.minMarginRamMB, r.spareRamMB - r.needRamMB)
  }

  /** VMs of a failure that HA does not restart (priority disabled). */
  private disabledOn(f: HaFailureRecord): number {
    const p = this.pendingRecovery.find((x) => this.failures[x.failure] === f)
    if (!p) return 0
    return p.vms.filter((v) => this.model.groups[this.model.vmGroup[v]!]!.haPriority === 'disabled').length
  }

  state(): HaState {
    return {
      nextFailure: this.nextFailure.slice(),
      repairAt: this.repairAt.slice(),
      streams: this.streams.map((s) => s?.state() ?? []),
      bootedAt: this.bootedAt.slice(),
      waiting: this.waiting,
      failures: this.failures.map((f) => ({ ...f })),
      downtimes: [...this.downtimes],
      lost: { ...this.lost },
      counts: { ...this.counts },
      protectionOverheadCpuSeconds: this.protectionOverheadCpuSeconds,
      pendingRecovery: this.pendingRecovery.map((p) => ({ failure: p.failure, vms: [...p.vms] })),
      reserve: { ...this.reserve },
    }
  }

  restore(s: HaState): void {
    this.nextFailure = s.nextFailure.slice()
    this.repairAt = s.repairAt.slice()
    this.earliestFailure = -Infinity
    this.earliestRepair = -Infinity
    s.streams.forEach((st, h) => {
      if (st.length) this.streams[h] = RandomStream.fromState(st)
    })
    this.bootedAt = s.bootedAt.slice()
    this.waiting = [...s.waiting]
    this.failures = s.failures.map((f) => ({ ...f }))
    this.downtimes = [...s.downtimes]
    this.lost = { ...s.lost }
    this.counts = { ...s.counts }
    this.protectionOverheadCpuSeconds = s.protectionOverheadCpuSeconds
    this.pendingRecovery = s.pendingRecovery.map((p) => ({ failure: p.failure, vms: [...p.vms] }))
    if (s.reserve) Object.assign(this.reserve, s.reserve)
  }
}
