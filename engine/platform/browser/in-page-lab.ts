// The LabApi as served from a Web Worker: a LabSession over the packed scenarios, created once the pack
// has been fetched. Calls that arrive earlier wait for it. Typed arrays of the placement view are
// transferred (moved) to the page rather than copied.
import * as Comlink from 'comlink'
import type {
  AdvanceRequest,
  AdvanceResult,
  HostDetails,
  LabApi,
  LabInfo,
  OpenRequest,
  PlacementView,
  RunReport,
  ScenarioSummary,
  VmDetails,
} from '../../api/lab-api'
import { LabSession } from '../../api/lab-session'
import { packScenarioCatalog } from './catalog'

export class InPageLab implements LabApi {
  private readonly session: Promise<LabSession>

  constructor(pack: Promise<Uint8Array>) {
    this.session = pack.then((data) => new LabSession(packScenarioCatalog(data), 'web'))
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
    return (await this.session).advance(request)
  }
  async placement(): Promise<PlacementView> {
    const view = await (await this.session).placement()
    const buffers = [
      view.hostState,
      view.hostCpu,
      view.hostRam,
      view.vmHost,
      view.vmDemandMips,
      view.vmGrantedMips,
      view.vmRamMB,
      view.vmMigratingTo,
    ].map((a) => a.buffer as ArrayBuffer)
    return Comlink.transfer(view, buffers)
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
}

/** Fetches the packed scenarios asset. */
export async function fetchScenarioPack(url: string): Promise<Uint8Array> {
  const response = await fetch(url)
  if (!response.ok) throw new Error(`cannot load the built-in scenarios (${url}: HTTP ${response.status})`)
  return new Uint8Array(await response.arrayBuffer())
}
