// LabSession: the LabApi served by whichever process hosts the lab (Electron main, a browser page, tests).
// It opens scenarios, advances the simulation, and answers questions about it; every number it returns
// comes from the simulation's state.
import type {
  AdvanceRequest,
  AdvanceResult,
  Frame,
  HostDetails,
  LabApi,
  LabEvent,
  LabInfo,
  OpenRequest,
  PlacementView,
  ScenarioSummary,
  VmDetails,
} from './lab-api'
import { HOST_STATE } from './lab-api'
import type { FileSource } from '../platform/files'
import { parseScenario } from '../scenario/load'
import { buildClusterModel, type ClusterModel } from '../model/cluster-model'
import { CloudSimSimulation } from '../cloudsim/simulation'
import type { MigrationDecision } from '../cloudsim/optimizer'
import { CLOUDSIM_POLICIES, DETECTORS } from '../policies/policy-name'
import { HISTORY_LENGTH } from '../policies/detectors'
import { LabInputError } from '../scenario/diagnostics'
import { specPower } from '../power'
import { workloadBinding, type RunReport } from '../report'
import { planetLabUtilization } from '../workload/planetlab'

export const LAB_VERSION = '0.1.0'

/** Built-in scenarios: where their files are, for the platform's FileSource. */
export interface ScenarioCatalog {
  files: FileSource
  /** the folder holding the built-in scenario files */
  dir: string
  entries: ScenarioSummary[]
}

const MODE_NOTES = {
  cloudsim:
    "CloudSim-compatible mode: CloudSim 3.0.3's consolidation model, quirks included (idle hosts draw nothing, VMs with zero demand are removed, RAM only checked at start, migration = RAM ÷ half the link).",
  lab: "Lab mode: the lab's own model (RAM enforced, no VM removal, migrations that take time).",
}

export class LabSession implements LabApi {
  private model: ClusterModel | undefined
  private sim: CloudSimSimulation | undefined
  private info: LabInfo | undefined
  private pending: LabEvent[] = []
  private lastSla = { slaSeconds: 0, activeSeconds: 0 }
  private wasActive = new Uint8Array(0)
  private started = 0
  private openRequest: OpenRequest | undefined

  constructor(
    private readonly catalog: ScenarioCatalog,
    private readonly platform: 'electron' | 'web' | 'node' = 'node',
    private readonly clock: () => number = () => performance.now(),
  ) {}

  hello(): Promise<{ version: string; platform: 'electron' | 'web' | 'node' }> {
    return Promise.resolve({ version: LAB_VERSION, platform: this.platform })
  }

  listScenarios(): Promise<ScenarioSummary[]> {
    return Promise.resolve(this.catalog.entries)
  }

  open(request: OpenRequest): Promise<LabInfo> {
    return attempt(() => this.openSync(request))
  }

  openSync(request: OpenRequest): LabInfo {
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
    const { scenario } = parseScenario(text, file)
    const model = buildClusterModel(scenario, file, this.catalog.files, { policy: request.policy, seed: request.seed })
    if (model.mode !== 'cloudsim') {
      throw new LabInputError([
        {
          file,
          path: 'mode',
          message: 'lab mode scenarios open in this build once the lab model lands; expected mode "cloudsim"',
        },
      ])
    }
    const sim = new CloudSimSimulation(model)
    sim.explain = true
    sim.onEvent = (e) => this.pending.push(e)
    this.model = model
    this.sim = sim
    this.openRequest = request
    this.pending = []
    this.lastSla = { slaSeconds: 0, activeSeconds: 0 }
    this.wasActive = new Uint8Array(model.hostCount)
    this.started = this.clock()
    this.info = {
      scenario: model.name,
      description: scenario.description ?? '',
      mode: model.mode,
      modeNote: MODE_NOTES[model.mode],
      policy: model.policy.name,
      policies: CLOUDSIM_POLICIES,
      seed: model.seed,
      durationSeconds: model.duration,
      intervalSeconds: model.interval,
      hosts: model.hostCount,
      vms: model.vmCount,
      hostTypes: model.hostTypes.map((t) => ({
        id: t.id,
        name: t.name,
        cores: t.cores,
        totalMips: t.totalMips,
        ramMB: t.ramMB,
        power: [...t.power],
      })),
      vmTypes: model.vmTypes.map((t) => ({ id: t.id, name: t.name, vcpus: t.vcpus, mips: t.mips, ramMB: t.ramMB })),
      hostType: model.hostType.slice(),
      vmType: model.vmType.slice(),
      vmNames: Array.from({ length: model.vmCount }, (_, v) => {
        const trace = model.vmTrace[v]!
        return trace >= 0 ? model.traces.names[trace]! : `vm-${v}`
      }),
    }
    return this.info
  }

  /** Starts the same scenario again from t = 0. */
  reset(): Promise<LabInfo> {
    if (!this.openRequest) throw new Error('no scenario is open')
    return this.open(this.openRequest)
  }

  private get current(): { sim: CloudSimSimulation; model: ClusterModel } {
    if (!this.sim || !this.model) throw new Error('no scenario is open: call open() first')
    return { sim: this.sim, model: this.model }
  }

