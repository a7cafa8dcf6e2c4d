// The page's model of the run: what the lab has sent (info, frames, events, placement, details, report)
// and the playback controls. Playback asks the lab for a few intervals at a time, then the placement and
// the selected host's or VM's details; it never computes a figure itself. Components subscribe with
// useRun(selector) and re-render only when their slice changes. In lab mode it also gives the lab orders
// (VM snapshots, host failures), takes whole-lab checkpoints and continues from one (rewind, branch, a file).
import type {
  AdvanceRequest,
  BranchSummary,
  CheckpointFile,
  CheckpointSummary,
  Frame,
  HostDetails,
  HostEligibility,
  IndexedEvent,
  LabBriefing,
  LabGrade,
  LabOpened,
  LabOrder,
  LabPack,
  LabSolution,
  LabStatus,
  LabSummary,
  ObjectiveState,
  OrdersExport,
  RecommendationsView,
  RuleState,
  LabEvent,
  LabInfo,
  OpenRequest,
  PlacementView,
  RestoreOptions,
  RestoreResult,
  RunReport,
  ScenarioSummary,
  VmDetails,
} from '../../engine/api/lab-api'
import type { LabConnection } from '../lab/connect'
import type { OrdersFileKind, ReportFormat, ScenarioFile } from '../../engine/api/desktop-contract'
import { summarizeError, type FieldError } from './inputs'
import { improvements, nextBest, type Progress } from '../labs/progress'
import { openProgressStore, type ProgressStore, type ProgressStoreKind } from '../labs/progress-store'
import { eventInLog } from '../labs/lab-words'

/** Intervals per second of wall time, or as fast as the lab and the display allow. */
export type Speed = 1 | 2 | 5 | 10 | 30 | 'max'
export const SPEEDS: Speed[] = [1, 2, 5, 10, 30, 'max']

export type Selection = { kind: 'host'; host: number } | { kind: 'vm'; vm: number } | undefined

export interface StartOptions {
  scenario?: string
  policy?: string
  seed?: number
  /** `path=value` scenario settings, as `conlab run --set` takes them (e.g. migration.autoConverge=true) */
  set?: string[]
  /** host shards in workers, as `conlab run --workers` takes it (undefined: the lab's choice) */
  workers?: number
}

/** An order given to the lab and not yet carried out (orders apply at the start of the next step). */
export interface PendingOrder {
  action: LabOrder
  /** what it asks, in words */
  label: string
  vm?: number
  host?: number
}

export interface OpenOptions {
  policy?: string
  seed?: number
  set?: string[]
}

export type ScenarioChoice =
  | { kind: 'builtin'; id: string }
  | { kind: 'file'; file: ScenarioFile }
  /** a guided lab, opened from t = 0 with the trainee's settings */
  | { kind: 'lab'; id: string; settings: string[] }

/** The guided lab open now: its briefing (revealed hints' text included), status, solution once shown, grade. */
export interface GuidedRun {
  lab: LabBriefing
  settings: string[]
  /** hints used, their cost, the solution seen (LabApi.labStatus) */
  status: LabStatus
  solution?: LabSolution
  /** the last submission's grade (the debrief) */
  grade?: LabGrade
}

/**
 * The control an action came from, where its error is shown: the scenario picker and file, the policy, the
 * seed, "pause at", a checkpoint's branch settings (`branch-<id>`), the checkpoint file.
 */
export type FieldKey =
  | 'scenario'
  | 'policy'
  | 'seed'
  | 'pauseAt'
  | 'checkpointFile'
  | `branch-${number}`
  | 'labSettings'
  | 'labPack'
  | 'labSubmit'

/** One hostDetails answer kept for the selected host's stacked chart. */
export interface HostSample {
  time: number
  totalMips: number
  vms: { vm: number; name: string; grantedMips: number }[]
}

