// The policy core's filters with the placement rules, for the placement paths that scan every host: a
// maintenance or standby evacuation (power-aware best fit), and the target picker that shows a trainee
// why each host can or cannot take a VM. Must rules filter; a should rule only ranks a host below every
// host that keeps all of them.
import { HOST_STATE } from '../vocabulary'
import { specPower } from '../power'
import { describeRejection, placementRejection, REJECTION, type Rejection } from '../policies/filters'
import { powerIncreaseW } from '../policies/weighers'
import { brokenRule, ruleSentence, type ActiveRule, type RuleCheckOptions } from '../policies/rules'
import type { LabPlan } from './plan'

export interface HostVerdict {
  rejection: Rejection
  /** the must rule that refuses the host (rejection = rule), or the should rule it would break */
  rule?: ActiveRule
}

/** Filters (state and mode, admission, CPU room for `demand` unless it is NaN) and rules, for VM v on host h. */
export function hostVerdict(P: LabPlan, v: number, h: number, demand: number, o: RuleCheckOptions = {}): HostVerdict {
  const rejection = Number.isNaN(demand) ? placementRejection(P, h, v, -Infinity) : placementRejection(P, h, v, demand)
  if (rejection !== REJECTION.none) return { rejection }
  if (!P.rules.any) return { rejection }
  const rule = brokenRule(P.rules, P, v, h, o)
  if (rule?.must) return { rejection: REJECTION.rule, rule }
  return { rejection, rule }
}

/** A verdict in words. */
export function verdictSentence(P: LabPlan, v: number, h: number, demand: number, verdict: HostVerdict): string {
  if (verdict.rejection === REJECTION.rule || verdict.rule) return ruleSentence(verdict.rule!, P, v, h)
  return describeRejection(verdict.rejection, P, h, v, demand)
}

/** The watts host h draws now at its planned utilization (0 when off, or when nothing is planned there). */
function drawNow(P: LabPlan, h: number): number {
  if (P.hostState[h] === HOST_STATE.off || P.members[h]!.length === 0) return 0
  const u = P.hostDemand[h]! / P.capacity[h]!
  return specPower(P.power[h]!, u < 0 ? 0 : u > 1 ? 1 : u)
}

export interface EvacuationChoice {
  host: number
  /** the target is off and is switched on for the VM */
  powerOn: boolean
  /** the should rule the move breaks (when no host keeps them all) */
  soft?: ActiveRule
  powerIncreaseW: number
}

/**
 * Where VM v goes when it leaves host `from` for maintenance or standby: power-aware best fit (the least
 * power rise, ties to the lower id) over the powered-on hosts that pass the filters and the must rules;
 * a switched-off host only when none does; a host breaking a should rule only when no host keeps them all.
 * Undefined when no host takes it, with the reasons counted.
 */
export function evacuationTarget(
  P: LabPlan,
  v: number,
  from: number,
): { choice?: EvacuationChoice; refusals: Map<string, number> } {
  const demand = P.vmDemand[v]!
  const refusals = new Map<string, number>()
  const candidates: { h: number; off: boolean; soft?: ActiveRule; score: number }[] = []
  for (let h = 0; h < P.hostCount; h++) {
    if (h === from) continue
    const verdict = hostVerdict(P, v, h, demand, { emptying: from })
    if (verdict.rejection !== REJECTION.none) {
      const why =
        verdict.rejection === REJECTION.rule
          ? `must rule "${verdict.rule!.name}"`
          : verdict.rejection === REJECTION.state
            ? 'state'
            : verdict.rejection === REJECTION.cpu
              ? 'CPU'
              : verdict.rejection === REJECTION.ram
                ? 'RAM'
                : verdict.rejection === REJECTION.vcpus
                  ? 'vCPUs'
                  : 'core speed'
      refusals.set(why, (refusals.get(why) ?? 0) + 1)
      continue
    }
    const off = P.hostState[h] === HOST_STATE.off
    const u = (P.hostDemand[h]! + demand) / P.capacity[h]!
    candidates.push({
      h,
      off,
      soft: verdict.rule,
      score: powerIncreaseW(P.power[h]!, u < 0 ? 0 : u > 1 ? 1 : u, drawNow(P, h)),
    })
  }
  // (keeps every should rule, powered on) ≻ (keeps them, off) ≻ (breaks one, on) ≻ (breaks one, off)
  const rank = (c: (typeof candidates)[number]) => (c.soft ? 2 : 0) + (c.off ? 1 : 0)
  let best: (typeof candidates)[number] | undefined
  for (const c of candidates)
    if (!best || rank(c) < rank(best) || (rank(c) === rank(best) && c.score < best.score)) best = c
  if (!best) return { refusals }
  return { choice: { host: best.h, powerOn: best.off, soft: best.soft, powerIncreaseW: best.score }, refusals }
}

/** "no host takes it (RAM: 6 hosts, must rule "web-apart": 2 hosts, state: 1 host)" */
export function refusalSentence(refusals: Map<string, number>): string {
  const parts = [...refusals].sort((a, b) => b[1] - a[1]).map(([why, n]) => `${why}: ${n} host${n === 1 ? '' : 's'}`)
  return `no host takes it${parts.length ? ` (${parts.join(', ')})` : ''}`
}
