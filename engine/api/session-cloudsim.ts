// A LabSession's run of a `mode: cloudsim` scenario: CloudSim 3.0.3's model (engine/cloudsim) on this
// thread. Frames carry the SLA figures of each interval; events explain every decision; the migrations
// each VM made are collected from those events (CloudSim keeps no log of its own).
import type {
  AdvanceRequest,
  AdvanceResult,
  Frame,
  HostDetails,
  LabEvent,
  LabInfo,
  PlacementView,
  VmDetails,
  VmMigration,
} from './lab-api'
import { HOST_STATE } from './lab-api'
import type { ClusterModel } from '../model/cluster-model'
import { CloudSimSimulation, type CloudSimFrame } from '../cloudsim/simulation'
import type { MigrationDecision } from '../cloudsim/optimizer'
import { CLOUDSIM_POLICIES } from '../policies/policy-name'
import { HISTORY_LENGTH } from '../policies/detectors'
import { specPower } from '../power'
import { moveSentence, overloadSentence } from '../policies/explain'
import { workloadBinding, type RunReport, type WorkloadBinding } from '../report'
import { planetLabUtilization } from '../workload/planetlab'
import { cloudSimReport } from '../run'
import { checkHost, checkVm, labInfo, type SessionRun } from './session-common'
import { formatPercent as pct } from './units'

export class CloudSimRun implements SessionRun {
  readonly info: LabInfo
  private readonly sim: CloudSimSimulation
  private readonly binding: WorkloadBinding
  private pending: LabEvent[] = []
  private lastSla = { slaSeconds: 0, activeSeconds: 0 }
  private readonly wasActive: Uint8Array
  /** each VM's migrations, from the decisions and completions as they happen */
  private readonly migrations = new Map<number, VmMigration[]>()
  private readonly started: number

  constructor(
    private readonly model: ClusterModel,
    description: string,
    settings: string[],
    private readonly clock: () => number,
  ) {
    const sim = new CloudSimSimulation(model)
    sim.explain = true
    sim.onEvent = (e) => this.pending.push(e)
    this.sim = sim
    this.binding = workloadBinding(model)
    this.wasActive = new Uint8Array(model.hostCount)
    this.started = clock()
    this.info = labInfo(model, description, CLOUDSIM_POLICIES, settings, { count: 1, where: 'in-thread' })
  }

  /** simulated seconds reached: the scenario's end once done (as the report counts it) */
  get time(): number {
    return this.sim.done ? this.model.duration : this.sim.time
  }

  get done(): boolean {
    return this.sim.done
  }

  advance(request: AdvanceRequest): Promise<AdvanceResult> {
    const sim = this.sim
    const frames: Frame[] = []
    const steps = request.untilSeconds !== undefined ? Number.POSITIVE_INFINITY : Math.max(1, request.steps ?? 1)
    for (let i = 0; i < steps && !sim.done; i++) {
      if (request.untilSeconds !== undefined && sim.time >= request.untilSeconds) break
      // the run's end: the closing frame carries what completed after the last periodic step, the end state
      // the report describes
      const f = sim.step() ?? sim.closingFrame()
      if (!f) break
      frames.push(this.withSla(f))
      this.describeStep(f.time, f.decisions ?? [])
    }
    const events = this.pending
    this.pending = []
    this.recordMigrations(events)
    return Promise.resolve({ frames, events, done: sim.done })
  }

