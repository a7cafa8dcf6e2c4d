// One consolidation round of the lab model: the same detectors, VM selections and power-aware best-fit
// decreasing placement as CloudSim's policies, without CloudSim's quirks — RAM is enforced, a switched-off
// host (or one about to be) costs its whole power, hosts that just received VMs are not emptied in the
// same round — and every decision is applied to the plan at once, with the numbers that explain it.
// Built for 10,000 hosts: only hosts that hold or run something are candidates, visited through an index
// that skips those that cannot win (placement-index.ts); idle hosts of a type are interchangeable, so the
// lowest id stands for all of them; the LR test is screened in O(1) per host (index-lr.ts, in the plan);
// the under-load phase gives up after a run of hosts it could not empty, since emptier hosts were tried
// first. Every shortcut gives exactly the decision of the full computation.
import { VM_AUTOMATION } from '../model/cluster-model'
import { createDetector, type Detector, type DetectorVerdict } from '../policies/detectors'
import type { PolicySpec } from '../policies/policy-name'
import { specPower } from '../power'
import { selectVm, type SelectionView } from '../policies/selection'
import { placementRejection, REJECTION } from '../policies/filters'
import { powerIncreaseW } from '../policies/weighers'
import { brokenRule, type ActiveRule, type RuleCheckOptions } from '../policies/rules'
import { HOST_MODE, HOST_STATE } from '../vocabulary'
import type { RandomStream } from '../random'
import type { LabPlan } from './plan'
import { PlacementIndex } from './placement-index'
import { AscendingHosts } from './ascending-hosts'

export interface LabDecision {
  vm: number
  from: number
  to: number
  /** over-load relief and under-load consolidation (the research policies), a preset's move, a rule repaired */
  reason: 'overload' | 'underload' | 'preset' | 'rule'
  /** 1 (mandatory) … 5; the research policies' moves: over-load relief 2, under-load consolidation 3 */
  priority?: number
  /** the sentence that explains a preset's move or a repair (the research policies' is explain.ts's) */
  sentence?: string
  /** a move that empties this host for standby (DPM): part of that recommendation */
  standby?: number
  verdict?: DetectorVerdict
  sourceUtilization: number
  /** power after − power before on the target, W (a switched-off target counts its whole power) */
  powerIncreaseW: number
  targetUtilizationAfter: number
  /** the target was off and has to be switched on */
  powerOn: boolean
  /** the should rule the move breaks, when no host that keeps every should rule took the VM */
  soft?: ActiveRule
}

const NO_RULE_OPTIONS: RuleCheckOptions = {}

/** Under-loaded hosts tried in a row without emptying one before the phase stops. */
const UNDERLOAD_GIVE_UP = 16

export class LabConsolidation {
  private readonly detector: Detector
  private readonly excluded: Uint8Array
  private readonly busy: number[] = []
  private readonly isBusy: Uint8Array
  private readonly idleCursor: Int32Array
  /** whether idle (switched-off) hosts may receive VMs: yes for over-load relief, no when consolidating */
  private idleAllowed = true
  /** LR/LRR tested in linear form (O(1) per host + VM) */
  private readonly linearLr: boolean
  /** the busy hosts by type and utilization, so that a placement need not scan them all */
  private readonly index: PlacementIndex
  /** hosts that received VMs this round; the under-load candidates' utilization (scratch) */
  private readonly received: Uint8Array
  private readonly utilizationScratch: Float64Array
  /** the under-load candidates, least utilized first */
  private readonly emptiest = new AscendingHosts()

  /** how VM selection reads the plan */
  private readonly selectionView: SelectionView

