// LabSession: the LabApi served by whichever process hosts the lab (Electron main, a browser page, tests).
// It opens scenarios, advances the simulation, and answers questions about it; every number it returns
// comes from the simulation's state. A `mode: cloudsim` scenario runs CloudSim 3.0.3's model
// (session-cloudsim.ts), a `mode: lab` scenario the lab's own model (session-lab.ts) with its host shards
// where the platform puts them (shard-plan.ts); both answer the same contract. In lab mode the session also
// passes orders to the lab, takes whole-lab checkpoints (kept in memory as their verified files, listed with
// the runs made of the scenario: session-checkpoints.ts) and continues from one — a rewind, or a branch with
// another policy or parameters. Guided labs (session-guided.ts) open a lab's scenario with the trainee's
// settings, follow its objectives as the run plays, and grade the run by replay. Calls are served one at a time, in the order they arrive: an answer always
// describes the state after every call made before it.
import type {
  AdvanceRequest,
  AdvanceResult,
  CheckpointFile,
  CheckpointList,
  CheckpointSummary,
  HostDetails,
  HostEligibility,
  LabBriefing,
  LabGrade,
  LabHint,
  LabOpened,
  LabPack,
  LabSolution,
  LabStatus,
  LabSummary,
  OpenLabRequest,
  OrdersExport,
  SubmissionExport,
  RuleState,
  LabOrder,
  LabApi,
  LabEvent,
  LabInfo,
  OpenRequest,
  PlacementView,
  RestoreOptions,
  RestoreResult,
  ScenarioSummary,
  VmDetails,
  RecommendationsView,
} from './lab-api'
import { parseScenario } from '../scenario/load'
import { modelOf, startFailure } from '../scenario/open'
import { eventsYaml, scenarioWithEvents } from '../scenario/orders-file'
import { ordersAsEvents } from '../lab/order-export'
import { LabInputError } from '../scenario/diagnostics'
import type { RunReport } from '../report'
import { encodeState, decodeState } from '../checkpoint/codec'
import { asLabCheckpoint, checkpointFileName, checkpointModel, labCheckpoint } from '../checkpoint/lab-checkpoint'
import type { ScenarioCatalog } from './scenario-catalog'
import { formatClock } from './units'
import { CloudSimRun } from './session-cloudsim'
import { LabRun, type RunHistory } from './session-lab'
import { checkHost, checkVm, type SessionRun } from './session-common'
import { inThreadShards, type ShardPlanner } from './shard-plan'
import { GuidedLabs } from './session-guided'
import type { FileSource } from '../platform/files'
import {
  SessionHistory,
  branchLabel,
  packFrames,
  packFrameSeries,
  FRAME_BALANCE_KEYS,
  unpackFrames,
  type AppCheckpoint,
  type Origin,
} from './session-checkpoints'

export type { ScenarioCatalog } from './scenario-catalog'

export const LAB_VERSION = '0.1.0'

export interface LabSessionOptions {
  /** a monotonic clock in milliseconds (performance.now by default), for the reports' wall time */
  clock?: () => number
  /** where lab-mode runs put their host shards (default: all in the session's thread) */
  shards?: ShardPlanner
}

const NO_CHECKPOINTS =
  'checkpoints need a lab-mode scenario: the CloudSim-compatible mode replays CloudSim 3.0.3 and keeps no checkpoints'
const NO_ORDERS =
  'orders (snapshots, host failures, migrations…) need a lab-mode scenario: the CloudSim-compatible mode replays CloudSim 3.0.3 as it ran'

/** A scenario opened and ready to run: the run, where the scenario came from, and the model's policy. */
interface Started {
  run: SessionRun
  origin: Origin
  builtin?: string
}

export class LabSession implements LabApi {
  private run: SessionRun | undefined
  private openRequest: OpenRequest | undefined
  private origin: Origin | undefined
  /** the call being served; the next one starts when it settles */
  private queue: Promise<unknown> = Promise.resolve()
  private readonly history = new SessionHistory()
  private readonly clock: () => number
  private readonly shards: ShardPlanner
  private readonly guided: GuidedLabs
  /** where the open scenario's files are read from (a lab pack brings its own) */
  private files: FileSource
  /** the guided lab request the open run came from (reset opens it again) */
  private labRequest: OpenLabRequest | undefined

