// The one contract between the lab and whoever drives it: the renderer (over a MessagePort from Electron's
// main process, or in-page in the browser build), tests and tools. Served with comlink. Everything that
// crosses is plain data: numbers, strings, typed arrays. The renderer imports only this folder.
import type { RunReport } from '../report'
import type { MigrationInfo } from '../migration'
import type { LabAction, LabOrder, LoggedOrder, OperatorAction } from '../lab/lab-state'
import type { SnapshotInfo } from '../checkpoint/snapshot-tree'
import type { MigrationPrediction } from '../lab/migration-estimate'
import type { ExpectedEffect, Recommendation, RecommendationCounts, RecommendationKind } from '../lab/recommendations'
import type { AutomationLevel } from '../scenario/schema'
import type { Frame, HostState, LabEvent, LabMode, MigrationModel } from '../vocabulary'
import type { LabSummary } from '../guided-labs/library'
import type { IndexedEvent, ObjectiveGrade, ObjectiveState } from '../guided-labs/objectives'
import type { LabGrade } from '../guided-labs/grade'
import type { Comparator } from './lab-comparators'

export { HOST_STATE } from '../vocabulary'
export type { Frame, HostState, LabEvent, LabEventKind, LabMode, MigrationModel } from '../vocabulary'

export interface ScenarioSummary {
  /** id of a built-in scenario (its file name without extension) */
  id: string
  name: string
  description: string
  mode: LabMode
  /** the scenario the lab opens first (CloudSim's PlanetLab experiment) */
  default?: boolean
}

export type OpenRequest = ({ builtin: string } | { fileName: string; text: string }) & {
  policy?: string
  seed?: number
  /** `path=value` settings applied to the scenario before validation, as `conlab run --set` takes them */
  set?: string[]
  /**
   * Lab mode: host shards in worker threads (Electron, Node) or Web Workers (browser), as `conlab run --workers`
   * takes it: 0 = every host in the lab's own thread, n = n workers. Default: the platform's choice (one worker
   * per core, at most one per 2,000 hosts; small clusters stay in the lab's thread). Results do not depend on it.
   */
  workers?: number
}

/** Where a lab's host shards run. */
export type ShardPlace = 'in-thread' | 'worker-threads' | 'web-workers'

export interface HostTypeInfo {
  id: string
  name: string
  cores: number
  totalMips: number
  ramMB: number
  /** watts at 0 %, 10 %, …, 100 % */
  power: number[]
}

export interface VmTypeInfo {
  id: string
  name: string
  vcpus: number
  mips: number
  ramMB: number
}

/** What the lab is, once a scenario is open. */
export interface LabInfo {
  scenario: string
  description: string
  mode: LabMode
  /** a sentence for the UI: which model runs and what that means (the migration model included) */
  modeNote: string
  /** how migrations are modelled */
  migrationModel: MigrationModel
  /** the migration settings in one line (bandwidth, downtime limit, auto-converge, …) */
  migrationNote: string
  /** the `set` settings the scenario was opened with */
  settings: string[]
  policy: string
  /** policies this scenario can run with */
  policies: string[]
  seed: number
  durationSeconds: number
  intervalSeconds: number
  hosts: number
  vms: number
  hostTypes: HostTypeInfo[]
  vmTypes: VmTypeInfo[]
  /** hostType[h] indexes hostTypes */
  hostType: Int32Array
  /** vmType[v] indexes vmTypes */
  vmType: Int32Array
  /** a display name per VM (trace file, or group name and index) */
  vmNames: string[]
  /** Σ physical RAM of all hosts, MiB */
  ramMB: number
  /** lab mode: how admission counts a host's RAM (admissionRamMB = (physical − reserved) × ratio) */
  admission?: { ramAllocationRatio: number; reservedHostMemoryMB: number }
  /** how many host shards step the hosts, and where they run */
  shards: { count: number; where: ShardPlace }
  /** lab mode: VMs have memory images (what VM snapshots need: `memory.images: true`) */
  memoryImages: boolean
  /** whole-lab checkpoints and orders (snapshots, host failures, …) are available: lab mode */
  labActions: boolean
}

