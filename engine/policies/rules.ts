// Placement rules, as vSphere DRS, oVirt affinity groups and Nova server groups have them: VM-VM affinity
// (keep together) and anti-affinity (keep apart), VM-host run-on / not-run-on, each `must` (a filter:
// nothing the lab places breaks it) or `should` (broken only when no host keeps it, and counted). Pure
// data and functions over a placement (where each VM runs and where it is going), shared by every
// placement path: initial placement, consolidation, evacuation, HA restarts and the trainee's moves.
import type { RuleSelector, ScenarioRule } from '../scenario/schema'

export type RuleKind = 'affinity' | 'anti-affinity' | 'vm-host'

/** A rule with its selectors resolved to ids. */
export interface ResolvedRule {
  name: string
  kind: RuleKind
  must: boolean
  /** VM ids, ascending, without repeats */
  vms: number[]
  /** vm-host: host ids, ascending, and whether the VMs must (run-on) or must not (not-run-on) run there */
  hosts?: number[]
  runOn?: boolean
}

/** A group of VMs or hosts a selector may name: the `name` of a scenario group and its id range. */
export interface NamedRange {
  name?: string
  first: number
  count: number
}

/** What resolving a selector needs: the VM and host groups, by name. */
export interface RuleNames {
  vmCount: number
  hostCount: number
  vmGroups: NamedRange[]
  hostGroups: NamedRange[]
}

export interface RuleProblem {
  /** JSON path inside the rule (`vms[1]`), empty for the rule as a whole */
  path: (string | number)[]
  message: string
}

function resolveSelector(
  selector: RuleSelector,
  groups: NamedRange[],
  count: number,
  what: 'VM' | 'host',
  key: string,
  problems: RuleProblem[],
): number[] {
  const ids = new Set<number>()
  selector.forEach((item, i) => {
    if (typeof item === 'number') {
      if (item >= count)
        problems.push({ path: [key, i], message: `expected a ${what} id below ${count}, found ${item}` })
      else ids.add(item)
      return
    }
    const matching = groups.filter((g) => g.name === item)
    if (matching.length === 0) {
      const names = groups.flatMap((g) => (g.name ? [`"${g.name}"`] : []))
      problems.push({
        path: [key, i],
        message: `expected a ${what} id or the name of a ${what} group (${names.length ? names.join(', ') : `no ${what} group has a name`}), found "${item}"`,
      })
      return
    }
    for (const g of matching) for (let k = 0; k < g.count; k++) ids.add(g.first + k)
  })
  return [...ids].sort((a, b) => a - b)
}

/** A scenario rule with its selectors resolved, or the problems found (unknown names, ids out of range). */
export function resolveRule(rule: ScenarioRule, names: RuleNames): { rule?: ResolvedRule; problems: RuleProblem[] } {
  const problems: RuleProblem[] = []
  const vms = resolveSelector(rule.vms, names.vmGroups, names.vmCount, 'VM', 'vms', problems)
  const must = rule.enforcement === 'must'
  if (rule.kind === 'vm-host') {
    const hosts = resolveSelector(rule.hosts, names.hostGroups, names.hostCount, 'host', 'hosts', problems)
    if (problems.length) return { problems }
    if (vms.length === 0) problems.push({ path: ['vms'], message: 'expected at least one VM, found none' })
    if (hosts.length === 0) problems.push({ path: ['hosts'], message: 'expected at least one host, found none' })
    if (problems.length) return { problems }
    return {
      rule: { name: rule.name, kind: 'vm-host', must, vms, hosts, runOn: rule.placement === 'run-on' },
      problems,
    }
  }
  if (problems.length) return { problems }
  if (vms.length < 2)
    problems.push({ path: ['vms'], message: `expected at least two VMs for an ${rule.kind} rule, found ${vms.length}` })
  if (problems.length) return { problems }
  return { rule: { name: rule.name, kind: rule.kind, must, vms }, problems }
}