  constructor(
    private readonly plan: LabPlan,
    private readonly policy: Extract<PolicySpec, { kind: 'migration' }>,
    private readonly random: RandomStream,
    private readonly interval: number,
    /** each VM's own automation level (cluster-model.ts VM_AUTOMATION): a disabled VM never moves by itself */
    private readonly vmAutomation: Uint8Array = new Uint8Array(0),
  ) {
    this.linearLr = policy.detector === 'lr' || policy.detector === 'lrr'
    this.detector = createDetector(policy.detector, policy.safety)
    this.excluded = new Uint8Array(plan.hostCount)
    this.isBusy = new Uint8Array(plan.hostCount)
    this.before = new Float64Array(plan.hostCount)
    this.received = new Uint8Array(plan.hostCount)
    this.utilizationScratch = new Float64Array(plan.hostCount)

    this.idleCursor = new Int32Array(plan.hostsOfType.length)
    this.index = new PlacementIndex(plan.hostType, plan.capacity, plan.power, plan.hostsOfType.length, plan.vmRam)
    this.selectionView = {
      ramMB: (v) => plan.vmRam[v]!,
      utilization: (v) => plan.vmDemand[v]! / plan.vmCap[v]!,
      historyLength: (v) => plan.histLen[v]!,
      history: (v, length) => Float64Array.from({ length }, (_, i) => plan.history(v, i)),
    }
  }

  private overloaded(h: number, plus = -1): boolean {
    if (this.linearLr) return this.plan.lrOverloaded(h, plus, this.policy.safety, this.interval)
    return this.detector.isOverloaded(this.plan.load(h, plus, this.detector.historyNeeded))
  }

  round(explain: boolean, consolidate = true): { decisions: LabDecision[]; overloaded: number[] } {
    const P = this.plan
    const decisions: LabDecision[] = []
    const overloaded: number[] = []
    const verdicts = new Map<number, DetectorVerdict>()
    this.busy.length = 0
    this.isBusy.fill(0)
    this.idleCursor.fill(0)
    this.index.clear()
    for (let h = 0; h < P.hostCount; h++) {
      if (!P.isIdle(h)) {
        this.busy.push(h)
        this.isBusy[h] = 1
        this.refreshBefore(h)
      } else this.before[h] = 0
      if (P.members[h]!.length === 0 || P.hostState[h] !== HOST_STATE.on) continue
      // the decision never depends on whether explanations are asked for
      if (this.overloaded(h)) {
        overloaded.push(h)
        if (explain) verdicts.set(h, this.detector.explain(P.load(h)))
      }
    }
    this.excluded.fill(0)
    for (const h of overloaded) this.excluded[h] = 1

    // Phase 1: VMs leave over-loaded hosts until each is no longer over-loaded.
    const leaving: { vm: number; from: number }[] = []
    const received = this.received
    received.fill(0)
    for (const h of overloaded) {
      const taken: number[] = []
      for (;;) {
        const v = this.select(h, taken)
        if (v < 0) break
        taken.push(v)
        if (!this.overloadedWithout(h, taken)) break
      }
      for (const v of taken) leaving.push({ vm: v, from: h })
    }
    leaving.sort((a, b) => P.vmDemand[b.vm]! - P.vmDemand[a.vm]! || a.vm - b.vm)
    for (const { vm, from } of leaving) {
      const d = this.place(vm, from, 'overload', verdicts.get(from))
      if (d) {
        decisions.push(d)
        received[d.to] = 1
      }
    }

    if (!consolidate) return { decisions, overloaded }

    // Phase 2: empty the least-utilized hosts when all their VMs fit elsewhere. Off hosts, and hosts
    // about to be switched off, take nothing here (as CloudSim excludes switched-off hosts).
    const candidates: number[] = []
    for (const h of this.busy) {
      if (P.hostState[h] !== HOST_STATE.on || P.members[h]!.length === 0) {
        this.excluded[h] = 1
        continue
      }
      if (this.excluded[h] || received[h]) continue
      if (P.incoming[h]! > 0) continue
      candidates.push(h)
    }
    const utilization = this.utilizationScratch
    for (const h of candidates) utilization[h] = P.utilization(h)
    const emptiest = this.emptiest
    emptiest.reset(candidates, utilization)
    this.idleAllowed = false
    let failures = 0
    for (let h = emptiest.next(); h >= 0; h = emptiest.next()) {
      if (received[h] || this.excluded[h]) continue
      if (failures >= UNDERLOAD_GIVE_UP) break
      this.excluded[h] = 1
      const vms = P.members[h]!.slice().sort((a, b) => P.vmDemand[b]! - P.vmDemand[a]! || a - b)
      // a host holding a VM that never moves by itself (pinned, in a must-affinity group) cannot be emptied
      if (vms.some((v) => !this.movable(v))) continue
      const placed: LabDecision[] = []
      for (const v of vms) {
        const d = this.place(v, h, 'underload')
        if (!d) break
        placed.push(d)
      }
      if (placed.length < vms.length) {
        for (const d of placed.reverse()) {
          P.unmove(d.vm, d.to)
          this.refreshBefore(d.to)
        }
        this.refreshBefore(h)
        failures++
        continue
      }
      failures = 0
      for (const d of placed) received[d.to] = 1
      decisions.push(...placed)
    }
    this.idleAllowed = true
    return { decisions, overloaded }
  }