export interface RunState {
  transport: 'electron' | 'web'
  platform?: string
  version?: string
  scenarios: ScenarioSummary[]
  choice?: ScenarioChoice
  info?: LabInfo
  /** every frame since the scenario was opened */
  frames: Frame[]
  /** the frames as of the last chart refresh (charts redraw a few times a second while playing) */
  chartFrames: Frame[]
  /** every event since the scenario was opened: append-only, shared; read the first `eventCount` */
  events: LabEvent[]
  eventCount: number
  placement?: PlacementView
  done: boolean
  playing: boolean
  speed: Speed
  /** pause when the simulated time reaches this many seconds */
  pauseAt?: number
  selection: Selection
  host?: HostDetails
  hostSamples: HostSample[]
  vm?: VmDetails
  report?: RunReport
  busy: boolean
  /** an error no control caused (the lab failing while it runs): shown at the top */
  error?: string
  /** errors shown next to the control that caused them, until it is used again */
  fieldErrors: Partial<Record<FieldKey, FieldError>>
  notice?: string
  /** the session's whole-lab checkpoints and the runs of this scenario (LabApi.checkpoints) */
  checkpoints: CheckpointSummary[]
  branches: BranchSummary[]
  /** orders given since the last step */
  pendingOrders: PendingOrder[]
  /** lab mode: the placement rules as last asked for (the rules panel asks while it is shown) */
  rules: RuleState[]
  /** lab mode: the recommendations as last asked for (the recommendations panel asks while it is shown) */
  recommendations?: RecommendationsView
  /** pause the clock at the step where the count of waiting recommendations grows (off by default) */
  pauseOnRecommendations: boolean
  /** a VM dropped on a host of the map: its target picker opens with that host first */
  pickTarget?: { vm: number; host: number }
  /** host shards in workers, as the page was asked to open runs (?workers=) */
  workers?: number
  /** the Labs view (the list and a lab's briefing) or the run */
  view: 'run' | 'labs'
  /** the guided labs: built-in and from lab packs loaded */
  labs: LabSummary[]
  /** the lab whose briefing the Labs view shows */
  briefing?: LabBriefing
  /** the guided lab the run plays (undefined: a scenario) */
  guided?: GuidedRun
  /** the guided lab's objectives as of the last step (met / not yet / failed, with the values) */
  objectives?: ObjectiveState[]
  /** the best grade per lab, kept between uses of the app */
  progress: Progress
  /** where `progress` is kept (progress-store.ts), 'opening' until it has been read */
  progressStore: ProgressStoreKind | 'opening'
  /** an event of the log a debrief link points at (its index in `events`) */
  focusEvent?: number
}

/**
 * While a run plays, the charts take new frames once a second (recharts redraws a chart in ~10 ms, so five
 * charts four times a second cost frames), the event log four times a second; paused or stepped, at once.
 */
const CHART_REFRESH_MS = 1000
const LOG_REFRESH_MS = 250
const MAX_HOST_SAMPLES = 2000
/** At full speed: intervals per request, adapted so one request keeps the lab busy for about this long. */
const MAX_SPEED_BUDGET_MS = 12
/** At full speed the map still shows every few intervals (a day is at least 36 updates). */
const MAX_STEPS_PER_REQUEST = 8

type Listener = () => void

export class RunStore {
  private state: RunState
  private readonly listeners = new Set<Listener>()
  /** bumped when a scenario is (re)opened: answers for an older run are dropped */
  private generation = 0
  private loop: Promise<void> | undefined
  /** plays started: a play loop runs only while it is the latest */
  private plays = 0
  private lastChartRefresh = 0
  private lastLogRefresh = 0
  /** where the best grades and what was revealed of a lab are kept: opened (the grades read) once, at start */
  private readonly progressStore: Promise<ProgressStore>

  constructor(private readonly connection: LabConnection) {
    this.state = {
      transport: connection.transport,
      scenarios: [],
      frames: [],
      chartFrames: [],
      events: [],
      eventCount: 0,
      done: false,
      playing: false,
      speed: 10,
      selection: undefined,
      hostSamples: [],
      busy: false,
      fieldErrors: {},
      checkpoints: [],
      branches: [],
      pendingOrders: [],
      rules: [],
      pauseOnRecommendations: false,
      view: 'run',
      labs: [],
      progress: {},
      progressStore: 'opening',
    }
    this.progressStore = openProgressStore().then((store) => {
      // a grade given before the store was read (it is kept by save, which checks the record again) stays
      this.set({
        progress: { ...store.progress, ...improvements(store.progress, this.state.progress) },
        progressStore: store.kind,
      })
      return store
    })
  }

  get canUseDesktop(): boolean {
    return this.connection.desktop !== undefined
  }

  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  getState = (): RunState => this.state

  private set(patch: Partial<RunState>): void {
    this.state = { ...this.state, ...patch }
    for (const l of this.listeners) l()
  }

  private fail(e: unknown): void {
    this.set({ error: e instanceof Error ? e.message : String(e), playing: false, busy: false })
  }

  dismissError(): void {
    this.set({ error: undefined })
  }

  dismissNotice(): void {
    this.set({ notice: undefined })
  }

  /** Shows an error next to a control (undefined: clears it). */
  setFieldError(field: FieldKey, error: FieldError | undefined): void {
    if (this.state.fieldErrors[field] === error) return
    const fieldErrors = { ...this.state.fieldErrors }
    if (error) fieldErrors[field] = error
    else delete fieldErrors[field]
    this.set({ fieldErrors })
  }

  /** A failed action: its error next to the control it came from, or at the top when none did. */
  private failAt(field: FieldKey | undefined, e: unknown, scenarioText?: string): void {
    if (!field) return this.fail(e)
    const message = e instanceof Error ? e.message : String(e)
    this.set({ playing: false, busy: false })
    this.setFieldError(field, summarizeError(message, scenarioText))
  }