  advance(request: AdvanceRequest = {}): Promise<AdvanceResult> {
    return attempt(() => this.advanceSync(request))
  }

  advanceSync(request: AdvanceRequest = {}): AdvanceResult {
    const { sim } = this.current
    const frames: Frame[] = []
    const steps = request.untilSeconds !== undefined ? Number.POSITIVE_INFINITY : Math.max(1, request.steps ?? 1)
    for (let i = 0; i < steps && !sim.done; i++) {
      if (request.untilSeconds !== undefined && sim.time >= request.untilSeconds) break
      const f = sim.step()
      if (!f) break
      const sla = sim.slaTotals()
      const dActive = sla.activeSeconds - this.lastSla.activeSeconds
      const frame: Frame = {
        time: f.time,
        step: f.step,
        energyKWh: f.energyKWh,
        powerW: f.powerW,
        activeHosts: f.activeHosts,
        cpuUtilization: f.cpuUtilization,
        migrations: f.migrations,
        migrationsStarted: f.migrationsStarted,
        overloadedHosts: f.overloadedHosts,
        vmsRunning: f.vmsRunning,
        slatah: sla.activeSeconds > 0 ? sla.slaSeconds / sla.activeSeconds : 0,
        slaViolationShare: dActive > 0 ? (sla.slaSeconds - this.lastSla.slaSeconds) / dActive : 0,
      }
      this.lastSla = sla
      frames.push(frame)
      this.describeStep(f.time, f.decisions ?? [])
    }
    const events = this.pending
    this.pending = []
    return { frames, events, done: sim.done }
  }

  /** Events for one step: the decisions with their explanations, and hosts switching on or off. */
  private describeStep(time: number, decisions: MigrationDecision[]): void {
    const { sim } = this.current
    const H = sim.hosts
    const reported = new Set<number>()
    for (const d of decisions) {
      if (d.reason === 'overload' && d.sourceVerdict && !reported.has(d.from)) {
        reported.add(d.from)
        const v = d.sourceVerdict
        const rule =
          v.rule === 'thr-fallback'
            ? `THR 0.7 fallback (too little history): utilization ${pct(v.value)} > 70 %`
            : v.rule === 'lr' || v.rule === 'lrr'
              ? `${DETECTORS[v.rule].label}: predicted utilization × safety = ${v.value.toFixed(3)} ≥ 1`
              : `${DETECTORS[v.rule].label}: utilization ${pct(v.value)} > threshold ${pct(v.threshold)}`
        this.pending.push({ time, kind: 'overload', host: d.from, message: `host ${d.from} over-loaded — ${rule}` })
      }
      const why =
        d.reason === 'overload'
          ? `relieves over-loaded host ${d.from}`
          : `empties under-utilized host ${d.from} (${pct(d.sourceUtilization)} used)`
      this.pending.push({
        time,
        kind: 'migration-start',
        vm: d.vm,
        host: d.from,
        targetHost: d.to,
        message: `VM ${d.vm} → host ${d.to}: ${why}; PABFD picked the host whose power rises least (+${d.powerIncreaseW.toFixed(2)} W, to ${pct(d.targetUtilizationAfter)} CPU)`,
      })
    }
    for (let h = 0; h < H.hostCount; h++) {
      const active = H.utilMips[h]! > 0 ? 1 : 0
      if (active !== this.wasActive[h]) {
        this.pending.push(
          active
            ? { time, kind: 'host-on', host: h, message: `host ${h} switched on (now ${pct(H.utilization(h))} busy)` }
            : {
                time,
                kind: 'host-off',
                host: h,
                message: `host ${h} idle: switched off (draws nothing until it gets VMs)`,
              },
        )
        this.wasActive[h] = active
      }
    }
  }

  placement(): Promise<PlacementView> {
    return attempt(() => this.placementSync())
  }

  private placementSync(): PlacementView {
    const { sim, model } = this.current
    const H = sim.hosts
    const view: PlacementView = {
      time: sim.time,
      hostState: new Uint8Array(model.hostCount),
      hostCpu: new Float64Array(model.hostCount),
      hostRam: new Float64Array(model.hostCount),
      vmHost: new Int32Array(model.vmCount).fill(-1),
      vmDemandMips: new Float64Array(model.vmCount),
      vmGrantedMips: new Float64Array(model.vmCount),
      vmRamMB: new Float64Array(model.vmCount),
      vmMigratingTo: new Int32Array(model.vmCount).fill(-1),
    }
    for (let h = 0; h < model.hostCount; h++) {
      view.hostState[h] = H.utilMips[h]! > 0 || H.list[h]!.length > 0 ? HOST_STATE.on : HOST_STATE.off
      view.hostCpu[h] = H.utilization(h)
      let ram = 0
      for (const v of H.list[h]!) if (!H.migIn[h]!.includes(v)) ram += H.vmRam[v]!
      view.hostRam[h] = ram / H.ramMB[h]!
      for (const v of H.migIn[h]!) view.vmMigratingTo[v] = h
    }
    for (let v = 0; v < model.vmCount; v++) {
      const host = H.vmTable[v]!
      view.vmHost[v] = sim.isRunning(v) ? host : -1
      view.vmRamMB[v] = H.vmRam[v]!
      if (host >= 0 && sim.isRunning(v)) {
        view.vmDemandMips[v] = H.requestTotal(v)
        view.vmGrantedMips[v] = grantedOn(sim, host, v)
      }
    }
    return view
  }

