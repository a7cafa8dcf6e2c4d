// Where the VMs start.
import { HOST_STATE } from '../vocabulary'
import type { LabPlan } from './plan'

/**
 * t = 0: first-fit decreasing by nominal MIPS over hosts in id order, without overcommitting nominal CPU
 * (as a boot-time reservation would) and within Nova's admission (vCPUs per core, RAM within the
 * allocation ratios); the hosts used are switched on. Consolidation then packs by actual demand.
 */
export function initialPlacement(plan: LabPlan): void {
  const order = Array.from({ length: plan.vmCount }, (_, v) => v).sort(
    (a, b) => plan.vmCap[b]! - plan.vmCap[a]! || a - b,
  )
  const nominal = new Float64Array(plan.hostCount)
  let first = 0
  for (const v of order) {
    let placed = false
    for (let h = first; h < plan.hostCount; h++) {
      if (nominal[h]! + plan.vmCap[v]! > plan.capacity[h]! || !plan.admits(h, v)) continue
      nominal[h] = nominal[h]! + plan.vmCap[v]!
      plan.place(v, h)
      plan.hostState[h] = HOST_STATE.on
      placed = true
      break
    }
    if (!placed)
      throw new Error(
        `lab mode: VM ${v} fits on no host at t = 0 (${plan.vmVcpus[v]} vCPUs of ${plan.vmMipsPerVcpu[v]} MIPS, RAM ${plan.vmRam[v]} MB); add hosts or raise the allocation ratios`,
      )
    while (first < plan.hostCount && plan.capacity[first]! - nominal[first]! < 1) first++
  }
}