  /**
   * Greets the lab, lists the built-in scenarios and opens one: the requested one (the web version takes
   * ?scenario=&policy=&seed=&set= from its URL), else the one the lab marks as its default, else the first.
   */
  async start(initial: StartOptions = {}): Promise<void> {
    const lab = this.connection.lab
    this.connection.serveMenu?.({
      openScenario: (file) => this.open({ kind: 'file', file }),
      saveCheckpoint: () => this.saveNewCheckpoint(),
      loadCheckpoint: () => this.loadCheckpointFromDisk(),
    })
    if (initial.workers !== undefined) this.set({ workers: initial.workers })
    try {
      const [hello, scenarios] = await Promise.all([lab.hello(), lab.listScenarios()])
      this.set({ platform: hello.platform, version: hello.version, scenarios })
      const first = scenarios.find((s) => s.id === initial.scenario) ?? scenarios.find((s) => s.default) ?? scenarios[0]
      if (first)
        await this.open(
          { kind: 'builtin', id: first.id },
          { policy: initial.policy, seed: initial.seed, set: initial.set?.length ? initial.set : undefined },
        )
    } catch (e) {
      this.fail(e)
    }
  }

  /**
   * Opens a scenario (from t = 0) with a policy, seed and settings; without them, the scenario's own. An error
   * is shown next to `field`, the control the request came from (at the top without one); the open run stays.
   */
  async open(choice: ScenarioChoice, options: OpenOptions = {}, field?: FieldKey): Promise<void> {
    const gen = ++this.generation
    this.set({ playing: false, busy: true, error: undefined })
    if (field) this.setFieldError(field, undefined)
    await this.loop
    const workers = this.state.workers
    const extra = {
      policy: options.policy,
      seed: options.seed,
      ...(options.set ? { set: options.set } : {}),
      ...(workers !== undefined ? { workers } : {}),
    }
    try {
      const lab = this.connection.lab
      let info: LabInfo
      let opened: LabOpened | undefined
      let solution: LabSolution | undefined
      if (choice.kind === 'lab') {
        opened = await lab.openLab({
          lab: choice.id,
          settings: choice.settings,
          ...(workers !== undefined ? { workers } : {}),
        })
        info = opened.info
        // what an earlier use of the app revealed of this lab costs its points in this run too (reveals are the
        // submission's hintsUsed and solutionSeen, not orders: the order log and its replay are the same)
        const revealed = await (await this.progressStore).revealed(choice.id, opened.lab.hash)
        const missing = revealed.hints.filter((h) => opened!.lab.hints.some((x) => x.id === h && !x.revealed))
        for (const h of missing) await lab.revealHint(h)
        if (revealed.solution && !opened.lab.solutionSeen) solution = await lab.revealSolution()
        if (missing.length || solution) opened = { ...opened, lab: await lab.labBriefing(choice.id) }
      } else {
        const request: OpenRequest =
          choice.kind === 'builtin'
            ? { builtin: choice.id, ...extra }
            : { fileName: choice.file.fileName, text: choice.file.text, ...extra }
        info = await lab.open(request)
      }
      const [placement, report, status] = await Promise.all([
        lab.placement(),
        lab.report(),
        opened ? lab.labStatus() : undefined,
      ])
      if (gen !== this.generation) return
      this.set({
        choice,
        info,
        frames: [],
        chartFrames: [],
        events: [],
        eventCount: 0,
        placement,
        done: false,
        selection: undefined,
        host: undefined,
        vm: undefined,
        hostSamples: [],
        report,
        busy: false,
        pendingOrders: [],
        rules: [],
        recommendations: undefined,
        pickTarget: undefined,
        // what was said about the run before no longer holds
        notice: undefined,
        fieldErrors: {},
        guided:
          opened && status
            ? { lab: opened.lab, settings: opened.settings, status, ...(solution ? { solution } : {}) }
            : undefined,
        objectives: status?.objectives,
        focusEvent: undefined,
        ...(opened ? { view: 'run' as const } : {}),
      })
      await this.refreshCheckpoints()
    } catch (e) {
      if (gen === this.generation) this.failAt(field, e, choice.kind === 'file' ? choice.file.text : undefined)
    }
  }

  /** Restarts the current scenario with another policy or seed (and the settings it was opened with). */
  async restart(options: { policy?: string; seed?: number }, field?: FieldKey): Promise<void> {
    const { choice, info } = this.state
    if (!choice) return
    if (choice.kind === 'lab') {
      // a guided lab takes its policy and seed as settings, which the lab allows or refuses by name
      const replaced = [
        ...(options.policy !== undefined ? [`policy=${options.policy}`] : []),
        ...(options.seed !== undefined ? [`seed=${options.seed}`] : []),
      ]
      const keys = new Set(replaced.map((s) => s.split('=')[0]))
      const settings = [...choice.settings.filter((s) => !keys.has(s.split('=')[0])), ...replaced]
      await this.open({ ...choice, settings }, {}, field)
      return
    }
    await this.open(
      choice,
      {
        policy: options.policy ?? info?.policy,
        seed: options.seed ?? info?.seed,
        set: info?.settings.length ? info.settings : undefined,
      },
      field,
    )
  }