  hostDetails(host: number): Promise<HostDetails> {
    return attempt(() => this.hostDetailsSync(host))
  }

  private hostDetailsSync(host: number): HostDetails {
    const { sim, model } = this.current
    const H = sim.hosts
    if (!Number.isInteger(host) || host < 0 || host >= model.hostCount)
      throw new RangeError(`no host ${host} (0..${model.hostCount - 1})`)
    const type = model.hostTypes[model.hostType[host]!]!
    const load = H.load(host)
    const sla = sim.hostSla(host)
    return {
      host,
      typeName: type.name,
      state: H.utilMips[host]! > 0 || H.list[host]!.length > 0 ? HOST_STATE.on : HOST_STATE.off,
      totalMips: H.totalMips[host]!,
      ramMB: H.ramMB[host]!,
      cpuUtilization: H.utilization(host),
      powerW: H.utilMips[host]! > 0 ? specPower(type.power, H.utilization(host)) : 0,
      vms: H.list[host]!.map((v) => ({
        vm: v,
        name: this.info!.vmNames[v]!,
        demandMips: H.requestTotal(v),
        grantedMips: grantedOn(sim, host, v),
        ramMB: H.vmRam[v]!,
        migrating: H.inMigration[v] === 1,
      })),
      utilizationHistory: Array.from(load.history.subarray(0, load.historyLength)),
      slaViolationSeconds: sla.violation,
      activeSeconds: sla.active,
    }
  }

  vmDetails(vm: number): Promise<VmDetails> {
    return attempt(() => this.vmDetailsSync(vm))
  }

  private vmDetailsSync(vm: number): VmDetails {
    const { sim, model } = this.current
    const H = sim.hosts
    if (!Number.isInteger(vm) || vm < 0 || vm >= model.vmCount)
      throw new RangeError(`no VM ${vm} (0..${model.vmCount - 1})`)
    const host = H.vmTable[vm]!
    const running = sim.isRunning(vm)
    const demand = running ? H.requestTotal(vm) : 0
    const granted = running && host >= 0 ? grantedOn(sim, host, vm) : 0
    const trace = model.vmTrace[vm]!
    const workload =
      trace >= 0
        ? Array.from({ length: Math.floor(model.duration / model.interval) }, (_, k) => ({
            time: k * model.interval,
            value: planetLabUtilization(
              model.traces.samples,
              trace * model.traces.slots,
              k * model.interval,
              model.interval,
            ),
          }))
        : []
    const base = vm * HISTORY_LENGTH
    return {
      vm,
      name: this.info!.vmNames[vm]!,
      typeName: model.vmTypes[model.vmType[vm]!]!.name,
      host: running ? host : -1,
      state: !running ? 'removed' : H.inMigration[vm] ? 'migrating' : 'running',
      mips: H.vmMips[vm]!,
      ramMB: H.vmRam[vm]!,
      demandMips: demand,
      grantedMips: granted,
      stealMips: Math.max(0, demand - granted),
      utilizationHistory: Array.from(H.hist.subarray(base, base + H.histLen[vm]!)),
      workload,
    }
  }

  report(): Promise<RunReport> {
    return attempt(() => this.reportSync())
  }

  reportSync(): RunReport {
    const { sim, model } = this.current
    const s = sim.summary()
    return {
      scenario: model.name,
      mode: s.mode,
      policy: s.policy,
      seed: s.seed,
      hosts: s.hosts,
      vms: s.vms,
      simulatedSeconds: sim.done ? s.simulatedSeconds : sim.time,
      energyKWh: s.energyKWh,
      migrations: s.migrations,
      slatah: s.slatah,
      pdm: s.pdm,
      slav: s.slav,
      esv: s.esv,
      hostShutdowns: s.hostShutdowns,
      stateHash: s.stateHash,
      wallMs: this.clock() - this.started,
      overallSla: s.overallSla,
      averageSla: s.averageSla,
      vmsRemovedForZeroDemand: s.vmsRemovedForZeroDemand,
      workload: workloadBinding(model),
    }
  }
}

/** Runs `f` and turns a throw into a rejected promise (the contract is asynchronous). */
function attempt<T>(f: () => T): Promise<T> {
  try {
    return Promise.resolve(f())
  } catch (e) {
    return Promise.reject(e instanceof Error ? e : new Error(String(e)))
  }
}

/** MIPS a VM receives on a host: the host scheduler's allocation there. */
function grantedOn(sim: CloudSimSimulation, host: number, vm: number): number {
  return sim.hosts.allocatedOn(host, vm)
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)} %`
}