  constructor(
    private readonly catalog: ScenarioCatalog,
    private readonly platform: 'electron' | 'web' | 'node' = 'node',
    options: LabSessionOptions = {},
  ) {
    this.clock = options.clock ?? (() => performance.now())
    this.shards = options.shards ?? inThreadShards
    this.files = catalog.files
    this.guided = new GuidedLabs(catalog)
  }

  /** Serves `f` after every call that arrived before it. */
  private serial<T>(f: (run: SessionRun | undefined) => T | Promise<T>): Promise<T> {
    const result = this.queue.then(() => f(this.run))
    this.queue = result.catch(() => undefined)
    return result
  }

  /** Serves `f` on the open scenario. */
  private onRun<T>(f: (run: SessionRun) => T | Promise<T>): Promise<T> {
    return this.serial((run) => {
      if (!run) throw new Error('no scenario is open: call open() first')
      return f(run)
    })
  }

  hello(): Promise<{ version: string; platform: 'electron' | 'web' | 'node' }> {
    return Promise.resolve({ version: LAB_VERSION, platform: this.platform })
  }

  listScenarios(): Promise<ScenarioSummary[]> {
    return Promise.resolve(this.catalog.entries)
  }

  /**
   * Opens a scenario from t = 0. A scenario that cannot be opened leaves the open one as it was. The session's
   * checkpoints and runs are kept when it is the same scenario again (another policy, seed or settings).
   */
  open(request: OpenRequest): Promise<LabInfo> {
    return this.serial(async (previous) => {
      const { run, origin } = await this.start(request)
      this.history.scenario(origin)
      this.history.startBranch({ policy: run.info.policy, seed: run.info.seed, settings: run.info.settings, time: 0 })
      this.run = run
      this.openRequest = request
      this.origin = origin
      this.files = this.catalog.files
      this.labRequest = undefined
      this.guided.end()
      await previous?.close()
      return run.info
    })
  }

  private checkWorkers(workers: number | undefined): void {
    if (workers !== undefined && !(Number.isInteger(workers) && workers >= 0 && workers <= 256))
      throw new RangeError(`workers: expected a whole number 0..256, found ${workers}`)
  }

  private async start(request: OpenRequest, files: FileSource = this.catalog.files): Promise<Started> {
    this.checkWorkers(request.workers)
    let file: string
    let text: string
    let builtin: string | undefined
    if ('builtin' in request) {
      const entry = this.catalog.entries.find((e) => e.id === request.builtin)
      if (!entry) {
        throw new LabInputError([
          {
            file: request.builtin,
            message: `expected one of the built-in scenarios (${this.catalog.entries.map((e) => e.id).join(', ')})`,
          },
        ])
      }
      file = this.catalog.files.join(this.catalog.dir, `${entry.id}.yaml`)
      text = this.catalog.files.readText(file)
      builtin = entry.id
    } else {
      file = request.fileName
      text = request.text
    }
    const settings = [...(request.set ?? [])]
    const parsed = parseScenario(text, file, settings)
    const scenario = parsed.scenario
    // as `conlab run` opens it: the model's own checks located in the file; the placement at t = 0 is the
    // run's own, and a failure there is worded as validation words it (engine/scenario/open.ts)
    const model = modelOf(parsed, files, { policy: request.policy, seed: request.seed, start: false })
    const description = scenario.description ?? ''
    const run =
      model.mode === 'cloudsim'
        ? new CloudSimRun(model, description, settings, this.clock)
        : await LabRun.create(model, description, settings, this.clock, this.shards(model, request.workers)).catch(
            (e: unknown) => {
              throw startFailure(parsed, model) ?? e
            },
          )
    const origin: Origin = { file, text, name: model.name, policy: request.policy, seed: request.seed, set: settings }
    return { run, origin, builtin }
  }

  /** Starts the same scenario (or guided lab, with its settings) again from t = 0. */
  reset(): Promise<LabInfo> {
    if (this.labRequest) return this.openLab(this.labRequest).then((o) => o.info)
    if (!this.openRequest) return Promise.reject(new Error('no scenario is open'))
    return this.open(this.openRequest)
  }

