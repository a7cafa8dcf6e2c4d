// Filters: may a host take a VM? As Nova's scheduler filters (and oVirt's, vSphere's admission) do it, one
// rule at a time, the first that fails naming why: the host's state, the speed of its cores, RAM and vCPUs
// within admission (admission.ts), and CPU room for the VM's demand. Consolidation, HA restarts and the
// trainee's orders use the same rules, so a refusal always gives the same reason.
import { HOST_MODE, HOST_STATE } from '../vocabulary'

export const REJECTION = {
  none: 0,
  /** failed, or in (or entering) maintenance or standby: takes no VMs */
  state: 1,
  /** its cores are slower than one of the VM's vCPUs */
  coreSpeed: 2,
  ram: 3,
  vcpus: 4,
  /** the VM's demand does not fit in the CPU left */
  cpu: 5,
  /** a must placement rule (rules.ts) */
  rule: 6,
} as const
export type Rejection = (typeof REJECTION)[keyof typeof REJECTION]

/** What the filters read of a cluster (the lab's plan holds these tables). */
export interface PlacementTables {
  hostState: Uint8Array
  /** the operator's mode of each host (HOST_MODE): any but normal takes no VMs; absent: all normal */
  hostMode?: Uint8Array
  /** MIPS of the host, and of each of its cores */
  capacity: Float64Array
  peMips: Float64Array
  /** admission capacities (admission.ts) and what the host's VMs take of them */
  hostRam: Float64Array
  hostRamUse: Float64Array
  hostVcpuLimit: Float64Array
  hostVcpus: Float64Array
  /** Σ demand of the host's VMs, MIPS */
  hostDemand: Float64Array
  vmMipsPerVcpu: Float64Array
  vmRam: Float64Array
  vmVcpus: Float64Array
}

/**
 * Whether a host in this state and operator mode accepts VMs at all (an off host does: it is switched on
 * for them; one in standby does not: only the operator powers it on).
 */
export function acceptsVms(state: number, mode = 0): boolean {
  return state !== HOST_STATE.failed && state !== HOST_STATE.maintenance && mode === HOST_MODE.normal
}

/** RAM and vCPUs within admission, and cores fast enough for the VM's vCPUs. */
export function admissionRejection(t: PlacementTables, h: number, v: number): Rejection {
  if (t.peMips[h]! < t.vmMipsPerVcpu[v]!) return REJECTION.coreSpeed
  if (t.hostRamUse[h]! + t.vmRam[v]! > t.hostRam[h]!) return REJECTION.ram
  if (t.hostVcpus[h]! + t.vmVcpus[v]! > t.hostVcpuLimit[h]!) return REJECTION.vcpus
  return REJECTION.none
}

/** The first filter host h fails for VM v with `demand` MIPS, or REJECTION.none. */
export function placementRejection(t: PlacementTables, h: number, v: number, demand: number): Rejection {
  if (!acceptsVms(t.hostState[h]!, t.hostMode?.[h])) return REJECTION.state
  const admission = admissionRejection(t, h, v)
  if (admission !== REJECTION.none) return admission
  if (t.hostDemand[h]! + demand > t.capacity[h]!) return REJECTION.cpu
  return REJECTION.none
}

/** A refusal in words, with the numbers. */
export function describeRejection(r: Rejection, t: PlacementTables, h: number, v: number, demand: number): string {
  switch (r) {
    case REJECTION.none:
      return 'eligible'
    case REJECTION.state:
      return t.hostState[h] === HOST_STATE.failed ? 'the host has failed' : `the host is ${modeWords(t.hostMode?.[h])}`
    case REJECTION.coreSpeed:
      return `its cores run ${t.peMips[h]!.toFixed(0)} MIPS, a vCPU of the VM needs ${t.vmMipsPerVcpu[v]!.toFixed(0)}`
    case REJECTION.ram:
      return `admission: the host accepts ${(t.hostRam[h]! - t.hostRamUse[h]!).toFixed(0)} MiB more, the VM needs ${t.vmRam[v]!.toFixed(0)} MiB`
    case REJECTION.vcpus:
      return `admission: the host accepts ${t.hostVcpuLimit[h]! - t.hostVcpus[h]!} vCPUs more, the VM needs ${t.vmVcpus[v]!}`
    case REJECTION.cpu:
      return `CPU: ${(t.capacity[h]! - t.hostDemand[h]!).toFixed(0)} MIPS left, the VM asks for ${demand.toFixed(0)}`
    case REJECTION.rule:
      return 'a must rule'
  }
}

/** A host's operator mode in words ("entering maintenance"). */
export function modeWords(mode = 0): string {
  switch (mode) {
    case HOST_MODE.enteringMaintenance:
      return 'entering maintenance'
    case HOST_MODE.maintenance:
      return 'in maintenance'
    case HOST_MODE.enteringStandby:
      return 'entering standby'
    case HOST_MODE.standby:
      return 'in standby (powered off until the operator powers it on)'
    default:
      return 'in maintenance'
  }
}