  async openFromDisk(): Promise<void> {
    const desktop = this.connection.desktop
    if (!desktop) return
    try {
      const file = await desktop.chooseScenarioFile()
      if (file) await this.open({ kind: 'file', file }, {}, 'scenario')
    } catch (e) {
      this.fail(e)
    }
  }

  setSpeed(speed: Speed): void {
    this.set({ speed })
  }

  setPauseAt(seconds: number | undefined): void {
    this.set({ pauseAt: seconds })
  }

  play(): void {
    if (this.state.playing || this.state.done || !this.state.info || this.state.busy) return
    // a pause time that could not be read is not silently replaced by "play to the end"
    if (this.state.fieldErrors.pauseAt) return
    const now = this.state.frames.at(-1)?.time ?? 0
    const pauseAt = this.state.pauseAt !== undefined && this.state.pauseAt > now ? this.state.pauseAt : undefined
    this.set({ playing: true, notice: undefined, pauseAt })
    // a loop still awaiting its last request after a pause ends first, and never goes on beside this one
    const previous = this.loop
    const gen = this.generation
    const play = ++this.plays
    this.loop = (previous ?? Promise.resolve()).then(() => this.playLoop(gen, play))
  }

  pause(): void {
    if (this.state.playing) this.set({ playing: false })
  }

  async step(): Promise<void> {
    if (this.state.playing || this.state.done || !this.state.info || this.state.busy) return
    const gen = this.generation
    this.set({ busy: true })
    try {
      await this.advance(gen, { steps: 1 })
      if (gen === this.generation) {
        this.refreshDisplays()
        await this.refreshReport()
        await this.refreshCheckpoints()
      }
    } catch (e) {
      this.fail(e)
    } finally {
      if (gen === this.generation) this.set({ busy: false })
    }
  }

  /** The request for `steps` more intervals that stops at the pause time if one is set. */
  private advanceRequest(steps: number): AdvanceRequest {
    const { pauseAt, frames, info } = this.state
    const now = frames.at(-1)?.time ?? 0
    if (pauseAt !== undefined && info && pauseAt > now && now + steps * info.intervalSeconds >= pauseAt)
      return { untilSeconds: pauseAt }
    return { steps }
  }

  private async playLoop(gen: number, play: number): Promise<void> {
    let steps = 1
    try {
      while (this.state.playing && gen === this.generation && play === this.plays && !this.state.done) {
        const started = performance.now()
        const speed = this.state.speed
        // pausing on new recommendations goes one step at a time, to stop at the step they arrive
        const watch = this.state.pauseOnRecommendations
        const waitingBefore = this.state.frames.at(-1)?.recommendationsWaiting ?? 0
        await this.advance(gen, this.advanceRequest(speed === 'max' && !watch ? steps : 1))
        if (gen !== this.generation || play !== this.plays) return
        const { pauseAt, frames } = this.state
        const now = frames.at(-1)?.time ?? 0
        const reachedPause = pauseAt !== undefined && now >= pauseAt
        const arrived = newRecommendations(waitingBefore, frames.at(-1)?.recommendationsWaiting)
        if (this.state.done || reachedPause || (watch && arrived > 0)) {
          this.set({
            playing: false,
            pauseAt: reachedPause ? undefined : pauseAt,
            notice: reachedPause
              ? `Paused at the chosen time.`
              : this.state.done
                ? 'The run is complete.'
                : `Paused: ${arrived} new recommendation${arrived === 1 ? '' : 's'} waiting.`,
          })
          break
        }
        const spent = performance.now() - started
        if (speed === 'max') {
          steps = Math.max(
            1,
            Math.min(MAX_STEPS_PER_REQUEST, Math.round(steps * (spent < MAX_SPEED_BUDGET_MS ? 1.5 : 0.7))),
          )
          await nextAnimationFrame()
        } else {
          await sleep(Math.max(0, 1000 / speed - spent))
        }
      }
    } catch (e) {
      if (gen === this.generation) this.fail(e)
    } finally {
      if (gen === this.generation) {
        this.refreshDisplays()
        await this.refreshReport()
        await this.refreshCheckpoints()
      }
    }
  }