  /** Host h's over-load test once the VMs `taken` have left it (CloudSim re-tests the host after each pick). */
  private overloadedWithout(h: number, taken: number[]): boolean {
    return this.plan.without(h, taken, () => this.overloaded(h))
  }

  /** Whether automation may move VM v: not pinned by the operator, not disabled, not in a must-affinity group. */
  private movable(v: number): boolean {
    const P = this.plan
    return (
      !P.vmPinned[v] && this.vmAutomation[v] !== VM_AUTOMATION.disabled && !(P.rules.any && P.rules.inMustAffinity(v))
    )
  }

  /** The VM to move next from host h (its VMs that are not moving and may move, minus those already taken). */
  private select(h: number, taken: number[]): number {
    const P = this.plan
    const candidates = P.members[h]!.filter(
      (v) => P.vmTarget[v]! < 0 && P.vmHost[v] === h && !taken.includes(v) && this.movable(v),
    )
    return selectVm(this.policy.selection, candidates, this.selectionView, this.random)
  }

  /**
   * The lowest-id idle host of a type that is not excluded and takes VMs (idle hosts only turn busy during a
   * round, and a host's mode does not change during one).
   */
  private firstIdle(t: number): number {
    const P = this.plan
    const ids = P.hostsOfType[t]!
    let i = this.idleCursor[t]!
    while (
      i < ids.length &&
      (this.isBusy[ids[i]!] || this.excluded[ids[i]!] || P.hostMode[ids[i]!] !== HOST_MODE.normal)
    )
      i++
    this.idleCursor[t] = i
    return i < ids.length ? ids[i]! : -1
  }

  /**
   * The lowest-id idle host of a type that VM v's rules allow: with a vm-host rule the idle hosts of a type
   * are no longer interchangeable (a should rule counts only while `soft` is false).
   */
  private firstIdleFor(t: number, v: number, soft: boolean, o: RuleCheckOptions): number {
    const P = this.plan
    const ids = P.hostsOfType[t]!
    for (let i = this.idleCursor[t]!; i < ids.length; i++) {
      const h = ids[i]!
      if (this.isBusy[h] || this.excluded[h] || P.hostMode[h] !== HOST_MODE.normal) continue
      const broken = brokenRule(P.rules, P, v, h, o)
      if (!broken || (!broken.must && soft)) return h
    }
    return -1
  }

  /**
   * The over-load test of host + VM v, prepared once per placement. LR runs in linear form with the VM's
   * dot product computed once per horizon; THR compares demands; IQR and MAD take the full path.
   */
  private overloadAfterTest(v: number): (h: number) => boolean {
    const P = this.plan
    if (this.policy.detector === 'thr') {
      const demand = P.vmDemand[v]!
      const threshold = this.policy.safety
      return (h) => (P.hostDemand[h]! + demand) / P.capacity[h]! > threshold
    }
    if (!this.linearLr) return (h) => this.overloaded(h, v)
    return (h) => P.lrOverloaded(h, v, this.policy.safety, this.interval)
  }

  /** Power each host draws now at its planned utilization (0 when off or about to be switched off). */
  private readonly before: Float64Array

