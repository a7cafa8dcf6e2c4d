// A guided lab's objectives followed through a run, step by step: the same code for the live checklist of a
// run the trainee plays (LabSession) and for grading by replay (./grade.ts), so both read the same values.
// A check `at` a time is made on the report at the end of the step that ends then; a check at the end on the
// final report. A metric that never decreases settles a below/atMost target when it first exceeds it and an
// atLeast/above target when it first reaches it (the checklist shows it at once; the debrief says when).
import type { RunReport } from '../report'
import type { LabEvent } from '../vocabulary'
import { METRICS, revertsIn, type MetricParams, type MetricSpec, type RevertRecord } from './metrics'
import type { Comparator } from '../api/lab-comparators'
import { comparatorOf, meets, type LabObjective } from './schema'

/** An event of the run with its place in the run's event log (for links from the debrief). */
export interface IndexedEvent extends LabEvent {
  index: number
}

/** The live state of an objective while the run plays. */
export interface ObjectiveState {
  id: string
  text: string
  metric: string
  comparator: Comparator
  target: number
  /** simulated seconds it is checked at (absent: at the end of the run) */
  at?: number
  points: number
  /** met / not yet / failed: settled ones stay as they are; the others are decided at their time */
  state: 'met' | 'not-yet' | 'failed'
  /** the metric's value now, or where it was settled (null: the report has no such figure) */
  value: number | null
  /** the value meets the target now (for a not-yet objective: what the check would say if it were made now) */
  holdsNow: boolean
  /** simulated seconds it was settled at */
  decidedAt?: number
}

/** An objective graded: its value against its target, and what decided it. */
export interface ObjectiveGrade {
  id: string
  text: string
  metric: string
  passed: boolean
  /** the value the check read (null: the report has no such figure — see `note`) */
  value: number | null
  target: number
  comparator: Comparator
  at?: number
  points: number
  /** simulated seconds the outcome was settled: its time, when a never-decreasing metric crossed, or the end */
  decidedAt: number
  /** the last events of the run that bear on it, up to decidedAt (links into the event log) */
  events: IndexedEvent[]
  note?: string
}

/** What a tracker keeps (a session keeps it beside each of its checkpoints, to continue from one). */
export interface TrackerState {
  settled: ({ value: number | null; time: number; passed: boolean } | null)[]
  events: IndexedEvent[][]
  reverts: RevertRecord[]
  eventCount: number
}

/** The events kept per objective for the debrief. */
const EVENTS_KEPT = 8

interface Tracked {
  objective: LabObjective
  spec: MetricSpec
  params: MetricParams
  comparator: Comparator
  target: number
}

export class ObjectiveTracker {
  private readonly tracked: Tracked[]
  private state: TrackerState

  constructor(
    objectives: readonly LabObjective[],
    private readonly endSeconds: number,
    state?: TrackerState,
  ) {
    this.tracked = objectives.map((objective) => {
      const c = objective.check
      return {
        objective,
        spec: METRICS[c.metric],
        params: { vm: c.vm, snapshot: c.snapshot, hosts: c.hosts, kinds: c.kinds, path: c.path },
        ...comparatorOf(c),
      }
    })
    this.state = state
      ? structuredClone(state)
      : { settled: objectives.map(() => null), events: objectives.map(() => []), reverts: [], eventCount: 0 }
  }

  /** A copy of what it has followed so far. */
  snapshot(): TrackerState {
    return structuredClone(this.state)
  }

  /** Does a step need the report (an objective checked at its end, or a never-decreasing one still open)? */
  private needsReport(time: number): boolean {
    return this.tracked.some(
      (t, i) => this.state.settled[i] === null && (t.objective.check.at === time || this.settlesEarly(t)),
    )
  }

  private settlesEarly(t: Tracked): boolean {
    return t.objective.check.at === undefined && t.spec.trend === 'up'
  }

  private value(t: Tracked, report: RunReport): number | null {
    return t.spec.read({ report, reverts: this.state.reverts }, t.params) ?? null
  }

  /** After a step that ended at `time`, with the step's events; `report` is asked for only when needed. */
  observe(time: number, events: readonly LabEvent[], report: () => RunReport): void {
    const s = this.state
    s.reverts.push(...revertsIn(events))
    for (const e of events) {
      const indexed = { ...e, index: s.eventCount++ }
      this.tracked.forEach((t, i) => {
        if (s.settled[i] !== null || !t.spec.events?.(e, t.params)) return
        const kept = s.events[i]!
        kept.push(indexed)
        if (kept.length > EVENTS_KEPT) kept.shift()
      })
    }
    if (!this.needsReport(time)) return
    const r = report()
    this.tracked.forEach((t, i) => {
      if (s.settled[i] !== null) return
      const value = this.value(t, r)
      if (t.objective.check.at === time) {
        s.settled[i] = { value, time, passed: value !== null && meets(value, t.comparator, t.target) }
      } else if (this.settlesEarly(t) && value !== null) {
        const holds = meets(value, t.comparator, t.target)
        const rising = t.comparator === 'atLeast' || t.comparator === 'above'
        // a below/atMost target missed, or an atLeast/above one reached, stays so: the metric only grows
        if (rising ? holds : !holds && t.comparator !== 'equals') s.settled[i] = { value, time, passed: holds }
      }
    })
  }

  /** The checklist now: `report` is the run's report so far, `done` whether the run has reached its end. */
  status(report: RunReport, done: boolean): ObjectiveState[] {
    return this.tracked.map((t, i) => {
      const settled = this.state.settled[i]
      const base = {
        id: t.objective.id,
        text: t.objective.text,
        metric: t.objective.check.metric,
        comparator: t.comparator,
        target: t.target,
        ...(t.objective.check.at !== undefined ? { at: t.objective.check.at } : {}),
        points: t.objective.points,
      }
      if (settled)
        return {
          ...base,
          state: settled.passed ? 'met' : 'failed',
          value: settled.value,
          holdsNow: settled.passed,
          decidedAt: settled.time,
        }
      const value = this.value(t, report)
      const holds = value !== null && meets(value, t.comparator, t.target)
      const final = done && t.objective.check.at === undefined
      return {
        ...base,
        state: final ? (holds ? 'met' : 'failed') : 'not-yet',
        value,
        holdsNow: holds,
        ...(final ? { decidedAt: report.simulatedSeconds } : {}),
      }
    })
  }

  /** The objectives graded on the run's final report. */
  grade(report: RunReport): ObjectiveGrade[] {
    return this.tracked.map((t, i) => {
      const settled = this.state.settled[i]
      const c = t.objective.check
      // a check at a time reads the value then; one at the end reads the final report, also when a
      // never-decreasing metric settled it earlier (the grade shows where it ended, decidedAt when it crossed)
      const value = settled && c.at !== undefined ? settled.value : this.value(t, report)
      const passed = settled ? settled.passed : value !== null && meets(value, t.comparator, t.target)
      const decidedAt = settled ? settled.time : this.endSeconds
      return {
        id: t.objective.id,
        text: t.objective.text,
        metric: c.metric,
        passed,
        value,
        target: t.target,
        comparator: t.comparator,
        ...(c.at !== undefined ? { at: c.at } : {}),
        points: t.objective.points,
        decidedAt,
        events: this.state.events[i]!.filter((e) => e.time <= decidedAt),
        ...(value === null
          ? {
              note:
                c.at !== undefined && !settled
                  ? `the run ended before ${c.at} s`
                  : `the report has no ${c.metric === 'report' ? c.path : c.metric}`,
            }
          : {}),
      }
    })
  }
}
