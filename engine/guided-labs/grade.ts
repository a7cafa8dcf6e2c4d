// Grading by replay: a submission's settings applied to the lab's scenario, its orders given at the start
// of the steps they were applied in (as the trainee's run gave them: the replay's order log is the
// submission's), the run played from t = 0 to its end with the objectives followed step by step
// (./objectives.ts), then the score — points of the objectives met, less the hints' costs. The engine is
// deterministic, so the same submission always gets the same grade; a submission for other lab content or
// with a choice the lab does not allow is refused before anything runs, naming the entry at fault.
import type { FileSource } from '../platform/files'
import type { ClusterModel } from '../model/cluster-model'
import { LabInputError, type Diagnostic } from '../scenario/diagnostics'
import { parseScenario, type ParsedScenario, type Setting } from '../scenario/load'
import { modelOf } from '../scenario/open'
import { LabSimulation } from '../lab/simulation'
import { inProcessShards, type ShardFactory } from '../lab/shards'
import type { LabOrder } from '../lab/lab-state'
import { labReport } from '../run'
import type { LabEvent } from '../vocabulary'
import { OrderError, checkAction } from '../api/session-orders'
import type { GuidedLab } from './lab-file'
import { checkChoices, orderKind } from './choices'
import type { OrderEntry } from './schema'
import { ObjectiveTracker, type ObjectiveGrade } from './objectives'

/** A trainee's choices for a lab, and where they came from (a submission file, the app, the lab's solution). */
export interface Submission {
  lab: string
  labHash: string
  trainee?: string
  settings: string[]
  hintsUsed: string[]
  solutionSeen: boolean
  orders: OrderEntry[]
  /** the file (or what stands for one) that problems are reported at */
  file: string
  /** a diagnostic at a JSON path of the submission, at its line when it came from a file */
  diagnostic(path: readonly (string | number)[], message: string): Diagnostic
}

export interface LabGrade {
  lab: string
  title: string
  /** every objective met */
  passed: boolean
  /** points of the objectives met, less the revealed hints' costs (at least 0; 0 once the solution was seen) */
  score: number
  maxScore: number
  objectives: ObjectiveGrade[]
  hintsUsed: string[]
  hintCost: number
  solutionSeen: boolean
  /** the replay's final state and length: the same submission always gives the same */
  stateHash: string
  simulatedSeconds: number
  /** the solution's approach, for the debrief (once passed, or once the solution was seen) */
  solution?: { approach: string }
}

/** The settings of a submission, each blamed on its own entry when the scenario refuses it. */
function settingsOf(s: Submission): Setting[] {
  return s.settings.map((setting, i) => {
    const d = s.diagnostic(['settings', i], '')
    return { setting, source: `${d.file}${d.line !== undefined ? `:${d.line}` : ''} settings[${i}]` }
  })
}

/**
 * The lab's scenario with its setup and the trainee's settings, and its model (every check a run would make
 * first); problems in an inline scenario are reported at the lab file's lines.
 */
export function openLabScenario(
  lab: GuidedLab,
  files: FileSource,
  settings: readonly Setting[] = [],
): { parsed: ParsedScenario; model: ClusterModel } {
  let parsed: ParsedScenario
  try {
    parsed = parseScenario(lab.scenario.text, lab.scenario.file, [...lab.setup, ...settings])
  } catch (e) {
    throw e instanceof LabInputError ? lab.relocate(e) : e
  }
  const located: ParsedScenario = {
    ...parsed,
    diagnostic: (path, message) => lab.relocate(new LabInputError([parsed.diagnostic(path, message)])).diagnostics[0]!,
  }
  let model: ClusterModel
  try {
    model = modelOf(located, files)
  } catch (e) {
    throw e instanceof LabInputError ? lab.relocate(e) : e
  }
  const problems: Diagnostic[] = []
  lab.spec.objectives.forEach((o, i) => {
    const c = o.check
    if (c.vm !== undefined && c.vm >= model.vmCount)
      problems.push(
        lab.diagnostic(['objectives', i, 'check', 'vm'], `expected a VM number 0..${model.vmCount - 1}, found ${c.vm}`),
      )
    c.hosts?.forEach((h, j) => {
      if (h >= model.hostCount)
        problems.push(
          lab.diagnostic(
            ['objectives', i, 'check', 'hosts', j],
            `expected a host number 0..${model.hostCount - 1}, found ${h}`,
          ),
        )
    })
  })
  if (problems.length) throw new LabInputError(problems)
  return { parsed: located, model }
}

