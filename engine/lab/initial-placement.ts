// Where the VMs start.
import { HOST_STATE } from '../vocabulary'
import { failoverReserve } from './ha'
import { brokenRule, type ActiveRule } from '../policies/rules'
import type { LabPlan } from './plan'

/** No host takes a VM (or its must-affinity group) at t = 0; `rules`: the rules that name it. */
export class StartPlacementError extends Error {
  constructor(
    message: string,
    readonly vm: number,
    readonly rules: readonly ActiveRule[],
  ) {
    super(message)
    this.name = 'StartPlacementError'
  }
}

/**
 * t = 0: first-fit decreasing by nominal MIPS over hosts in id order, within Nova's admission (vCPUs per
 * core and RAM within the allocation ratios); the hosts used are switched on. A VM goes first where its
 * nominal MIPS still fit the host's capacity (as a boot-time reservation would have it); only when no host
 * has that room does it go to the first host whose admission ratios still take it (CPU overcommit, which
 * the ratios allow). Consolidation then packs by actual demand. With placement rules, a VM goes to the
 * first such host that breaks no must rule and, if there is one, no should rule; a must-affinity group is
 * placed as one, when its first member comes. With HA admission control tolerating `reserveHosts`
 * failures, further hosts are switched on (in id order) until the failover reserve holds (ha.ts
 * failoverReserve); if it cannot hold with every host on, the VMs cannot all be powered on — as vSphere HA
 * refuses a power-on that would eat the reserve — and the scenario is refused. Returns the should rules
 * broken on purpose (one entry per VM placed breaking one).
 */
export function initialPlacement(plan: LabPlan, reserveHosts = 0): ActiveRule[] {
  const order = Array.from({ length: plan.vmCount }, (_, v) => v).sort(
    (a, b) => plan.vmCap[b]! - plan.vmCap[a]! || a - b,
  )
  const nominal = new Float64Array(plan.hostCount)
  const broken = plan.rules.any ? placeWithRules(plan, order, nominal) : []
  if (!plan.rules.any) {
    let first = 0
    for (const v of order) {
      let chosen = -1
      for (let h = first; h < plan.hostCount && chosen < 0; h++)
        if (nominal[h]! + plan.vmCap[v]! <= plan.capacity[h]! && plan.admits(h, v)) chosen = h
      for (let h = 0; h < plan.hostCount && chosen < 0; h++) if (plan.admits(h, v)) chosen = h
      if (chosen < 0) throw new StartPlacementError(refusal(plan, v), v, [])
      nominal[chosen] = nominal[chosen]! + plan.vmCap[v]!
      plan.place(v, chosen)
      plan.hostState[chosen] = HOST_STATE.on
      while (first < plan.hostCount && plan.capacity[first]! - nominal[first]! < 1) first++
    }
  }
  if (reserveHosts === 0) return broken
  let r = failoverReserve(plan, reserveHosts)
  for (let h = 0; h < plan.hostCount && !r.held; h++) {
    if (plan.hostState[h] !== HOST_STATE.off) continue
    plan.hostState[h] = HOST_STATE.on
    r = failoverReserve(plan, reserveHosts)
  }
  if (!r.held)
    throw new Error(
      `lab mode: HA admission control (ha.reserveHosts ${reserveHosts}) refuses to power the VMs on: restarting the VMs of the ${reserveHosts} fullest host(s) needs ${r.needRamMB} MiB of RAM and ${r.needVcpus} vCPUs, the other hosts have room for ${r.spareRamMB} MiB and ${r.spareVcpus} vCPUs with every host on; add hosts or lower ha.reserveHosts`,
    )
  return broken
}

/** Why no host takes VM v: what each admission limit leaves, on the host that comes closest. */
function refusal(plan: LabPlan, v: number): string {
  const what = `lab mode: VM ${v} fits on no host at t = 0 (${plan.vmVcpus[v]} vCPUs of ${plan.vmMipsPerVcpu[v]} MIPS, RAM ${plan.vmRam[v]} MiB)`
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
    reasons.push(`at most ${ram} MiB of RAM is left on a host (admission.ramAllocationRatio, reservedHostMemory)`)
  if (vcpus < plan.vmVcpus[v]!) reasons.push(`at most ${vcpus} vCPUs are left on a host (admission.cpuAllocationRatio)`)
  return `${what}: ${reasons.length > 0 ? reasons.join('; ') : 'no single host passes every admission test at once'}; add hosts`
}

/** Whether host h takes all of `vms` at once: nominal CPU (when given), cores fast enough, RAM and vCPUs within admission. */
export function admitsAll(plan: LabPlan, h: number, vms: readonly number[], nominal?: Float64Array): boolean {
  let cap = 0
  let ram = 0
  let vcpus = 0
  for (const v of vms) {
    if (plan.peMips[h]! < plan.vmMipsPerVcpu[v]!) return false
    cap += plan.vmCap[v]!
    ram += plan.vmRam[v]!
    vcpus += plan.vmVcpus[v]!
  }
  if (nominal && nominal[h]! + cap > plan.capacity[h]!) return false
  return plan.hostRamUse[h]! + ram <= plan.hostRam[h]! && plan.hostVcpus[h]! + vcpus <= plan.hostVcpuLimit[h]!
}

/** The placement with rules; returns the should rules broken on purpose, once per VM placed breaking one. */
function placeWithRules(plan: LabPlan, order: number[], nominal: Float64Array): ActiveRule[] {
  const rules = plan.rules
  const placed = new Uint8Array(plan.vmCount)
  const broken: ActiveRule[] = []
  for (const v of order) {
    if (placed[v]) continue
    const group = rules.inMustAffinity(v) ? rules.mustGroup(v) : [v]
    const fits = (h: number, soft: boolean, withinNominal: boolean) => {
      if (!admitsAll(plan, h, group, withinNominal ? nominal : undefined)) return false
      for (const u of group) {
        const rule = brokenRule(rules, plan, u, h, { companions: group })
        if (rule && (rule.must || !soft)) return false
      }
      return true
    }
    // keeping the should rules first; within them, nominal CPU room first, then admission alone
    let host = -1
    for (const soft of [false, true])
      for (const withinNominal of [true, false])
        for (let h = 0; h < plan.hostCount && host < 0; h++) if (fits(h, soft, withinNominal)) host = h
    if (host < 0) {
      const named = [...new Set(group.flatMap((u) => rules.of(u)))]
      const what = group.length > 1 ? `the must-affinity group of VMs ${group.join(', ')}` : `VM ${v}`
      throw new StartPlacementError(
        `lab mode: ${what} fits on no host at t = 0 within the rules ${named.map((r) => `"${r.name}"`).join(', ') || '(none name it)'} (${group.length > 1 ? 'together ' : ''}${group.reduce((s, u) => s + plan.vmVcpus[u]!, 0)} vCPUs, RAM ${group.reduce((s, u) => s + plan.vmRam[u]!, 0)} MiB)`,
        v,
        named,
      )
    }
    for (const u of group) {
      const soft = brokenRule(rules, plan, u, host, { companions: group })
      if (soft) broken.push(soft)
      nominal[host] = nominal[host]! + plan.vmCap[u]!
      plan.place(u, host)
      placed[u] = 1
    }
    plan.hostState[host] = HOST_STATE.on
  }
  return broken
}