  /** The frame with the SLA figures so far and of its interval. */
  private withSla(f: CloudSimFrame): Frame {
    const sla = this.sim.slaTotals()
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
      demandMips: f.demandMips,
      grantedMips: f.grantedMips,
      migrationsInFlight: f.migrationsInFlight,
    }
    this.lastSla = sla
    return frame
  }

  /** Events for one step: the decisions with their explanations, and hosts switching on or off. */
  private describeStep(time: number, decisions: MigrationDecision[]): void {
    const H = this.sim.hosts
    const reported = new Set<number>()
    for (const d of decisions) {
      if (d.reason === 'overload' && d.sourceVerdict && !reported.has(d.from)) {
        reported.add(d.from)
        this.pending.push({ time, kind: 'overload', host: d.from, message: overloadSentence(d.from, d.sourceVerdict) })
      }
      this.pending.push({
        time,
        kind: 'migration-start',
        vm: d.vm,
        host: d.from,
        targetHost: d.to,
        message: moveSentence(d, false),
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

  /** Each VM's migrations: a start opens one, the VM's next completion closes it. */
  private recordMigrations(events: LabEvent[]): void {
    for (const e of events) {
      if (e.vm === undefined) continue
      if (e.kind === 'migration-start') {
        let list = this.migrations.get(e.vm)
        if (!list) this.migrations.set(e.vm, (list = []))
        list.push({ source: e.host ?? -1, target: e.targetHost ?? -1, start: e.time, outcome: 'in-flight' })
      } else if (e.kind === 'migration-end') {
        const open = this.migrations.get(e.vm)?.find((m) => m.outcome === 'in-flight')
        if (open) {
          open.end = e.time
          open.outcome = 'completed'
        }
      }
    }
  }

  placement(): PlacementView {
    const { sim, model } = this
    const H = sim.hosts
    const view: PlacementView = {
      time: this.time,
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
      view.hostRam[h] = this.vmRamOn(h) / H.ramMB[h]!
      for (const v of H.migIn[h]!) view.vmMigratingTo[v] = h
    }
    for (let v = 0; v < model.vmCount; v++) {
      const host = H.vmTable[v]!
      view.vmHost[v] = sim.isRunning(v) ? host : -1
      view.vmRamMB[v] = H.vmRam[v]!
      if (host >= 0 && sim.isRunning(v)) {
        view.vmDemandMips[v] = H.requestTotal(v)
        view.vmGrantedMips[v] = H.allocatedOn(host, v)
      }
    }
    return view
  }

  hostDetails(host: number): HostDetails {
    const { sim, model } = this
    const H = sim.hosts
    checkHost(host, model.hostCount)
    const type = model.hostTypes[model.hostType[host]!]!
    const load = H.load(host)
    const sla = sim.hostSla(host)
    return {
      host,
      typeName: type.name,
      state: H.utilMips[host]! > 0 || H.list[host]!.length > 0 ? HOST_STATE.on : HOST_STATE.off,
      totalMips: H.totalMips[host]!,
      ramMB: H.ramMB[host]!,
      ramUsedMB: this.vmRamOn(host),
      // CloudSim checks RAM against the host's RAM, and only when it places a VM
      admissionRamMB: H.ramMB[host]!,
      admittedRamMB: this.vmRamOn(host),
      cpuUtilization: H.utilization(host),
      powerW: H.utilMips[host]! > 0 ? specPower(type.power, H.utilization(host)) : 0,
      vms: H.list[host]!.map((v) => ({
        vm: v,
        name: this.info.vmNames[v]!,
        demandMips: H.requestTotal(v),
        grantedMips: H.allocatedOn(host, v),
        ramMB: H.vmRam[v]!,
        migrating: H.inMigration[v] === 1,
      })),
      utilizationHistory: Array.from(load.history.subarray(0, load.historyLength)),
      slaViolationSeconds: sla.violation,
      activeSeconds: sla.active,
    }
  }

  /** RAM of the VMs a host runs (not those migrating in, which still run on their source), MiB. */
  private vmRamOn(h: number): number {
    const H = this.sim.hosts
    let ram = 0
    for (const v of H.list[h]!) if (!H.migIn[h]!.includes(v)) ram += H.vmRam[v]!
    return ram
  }

  vmDetails(vm: number): VmDetails {
    const { sim, model } = this
    const H = sim.hosts
    checkVm(vm, model.vmCount)
    const host = H.vmTable[vm]!
    const running = sim.isRunning(vm)
    const demand = running ? H.requestTotal(vm) : 0
    const granted = running && host >= 0 ? H.allocatedOn(host, vm) : 0
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
    const migrations = (this.migrations.get(vm) ?? []).map((m) => ({ ...m }))
    const flight = running && H.inMigration[vm] ? migrations.find((m) => m.outcome === 'in-flight') : undefined
    return {
      vm,
      name: this.info.vmNames[vm]!,
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
      ...(flight ? { migratingTo: { target: flight.target, start: flight.start } } : {}),
      migrations,
    }
  }

  report(): RunReport {
    return cloudSimReport(this.model, this.sim, this.clock() - this.started, this.binding)
  }

  close(): Promise<void> {
    return Promise.resolve()
  }
}