/** A rule in force: resolved, with a host mask (vm-host) and a member mask for fast tests. */
export interface ActiveRule extends ResolvedRule {
  /** vm-host: 1 for the hosts it names */
  hostMask?: Uint8Array
}

/** Where the VMs are: running (−1: nowhere) and going (−1: not moving). The planned host is the target, else the running one. */
export interface Placement {
  vmHost: Int32Array
  vmTarget: Int32Array
}

function planned(p: Placement, u: number): number {
  const t = p.vmTarget[u]!
  return t >= 0 ? t : p.vmHost[u]!
}

/** The rules in force, indexed by VM. */
export class RuleSet {
  private readonly list: ActiveRule[] = []
  private readonly byVm: ActiveRule[][]

  constructor(
    vmCount: number,
    private readonly hostCount: number,
  ) {
    this.byVm = Array.from({ length: vmCount }, () => [])
  }

  /** Whether any rule is in force (when none, every placement path runs exactly as without rules). */
  get any(): boolean {
    return this.list.length > 0
  }

  get rules(): readonly ActiveRule[] {
    return this.list
  }

  find(name: string): ActiveRule | undefined {
    return this.list.find((r) => r.name === name)
  }

  add(rule: ResolvedRule): ActiveRule {
    const active: ActiveRule = { ...rule, vms: [...rule.vms], hosts: rule.hosts ? [...rule.hosts] : undefined }
    if (rule.hosts) {
      active.hostMask = new Uint8Array(this.hostCount)
      for (const h of rule.hosts) active.hostMask[h] = 1
    }
    this.list.push(active)
    for (const v of active.vms) this.byVm[v]!.push(active)
    return active
  }

  remove(name: string): ActiveRule | undefined {
    const i = this.list.findIndex((r) => r.name === name)
    if (i < 0) return undefined
    const [rule] = this.list.splice(i, 1)
    for (const v of rule!.vms) this.byVm[v] = this.byVm[v]!.filter((r) => r !== rule)
    return rule
  }

  /** The rules that name VM v. */
  of(v: number): readonly ActiveRule[] {
    return this.byVm[v]!
  }

  /** Whether VM v is in a must-affinity rule: automation never moves it alone. */
  inMustAffinity(v: number): ActiveRule | undefined {
    for (const r of this.byVm[v]!) if (r.must && r.kind === 'affinity') return r
    return undefined
  }

  /** Whether a vm-host rule names VM v (then hosts of one type are no longer interchangeable for it). */
  hasHostRule(v: number): boolean {
    for (const r of this.byVm[v]!) if (r.kind === 'vm-host') return true
    return false
  }

  /** VM v's must-affinity group: every VM tied to it by must-affinity rules, transitively, ascending. */
  mustGroup(v: number): number[] {
    const seen = new Set<number>([v])
    const stack = [v]
    while (stack.length) {
      const u = stack.pop()!
      for (const r of this.byVm[u]!) {
        if (!r.must || r.kind !== 'affinity') continue
        for (const w of r.vms)
          if (!seen.has(w)) {
            seen.add(w)
            stack.push(w)
          }
      }
    }
    return [...seen].sort((a, b) => a - b)
  }
}

export interface RuleCheckOptions {
  /** VM-VM anti-affinity counts (HA may be set to ignore it) */
  antiAffinity?: boolean
  /** VMs placed on the host together with v (an HA restart of a must-affinity group): they count as there */
  companions?: readonly number[]
  /**
   * A host being emptied (under-load consolidation, an evacuation): its VMs all leave, so an affinity partner
   * planned there is not left behind — it follows, and is held to the rule when its own turn comes
   */
  emptying?: number
}