/** The orders of a submission as the lab takes them, each checked against the model (VM and host numbers). */
export function ordersOf(s: Submission, model: ClusterModel): { at: number; action: LabOrder }[] {
  const problems: Diagnostic[] = []
  const out = s.orders.map((o, i) => {
    const { at, ...action } = o
    try {
      return { at, action: checkAction(action, model.hostCount, model.vmCount) }
    } catch (e) {
      if (!(e instanceof OrderError)) throw e
      const m = /^order: ([\w.]+): (.*)$/.exec(e.message)
      const kind = orderKind(o)
      problems.push(
        s.diagnostic(['orders', i, ...(m ? m[1]!.split('.') : [kind])], m ? m[2]! : e.message.replace(/^order: /, '')),
      )
      return { at, action: action }
    }
  })
  if (problems.length) throw new LabInputError(problems)
  return out
}

/** Refusals of a submission for this lab: another lab, other content, choices the lab does not allow. */
export function submissionProblems(lab: GuidedLab, s: Submission): Diagnostic[] {
  const problems: Diagnostic[] = []
  if (s.lab !== lab.id) problems.push(s.diagnostic(['lab'], `expected "${lab.id}" (the lab graded), found "${s.lab}"`))
  else if (s.labHash !== lab.hash)
    problems.push(
      s.diagnostic(
        ['labHash'],
        `expected ${lab.hash} (the lab as it is now), found ${s.labHash}: the lab has changed since this submission was made`,
      ),
    )
  problems.push(...checkChoices(lab, s, (path, message) => s.diagnostic(path, message)))
  return problems
}

export interface GradeOptions {
  /** host shards (default 1, in this thread); the grade does not depend on them */
  shards?: number
  shardFactory?: ShardFactory
}

/** Grades a submission by replaying it from the lab's start; throws LabInputError when it is refused. */
export async function gradeSubmission(
  lab: GuidedLab,
  submission: Submission,
  files: FileSource,
  options: GradeOptions = {},
): Promise<LabGrade> {
  const problems = submissionProblems(lab, submission)
  if (problems.length) throw new LabInputError(problems)
  const { model } = openLabScenario(lab, files, settingsOf(submission))
  const orders = ordersOf(submission, model)
  const tracker = new ObjectiveTracker(lab.spec.objectives, model.duration)
  const sim = await LabSimulation.create(model, options.shards ?? 1, options.shardFactory ?? inProcessShards)
  try {
    let events: LabEvent[] = []
    sim.onEvent = (e) => events.push(e)
    let next = 0
    while (!sim.done) {
      while (next < orders.length && orders[next]!.at <= sim.time) sim.order(orders[next++]!.action)
      const f = await sim.step()
      if (!f) break
      tracker.observe(f.time, events, () => labReport(model, sim, 0))
      events = []
    }
    return scoreOf(lab, submission, tracker.grade(labReport(model, sim, 0)), sim.stateHash(), sim.time)
  } finally {
    await sim.close()
  }
}

/** The grade from the objectives graded: points met less hint costs. */
export function scoreOf(
  lab: GuidedLab,
  s: Pick<Submission, 'hintsUsed' | 'solutionSeen'>,
  objectives: ObjectiveGrade[],
  stateHash: string,
  simulatedSeconds: number,
): LabGrade {
  const hintsUsed = [...new Set(s.hintsUsed)]
  const hintCost = hintsUsed.reduce((sum, h) => sum + (lab.spec.hints.find((x) => x.id === h)?.cost ?? 0), 0)
  const maxScore = objectives.reduce((sum, o) => sum + o.points, 0)
  const earned = objectives.reduce((sum, o) => sum + (o.passed ? o.points : 0), 0)
  const passed = objectives.every((o) => o.passed)
  return {
    lab: lab.id,
    title: lab.spec.title,
    passed,
    score: s.solutionSeen ? 0 : Math.max(0, earned - hintCost),
    maxScore,
    objectives,
    hintsUsed,
    hintCost,
    solutionSeen: s.solutionSeen,
    stateHash,
    simulatedSeconds,
    ...(passed || s.solutionSeen ? { solution: { approach: lab.spec.solution.approach } } : {}),
  }
}
