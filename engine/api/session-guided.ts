// A LabSession's guided labs: the library (built-in labs beside the built-in scenarios, in `labs/`, and the
// lab packs loaded), the lab open now with the trainee's settings and its objectives followed step by step
// (engine/guided-labs/objectives.ts, the same tracker grading uses), the hints revealed and solutions seen
// (remembered per lab for the session), and what a whole-lab checkpoint needs to continue a lab: the
// tracker as it was then. Grading replays the open run's settings and order log from t = 0
// (engine/guided-labs/grade.ts): the grade is what `conlab lab grade` gives its exported submission.
import type {
  LabBriefing,
  LabHint,
  LabOrder,
  LabPack,
  LabSolution,
  LabStatus,
  OpenLabRequest,
  RestoreOptions,
  SubmissionExport,
} from './lab-api'
import type { FileSource } from '../platform/files'
import type { ScenarioCatalog } from './scenario-catalog'
import type { LabRun } from './session-lab'
import { OrderError } from './session-orders'
import { LabInputError, jsonPath } from '../scenario/diagnostics'
import { LIMITS } from '../scenario/limits'
import { LabLibrary, labSummary, memoryFiles, type LabSummary } from '../guided-labs/library'
import type { GuidedLab } from '../guided-labs/lab-file'
import { checkChoices } from '../guided-labs/choices'
import { ObjectiveTracker, type TrackerState } from '../guided-labs/objectives'
import { gradeSubmission, openLabScenario, type LabGrade } from '../guided-labs/grade'
import { formatSubmission, submissionOf } from '../guided-labs/submission-file'
import { METRICS } from '../guided-labs/metrics'
import { comparatorOf } from '../guided-labs/schema'
import { describeCheck } from '../guided-labs/words'

/** A lab's briefing: the summary, the Markdown, the objectives with their checks, what is allowed, the hints. */
export function briefingOf(
  lab: GuidedLab,
  source: string,
  revealed: ReadonlySet<string> = new Set(),
  solutionSeen = false,
): LabBriefing {
  const s = lab.spec
  return {
    ...labSummary(lab, source),
    briefing: s.briefing,
    hash: lab.hash,
    objectives: s.objectives.map((o) => ({
      id: o.id,
      text: o.text,
      metric: o.check.metric,
      ...comparatorOf(o.check),
      ...(o.check.at !== undefined ? { at: o.check.at } : {}),
      points: o.points,
      unit: METRICS[o.check.metric].unit,
      check: describeCheck(o.check),
    })),
    allowed: {
      settings: s.allowed.settings.map((a) =>
        typeof a === 'string' ? { path: a } : { path: a.path, ...(a.values ? { values: [...a.values] } : {}) },
      ),
      orders: [...s.allowed.orders],
    },
    hints: s.hints.map((h) => ({
      id: h.id,
      cost: h.cost,
      revealed: revealed.has(h.id),
      ...(revealed.has(h.id) ? { text: h.text } : {}),
    })),
    solutionSeen,
  }
}

/** The run has played its last step (the simulation says done only once asked for a step past it). */
function ended(run: LabRun, lab: GuidedLab): boolean {
  return run.done || run.time >= lab.durationSeconds
}

/** A lab ready to open: its scenario as the session opens any scenario, and the trainee's settings. */
export interface PreparedLab {
  lab: GuidedLab
  files: FileSource
  settings: string[]
  open: { fileName: string; text: string; set: string[] }
}

/** The lab open now. */
interface OpenLab {
  lab: GuidedLab
  files: FileSource
  /** the trainee's settings of the run playing (a branch adds its own) */
  settings: string[]
  tracker: ObjectiveTracker
}

/** The most files and text a lab pack may bring (scenario files' own limit, per file). */
const MAX_PACK_FILES = 1000

const NO_LAB = 'no guided lab is open: call openLab() first'

export class GuidedLabs {
  readonly library: LabLibrary
  private open: OpenLab | undefined
  private readonly revealed = new Map<string, Set<string>>()
  private readonly solutionsSeen = new Set<string>()
  /** per checkpoint of the session's list taken in a lab: the lab, its settings and its tracker then */
  private readonly atCheckpoint = new Map<number, { lab: string; settings: string[]; tracker: TrackerState }>()

