// What a run can know to be impossible once the cluster model is built (trace folders listed, VMs
// counted) and before its first step: more VMs or memory pages than the lab holds, and VMs the initial
// placement cannot place. The checks reuse the engine's own code (LabPlan's admission and the initial
// placement), so validation and a run cannot disagree.
import type { ClusterModel } from '../model/cluster-model'
import { LabPlan } from '../lab/plan'
import { initialPlacement, StartPlacementError } from '../lab/initial-placement'
import { ruleIndexOf, ruleProblems } from '../lab/rules-at-start'
import type { Problem } from './checks'
import { count } from './checks'
import { formatBytes } from './diagnostics'
import { LIMITS, WHY } from './limits'

/** Limits that need the model: VMs counted with their trace folders, pages of the memory images. */
export function modelProblems(model: ClusterModel): Problem[] {
  const problems: Problem[] = []
  if (model.vmCount > LIMITS.vms)
    problems.push({
      path: ['vms'],
      message: `expected at most ${count(LIMITS.vms)} VMs in all (${WHY.vms}), found ${count(model.vmCount)} (one per trace file)`,
    })
  if (model.memoryImages) {
    let pages = 0
    for (let v = 0; v < model.vmCount; v++)
      pages += Math.ceil((model.vmTypes[model.vmType[v]!]!.ramMB * 2 ** 20) / model.pageSize)
    if (pages > LIMITS.imagePages)
      problems.push({
        path: ['memory', 'pageSize'],
        message: `expected at most ${count(LIMITS.imagePages)} pages of VM memory in all (${WHY.imagePages}), found ${count(pages)} pages of ${formatBytes(model.pageSize)}`,
      })
  }
  return problems
}

/**
 * Lab mode at t = 0: the initial placement as the run does it (first-fit decreasing within admission and the
 * placement rules, then hosts switched on for HA's failover reserve). A VM it cannot place is reported at its
 * VM group, with the cluster's capacity against the demand — or at the rule that kept it from every host;
 * must rules in conflict, at the first rule of the conflict; a reserve that cannot hold, at `ha.reserveHosts`.
 */
export function placementProblems(model: ClusterModel): Problem[] {
  if (model.mode !== 'lab') return []
  // must rules no placement can satisfy, named at the first rule of each conflict
  const conflicts = ruleProblems(model)
  if (conflicts.length) return conflicts
  const plan = new LabPlan(model)
  for (const r of model.rules) plan.rules.add(r)
  try {
    initialPlacement(plan, model.ha.reserveHosts)
    return []
  } catch (e) {
    // a VM (or must-affinity group) no host takes within its rules: reported at the rule
    const rule = e instanceof StartPlacementError ? ruleIndexOf(model, e) : -1
    if (rule >= 0) return [{ path: ['rules', rule], message: (e as Error).message.replace(/^lab mode: /, '') }]
    // every VM placed: HA admission control cannot hold its failover reserve (the engine's words)
    if (plan.vmsRunning === model.vmCount)
      return [{ path: ['ha', 'reserveHosts'], message: (e as Error).message.replace(/^lab mode: /, '') }]
    // the VM that failed: the first unplaced one in the placement's order (largest nominal MIPS first)
    let v = -1
    for (let u = 0; u < model.vmCount; u++) if (plan.vmHost[u]! < 0 && (v < 0 || plan.vmCap[u]! > plan.vmCap[v]!)) v = u
    const group = model.vmGroup[v]!
    let first = 0
    while (model.vmGroup[first] !== group) first++
    const type = model.vmTypes[model.vmType[v]!]!
    let mips = 0
    let ram = 0
    let hostMips = 0
    let hostRam = 0
    for (let u = 0; u < model.vmCount; u++) {
      mips += plan.vmCap[u]!
      ram += plan.vmRam[u]!
    }
    for (let h = 0; h < model.hostCount; h++) {
      hostMips += plan.capacity[h]!
      hostRam += plan.hostRam[h]!
    }
    return [
      {
        path: ['vms', group],
        message: `VM ${v} (VM ${v - first} of this group, type "${type.id}") fits on no host at t = 0: the VMs placed before it (largest first) took the room — the VMs need ${count(mips)} MIPS and ${count(ram)} MB of RAM, ${model.hostCount === 1 ? 'the host admits' : `the ${count(model.hostCount)} hosts admit`} ${count(hostMips)} MIPS and ${count(Math.floor(hostRam))} MB; add hosts or raise the allocation ratios`,
      },
    ]
  }
}