export interface AdvanceRequest {
  /** scheduling intervals to advance (default 1) */
  steps?: number
  /** advance until this simulated time (seconds) instead */
  untilSeconds?: number
  /**
   * Views of the lab after the advance, in the same answer (one message instead of one per view: what a page
   * that plays the run asks for after every advance)
   */
  views?: { placement?: boolean; host?: number; vm?: number; objectives?: boolean }
}

export interface AdvanceResult {
  frames: Frame[]
  events: LabEvent[]
  done: boolean
  /** the views asked for in AdvanceRequest.views, as placement(), hostDetails() and vmDetails() answer them */
  placement?: PlacementView
  host?: HostDetails
  vm?: VmDetails
  /** a guided lab's objectives after the advance, as labStatus() answers them */
  objectives?: ObjectiveState[]
}

/** The placement map: compact arrays, one entry per host or VM. */
export interface PlacementView {
  time: number
  /** HOST_STATE per host */
  hostState: Uint8Array
  /** CPU utilization per host at the last update, 0..1 */
  hostCpu: Float64Array
  /** RAM in use per host, a fraction of its physical RAM (resident memory where hosts manage memory) */
  hostRam: Float64Array
  /** host of each VM (−1: not placed / removed) */
  vmHost: Int32Array
  /** MIPS each VM requests now */
  vmDemandMips: Float64Array
  /** MIPS each VM is granted now */
  vmGrantedMips: Float64Array
  /** RAM of each VM, MB */
  vmRamMB: Float64Array
  /** target host of a VM being migrated (−1 otherwise) */
  vmMigratingTo: Int32Array
}

export interface SeriesPoint {
  time: number
  value: number
}

export interface HostDetails {
  host: number
  typeName: string
  state: HostState
  totalMips: number
  /** physical RAM, MiB */
  ramMB: number
  /** RAM in use, MiB: resident memory where the host manages memory (KSM, balloons, swap), else its VMs' RAM */
  ramUsedMB: number
  /**
   * RAM admission lets VMs reserve here, MiB: lab mode (physical − reserved for the host) × RAM allocation ratio,
   * as OpenStack's scheduler counts it; CloudSim's model: the physical RAM
   */
  admissionRamMB: number
  /** configured RAM of the VMs admitted here, MiB (what counts against admissionRamMB) */
  admittedRamMB: number
  cpuUtilization: number
  powerW: number
  /** VMs running here, then VMs on their way here (`migratingFrom`; they still run on their source) */
  vms: {
    vm: number
    name: string
    demandMips: number
    grantedMips: number
    ramMB: number
    migrating: boolean
    /** lab mode: the host a VM leaving this one is moving to */
    migratingTo?: number
    /** lab mode: the host an arriving VM still runs on */
    migratingFrom?: number
  }[]
  /** the host's recent utilization as the overload detector sees it (newest first) */
  utilizationHistory: number[]
  /** SLA violation seconds and active seconds so far */
  slaViolationSeconds: number
  activeSeconds: number
  /** lab mode, hosts managing memory (KSM, balloons, swap): the host's memory after the last step, MB */
  memory?: HostMemory
  /** lab mode: the operator's mode of the host, and its evacuation while it enters maintenance or standby */
  mode?: HostModeInfo
}

/** A host's operator mode (maintenance, standby) and, while it enters one, what is left to evacuate. */
export interface HostModeInfo {
  mode: 'in-service' | 'entering-maintenance' | 'maintenance' | 'entering-standby' | 'standby'
  /** simulated seconds the current mode was requested, and entered (null: still entering) */
  requestedAt?: number
  enteredAt?: number | null
  /** VMs still running on the host or on their way to it */
  vmsLeft: number
  /** why it cannot finish entering its mode now (each names the VM and the reason) */
  blockedBy: string[]
  /** the operator powered it on: it stays on until it runs VMs */
  heldOn: boolean
}