  advance(request: AdvanceRequest = {}): Promise<AdvanceResult> {
    return this.onRun(async (run) => {
      const views = request.views
      // a bad view is refused before the lab moves
      if (views?.host !== undefined) checkHost(views.host, run.info.hosts)
      if (views?.vm !== undefined) checkVm(views.vm, run.info.vms)
      const result = await run.advance(request)
      this.history.progress(run.time, result.done, () => run.report())
      if (views?.placement) result.placement = run.placement()
      if (views?.host !== undefined) result.host = run.hostDetails(views.host)
      if (views?.vm !== undefined) result.vm = run.vmDetails(views.vm)
      if (views?.objectives && run instanceof LabRun) {
        const objectives = this.guided.objectives(run)
        if (objectives) result.objectives = objectives
      }
      return result
    })
  }

  placement(): Promise<PlacementView> {
    return this.onRun((run) => run.placement())
  }

  hostDetails(host: number): Promise<HostDetails> {
    return this.onRun((run) => run.hostDetails(host))
  }

  vmDetails(vm: number): Promise<VmDetails> {
    return this.onRun((run) => run.vmDetails(vm))
  }

  /** The report of the run so far: what `conlab run --json` prints for the same scenario, policy, seed and time. */
  report(): Promise<RunReport> {
    return this.onRun((run) => run.report())
  }

  /** An order for the next step (lab mode); what it did, or why it was refused, arrives as that step's events. */
  order(action: LabOrder): Promise<void> {
    return this.onRun((run) => {
      if (!(run instanceof LabRun)) throw new Error(NO_ORDERS)
      this.guided.checkOrder(action)
      run.order(action)
    })
  }

  /** The recommendations waiting and the latest resolved (none in cloudsim mode). */
  recommendations(limit = 50): Promise<RecommendationsView | undefined> {
    return this.onRun((run) => (run instanceof LabRun ? run.recommendations(limit) : undefined))
  }

  /** The placement rules and their state (none in cloudsim mode). */
  rules(): Promise<RuleState[]> {
    return this.onRun((run) => (run instanceof LabRun ? run.rules() : []))
  }

  /** The target picker for a VM: every host's eligibility for a manual move, with the predicted migration. */
  eligibility(vm: number): Promise<HostEligibility[]> {
    return this.onRun((run) => {
      if (!(run instanceof LabRun)) throw new Error(NO_ORDERS)
      return run.eligibility(vm)
    })
  }

  /**
   * The orders given so far, as scenario events and as the whole scenario (its settings, policy and seed
   * written in) that `conlab run` replays to the same state. A run continued from a checkpoint with another
   * policy or settings (a branch) is not one scenario: its export replays the branch's settings from t = 0.
   */
  exportOrders(): Promise<OrdersExport> {
    return this.onRun((run) => {
      if (!(run instanceof LabRun)) throw new Error(NO_ORDERS)
      const orders = run.orderLog()
      const events = ordersAsEvents(orders, run.model)
      const o = this.origin!
      return {
        orders,
        events: eventsYaml(events),
        scenario: scenarioWithEvents(
          { text: o.text, file: o.file, set: o.set, policy: o.policy, seed: o.seed },
          events,
        ),
      }
    })
  }

  /** A whole-lab checkpoint of the open run now, kept in the session's list; returned as its file. */
  checkpoint(name?: string): Promise<CheckpointFile> {
    return this.onRun(async (run) => {
      if (!(run instanceof LabRun)) throw new Error(NO_CHECKPOINTS)
      if (name !== undefined && typeof name !== 'string') throw new TypeError('checkpoint: expected a name')
      const state = await run.checkpoint()
      const envelope = labCheckpoint(run.model, this.origin!, state)
      const fileName = checkpointFileName(envelope.scenario.file, envelope.time)
      const value: AppCheckpoint = {
        ...envelope,
        app: {
          frames: packFrames(run.history.frames),
          series: packFrameSeries(run.history.frames),
          balance: packFrameSeries(run.history.frames, FRAME_BALANCE_KEYS),
        },
      }
      const bytes = encodeState(value, fileName)
      const summary = this.history.addCheckpoint(
        {
          name: name?.trim() || `checkpoint at ${formatClock(envelope.time)}`,
          time: envelope.time,
          scenario: envelope.scenario.name,
          policy: envelope.policy,
          seed: run.info.seed,
          settings: [...envelope.scenario.set],
          sizeBytes: bytes.length,
          branch: this.history.currentBranch,
          fileName,
        },
        bytes,
        {
          frames: run.history.frames,
          frameCount: run.history.frames.length,
          events: run.history.events,
          eventCount: run.history.events.length,
        },
      )
      this.guided.rememberCheckpoint(summary.id)
      return { ...summary, bytes }
    })
  }