  constructor(catalog: ScenarioCatalog) {
    this.library = new LabLibrary(catalog.files, catalog.files.join(catalog.dir, 'labs'))
  }

  get active(): GuidedLab | undefined {
    return this.open?.lab
  }

  private current(): OpenLab {
    if (!this.open) throw new Error(NO_LAB)
    return this.open
  }

  list(): LabSummary[] {
    return this.library.list()
  }

  /** The trainee's request checked (the lab, the settings it allows, its scenario with them): refusals located. */
  prepare(request: OpenLabRequest): PreparedLab {
    if (typeof request !== 'object' || request === null || typeof request.lab !== 'string')
      throw new TypeError('openLab: expected { lab, settings? }')
    const settings = request.settings ?? []
    if (!Array.isArray(settings) || settings.some((s) => typeof s !== 'string'))
      throw new TypeError('openLab: expected settings as a list of path=value texts')
    const lab = this.library.get(request.lab)
    const files = this.library.filesOf(lab.id)
    const where = `lab ${lab.id}`
    const refused = checkChoices(lab, { settings, orders: [], hintsUsed: [] }, (path, message) => ({
      file: where,
      path: jsonPath(path),
      message,
    }))
    if (refused.length) throw new LabInputError(refused)
    openLabScenario(
      lab,
      files,
      settings.map((setting, i) => ({ setting, source: `${where} settings[${i}]` })),
    )
    return {
      lab,
      files,
      settings: [...settings],
      open: { fileName: lab.scenario.file, text: lab.scenario.text, set: [...lab.spec.scenarioSet, ...settings] },
    }
  }

  /** The lab's run has started: follow its objectives. */
  begin(prepared: PreparedLab, run: LabRun, tracker?: TrackerState): void {
    const open: OpenLab = {
      lab: prepared.lab,
      files: prepared.files,
      settings: prepared.settings,
      tracker: new ObjectiveTracker(prepared.lab.spec.objectives, prepared.lab.durationSeconds, tracker),
    }
    run.onStep = (time, events) => open.tracker.observe(time, events, () => run.report())
    this.open = open
  }

  /** A scenario that is not a lab was opened. */
  end(): void {
    this.open = undefined
  }

  briefing(id: string): LabBriefing {
    const lab = this.library.get(id)
    return briefingOf(lab, this.library.sourceOf(id), this.revealed.get(id), this.solutionsSeen.has(id))
  }

  /** An order the open lab does not allow is refused before it reaches the lab. */
  checkOrder(action: LabOrder): void {
    const open = this.open
    if (!open || typeof action !== 'object' || action === null) return
    const kind = Object.keys(action)[0]
    const allowed = open.lab.spec.allowed.orders
    if (kind !== undefined && !allowed.includes(kind))
      throw new OrderError(
        `this lab does not let the trainee give ${kind} orders (allowed: ${allowed.join(', ') || 'none'})`,
      )
  }

  /**
   * In a guided lab a checkpoint is a rewind only: a submission replays its settings from t = 0, so a branch
   * that changed the policy or settings from the checkpoint on could not be graded as the run it was.
   */
  checkRewind(options: RestoreOptions): void {
    const open = this.current()
    const changed = [...(options.policy !== undefined ? [`policy=${options.policy}`] : []), ...(options.set ?? [])]
    if (changed.length)
      throw new LabInputError([
        {
          file: `lab ${open.lab.id}`,
          message: `expected a rewind (no policy or settings) in a guided lab, found ${changed.join(', ')}: a submission replays its settings from t = 0 — open the lab again with them`,
        },
      ])
  }

  /** Remembers the open lab's state at a checkpoint of the session's list. */
  rememberCheckpoint(id: number): void {
    const open = this.open
    if (open)
      this.atCheckpoint.set(id, { lab: open.lab.id, settings: [...open.settings], tracker: open.tracker.snapshot() })
  }

  /**
   * Continuing the open lab from a checkpoint: only from one of the session's own taken in this lab (the
   * objectives checked before it need the tracker as it was then).
   */
  resumeFrom(checkpoint: number | undefined): {
    lab: GuidedLab
    files: FileSource
    settings: string[]
    tracker: TrackerState
  } {
    const open = this.current()
    const at = checkpoint === undefined ? undefined : this.atCheckpoint.get(checkpoint)
    if (!at || at.lab !== open.lab.id)
      throw new LabInputError([
        {
          file: `lab ${open.lab.id}`,
          message:
            'a guided lab continues only from its own checkpoints taken in this session (the objectives checked before need the state they were checked on)',
        },
      ])
    return { lab: open.lab, files: open.files, settings: at.settings, tracker: at.tracker }
  }

