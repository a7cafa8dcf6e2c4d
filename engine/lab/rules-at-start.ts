// Validation of a scenario's must rules at t = 0: rule sets no placement can satisfy are refused before a run,
// naming the rules in conflict (at the rule's line). Should rules are never refused: the lab breaks them when
// nothing else fits, and counts it. The initial placement itself is tried by engine/scenario/feasibility.ts.
import type { ClusterModel } from '../model/cluster-model'
import { listIds, type ResolvedRule } from '../policies/rules'
import { LabPlan } from './plan'
import { admitsAll, type StartPlacementError } from './initial-placement'

function quoted(rules: readonly { name: string }[]): string {
  return rules.map((r) => `"${r.name}"`).join(' and ')
}

/** The hosts each VM may run on under the must vm-host rules (undefined: all). */
function allowedHosts(model: ClusterModel): (Set<number> | undefined)[] {
  const allowed: (Set<number> | undefined)[] = Array.from({ length: model.vmCount }, () => undefined)
  const all = () => new Set(Array.from({ length: model.hostCount }, (_, h) => h))
  for (const r of model.rules) {
    if (!r.must || r.kind !== 'vm-host') continue
    for (const v of r.vms) {
      const set = (allowed[v] ??= all())
      if (r.runOn) {
        const keep = new Set(r.hosts)
        for (const h of [...set]) if (!keep.has(h)) set.delete(h)
      } else for (const h of r.hosts!) set.delete(h)
    }
  }
  return allowed
}

/** The conflicts among must rules, each naming its rules (indexes into model.rules). */
export function ruleConflicts(model: ClusterModel): { rules: number[]; message: string }[] {
  const out: { rules: number[]; message: string }[] = []
  const rules = model.rules
  const must = rules.map((r, i) => ({ r, i })).filter((x) => x.r.must)
  // affinity and anti-affinity on two common VMs
  for (const a of must.filter((x) => x.r.kind === 'affinity'))
    for (const b of must.filter((x) => x.r.kind === 'anti-affinity')) {
      const common = a.r.vms.filter((v) => b.r.vms.includes(v))
      if (common.length >= 2)
        out.push({
          rules: [a.i, b.i],
          message: `must rules ${quoted([a.r, b.r])} conflict: VMs ${listIds(common)} must run together and apart`,
        })
    }
  // a VM with no host left by its vm-host rules
  const allowed = allowedHosts(model)
  for (let v = 0; v < model.vmCount; v++) {
    if (allowed[v]?.size !== 0) continue
    const named = must.filter((x) => x.r.kind === 'vm-host' && x.r.vms.includes(v))
    out.push({
      rules: named.map((x) => x.i),
      message: `must rules ${quoted(named.map((x) => x.r))} leave VM ${v} no host to run on`,
    })
  }
  // anti-affinity: more VMs than the hosts they may run on
  for (const { r, i } of must.filter((x) => x.r.kind === 'anti-affinity')) {
    const hosts = new Set<number>()
    let unrestricted = false
    for (const v of r.vms) {
      const a = allowed[v]
      if (!a) unrestricted = true
      else for (const h of a) hosts.add(h)
    }
    const count = unrestricted ? model.hostCount : hosts.size
    if (r.vms.length > count) {
      const hostRules = must.filter((x) => x.r.kind === 'vm-host' && x.r.vms.some((v) => r.vms.includes(v)))
      out.push({
        rules: [i, ...hostRules.map((x) => x.i)],
        message: `must rule "${r.name}" keeps ${r.vms.length} VMs apart, but they may run on ${count} host${count === 1 ? '' : 's'}${hostRules.length ? ` (${quoted(hostRules.map((x) => x.r))})` : ''}`,
      })
    }
  }
  // a must-affinity group no single allowed host admits as a whole
  const plan = new LabPlan(model)
  for (const r of model.rules) plan.rules.add(r)
  const done = new Set<number>()
  for (const { r, i } of must.filter((x) => x.r.kind === 'affinity')) {
    if (done.has(r.vms[0]!)) continue
    const group = plan.rules.mustGroup(r.vms[0]!)
    for (const v of group) done.add(v)
    const ok = Array.from({ length: model.hostCount }, (_, h) => h).some(
      (h) => group.every((v) => allowed[v]?.has(h) ?? true) && admitsAll(plan, h, group),
    )
    if (ok) continue
    const involved = rules
      .map((x, k) => ({ x, k }))
      .filter(
        ({ x }) => x.must && (x.kind === 'affinity' || x.kind === 'vm-host') && x.vms.some((v) => group.includes(v)),
      )
    const ram = group.reduce((s, v) => s + plan.vmRam[v]!, 0)
    const vcpus = group.reduce((s, v) => s + plan.vmVcpus[v]!, 0)
    out.push({
      rules: involved.length ? involved.map((y) => y.k) : [i],
      message: `must rules ${quoted(involved.map((y) => y.x))}: no host ${involved.some((y) => y.x.kind === 'vm-host') ? 'they allow ' : ''}admits VMs ${listIds(group)} together (RAM ${ram} MiB, ${vcpus} vCPUs)`,
    })
  }
  return out
}

/** The conflicts among the must rules as problems at the first rule each names (scenario validation). */
export function ruleProblems(model: ClusterModel): { path: (string | number)[]; message: string }[] {
  if (model.mode !== 'lab' || model.rules.length === 0) return []
  return ruleConflicts(model).map((c) => ({ path: ['rules', c.rules[0] ?? 0], message: c.message }))
}

/** Where a refusal of the initial placement is reported: the first rule that names the VM it could not place. */
export function ruleIndexOf(model: ClusterModel, e: StartPlacementError): number {
  if (e.rules.length === 0) return -1
  return model.rules.findIndex((r: ResolvedRule) => r.name === e.rules[0]!.name)
}