/** A placement rule in force (or removed during the run) and its state, measured on where VMs run. */
export interface RuleState {
  name: string
  kind: 'affinity' | 'anti-affinity' | 'vm-host'
  enforcement: 'must' | 'should'
  vms: number[]
  hosts?: number[]
  placement?: 'run-on' | 'not-run-on'
  /** in force, satisfied or violated now; removed */
  state: 'satisfied' | 'violated' | 'removed'
  /** since when it is violated (null: satisfied), and why */
  violatedSince: number | null
  why?: string
  /** the VMs breaking it now (to mark on the map) */
  violating: number[]
  violations: number
  violationSeconds: number
  /** placements that broke it on purpose */
  placements: number
  addedAt: number
  removedAt: number | null
}

/** One host in a VM's target picker: may the VM go there, and what would the move cost. */
export interface HostEligibility {
  host: number
  /** the trainee may move the VM there now (with `force` when it breaks a should rule) */
  eligible: boolean
  /** the first filter that refuses it: the host's state or mode, admission (core speed, RAM, vCPUs), a must rule; or why the move is not a move */
  filter?: 'state' | 'core-speed' | 'ram' | 'vcpus' | 'rule' | 'vm'
  /** the refusal in words, with the numbers or the rule */
  reason?: string
  /** the must rule that refuses it */
  rule?: string
  /** an eligible host that breaks this should rule: the move needs `force: true` and is counted */
  breaksShould?: string
  /** eligible hosts: the analytic pre-copy model's prediction for this VM over the link between the hosts */
  migration?: MigrationPrediction
}

/** The run's orders, as given and as scenario events that replay it (`conlab run … --orders`). */
export interface OrdersExport {
  orders: LoggedOrder[]
  /** a YAML document `events:` with the orders as scenario events */
  events: string
  /** the whole scenario, settings, policy and seed written in, with the orders appended to its events */
  scenario: string
}

export interface HostMemory {
  /** Σ configured RAM of the host's VMs */
  configuredMB: number
  /** RAM in use: host reserve, guests' present pages less KSM savings, less what is swapped out */
  residentMB: number
  ksmSavedMB: number
  balloonMB: number
  hostSwappedMB: number
  guestSwappedMB: number
  /** free memory: none (≥ 20 %), pressure (< 20 %), critical (≤ 5 %) */
  pressure: 'none' | 'pressure' | 'critical'
}

/** One migration of a VM, finished (from the run's migration log) or in flight. */
export interface VmMigration {
  source: number
  target: number
  /** simulated seconds it started and ended (end: undefined while in flight) */
  start: number
  end?: number
  /** completed: the VM runs on the target; called-off: it stayed on the source (cancelled, aborted, timed out); lost */
  outcome: 'completed' | 'called-off' | 'lost' | 'in-flight'
  /** QEMU's status at the end (live models) */
  status?: string
  /** ms the guest was paused for the switch-over (live models, once completed) */
  downtimeMs?: number
  /** bytes put on the wire (live models) */
  transferredBytes?: number
  /** the VM's RAM, bytes (live models) */
  totalBytes?: number
  /** pre-copy rounds: bitmap syncs after the bulk stage, the final one included (live models) */
  rounds?: number
  /** auto-converge: every throttle step taken, in order (%) */
  throttleSteps?: number[]
  /** why it was called off or failed, or why it did not converge */
  reason?: string
  /** query-migrate's full statistics at the end, or now while in flight (live models) */
  info?: MigrationInfo
  /** in flight (live models): bytes still dirty in the migration bitmap */
  remainingBytes?: number
  /** in flight (live models): what the switch-over would cost now, ms */
  expectedDowntimeMs?: number
  /** in flight (live models): auto-converge's throttle now, % */
  throttlePercent?: number
  /** in flight (live models): setup, precopy, stop-and-copy, postcopy */
  phase?: string
}