  private refreshBefore(h: number): void {
    const P = this.plan
    const off = P.hostState[h] === HOST_STATE.off || P.members[h]!.length === 0
    const u = P.hostDemand[h]! / P.capacity[h]!
    this.before[h] = off ? 0 : specPower(P.power[h]!, u < 0 ? 0 : u > 1 ? 1 : u)
    this.index.set(h, u, off, off ? 0 : this.index.roomFor(P.hostRamUse[h]!, P.hostRam[h]!))
  }

  /**
   * Power-aware best fit for VM v (leaving `from`): the host whose power rises least, ties to the lower
   * id; a host that is off, or about to be switched off because everything leaves it, counts its whole
   * power. Applies the move to the plan when a host is found. Busy hosts are visited through the index
   * (placement-index.ts): by buckets of increasing lower bound on their rise, stopping where no host left
   * can win or tie — the host found is the one a scan of all busy hosts finds.
   */
  private place(
    v: number,
    from: number,
    reason: LabDecision['reason'],
    verdict?: DetectorVerdict,
  ): LabDecision | undefined {
    const P = this.plan
    const demand = P.vmDemand[v]!
    const ram = P.vmRam[v]!
    const { capacity, hostDemand, power, members } = P
    const excluded = this.excluded
    const before = this.before
    const overAfter = this.overloadAfterTest(v)
    const rules = P.rules
    // rules are filters (must) and a rank (should): hosts breaking a should rule only when none keeps them all
    const ruled = rules.any && rules.of(v).length > 0
    const hostRules = ruled && rules.hasHostRule(v)
    const ruleOptions: RuleCheckOptions = ruled && reason === 'underload' ? { emptying: from } : NO_RULE_OPTIONS
    let soft = false
    let best = -1
    let bestScore = Number.POSITIVE_INFINITY
    let bestSoft: ActiveRule | undefined
    const consider = (h: number) => {
      if (excluded[h] || h === from) return
      if (placementRejection(P, h, v, demand) !== REJECTION.none) return
      const u = (hostDemand[h]! + demand) / capacity[h]!
      const score = powerIncreaseW(power[h]!, u, before[h]!)
      if (score > bestScore || (score === bestScore && h > best)) return
      if (members[h]!.length > 0 && overAfter(h)) return
      let broken: ActiveRule | undefined
      if (ruled) {
        broken = brokenRule(rules, P, v, h, ruleOptions)
        if (broken && (broken.must || !soft)) return
      }
      best = h
      bestScore = score
      bestSoft = broken
    }
    const index = this.index
    const search = () => {
      const dark = index.dark
      for (let i = 0; i < dark.length; i++) consider(dark[i]!)
      for (let t = 0; t < P.hostsOfType.length && this.idleAllowed; t++) {
        const h = hostRules ? this.firstIdleFor(t, v, soft, ruleOptions) : this.firstIdle(t)
        if (h >= 0) consider(h)
      }
      const groups = index.prepare(demand, ram)
      for (let i = 0; i < groups && !index.beaten(i, bestScore); i++) {
        for (let room = index.firstRoom; room <= index.lastRoom; room++) {
          const hosts = index.hostsAt(i, room)
          for (let j = 0; j < hosts.length; j++) consider(hosts[j]!)
        }
      }
    }
    search()
    if (best < 0 && ruled && rules.of(v).some((r) => !r.must)) {
      soft = true
      search()
    }
    if (best < 0) return undefined
    const bestU = (hostDemand[best]! + demand) / capacity[best]!
    const powerOn = P.hostState[best] === HOST_STATE.off
    if (powerOn) P.hostState[best] = HOST_STATE.booting
    if (!this.isBusy[best]) {
      this.isBusy[best] = 1
      this.busy.push(best)
    }
    P.move(v, best)
    this.refreshBefore(best)
    this.refreshBefore(from)
    return {
      vm: v,
      from,
      to: best,
      reason,
      verdict,
      sourceUtilization: P.utilization(from),
      powerIncreaseW: bestScore,
      targetUtilizationAfter: bestU,
      powerOn,
      ...(bestSoft ? { soft: bestSoft } : {}),
    }
  }
}