  /** Advances and gets the views that depend on the new state in the same answer, and publishes it all at once. */
  private async advance(gen: number, request: AdvanceRequest): Promise<void> {
    const sel = this.state.selection
    const result = await this.connection.lab.advance({
      ...request,
      views: {
        placement: true,
        ...(sel?.kind === 'host' ? { host: sel.host } : sel?.kind === 'vm' ? { vm: sel.vm } : {}),
        ...(this.state.guided ? { objectives: true } : {}),
      },
    })
    const { placement, host, vm } = result
    if (gen !== this.generation || !placement) return
    const s = this.state
    for (const e of result.events) s.events.push(e)
    const patch: Partial<RunState> = {
      frames: result.frames.length ? [...s.frames, ...result.frames] : s.frames,
      placement,
      done: result.done,
      ...(result.objectives ? { objectives: result.objectives } : {}),
    }
    // the orders given before this advance were carried out at the start of its first step
    if (result.frames.length && s.pendingOrders.length) patch.pendingOrders = []
    if (sel === s.selection) {
      if (host) {
        patch.host = host
        patch.hostSamples = appendHostSample(s.hostSamples, host, placement.time)
      }
      if (vm) patch.vm = vm
    }
    const now = performance.now()
    if (!s.playing || now - this.lastChartRefresh >= CHART_REFRESH_MS) {
      this.lastChartRefresh = now
      patch.chartFrames = patch.frames
    }
    if (!s.playing || now - this.lastLogRefresh >= LOG_REFRESH_MS) {
      this.lastLogRefresh = now
      patch.eventCount = s.events.length
    }
    this.set(patch)
  }

  /** Brings charts and the event log up to date (after pausing or stepping). */
  private refreshDisplays(): void {
    this.lastChartRefresh = this.lastLogRefresh = performance.now()
    this.set({ chartFrames: this.state.frames, eventCount: this.state.events.length })
  }

  async refreshReport(): Promise<void> {
    const gen = this.generation
    try {
      const report = await this.connection.lab.report()
      if (gen === this.generation) this.set({ report })
    } catch (e) {
      this.fail(e)
    }
  }

  async select(selection: Selection): Promise<void> {
    const gen = this.generation
    this.set({ selection, host: undefined, vm: undefined, hostSamples: [], pickTarget: undefined })
    if (!selection) return
    try {
      const lab = this.connection.lab
      if (selection.kind === 'host') {
        const host = await lab.hostDetails(selection.host)
        if (gen === this.generation && this.state.selection === selection)
          this.set({ host, hostSamples: appendHostSample([], host, this.state.placement?.time ?? 0) })
      } else {
        const vm = await lab.vmDetails(selection.vm)
        if (gen === this.generation && this.state.selection === selection) this.set({ vm })
      }
    } catch (e) {
      this.fail(e)
    }
  }

  /** Gives the lab an order for its next step (lab mode); what it did or why not arrives as events. */
  async order(action: LabOrder): Promise<void> {
    const gen = this.generation
    try {
      await this.connection.lab.order(action)
      if (gen === this.generation)
        this.set({ pendingOrders: [...this.state.pendingOrders, { action, ...describeOrder(action) }] })
    } catch (e) {
      this.fail(e)
    }
  }

  /** Lab mode: the target picker's hosts for a VM, each eligible or refused with the reason (undefined: failed). */
  async eligibility(vm: number): Promise<HostEligibility[] | undefined> {
    try {
      return await this.connection.lab.eligibility(vm)
    } catch (e) {
      this.fail(e)
      return undefined
    }
  }

  /** Lab mode: asks the lab for the placement rules, in force and removed, with their state now. */
  async refreshRules(): Promise<void> {
    const gen = this.generation
    try {
      const rules = await this.connection.lab.rules()
      if (gen === this.generation) this.set({ rules })
    } catch (e) {
      this.fail(e)
    }
  }

  /** Lab mode: asks the lab for the recommendations waiting, the latest resolved and the counts. */
  async refreshRecommendations(): Promise<void> {
    const gen = this.generation
    try {
      const recommendations = await this.connection.lab.recommendations()
      if (gen === this.generation) this.set({ recommendations })
    } catch (e) {
      this.fail(e)
    }
  }

  /** Pause the clock when the count of waiting recommendations grows (takes effect at the next step). */
  setPauseOnRecommendations(on: boolean): void {
    this.set({ pauseOnRecommendations: on })
  }

  /** A VM dropped on a host of the map: selects the VM and opens its target picker with that host first. */
  async pickTarget(vm: number, host: number): Promise<void> {
    await this.select({ kind: 'vm', vm })
    if (this.state.selection?.kind === 'vm' && this.state.selection.vm === vm) this.set({ pickTarget: { vm, host } })
  }

  /** The target picker closed. */
  clearPickTarget(): void {
    if (this.state.pickTarget) this.set({ pickTarget: undefined })
  }

  async refreshCheckpoints(): Promise<void> {
    const gen = this.generation
    try {
      const { checkpoints, branches } = await this.connection.lab.checkpoints()
      if (gen === this.generation) this.set({ checkpoints, branches })
    } catch (e) {
      this.fail(e)
    }
  }

  /** A whole-lab checkpoint now (kept in the session's list). */
  async takeCheckpoint(name?: string): Promise<CheckpointFile | undefined> {
    try {
      const file = await this.connection.lab.checkpoint(name)
      await this.refreshCheckpoints()
      return file
    } catch (e) {
      this.fail(e)
      return undefined
    }
  }

