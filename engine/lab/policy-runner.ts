// The policy's pass at the end of a step, whatever the policy: the mandatory repairs of violated must rules
// (every step), then the research policy's consolidation round (every step; under-load consolidation every
// consolidation.underloadEvery) or a preset's pass (every `every`, the interval when longer). Every decision
// is applied to the plan as it is made, so the next one sees it; the coordinator applies them, or — when
// they wait for approval — undoes the pass (engine/lab/simulation.ts). Priorities: rule repairs 1,
// over-load relief 2, under-load consolidation 3, a preset's as it gives them.
import type { ClusterModel } from '../model/cluster-model'
import type { RandomStream } from '../random'
import { LabConsolidation, type LabDecision } from './consolidation'
import type { LabPlan } from './plan'
import { PlanView } from './plan-view'
import { ruleFixes } from './rule-fixes'
import { balanceMetric, measureBalance, presetPass } from '../policies/preset-run'
import type { BalanceMetric } from '../policies/preset-result'
import type { PresetSpec } from '../policies/presets'
import { moveSentence, overloadSentence } from '../policies/explain'

/** A host powered on, or emptied into standby, by a preset (DPM, a Watcher offload). */
export interface PowerDecision {
  kind: 'power-on' | 'standby'
  host: number
  priority: number
  sentence: string
}

export interface PassResult {
  /** the mandatory repairs first, then the policy's moves (a standby's moves carry `standby`) */
  decisions: LabDecision[]
  /** how many of the decisions are repairs (they come first) */
  repairs: number
  power: PowerDecision[]
  /** over-loaded hosts the research policy found */
  overloaded: number[]
  /** whether the policy's own pass ran (its waiting recommendations are replaced only then) */
  policyRan: boolean
}

/** Over-load relief 2, under-load consolidation 3: the research policies' moves as recommendations. */
export const RESEARCH_PRIORITY = { overload: 2, underload: 3 } as const

export class PolicyRunner {
  private readonly consolidation: LabConsolidation | undefined
  private readonly preset: PresetSpec | undefined
  readonly metric: BalanceMetric

  constructor(
    private readonly plan: LabPlan,
    private readonly model: ClusterModel,
    random: RandomStream,
    /** whether a host in standby was put there by the policy (DPM may wake it) */
    private readonly policyStandby: (h: number) => boolean,
  ) {
    const p = model.policy
    this.consolidation =
      p.kind === 'migration' ? new LabConsolidation(plan, p, random, model.interval, model.vmAutomation) : undefined
    this.preset = p.kind === 'preset' ? p.preset : undefined
    this.metric = balanceMetric(this.preset)
  }

  /** Whether the policy is a preset (its own measure), rather than a research policy or none. */
  get hasPreset(): boolean {
    return this.preset !== undefined
  }

  /** The steps between a preset's passes (the interval when `every` is shorter). */
  private get presetSteps(): number {
    return this.preset ? Math.max(1, Math.round(this.preset.every / this.model.interval)) : 1
  }

  /** Idle hosts a preset keeps on for new load (oVirt power saving's HostsInReserve). */
  get idleReserve(): number {
    return this.preset?.family === 'ovirt' && this.preset.balancer === 'power-saving' ? this.preset.hostsInReserve : 0
  }

  view(): PlanView {
    return new PlanView(this.plan, this.model, this.policyStandby)
  }

  /** The policy's measure of the cluster now (frames' `balance`). */
  measure(): number {
    return measureBalance(this.view(), this.preset)
  }

  /**
   * The pass at the end of step `stepIndex` (counted from 1). `whole`: run every part now, whatever the
   * cadence (a dry run: `conlab recommend`).
   */
  run(explain: boolean, stepIndex: number, whole = false): PassResult {
    const P = this.plan
    const decisions = ruleFixes(P, this.model)
    const repairs = decisions.length
    const power: PowerDecision[] = []
    let overloaded: number[] = []
    let policyRan = false
    if (this.consolidation) {
      const every = Math.max(1, Math.round(this.model.underloadEvery / this.model.interval))
      const round = this.consolidation.round(explain, whole || stepIndex % every === 0)
      overloaded = round.overloaded
      for (const d of round.decisions) {
        d.priority = RESEARCH_PRIORITY[d.reason as 'overload' | 'underload']
        decisions.push(d)
      }
      policyRan = true
    } else if (this.preset && (whole || stepIndex % this.presetSteps === 0)) {
      policyRan = true
      const view = this.view()
      const result = presetPass(view, this.preset)
      const decide = (m: (typeof result.moves)[number], standby?: number): LabDecision => {
        const powerOn =
          view.poweredOn.includes(m.to) && !result.power.some((x) => x.kind === 'power-on' && x.host === m.to)
        // a host powered on for a move (a Watcher offload) is switched on with its first move
        if (powerOn) view.poweredOn.splice(view.poweredOn.indexOf(m.to), 1)
        return {
          vm: m.vm,
          from: m.from,
          to: m.to,
          reason: 'preset',
          priority: m.priority,
          sentence: `VM ${m.vm} → host ${m.to}: ${m.why}`,
          sourceUtilization: P.utilization(m.from),
          powerIncreaseW: Number.NaN,
          targetUtilizationAfter: P.utilization(m.to),
          powerOn,
          ...(standby !== undefined ? { standby } : {}),
        }
      }
      for (const m of result.moves) decisions.push(decide(m))
      for (const x of result.power) {
        power.push({ kind: x.kind, host: x.host, priority: x.priority, sentence: x.why })
        for (const m of x.moves ?? []) decisions.push(decide(m, x.host))
      }
    }
    return { decisions, repairs, power, overloaded, policyRan }
  }

  /** The sentence a decision is logged and recommended with. */
  static sentence(d: LabDecision): string {
    if (d.sentence) return d.sentence
    const move = moveSentence(d as LabDecision & { reason: 'overload' | 'underload' }, true)
    return d.verdict && d.reason === 'overload' ? `${move} (${overloadSentence(d.from, d.verdict)})` : move
  }
}