export interface VmDetails {
  vm: number
  name: string
  typeName: string
  host: number
  /** lost: the lab model lost the VM (its host failed, or a post-copy migration failed) */
  state: 'running' | 'migrating' | 'removed' | 'lost'
  mips: number
  ramMB: number
  demandMips: number
  grantedMips: number
  /** demand − granted, MIPS (CPU the VM wanted and did not get) */
  stealMips: number
  /** lab mode: the hypervisor CPU scheduler's steal, MIPS (runnable and not run: contention or the VM's cap) */
  schedulerStealMips?: number
  /** the VM's utilization history, newest first (fractions) */
  utilizationHistory: number[]
  /** the workload over the whole run, one point per interval */
  workload: SeriesPoint[]
  /**
   * While migrating: where to, since when (start undefined while queued for a free migration slot or for its
   * target to boot; then queuedSince and queuedSeconds say since when and for how long it has waited)
   */
  migratingTo?: { target: number; start?: number; queuedSince?: number; queuedSeconds?: number }
  /** every migration of this VM so far, oldest first (the one in flight last) */
  migrations: VmMigration[]
  /** lab mode: the operator pinned it (consolidation and evacuation leave it where it is) */
  pinned?: boolean
  /** lab mode: the rules in force that name it */
  rules?: string[]
  /** lab mode: the VM's snapshot tree, flattened in tree order (parent before children); `current`: "You are here" */
  snapshots?: SnapshotInfo[]
}

/** A whole-lab checkpoint the session keeps (in memory), without its bytes. */
export interface CheckpointSummary {
  id: number
  /** what the trainee called it (or the file it was loaded from) */
  name: string
  /** simulated seconds */
  time: number
  scenario: string
  policy: string
  seed: number
  /** the `set` settings the run had */
  settings: string[]
  /** size of its file, bytes */
  sizeBytes: number
  /** the branch it was taken on (undefined: loaded from a file) */
  branch?: number
  /** a file name that sorts by simulated time (`<scenario>-t0000021600.ckpt`) */
  fileName: string
}

/** A checkpoint as a file: the verified binary format of `conlab run --checkpoint-every` (a LabCheckpoint). */
export interface CheckpointFile extends CheckpointSummary {
  bytes: Uint8Array
}

/** One run of the open scenario: from t = 0, or continued from a checkpoint (a rewind or a branch). */
export interface BranchSummary {
  id: number
  /** policy, settings and where it started, in words */
  label: string
  policy: string
  seed: number
  settings: string[]
  /** the checkpoint it continued from (undefined: from t = 0) */
  from?: { checkpoint: number; name: string; time: number }
  /** the run the lab plays now */
  current: boolean
  /** simulated seconds it has reached */
  time: number
  /** its final report, once it has run to the scenario's end (without the per-migration detail) */
  report?: RunReport
}

export interface CheckpointList {
  checkpoints: CheckpointSummary[]
  branches: BranchSummary[]
}

export interface RestoreOptions {
  /** another policy: a branch */
  policy?: string
  /** more `path=value` settings on top of the checkpoint's: a branch with other parameters */
  set?: string[]
  /** the file the bytes came from (named in messages and in the list) */
  fileName?: string
  /** host shards in workers for the run that continues (as OpenRequest.workers; default: as the open run) */
  workers?: number
}

/** The lab after a rewind or a branch: what the page needs to show it from the checkpoint on. */
export interface RestoreResult {
  info: LabInfo
  /** the checkpoint it continued from (in the session's list now) */
  checkpoint: CheckpointSummary
  /** the branch that now runs */
  branch: BranchSummary
  /** the frames and events of the run up to the checkpoint (a loaded file brings its frames, not its events) */
  frames: Frame[]
  events: LabEvent[]
  done: boolean
  /** how to open the same scenario again from t = 0 */
  scenario: { builtin: string } | { fileName: string; text: string }
}