  /** Saves a checkpoint of the list as a file: a native save dialog in the desktop app, a download in the browser. */
  async saveCheckpoint(id: number, download: (file: CheckpointFile) => void): Promise<void> {
    try {
      const desktop = this.connection.desktop
      if (desktop) {
        const path = await desktop.saveCheckpoint(id)
        if (path) this.set({ notice: `Checkpoint saved to ${path}` })
        return
      }
      download(await this.connection.lab.checkpointFile(id))
    } catch (e) {
      this.fail(e)
    }
  }

  /** File ▸ Save Checkpoint… (desktop): a checkpoint now, saved through the save dialog. */
  async saveNewCheckpoint(): Promise<void> {
    this.pause()
    await this.loop
    const file = await this.takeCheckpoint()
    if (file && this.connection.desktop) await this.saveCheckpoint(file.id, () => {})
  }

  /** Stops playback and waits for the loop, so nothing of the old run lands after a restore. */
  private async quiesce(): Promise<number> {
    const gen = ++this.generation
    this.set({ playing: false, busy: true, error: undefined })
    await this.loop
    return gen
  }

  /**
   * Continues from a checkpoint: one of the session's (its id) or a file's bytes; with the checkpoint's policy
   * (a rewind) or another policy or settings (a branch).
   */
  async restore(
    from: number | { bytes: Uint8Array; fileName: string },
    options: RestoreOptions = {},
    field?: FieldKey,
  ): Promise<void> {
    if (field) this.setFieldError(field, undefined)
    const gen = await this.quiesce()
    try {
      const lab = this.connection.lab
      const result =
        typeof from === 'number'
          ? await lab.restoreCheckpoint(from, options)
          : await lab.restoreCheckpoint(from.bytes, { ...options, fileName: from.fileName })
      await this.applyRestore(gen, result)
    } catch (e) {
      if (gen === this.generation) this.failAt(field, e)
    }
  }

  /** Desktop: continue from a checkpoint file chosen in the open dialog. */
  async loadCheckpointFromDisk(options: RestoreOptions = {}): Promise<void> {
    const desktop = this.connection.desktop
    if (!desktop) return
    const gen = await this.quiesce()
    try {
      const result = await desktop.loadCheckpoint(options)
      if (result) await this.applyRestore(gen, result)
      else if (gen === this.generation) this.set({ busy: false })
    } catch (e) {
      if (gen === this.generation) this.failAt('checkpointFile', e)
    }
  }

  private async applyRestore(gen: number, result: RestoreResult): Promise<void> {
    const lab = this.connection.lab
    const before = this.state.info
    const sameCluster = before?.hosts === result.info.hosts && before.vms === result.info.vms
    const selection = sameCluster ? this.state.selection : undefined
    // a guided lab continues from its own checkpoints only: it is still open, with its objectives as they were
    const guided = this.state.guided
    const [placement, report, list, host, vm, status] = await Promise.all([
      lab.placement(),
      lab.report(),
      lab.checkpoints(),
      selection?.kind === 'host' ? lab.hostDetails(selection.host) : undefined,
      selection?.kind === 'vm' ? lab.vmDetails(selection.vm) : undefined,
      guided ? lab.labStatus() : undefined,
    ])
    if (gen !== this.generation) return
    const previous = this.state.choice
    const choice: ScenarioChoice =
      guided && previous?.kind === 'lab'
        ? previous
        : 'builtin' in result.scenario
          ? { kind: 'builtin', id: result.scenario.builtin }
          : { kind: 'file', file: { fileName: result.scenario.fileName, text: result.scenario.text } }
    const events = [...result.events]
    this.lastChartRefresh = this.lastLogRefresh = performance.now()
    this.set({
      choice,
      info: result.info,
      frames: result.frames,
      chartFrames: result.frames,
      events,
      eventCount: events.length,
      placement,
      done: result.done,
      selection,
      host,
      vm,
      hostSamples: host ? appendHostSample([], host, placement.time) : [],
      report,
      checkpoints: list.checkpoints,
      branches: list.branches,
      pendingOrders: [],
      rules: [],
      recommendations: undefined,
      pickTarget: undefined,
      busy: false,
      notice: events.at(-1)?.message,
      fieldErrors: {},
      guided: guided && status ? { ...guided, status, grade: undefined } : undefined,
      objectives: status?.objectives,
      focusEvent: undefined,
    })
  }

  /** Shows the Labs view: the labs (built-in and from packs) with the best grade each has had. */
  async showLabs(): Promise<void> {
    this.pause()
    this.set({ view: 'labs' })
    try {
      this.set({ labs: await this.connection.lab.listLabs() })
    } catch (e) {
      this.fail(e)
    }
  }

  /** Back to the run (the Labs view keeps the briefing it showed). */
  showRun(): void {
    this.set({ view: 'run' })
  }