  checkpointFile(id: number): Promise<CheckpointFile> {
    return this.serial(() => {
      const c = this.history.checkpoint(id)
      return { ...c.summary, settings: [...c.summary.settings], bytes: c.bytes }
    })
  }

  checkpoints(): Promise<CheckpointList> {
    return this.serial((run) => {
      if (run) this.history.progress(run.time, run.done, () => run.report())
      return this.history.list()
    })
  }

  /**
   * Continues from a checkpoint of the session's list (by id) or from a checkpoint file's bytes (verified:
   * a damaged, truncated or foreign file is refused with what is wrong, and the open run stays). The run then
   * goes on with the checkpoint's policy and settings (a rewind), or with `options.policy` and more settings
   * (a branch), bit for bit as `conlab resume` / `conlab branch` continue the same file.
   */
  restoreCheckpoint(from: number | Uint8Array, options: RestoreOptions = {}): Promise<RestoreResult> {
    return this.serial(async (previous) => {
      this.checkWorkers(options.workers)
      const known = typeof from === 'number' ? this.history.checkpoint(from) : undefined
      let bytes: Uint8Array
      if (known) bytes = known.bytes
      else if (from instanceof Uint8Array) bytes = from
      else throw new TypeError('restoreCheckpoint: expected a checkpoint id or the bytes of a checkpoint file')
      const fileName = known?.summary.fileName ?? options.fileName ?? 'checkpoint file'
      // a guided lab rewinds to its own checkpoints (its objectives as they were then), with the same settings
      const lab = this.guided.active ? this.guided.resumeFrom(known?.summary.id) : undefined
      if (lab) this.guided.checkRewind(options)
      const c = asLabCheckpoint(decodeState(bytes, fileName), fileName) as AppCheckpoint
      const extra = [...(options.set ?? [])]
      const model = checkpointModel(c, this.files, { policy: options.policy, set: extra })
      const settings = [...c.scenario.set, ...extra]
      const { scenario } = parseScenario(c.scenario.text, c.scenario.file, settings)
      const history: RunHistory = known?.mark
        ? {
            frames: known.mark.frames.slice(0, known.mark.frameCount),
            events: known.mark.events.slice(0, known.mark.eventCount),
          }
        : { frames: unpackFrames(c.app?.frames, c.app?.series, c.app?.balance), events: [] }
      const name = known?.summary.name ?? options.fileName ?? 'checkpoint file'
      const workers = options.workers ?? this.openRequest?.workers
      const run = await LabRun.restore(
        model,
        c.lab,
        scenario.description ?? '',
        settings,
        this.clock,
        this.shards(model, workers),
        history,
        { checkpoint: name, time: c.time, policy: c.policy },
      )
      const origin: Origin = {
        file: c.scenario.file,
        text: c.scenario.text,
        name: c.scenario.name,
        policy: options.policy ?? c.scenario.policy,
        seed: c.scenario.seed,
        set: settings,
        ...(c.scenario.traces !== undefined ? { traces: c.scenario.traces } : {}),
      }
      this.history.scenario(origin)
      const checkpoint: CheckpointSummary = known
        ? known.summary
        : this.history.addCheckpoint(
            {
              name,
              time: c.time,
              scenario: c.scenario.name,
              policy: c.policy,
              seed: model.seed,
              settings: [...c.scenario.set],
              sizeBytes: bytes.length,
              fileName: checkpointFileName(c.scenario.file, c.time),
            },
            bytes,
          )
      const branch = this.history.startBranch({
        policy: model.policy.name,
        seed: model.seed,
        settings,
        from: { checkpoint: checkpoint.id, name: checkpoint.name, time: c.time },
        time: c.time,
      })
      const rewind = model.policy.name === c.policy && extra.length === 0
      const notice: LabEvent = {
        time: c.time,
        kind: 'info',
        message: rewind
          ? `rewound to "${name}" (${formatClock(c.time)}): the lab goes on from there with ${c.policy}`
          : `branch from "${name}" (${formatClock(c.time)}): ${branchLabel(model.policy.name, extra)} instead of ${c.policy}`,
      }
      run.history.events.push(notice)
      if (lab)
        this.guided.begin(
          { lab: lab.lab, files: lab.files, settings: lab.settings, open: this.labOpen(lab.lab, lab.settings) },
          run,
          lab.tracker,
        )
      this.run = run
      this.origin = origin
      this.openRequest = {
        fileName: origin.file,
        text: origin.text,
        ...(origin.policy !== undefined ? { policy: origin.policy } : {}),
        ...(origin.seed !== undefined ? { seed: origin.seed } : {}),
        set: settings,
        ...(workers !== undefined ? { workers } : {}),
      }
      await previous?.close()
      return {
        info: run.info,
        checkpoint: { ...checkpoint, settings: [...checkpoint.settings] },
        branch,
        frames: [...run.history.frames],
        events: [...run.history.events],
        done: run.done,
        scenario: this.scenarioOf(origin),
      }
    })
  }