  status(run: LabRun): LabStatus {
    const open = this.current()
    const used = [...(this.revealed.get(open.lab.id) ?? [])]
    return {
      lab: open.lab.id,
      time: run.time,
      done: ended(run, open.lab),
      objectives: open.tracker.status(run.report(), ended(run, open.lab)),
      hintsUsed: used,
      hintCost: used.reduce((sum, h) => sum + (open.lab.spec.hints.find((x) => x.id === h)?.cost ?? 0), 0),
      solutionSeen: this.solutionsSeen.has(open.lab.id),
    }
  }

  /** The objectives now, or undefined when no lab is open. */
  objectives(run: LabRun): LabStatus['objectives'] | undefined {
    return this.open ? this.open.tracker.status(run.report(), ended(run, this.open.lab)) : undefined
  }

  revealHint(id: string): LabHint {
    const open = this.current()
    const hint = open.lab.spec.hints.find((h) => h.id === id)
    if (!hint)
      throw new LabInputError([
        {
          file: `lab ${open.lab.id}`,
          message: `expected one of the lab's hints (${open.lab.spec.hints.map((h) => h.id).join(', ') || 'none'}), found "${String(id)}"`,
        },
      ])
    const set = this.revealed.get(open.lab.id) ?? new Set<string>()
    set.add(id)
    this.revealed.set(open.lab.id, set)
    return { id: hint.id, text: hint.text, cost: hint.cost }
  }

  revealSolution(): LabSolution {
    const open = this.current()
    this.solutionsSeen.add(open.lab.id)
    const s = open.lab.spec.solution
    return { approach: s.approach, settings: [...s.settings], orders: s.orders.map((o) => ({ ...o })) }
  }

  private submission(run: LabRun, trainee?: string) {
    const open = this.current()
    return submissionOf(
      open.lab,
      {
        settings: open.settings,
        hintsUsed: [...(this.revealed.get(open.lab.id) ?? [])],
        solutionSeen: this.solutionsSeen.has(open.lab.id),
        orders: run.orderLog(),
      },
      `${open.lab.id} submission`,
      trainee,
    )
  }

  /** Grades the open run by replaying its settings and order log from t = 0 (in this thread). */
  grade(run: LabRun): Promise<LabGrade> {
    const open = this.current()
    return gradeSubmission(open.lab, this.submission(run), open.files)
  }

  exportSubmission(run: LabRun, trainee?: string): SubmissionExport {
    const open = this.current()
    if (trainee !== undefined && typeof trainee !== 'string')
      throw new TypeError('exportSubmission: expected a trainee name')
    return {
      fileName: `${open.lab.id}-submission.yaml`,
      text: formatSubmission(this.submission(run, trainee), open.lab.spec.title),
    }
  }

  loadPack(pack: LabPack): LabSummary[] {
    if (
      typeof pack !== 'object' ||
      pack === null ||
      typeof pack.name !== 'string' ||
      !/^[A-Za-z0-9][\w .-]{0,63}$/.test(pack.name) ||
      !Array.isArray(pack.files)
    )
      throw new TypeError('loadLabPack: expected { name (letters, digits, " ._-"), files: [{ path, text }] }')
    if (pack.files.length > MAX_PACK_FILES)
      throw new LabInputError([
        {
          file: pack.name,
          message: `expected at most ${MAX_PACK_FILES} files in a lab pack, found ${pack.files.length}`,
        },
      ])
    for (const f of pack.files)
      if (typeof f?.path !== 'string' || typeof f.text !== 'string' || f.text.length > LIMITS.scenarioBytes)
        throw new LabInputError([
          {
            file: pack.name,
            message: `expected files as { path, text } of at most ${LIMITS.scenarioBytes} bytes each`,
          },
        ])
    const root = `packs/${pack.name}`
    return this.library.addPack(pack.name, memoryFiles(root, pack.files), root)
  }
}
