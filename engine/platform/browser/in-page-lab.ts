// The LabApi as served from a Web Worker: a LabSession over the packed scenarios, created once the pack
// has been fetched, with lab-mode host shards in nested Web Workers (web-shards.ts). Calls that arrive
// earlier wait for it. Typed arrays of the placement view are transferred (moved) to the page rather than
// copied; checkpoint files are copied (the session keeps its own).
import * as Comlink from 'comlink'
import type {
  AdvanceRequest,
  AdvanceResult,
  CheckpointFile,
  CheckpointList,
  HostDetails,
  LabOrder,
  LabApi,
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
  RecommendationsView,
  LabInfo,
  OpenRequest,
  PlacementView,
  RestoreOptions,
  RestoreResult,
  RunReport,
  ScenarioSummary,
  VmDetails,
} from '../../api/lab-api'
import { LabSession } from '../../api/lab-session'
import type { ShardPlanner } from '../../api/shard-plan'
import { packScenarioCatalog } from './catalog'
import { browserShardPlanner } from './web-shards'

export class InPageLab implements LabApi {
  private readonly session: Promise<LabSession>

  constructor(pack: Promise<Uint8Array>, shards: ShardPlanner = browserShardPlanner()) {
    this.session = pack.then((data) => new LabSession(packScenarioCatalog(data), 'web', { shards }))
  }

  async hello(): Promise<{ version: string; platform: 'electron' | 'web' | 'node' }> {
    return (await this.session).hello()
  }
  async listScenarios(): Promise<ScenarioSummary[]> {
    return (await this.session).listScenarios()
  }
  async open(request: OpenRequest): Promise<LabInfo> {
    return (await this.session).open(request)
  }
  async advance(request?: AdvanceRequest): Promise<AdvanceResult> {
    const result = await (await this.session).advance(request)
    return result.placement ? Comlink.transfer(result, placementBuffers(result.placement)) : result
  }
  async placement(): Promise<PlacementView> {
    const view = await (await this.session).placement()
    return Comlink.transfer(view, placementBuffers(view))
  }
  async hostDetails(host: number): Promise<HostDetails> {
    return (await this.session).hostDetails(host)
  }
  async vmDetails(vm: number): Promise<VmDetails> {
    return (await this.session).vmDetails(vm)
  }
  async report(): Promise<RunReport> {
    return (await this.session).report()
  }
  async order(action: LabOrder): Promise<void> {
    return (await this.session).order(action)
  }
  async recommendations(limit?: number): Promise<RecommendationsView | undefined> {
    return (await this.session).recommendations(limit)
  }
  async rules(): Promise<RuleState[]> {
    return (await this.session).rules()
  }
  async eligibility(vm: number): Promise<HostEligibility[]> {
    return (await this.session).eligibility(vm)
  }
  async exportOrders(): Promise<OrdersExport> {
    return (await this.session).exportOrders()
  }
  async checkpoint(name?: string): Promise<CheckpointFile> {
    return (await this.session).checkpoint(name)
  }
  async checkpointFile(id: number): Promise<CheckpointFile> {
    return (await this.session).checkpointFile(id)
  }
  async checkpoints(): Promise<CheckpointList> {
    return (await this.session).checkpoints()
  }
  async restoreCheckpoint(from: number | Uint8Array, options?: RestoreOptions): Promise<RestoreResult> {
    return (await this.session).restoreCheckpoint(from, options)
  }
  async listLabs(): Promise<LabSummary[]> {
    return (await this.session).listLabs()
  }
  async labBriefing(id: string): Promise<LabBriefing> {
    return (await this.session).labBriefing(id)
  }
  async openLab(request: OpenLabRequest): Promise<LabOpened> {
    return (await this.session).openLab(request)
  }
  async labStatus(): Promise<LabStatus> {
    return (await this.session).labStatus()
  }
  async revealHint(id: string): Promise<LabHint> {
    return (await this.session).revealHint(id)
  }
  async revealSolution(): Promise<LabSolution> {
    return (await this.session).revealSolution()
  }
  async submitLab(): Promise<LabGrade> {
    return (await this.session).submitLab()
  }
  async exportSubmission(options?: { trainee?: string }): Promise<SubmissionExport> {
    return (await this.session).exportSubmission(options)
  }
  async loadLabPack(pack: LabPack): Promise<LabSummary[]> {
    return (await this.session).loadLabPack(pack)
  }
}

/** A placement view's arrays, moved to the page rather than copied (the session made them for this answer). */
function placementBuffers(view: PlacementView): ArrayBuffer[] {
  return [
    view.hostState,
    view.hostCpu,
    view.hostRam,
    view.vmHost,
    view.vmDemandMips,
    view.vmGrantedMips,
    view.vmRamMB,
    view.vmMigratingTo,
  ].map((a) => a.buffer as ArrayBuffer)
}

/** Fetches the packed scenarios asset. */
export async function fetchScenarioPack(url: string): Promise<Uint8Array> {
  const response = await fetch(url)
  if (!response.ok) throw new Error(`cannot load the built-in scenarios (${url}: HTTP ${response.status})`)
  return new Uint8Array(await response.arrayBuffer())
}