  private labOpen(
    lab: { scenario: { file: string; text: string }; spec: { scenarioSet: string[] } },
    settings: string[],
  ) {
    return { fileName: lab.scenario.file, text: lab.scenario.text, set: [...lab.spec.scenarioSet, ...settings] }
  }

  listLabs(): Promise<LabSummary[]> {
    return this.serial(() => this.guided.list())
  }

  /**
   * Opens a guided lab from t = 0 with the trainee's settings. A request the lab refuses (a setting it does not
   * allow, a value its scenario refuses) leaves the open run as it was.
   */
  openLab(request: OpenLabRequest): Promise<LabOpened> {
    return this.serial(async (previous) => {
      const prepared = this.guided.prepare(request)
      const open: OpenRequest = {
        ...prepared.open,
        ...(request.workers !== undefined ? { workers: request.workers } : {}),
      }
      const { run, origin } = await this.start(open, prepared.files)
      if (!(run instanceof LabRun)) throw new Error('a guided lab runs in lab mode')
      this.history.scenario(origin)
      this.history.startBranch({ policy: run.info.policy, seed: run.info.seed, settings: run.info.settings, time: 0 })
      this.run = run
      this.openRequest = open
      this.origin = origin
      this.files = prepared.files
      this.labRequest = {
        lab: prepared.lab.id,
        settings: prepared.settings,
        ...(request.workers !== undefined ? { workers: request.workers } : {}),
      }
      this.guided.begin(prepared, run)
      await previous?.close()
      return { lab: this.guided.briefing(prepared.lab.id), info: run.info, settings: [...prepared.settings] }
    })
  }

  /** The briefing of a lab (open or not): what openLab returns. */
  labBriefing(id: string): Promise<LabBriefing> {
    return this.serial(() => this.guided.briefing(id))
  }

  private onLab<T>(f: (run: LabRun) => T | Promise<T>): Promise<T> {
    return this.onRun((run) => {
      if (!this.guided.active || !(run instanceof LabRun))
        throw new Error('no guided lab is open: call openLab() first')
      return f(run)
    })
  }

  labStatus(): Promise<LabStatus> {
    return this.onLab((run) => this.guided.status(run))
  }

  revealHint(id: string): Promise<LabHint> {
    return this.onLab(() => this.guided.revealHint(id))
  }

  revealSolution(): Promise<LabSolution> {
    return this.onLab(() => this.guided.revealSolution())
  }

  submitLab(): Promise<LabGrade> {
    return this.onLab((run) => this.guided.grade(run))
  }

  exportSubmission(options: { trainee?: string } = {}): Promise<SubmissionExport> {
    return this.onLab((run) => this.guided.exportSubmission(run, options.trainee))
  }

  loadLabPack(pack: LabPack): Promise<LabSummary[]> {
    return this.serial(() => {
      this.guided.loadPack(pack)
      return this.guided.list()
    })
  }

  /** How to open a scenario again: as the built-in it is, or as its file. */
  private scenarioOf(origin: Origin): RestoreResult['scenario'] {
    for (const e of this.catalog.entries) {
      const file = this.catalog.files.join(this.catalog.dir, `${e.id}.yaml`)
      if (file !== origin.file) continue
      try {
        if (this.catalog.files.readText(file) === origin.text) return { builtin: e.id }
      } catch {
        // the built-in file is gone: the checkpoint's copy of the text is what reopens it
      }
    }
    return { fileName: origin.file, text: origin.text }
  }

  /** Releases the open scenario's resources (its shards). */
  close(): Promise<void> {
    return this.serial(async (run) => {
      this.run = undefined
      await run?.close()
    })
  }
}
