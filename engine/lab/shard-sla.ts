// The lab's SLA shortfall: what a VM's user would notice. A VM is short in a step when the CPU it lost —
// to contention on its host (or its cap), to memory stalls (host or guest swap), to its migration
// (downtime, post-copy faults), to auto-converge throttling, or to pauses (snapshots, continuous
// checkpoints) — exceeds SLA_TOLERANCE of what it asked for. A host is in violation for the step when any
// of its VMs is short (the lab's SLATAH), and the violation is put down to the cause that cost its short
// VMs the most.
//
// The tolerance is VMware's guidance for CPU ready time: under 5 % per vCPU a VM runs normally, from 5 %
// on users see it slow down (VMware KB 2002181, "Troubleshooting ESX/ESXi virtual machine performance
// issues"). Below it, a shortfall is a rounding of the scheduler's, not a service level missed: the
// memory-overcommit scenario used to count a whole hour as violated for a millisecond of swap a minute.

/** Share of its demand a VM may lose in a step before its user notices (VMware: 5 % CPU ready). */
export const SLA_TOLERANCE = 0.05

/** Causes of a shortfall, in the order of the host columns (protocol.ts H.lost*, H.slaCause). */
export const SLA_CAUSES = ['cpu', 'memory', 'migration', 'throttling', 'pause'] as const
export type SlaCause = (typeof SLA_CAUSES)[number]
export const CAUSE_CPU = 0
export const CAUSE_MEMORY = 1
export const CAUSE_MIGRATION = 2
export const CAUSE_THROTTLING = 3
export const CAUSE_PAUSE = 4

/**
 * One host's shortfalls over a step, VM by VM: `add` each VM's losses (MIPS), then `violated` says whether
 * the host was in violation and `cause` why.
 */
export class HostShortfall {
  /** MIPS lost by cause, all VMs */
  readonly lost = new Float64Array(SLA_CAUSES.length)
  /** MIPS lost by cause, the VMs beyond the tolerance only */
  private readonly shortLost = new Float64Array(SLA_CAUSES.length)
  violated = false

  reset(): void {
    this.lost.fill(0)
    this.shortLost.fill(0)
    this.violated = false
  }

  /** A VM that asked for `demand` MIPS and lost these (MIPS, ≥ 0) to each cause. */
  add(demand: number, cpu: number, memory: number, migration: number, throttling: number, pause: number): void {
    const l = this.lost
    l[CAUSE_CPU] = l[CAUSE_CPU]! + cpu
    l[CAUSE_MEMORY] = l[CAUSE_MEMORY]! + memory
    l[CAUSE_MIGRATION] = l[CAUSE_MIGRATION]! + migration
    l[CAUSE_THROTTLING] = l[CAUSE_THROTTLING]! + throttling
    l[CAUSE_PAUSE] = l[CAUSE_PAUSE]! + pause
    const total = cpu + memory + migration + throttling + pause
    if (!(demand > 0) || total <= SLA_TOLERANCE * demand) return
    this.violated = true
    const s = this.shortLost
    s[CAUSE_CPU] = s[CAUSE_CPU]! + cpu
    s[CAUSE_MEMORY] = s[CAUSE_MEMORY]! + memory
    s[CAUSE_MIGRATION] = s[CAUSE_MIGRATION]! + migration
    s[CAUSE_THROTTLING] = s[CAUSE_THROTTLING]! + throttling
    s[CAUSE_PAUSE] = s[CAUSE_PAUSE]! + pause
  }

  /** The cause that cost the short VMs the most (ties: the first in SLA_CAUSES); −1 when not violated. */
  get cause(): number {
    if (!this.violated) return -1
    let best = 0
    for (let c = 1; c < SLA_CAUSES.length; c++) if (this.shortLost[c]! > this.shortLost[best]!) best = c
    return best
  }
}