  /** A lab's briefing, objectives, limits and hints, in the Labs view (undefined: back to the list). */
  async showBriefing(id: string | undefined): Promise<void> {
    this.setFieldError('labSettings', undefined)
    if (id === undefined) return this.set({ briefing: undefined })
    try {
      this.set({ briefing: await this.connection.lab.labBriefing(id) })
    } catch (e) {
      this.fail(e)
    }
  }

  /** Opens a guided lab from t = 0 with the trainee's settings; a setting the lab refuses is named under them. */
  async startLab(id: string, settings: string[]): Promise<void> {
    await this.open({ kind: 'lab', id, settings }, {}, 'labSettings')
  }

  /** The open lab's briefing and status again (after a hint or the solution was revealed). */
  private async refreshGuided(patch: Partial<GuidedRun> = {}): Promise<void> {
    const guided = this.state.guided
    if (!guided) return
    const lab = this.connection.lab
    const [briefing, status] = await Promise.all([lab.labBriefing(guided.lab.id), lab.labStatus()])
    // kept before the page shows it: a reload right after still finds it revealed
    await (
      await this.progressStore
    ).recordRevealed(briefing.id, {
      labHash: briefing.hash,
      hints: status.hintsUsed,
      solution: status.solutionSeen,
    })
    const now = this.state.guided
    if (now?.lab.id === guided.lab.id) this.set({ guided: { ...now, ...patch, lab: briefing, status } })
  }

  /** Reveals a hint of the open lab (its cost comes off the score; the page asks first). */
  async revealHint(id: string): Promise<void> {
    try {
      await this.connection.lab.revealHint(id)
      await this.refreshGuided()
    } catch (e) {
      this.fail(e)
    }
  }

  /** Shows the open lab's solution (a submission then scores 0; the page asks first). */
  async revealSolution(): Promise<void> {
    try {
      const solution = await this.connection.lab.revealSolution()
      await this.refreshGuided({ solution })
    } catch (e) {
      this.fail(e)
    }
  }

  /**
   * Submits the open run: the lab grades its settings and order log by replay from t = 0 (the grade of the
   * exported submission); the grade is kept as the lab's best when it beats it.
   */
  async submitLab(): Promise<void> {
    const guided = this.state.guided
    if (!guided) return
    this.pause()
    await this.loop
    this.setFieldError('labSubmit', undefined)
    this.set({ busy: true })
    try {
      const grade = await this.connection.lab.submitLab()
      const best = nextBest(this.state.progress, grade.lab, grade, guided.lab.hash, new Date())
      const now = this.state.guided
      this.set({
        busy: false,
        ...(best ? { progress: { ...this.state.progress, [grade.lab]: best } } : {}),
        ...(now?.lab.id === grade.lab ? { guided: { ...now, grade } } : {}),
      })
      if (best) await (await this.progressStore).save(grade.lab, best)
    } catch (e) {
      this.failAt('labSubmit', e)
    }
  }

  /** The open run as a submission file (what `conlab lab grade` reads): saved through the dialog or downloaded. */
  async exportSubmission(
    trainee: string | undefined,
    download: (fileName: string, text: string) => void,
  ): Promise<void> {
    try {
      const desktop = this.connection.desktop
      const name = trainee?.trim() ? trainee.trim() : undefined
      if (desktop) {
        const path = await desktop.saveSubmission(name)
        if (path) this.set({ notice: `Submission saved to ${path}` })
        return
      }
      const file = await this.connection.lab.exportSubmission(name ? { trainee: name } : {})
      download(file.fileName, file.text)
    } catch (e) {
      this.fail(e)
    }
  }

  /** Loads a lab pack beside the built-in labs; a pack the lab refuses is explained next to the control. */
  async loadLabPack(pack: LabPack): Promise<void> {
    this.setFieldError('labPack', undefined)
    try {
      const labs = await this.connection.lab.loadLabPack(pack)
      this.set({
        labs,
        notice: `Lab pack "${pack.name}" loaded: ${labs.filter((l) => l.source === pack.name).length} labs`,
      })
    } catch (e) {
      this.failAt('labPack', e)
    }
  }

  /** Desktop: a lab pack folder chosen in the native dialog (main reads its files). */
  async loadLabPackFromDisk(): Promise<void> {
    const desktop = this.connection.desktop
    if (!desktop) return
    try {
      const pack = await desktop.chooseLabPack()
      if (pack) await this.loadLabPack(pack)
    } catch (e) {
      this.failAt('labPack', e)
    }
  }

  clearFocusEvent(): void {
    if (this.state.focusEvent !== undefined) this.set({ focusEvent: undefined })
  }

  /**
   * A debrief link: shows the event in the log (the page's own event for it, see eventInLog) and selects the VM
   * or host it is about.
   */
  async focusEvent(e: IndexedEvent): Promise<void> {
    const index = eventInLog(this.state.events, e)
    if (index < 0) return this.set({ notice: `The event at ${e.time} s is not in this run's log (it was rewound).` })
    this.set({ view: 'run', focusEvent: index, eventCount: this.state.events.length })
    const target: Selection =
      e.vm !== undefined ? { kind: 'vm', vm: e.vm } : e.host !== undefined ? { kind: 'host', host: e.host } : undefined
    if (target) await this.select(target)
  }

