// The rules' accounts in a lab run. Decisions hold rules on the planned placement (rules.ts); the report
// measures them on where the VMs actually run: after every step each rule in force is violated or not among
// the running VMs; `violations` counts the starts of violated periods, `violationSeconds` their length (in
// whole steps). Should rules broken on purpose — by a placement when no host kept them all, by a forced
// manual move, by HA ignoring anti-affinity — are counted as `placements`. The event log says when a
// violation starts and ends, and why.
import type { LabEvent } from '../vocabulary'
import { listIds, ruleViolation, type ActiveRule, type RuleKind, type ResolvedRule } from '../policies/rules'
import type { LabPlan } from './plan'

export interface RuleAccount {
  name: string
  kind: RuleKind
  enforcement: 'must' | 'should'
  /** VM ids (and host ids for vm-host) the rule names */
  vms: number[]
  hosts?: number[]
  placement?: 'run-on' | 'not-run-on'
  /** simulated seconds it came into force, and was removed (null: still in force) */
  addedAt: number
  removedAt: number | null
  violations: number
  violationSeconds: number
  /** placements that broke it on purpose (no host kept it; a forced move; HA ignoring anti-affinity) */
  placements: number
  /** when its current violated period began (null: satisfied), and why */
  violatedSince: number | null
  why?: string
  /** the VMs breaking it now (for the map) */
  violating: number[]
}

export interface RulesReport {
  hard: { violations: number; violationSeconds: number; placements: number }
  soft: { violations: number; violationSeconds: number; placements: number }
  byRule: RuleAccount[]
}

/** The VMs that break rule r where they run now. */
function violatingVms(r: ActiveRule, hostOf: Int32Array): number[] {
  const running = r.vms.filter((v) => hostOf[v]! >= 0)
  if (r.kind === 'vm-host') return running.filter((v) => (r.hostMask![hostOf[v]!] === 1) !== r.runOn)
  const byHost = new Map<number, number[]>()
  for (const v of running) byHost.set(hostOf[v]!, [...(byHost.get(hostOf[v]!) ?? []), v])
  if (r.kind === 'anti-affinity') return [...byHost.values()].filter((l) => l.length > 1).flat()
  return byHost.size > 1 ? running : []
}

export class RuleBook {
  /** every rule that was in force during the run, in the order it came */
  accounts: RuleAccount[] = []

  constructor(
    private readonly plan: LabPlan,
    private readonly interval: number,
  ) {}

  private open(name: string): RuleAccount | undefined {
    for (let i = this.accounts.length - 1; i >= 0; i--) {
      const a = this.accounts[i]!
      if (a.name === name && a.removedAt === null) return a
    }
    return undefined
  }

  /** A rule comes into force at `time`. */
  add(rule: ResolvedRule, time: number): ActiveRule {
    const active = this.plan.rules.add(rule)
    this.accounts.push({
      name: rule.name,
      kind: rule.kind,
      enforcement: rule.must ? 'must' : 'should',
      vms: [...rule.vms],
      ...(rule.hosts ? { hosts: [...rule.hosts], placement: rule.runOn ? 'run-on' : 'not-run-on' } : {}),
      addedAt: time,
      removedAt: null,
      violations: 0,
      violationSeconds: 0,
      placements: 0,
      violatedSince: null,
      violating: [],
    })
    return active
  }

  remove(name: string, time: number): ActiveRule | undefined {
    const rule = this.plan.rules.remove(name)
    const a = this.open(name)
    if (a) {
      a.removedAt = time
      a.violatedSince = null
      a.violating = []
      delete a.why
    }
    return rule
  }

  /** A placement broke rule r on purpose (counted; the caller explains it). */
  brokenOnPurpose(r: ActiveRule): void {
    const a = this.open(r.name)
    if (a) a.placements++
  }

  /** After a step ending at `end`: each rule in force measured on where the VMs run. */
  measure(end: number, events: LabEvent[]): void {
    const P = this.plan
    if (!P.rules.any) return
    for (const r of P.rules.rules) {
      const a = this.open(r.name)
      if (!a) continue
      const why = ruleViolation(r, P.vmHost)
      if (why === undefined) {
        if (a.violatedSince !== null) {
          events.push({
            time: end,
            kind: 'rule',
            message: `${a.enforcement} rule "${a.name}" holds again (violated for ${end - a.violatedSince} s)`,
          })
          a.violatedSince = null
          a.violating = []
          delete a.why
        }
        continue
      }
      a.violationSeconds += this.interval
      a.violating = violatingVms(r, P.vmHost)
      if (a.violatedSince === null) {
        a.violations++
        a.violatedSince = end
        a.why = why
        events.push({
          time: end,
          kind: 'rule',
          vm: a.violating[0],
          message: `${a.enforcement} rule "${a.name}" (${a.kind}, VMs ${listIds(a.vms)}) violated: ${why}`,
        })
      }
    }
  }

  report(): RulesReport {
    const sum = (must: boolean) => {
      const list = this.accounts.filter((a) => (a.enforcement === 'must') === must)
      return {
        violations: list.reduce((s, a) => s + a.violations, 0),
        violationSeconds: list.reduce((s, a) => s + a.violationSeconds, 0),
        placements: list.reduce((s, a) => s + a.placements, 0),
      }
    }
    return {
      hard: sum(true),
      soft: sum(false),
      byRule: this.accounts.map((a) => ({ ...a, vms: [...a.vms], violating: [...a.violating] })),
    }
  }

  state(): RuleAccount[] {
    return this.accounts.map((a) => ({ ...a, vms: [...a.vms], violating: [...a.violating] }))
  }

  /** The accounts from a checkpoint; the rules still in force go back into the plan's rule set. */
  restore(accounts: RuleAccount[], resolve: (a: RuleAccount) => ResolvedRule): void {
    this.accounts = accounts.map((a) => ({ ...a, vms: [...a.vms], violating: [...a.violating] }))
    for (const a of this.accounts) if (a.removedAt === null) this.plan.rules.add(resolve(a))
  }
}

/** A rule account as the rule it records. */
export function accountRule(a: RuleAccount): ResolvedRule {
  return {
    name: a.name,
    kind: a.kind,
    must: a.enforcement === 'must',
    vms: [...a.vms],
    ...(a.hosts ? { hosts: [...a.hosts], runOn: a.placement === 'run-on' } : {}),
  }
}