/** Whether rule r breaks if VM v goes to host h, the others where `p` has them (running, and planned). */
export function breaksRule(r: ActiveRule, p: Placement, v: number, h: number, o: RuleCheckOptions = {}): boolean {
  if (r.kind === 'vm-host') return (r.hostMask![h] === 1) !== r.runOn
  const companions = o.companions
  if (r.kind === 'anti-affinity') {
    if (o.antiAffinity === false) return false
    for (const u of r.vms) {
      if (u === v) continue
      if (companions?.includes(u)) return true
      // running there now, or planned there: either would put both on h at some moment
      if (p.vmHost[u] === h || planned(p, u) === h) return true
    }
    return false
  }
  for (const u of r.vms) {
    if (u === v || companions?.includes(u)) continue
    const at = planned(p, u)
    if (at >= 0 && at !== h && at !== o.emptying) return true
  }
  return false
}

/**
 * The first rule VM v breaks on host h — a must rule before any should rule — or undefined. Must rules are
 * filters; a should rule only ranks the host below those that keep every should rule.
 */
export function brokenRule(
  set: RuleSet,
  p: Placement,
  v: number,
  h: number,
  o: RuleCheckOptions = {},
): ActiveRule | undefined {
  let soft: ActiveRule | undefined
  for (const r of set.of(v)) {
    if (!breaksRule(r, p, v, h, o)) continue
    if (r.must) return r
    soft ??= r
  }
  return soft
}

/** Why host h breaks rule r for VM v, in words (for refusals and the event log). */
export function ruleSentence(r: ActiveRule, p: Placement, v: number, h: number): string {
  const what = `${r.must ? 'must' : 'should'} rule "${r.name}"`
  if (r.kind === 'vm-host')
    return `${what}: VM ${v} ${r.must ? 'must' : 'should'}${r.runOn ? '' : ' not'} run on host${r.hosts!.length > 1 ? 's' : ''} ${listIds(r.hosts!)}`
  if (r.kind === 'anti-affinity') {
    const other = r.vms.find((u) => u !== v && (p.vmHost[u] === h || planned(p, u) === h))
    return `${what} (anti-affinity): VM ${other ?? '?'} of the rule runs or is going to host ${h}`
  }
  const other = r.vms.find((u) => u !== v && planned(p, u) >= 0 && planned(p, u) !== h)
  return `${what} (affinity): VM ${v} would leave VM ${other ?? '?'} on host ${other === undefined ? '?' : planned(p, other)}`
}

/** "3, 4, 7–12" */
export function listIds(ids: readonly number[]): string {
  const parts: string[] = []
  for (let i = 0; i < ids.length;) {
    let j = i
    while (j + 1 < ids.length && ids[j + 1] === ids[j]! + 1) j++
    parts.push(j - i >= 2 ? `${ids[i]}–${ids[j]}` : j > i ? `${ids[i]}, ${ids[j]}` : String(ids[i]))
    i = j + 1
  }
  return parts.join(', ')
}

/**
 * Whether rule r fails on where the VMs run (`hostOf`, −1: not running), and why: the measure of the report.
 * Affinity: its running VMs are not all on one host; anti-affinity: two of them share one; vm-host: one
 * runs where it must not.
 */
export function ruleViolation(r: ActiveRule, hostOf: Int32Array): string | undefined {
  if (r.kind === 'vm-host') {
    for (const v of r.vms) {
      const h = hostOf[v]!
      if (h >= 0 && (r.hostMask![h] === 1) !== r.runOn)
        return `VM ${v} runs on host ${h}, ${r.runOn ? 'not one of' : 'one of'} hosts ${listIds(r.hosts!)}`
    }
    return undefined
  }
  if (r.kind === 'anti-affinity') {
    const seen = new Map<number, number>()
    for (const v of r.vms) {
      const h = hostOf[v]!
      if (h < 0) continue
      const other = seen.get(h)
      if (other !== undefined) return `VMs ${other} and ${v} both run on host ${h}`
      seen.set(h, v)
    }
    return undefined
  }
  let first = -1
  for (const v of r.vms) {
    const h = hostOf[v]!
    if (h < 0) continue
    if (first < 0) first = v
    else if (hostOf[first] !== h) return `VM ${first} runs on host ${hostOf[first]}, VM ${v} on host ${h}`
  }
  return undefined
}