  /**
   * Saves the run's order log as a file `conlab run <scenario> --orders FILE` replays (`events`: its events
   * list; `scenario`: the whole scenario with the orders in its events): a native save dialog in the desktop
   * app, a download in the browser.
   */
  async saveOrders(
    what: OrdersFileKind,
    download: (orders: OrdersExport, what: OrdersFileKind) => void,
  ): Promise<void> {
    try {
      const desktop = this.connection.desktop
      if (desktop) {
        const path = await desktop.saveOrders(what)
        if (path) this.set({ notice: `Orders saved to ${path}` })
        return
      }
      download(await this.connection.lab.exportOrders(), what)
    } catch (e) {
      this.fail(e)
    }
  }

  /** Saves the report: a native save dialog in the desktop app, a download in the browser. */
  async saveReport(format: ReportFormat, download: (report: RunReport, format: ReportFormat) => void): Promise<void> {
    try {
      const desktop = this.connection.desktop
      if (desktop) {
        const path = await desktop.saveReport(format)
        if (path) this.set({ notice: `Report saved to ${path}` })
        return
      }
      const report = await this.connection.lab.report()
      this.set({ report })
      download(report, format)
    } catch (e) {
      this.fail(e)
    }
  }
}

/** An order in words, with the VM or host it concerns. */
export function describeOrder(action: LabOrder): Omit<PendingOrder, 'action'> {
  if ('snapshot' in action)
    return {
      vm: action.snapshot.vm,
      label: `take snapshot "${action.snapshot.name}"${action.snapshot.memory ? ' with memory' : ' (disk only)'}`,
    }
  if ('revert' in action) return { vm: action.revert.vm, label: `revert to snapshot "${action.revert.snapshot}"` }
  if ('deleteSnapshot' in action)
    return {
      vm: action.deleteSnapshot.vm,
      label: `delete snapshot "${action.deleteSnapshot.snapshot}"${action.deleteSnapshot.children ? ' and its children' : ''}`,
    }
  if ('failHost' in action) return { host: action.failHost.host, label: `fail host ${action.failHost.host}` }
  if ('repairHost' in action) return { host: action.repairHost.host, label: `repair host ${action.repairHost.host}` }
  if ('migrate' in action)
    return {
      vm: action.migrate.vm,
      label: `migrate VM ${action.migrate.vm} to host ${action.migrate.to}${action.migrate.force ? ' (forced)' : ''}`,
    }
  if ('cancelMigration' in action)
    return { vm: action.cancelMigration.vm, label: `cancel the migration of VM ${action.cancelMigration.vm}` }
  if ('maintenance' in action)
    return {
      host: action.maintenance.host,
      label: `${action.maintenance.enter ? 'enter' : 'exit'} maintenance on host ${action.maintenance.host}`,
    }
  if ('standby' in action)
    return {
      host: action.standby.host,
      label: action.standby.on ? `standby host ${action.standby.host}` : `power on host ${action.standby.host}`,
    }
  if ('pin' in action) return { vm: action.pin.vm, label: `${action.pin.pinned ? 'pin' : 'unpin'} VM ${action.pin.vm}` }
  if ('addRule' in action) return { label: `add rule "${action.addRule.name}"` }
  if ('removeRule' in action) return { label: `remove rule "${action.removeRule.name}"` }
  if ('approve' in action) return { label: `approve recommendation #${action.approve.id}` }
  if ('approveAll' in action) return { label: 'approve all recommendations' }
  if ('dismiss' in action) return { label: `dismiss recommendation #${action.dismiss.id}` }
  if ('automation' in action) return { label: `automation ${action.automation.level}` }
  return {
    vm: action.balloon.vm,
    label: `balloon VM ${action.balloon.vm} to ${action.balloon.target === 'auto' ? 'auto' : `${action.balloon.target} bytes`}`,
  }
}

/** How many more recommendations wait after a step than before it (0 when none more, or not lab mode). */
export function newRecommendations(before: number, after: number | undefined): number {
  return after !== undefined && after > before ? after - before : 0
}

function appendHostSample(samples: HostSample[], host: HostDetails, time: number): HostSample[] {
  const sample: HostSample = {
    time,
    totalMips: host.totalMips,
    vms: host.vms.map((v) => ({ vm: v.vm, name: v.name, grantedMips: v.grantedMips })),
  }
  const kept = samples.length && samples[samples.length - 1]!.time === time ? samples.slice(0, -1) : samples
  const next = [...kept, sample]
  return next.length > MAX_HOST_SAMPLES ? next.slice(next.length - MAX_HOST_SAMPLES) : next
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

function nextAnimationFrame(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => resolve()))
}
