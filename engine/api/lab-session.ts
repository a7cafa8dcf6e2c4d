// LabSession: the LabApi served by whichever process hosts the lab (Electron main, a browser page, tests).
// It opens scenarios, advances the simulation, and answers questions about it; every number it returns
// comes from the simulation's state. A `mode: cloudsim` scenario runs CloudSim 3.0.3's model
// (session-cloudsim.ts), a `mode: lab` scenario the lab's own model (session-lab.ts); both answer the
// same contract. Calls are served one at a time, in the order they arrive: an answer always describes the
// state after every call made before it.
import type {
  AdvanceRequest,
  AdvanceResult,
  HostDetails,
  LabApi,
  LabInfo,
  OpenRequest,
  PlacementView,
  ScenarioSummary,
  VmDetails,
} from './lab-api'
import { parseScenario } from '../scenario/load'
import { buildClusterModel } from '../model/cluster-model'
import { LabInputError } from '../scenario/diagnostics'
import type { RunReport } from '../report'
import type { ScenarioCatalog } from './scenario-catalog'
import { CloudSimRun } from './session-cloudsim'
import { LabRun } from './session-lab'
import type { SessionRun } from './session-common'

export type { ScenarioCatalog } from './scenario-catalog'

export const LAB_VERSION = '0.1.0'

export class LabSession implements LabApi {
  private run: SessionRun | undefined
  private openRequest: OpenRequest | undefined
  /** the call being served; the next one starts when it settles */
  private queue: Promise<unknown> = Promise.resolve()

  constructor(
    private readonly catalog: ScenarioCatalog,
    private readonly platform: 'electron' | 'web' | 'node' = 'node',
    private readonly clock: () => number = () => performance.now(),
  ) {}

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

  /** Opens a scenario from t = 0. A scenario that cannot be opened leaves the open one as it was. */
  open(request: OpenRequest): Promise<LabInfo> {
    return this.serial(async (previous) => {
      const run = await this.start(request)
      this.run = run
      this.openRequest = request
      await previous?.close()
      return run.info
    })
  }

  private async start(request: OpenRequest): Promise<SessionRun> {
    let file: string
    let text: string
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
    } else {
      file = request.fileName
      text = request.text
    }
    const settings = [...(request.set ?? [])]
    const { scenario } = parseScenario(text, file, settings)
    const model = buildClusterModel(scenario, file, this.catalog.files, { policy: request.policy, seed: request.seed })
    const description = scenario.description ?? ''
    return model.mode === 'cloudsim'
      ? new CloudSimRun(model, description, settings, this.clock)
      : LabRun.create(model, description, settings, this.clock)
  }

  /** Starts the same scenario again from t = 0. */
  reset(): Promise<LabInfo> {
    if (!this.openRequest) return Promise.reject(new Error('no scenario is open'))
    return this.open(this.openRequest)
  }

  advance(request: AdvanceRequest = {}): Promise<AdvanceResult> {
    return this.onRun((run) => run.advance(request))
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

  /** Releases the open scenario's resources (its shards). */
  close(): Promise<void> {
    return this.serial(async (run) => {
      this.run = undefined
      await run?.close()
    })
  }
}
