// Mandatory moves that repair a violated must rule (vSphere DRS: "satisfy an affinity rule", priority 1).
// A must rule can break without a decision breaking it: HA restarting VMs with `ha.respectAntiAffinity:
// false`, a move forced... The lab repairs what it can on the planned placement: an anti-affinity rule
// with two of its VMs planned on one host moves all but the lowest-id one away; a VM planned where a
// vm-host rule forbids it moves to a host the rule allows. Targets are the evacuation's: power-aware best fit
// over eligible hosts, rules respected, an off host only when no powered-on host takes the VM. Must-affinity
// groups are never split to repair anything (HA keeps them together), so their violations are not moved.
import type { LabDecision } from './consolidation'
import type { LabPlan } from './plan'
import { evacuationTarget } from './placement-choice'
import { HOST_STATE } from '../vocabulary'
import { VM_AUTOMATION, type ClusterModel } from '../model/cluster-model'
import { listIds } from '../policies/rules'

/** The repairs of the must rules the planned placement breaks, applied to the plan in order. */
export function ruleFixes(P: LabPlan, model: ClusterModel): LabDecision[] {
  if (!P.rules.any) return []
  const out: LabDecision[] = []
  const movable = (v: number) =>
    P.vmHost[v]! >= 0 &&
    P.vmTarget[v]! < 0 &&
    !P.vmPinned[v] &&
    model.vmAutomation[v] !== VM_AUTOMATION.disabled &&
    !P.rules.inMustAffinity(v)
  for (const r of P.rules.rules) {
    if (!r.must || r.kind === 'affinity') continue
    const offenders: { vm: number; why: string }[] = []
    if (r.kind === 'vm-host') {
      for (const v of r.vms) {
        const h = P.plannedHost(v)
        if (h >= 0 && (r.hostMask![h] === 1) !== r.runOn)
          offenders.push({
            vm: v,
            why: `must rule "${r.name}": VM ${v} runs on host ${h}, ${r.runOn ? 'not one of' : 'one of'} hosts ${listIds(r.hosts!)}`,
          })
      }
    } else {
      const first = new Map<number, number>()
      for (const v of r.vms) {
        const h = P.plannedHost(v)
        if (h < 0) continue
        const other = first.get(h)
        if (other === undefined) first.set(h, v)
        else
          offenders.push({
            vm: v,
            why: `must rule "${r.name}" (anti-affinity): VMs ${other} and ${v} both on host ${h}`,
          })
      }
    }
    for (const { vm, why } of offenders) {
      if (!movable(vm)) continue
      const from = P.vmHost[vm]!
      const { choice } = evacuationTarget(P, vm, from)
      if (!choice || choice.soft) continue
      const to = choice.host
      const before = P.utilization(to)
      if (choice.powerOn) P.hostState[to] = HOST_STATE.booting
      P.move(vm, to)
      out.push({
        vm,
        from,
        to,
        reason: 'rule',
        priority: 1,
        sentence: `VM ${vm} → host ${to}: repairs ${why} (mandatory); power-aware best fit among eligible hosts (+${choice.powerIncreaseW.toFixed(2)} W)`,
        sourceUtilization: P.utilization(from),
        powerIncreaseW: choice.powerIncreaseW,
        targetUtilizationAfter: before + P.vmDemand[vm]! / P.capacity[to]!,
        powerOn: choice.powerOn,
      })
    }
  }
  return out
}