/** Opens a guided lab from t = 0, with the trainee's settings (within what the lab allows). */
export interface OpenLabRequest {
  lab: string
  /** `path=value` settings, as `conlab run --set` takes them (`policy=lr-mmt-1.2`, `migration.autoConverge=true`) */
  settings?: string[]
  /** host shards in workers, as OpenRequest.workers */
  workers?: number
}

/** An objective as the briefing shows it: the sentence, and the check the engine makes. */
export interface LabObjectiveInfo {
  id: string
  text: string
  metric: string
  comparator: Comparator
  target: number
  /** simulated seconds it is checked at (absent: at the end of the run) */
  at?: number
  points: number
  /** the metric's unit (kWh, fraction, count, ms, s, GiB, number) */
  unit: string
  /** the check in words: `energyKWh < 0.160 kWh at the end` */
  check: string
}

/** What the trainee sees on opening a lab: the briefing, the objectives, the controls allowed, the hints. */
export interface LabBriefing extends LabSummary {
  /** Markdown */
  briefing: string
  /** the lab's content hash (a submission carries it) */
  hash: string
  objectives: LabObjectiveInfo[]
  /** the settings (a scenario path, and everything below it; with `values`, only those) and order kinds allowed */
  allowed: { settings: { path: string; values?: unknown[] }[]; orders: string[] }
  /** the hints, with their cost; the text of those revealed */
  hints: { id: string; cost: number; revealed: boolean; text?: string }[]
  /** the trainee was shown the solution (a submission then scores 0) */
  solutionSeen: boolean
}

export interface LabOpened {
  lab: LabBriefing
  info: LabInfo
  /** the trainee's settings the run has */
  settings: string[]
}

/** The open lab's objectives while the run plays. */
export interface LabStatus {
  lab: string
  time: number
  done: boolean
  objectives: ObjectiveState[]
  hintsUsed: string[]
  hintCost: number
  solutionSeen: boolean
}

export interface LabHint {
  id: string
  /** Markdown */
  text: string
  cost: number
}

export interface LabSolution {
  /** Markdown: the approach */
  approach: string
  settings: string[]
  /** the solution's orders, as a submission writes them (`at`: the simulated time given) */
  orders: Record<string, unknown>[]
}

/** A submission as a file (what `conlab lab grade` reads). */
export interface SubmissionExport {
  fileName: string
  text: string
}

/** An instructor's folder of lab files (and the scenario files they name), given as texts. */
export interface LabPack {
  name: string
  files: { path: string; text: string }[]
}

/**
 * Lab mode: the recommendations (issue 18) — those waiting for the operator, the latest resolved, the counts,
 * the automation level and the policy's measure of the cluster. Act on them with the orders `approve: { id }`,
 * `approveAll: true`, `dismiss: { id }` and `automation: { level }` (LabApi.order), applied at the next step.
 */
export interface RecommendationsView {
  automation: AutomationLevel
  /** waiting for approval, in the order proposed */
  waiting: Recommendation[]
  /** the latest applied, dismissed or expired, newest last (at most `limit`) */
  recent: Recommendation[]
  counts: RecommendationCounts
  /** what the frames' `balance` measures, and whether lower or higher is better */
  balanceMetric: { name: string; better: 'lower' | 'higher' }
}

