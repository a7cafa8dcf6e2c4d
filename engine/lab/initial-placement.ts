// Where the VMs start.
import { HOST_STATE } from '../vocabulary'
import { failoverReserve } from './ha'
import type { LabPlan } from './plan'

/**
 * t = 0: first-fit decreasing by nominal MIPS over hosts in id order, within Nova's admission (vCPUs per
 * core and RAM within the allocation ratios); the hosts used are switched on. A VM goes first where its
 * nominal MIPS still fit the host's capacity (as a boot-time reservation would have it); only when no host
 * has that room does it go to the first host whose admission ratios still take it (CPU overcommit, which
 * the ratios allow). Consolidation then packs by actual demand. With HA admission control tolerating
 * `reserveHosts` failures, further hosts are switched on (in id order) until the failover reserve holds
 * (ha.ts failoverReserve); if it cannot hold with every host on, the VMs cannot all be powered on — as
 * vSphere HA refuses a power-on that would eat the reserve — and the scenario is refused.
 */
export function initialPlacement(plan: LabPlan, reserveHosts = 0): void {
  const order = Array.from({ length: plan.vmCount }, (_, v) => v).sort(
    (a, b) => plan.vmCap[b]! - plan.vmCap[a]! || a - b,
  )
  const nominal = new Float64Array(plan.hostCount)
  let first = 0
  for (const v of order) {
    let chosen = -1
    for (let h = first; h < plan.hostCount && chosen < 0; h++)
      if (nominal[h]! + plan.vmCap[v]! <= plan.capacity[h]! && plan.admits(h, v)) chosen = h
    for (let h = 0; h < plan.hostCount && chosen < 0; h++) if (plan.admits(h, v)) chosen = h
    if (chosen < 0) throw new Error(refusal(plan, v))
    nominal[chosen] = nominal[chosen]! + plan.vmCap[v]!
    plan.place(v, chosen)
    plan.hostState[chosen] = HOST_STATE.on
    while (first < plan.hostCount && plan.capacity[first]! - nominal[first]! < 1) first++
  }
  if (reserveHosts === 0) return
  let r = failoverReserve(plan, reserveHosts)
  for (let h = 0; h < plan.hostCount && !r.held; h++) {
    if (plan.hostState[h] !== HOST_STATE.off) continue
    plan.hostState[h] = HOST_STATE.on
    r = failoverReserve(plan, reserveHosts)
  }
  if (!r.held)
    throw new Error(
      `lab mode: HA admission control (ha.reserveHosts ${reserveHosts}) refuses to power the VMs on: restarting the VMs of the ${reserveHosts} fullest host(s) needs ${r.needRamMB} MB of RAM and ${r.needVcpus} vCPUs, the other hosts have room for ${r.spareRamMB} MB and ${r.spareVcpus} vCPUs with every host on; add hosts or lower ha.reserveHosts`,
    )
}

/** Why no host takes VM v: what each admission limit leaves, on the host that comes closest. */
function refusal(plan: LabPlan, v: number): string {
  const what = `lab mode: VM ${v} fits on no host at t = 0 (${plan.vmVcpus[v]} vCPUs of ${plan.vmMipsPerVcpu[v]} MIPS, RAM ${plan.vmRam[v]} MB)`
  let ram = 0
  let vcpus = 0
  let pe = 0
  for (let h = 0; h < plan.hostCount; h++) {
    if (plan.peMips[h]! >= plan.vmMipsPerVcpu[v]!) pe++
    ram = Math.max(ram, plan.hostRam[h]! - plan.hostRamUse[h]!)
    vcpus = Math.max(vcpus, plan.hostVcpuLimit[h]! - plan.hostVcpus[h]!)
  }
  const reasons: string[] = []
  if (pe === 0) reasons.push(`no host has cores of ${plan.vmMipsPerVcpu[v]} MIPS`)
  if (ram < plan.vmRam[v]!)
    reasons.push(`at most ${ram} MB of RAM is left on a host (admission.ramAllocationRatio, reservedHostMemory)`)
  if (vcpus < plan.vmVcpus[v]!) reasons.push(`at most ${vcpus} vCPUs are left on a host (admission.cpuAllocationRatio)`)
  return `${what}: ${reasons.length > 0 ? reasons.join('; ') : 'no single host passes every admission test at once'}; add hosts`
}