export interface LabApi {
  hello(): Promise<{ version: string; platform: 'electron' | 'web' | 'node' }>
  listScenarios(): Promise<ScenarioSummary[]>
  open(request: OpenRequest): Promise<LabInfo>
  advance(request?: AdvanceRequest): Promise<AdvanceResult>
  placement(): Promise<PlacementView>
  hostDetails(host: number): Promise<HostDetails>
  vmDetails(vm: number): Promise<VmDetails>
  /** the report of the run so far (complete once `done`) */
  report(): Promise<RunReport>
  /**
   * Lab mode: an order to the running lab — migrate, cancel a migration, balloon, VM snapshot take / revert /
   * delete, fail or repair a host — applied at the start of the next step. What it did, or why it was refused,
   * comes back as events of that step.
   */
  order(action: LabOrder): Promise<void>
  /** Lab mode: the recommendations waiting and the latest resolved (`limit`, default 50); cloudsim mode: none. */
  recommendations(limit?: number): Promise<RecommendationsView | undefined>
  /** Lab mode: the placement rules (in force and removed) and their state; cloudsim mode: none. */
  rules(): Promise<RuleState[]>
  /**
   * Lab mode: the target picker for a VM — for every host, whether the trainee may move the VM there now, or
   * the first filter that refuses it (state or mode, admission, a must rule); for eligible hosts the analytic
   * pre-copy model's predicted migration time and downtime.
   */
  eligibility(vm: number): Promise<HostEligibility[]>
  /** Lab mode: the orders given so far, as scenario events and as a whole scenario that replays the run. */
  exportOrders(): Promise<OrdersExport>
  /** Lab mode: a whole-lab checkpoint now, kept in the session's list and returned as its file. */
  checkpoint(name?: string): Promise<CheckpointFile>
  /** The file of a checkpoint in the session's list. */
  checkpointFile(id: number): Promise<CheckpointFile>
  /** The session's checkpoints and the runs (branches) of the open scenario, with their final reports. */
  checkpoints(): Promise<CheckpointList>
  /**
   * Continues from a checkpoint — one of the session's (its id) or a file's bytes (verified) — with the policy
   * and settings it was taken with (a rewind), or another policy or more settings (a branch).
   */
  restoreCheckpoint(from: number | Uint8Array, options?: RestoreOptions): Promise<RestoreResult>
  /** The guided labs: the built-in ones and those of the lab packs loaded. */
  listLabs(): Promise<LabSummary[]>
  /** A lab's briefing, objectives, allowed controls and hints (the text of those revealed), without opening it. */
  labBriefing(id: string): Promise<LabBriefing>
  /**
   * Opens a guided lab from t = 0 with the trainee's settings (refused, naming the setting, when the lab does not
   * allow it). While it is open, orders of kinds the lab does not allow are refused, and a checkpoint taken in it
   * is a rewind only (a branch with other settings is refused: a submission replays its settings from t = 0).
   * Hints revealed and the solution seen are remembered across reopenings.
   */
  openLab(request: OpenLabRequest): Promise<LabOpened>
  /** The open lab's objectives now: met / not yet / failed, with the current values, evaluated from the run so far. */
  labStatus(): Promise<LabStatus>
  /** Reveals a hint of the open lab (recorded: its cost comes off the score). */
  revealHint(id: string): Promise<LabHint>
  /** Shows the open lab's solution (recorded: a submission then scores 0). */
  revealSolution(): Promise<LabSolution>
  /**
   * Grades the open run: its settings and order log replayed from t = 0 to the end, the objectives evaluated by the
   * engine — each value against its target, when it was settled and the events that decided it.
   */
  submitLab(): Promise<LabGrade>
  /** The open run as a submission file (lab, content hash, settings, hints used, order log). */
  exportSubmission(options?: { trainee?: string }): Promise<SubmissionExport>
  /** Loads a lab pack beside the built-in labs (every lab checked; refused whole with every problem). */
  loadLabPack(pack: LabPack): Promise<LabSummary[]>
}

export type { LabSummary, ObjectiveState, ObjectiveGrade, IndexedEvent, LabGrade, Comparator }
export type {
  RunReport,
  MigrationInfo,
  MigrationPrediction,
  Recommendation,
  RecommendationKind,
  RecommendationCounts,
  ExpectedEffect,
  AutomationLevel,
  LabAction,
  LabOrder,
  LoggedOrder,
  OperatorAction,
  SnapshotInfo,
}
