// A host shard of the lab model: a set of hosts and the VMs running on them, stepped one scheduling
// interval at a time. Hosts share their CPU among their VMs (max-min fair), draw power from their
// SPECpower table, boot and switch off on the coordinator's orders, and carry migrations out. A shard
// knows nothing of other shards; the coordinator combines their outputs in host and VM id order, so the
// results do not depend on how hosts are split between shards or workers.
import type { ClusterModel } from '../model/cluster-model'
import type { LabEvent } from '../api/lab-api'
import { HOST_STATE } from '../api/lab-api'
import { specPower } from '../power'
import { RandomStream } from '../random'
import { GeneratorBank } from '../workload/generators'
import { planetLabUtilization } from '../workload/planetlab'
import { VmMemoryBank } from './vm-memory'
import { ShardMigrations } from './shard-migrations'
import {
  H,
  HOST_FIELDS,
  V,
  VM_FIELDS,
  type MigrationCompletion,
  type StepInput,
  type StepOutput,
  type VmTransfer,
} from './protocol'

/** PlanetLab traces hold one sample per 5 minutes. */
const TRACE_INTERVAL = 300

export interface ShardInit {
  model: ClusterModel
  /** the global ids of the hosts this shard owns, ascending */
  hostIds: Int32Array
  /** the host of every VM at t = 0 (−1: not placed); the shard keeps those on its hosts */
  placement: Int32Array
  /** hosts switched on at t = 0 */
  hostsOn: Int32Array
}

export class HostShard {
  private readonly model: ClusterModel
  private readonly hostIds: Int32Array
  private readonly local: Map<number, number>
  private readonly hostState: Uint8Array
  private readonly bootLeft: Float64Array
  private readonly capacity: Float64Array
  private readonly power: Float64Array[]
  private readonly residents: number[][]

  // per VM, indexed by global VM id (valid while the VM is on this shard)
  private readonly present: Uint8Array
  private readonly vmHost: Int32Array
  private readonly generators: GeneratorBank
  private readonly memory: VmMemoryBank | undefined
  private readonly migrations: ShardMigrations
  private readonly vmCapMips: Float64Array
  private readonly vmRam: Float64Array

  // scratch
  private readonly demand: Float64Array
  private readonly granted: Float64Array
  private readonly bandwidth: Float64Array
  private readonly order: number[] = []

  constructor(init: ShardInit) {
    const { model, hostIds } = init
    this.model = model
    this.hostIds = hostIds
    this.local = new Map()
    hostIds.forEach((h, i) => this.local.set(h, i))
    const n = hostIds.length
    this.hostState = new Uint8Array(n)
    this.bootLeft = new Float64Array(n)
    this.capacity = new Float64Array(n)
    this.power = []
    this.residents = Array.from({ length: n }, () => [])
    for (let i = 0; i < n; i++) {
      const t = model.hostTypes[model.hostType[hostIds[i]!]!]!
      this.capacity[i] = t.totalMips
      this.power.push(t.power)
    }
    for (const h of init.hostsOn) {
      const i = this.local.get(h)
      if (i !== undefined) this.hostState[i] = HOST_STATE.on
    }
    const nv = model.vmCount
    this.present = new Uint8Array(nv)
    this.vmHost = new Int32Array(nv).fill(-1)
    this.generators = new GeneratorBank(nv)
    this.memory = model.migrationModel === 'cloudsim' ? undefined : new VmMemoryBank(model)
    this.migrations = new ShardMigrations(model, this.memory)
    this.vmCapMips = new Float64Array(nv)
    this.vmRam = new Float64Array(nv)
    this.demand = new Float64Array(nv)
    this.granted = new Float64Array(nv)
    this.bandwidth = new Float64Array(nv)
    for (let v = 0; v < nv; v++) {
      const t = model.vmTypes[model.vmType[v]!]!
      this.vmCapMips[v] = t.vcpus * t.mips
      this.vmRam[v] = t.ramMB
      const h = init.placement[v]!
      const i = this.local.get(h)
      if (i === undefined) continue
      this.generators.start(model.workloads[model.vmGroup[v]!]!, model.seed, v)
      this.memory?.start(v)
      this.admit(v, h, i)
    }
  }

  private admit(v: number, host: number, i: number): void {
    this.present[v] = 1
    this.vmHost[v] = host
    const list = this.residents[i]!
    let at = list.length
    while (at > 0 && list[at - 1]! > v) at--
    list.splice(at, 0, v)
  }

  private release(v: number): void {
    this.present[v] = 0
    this.generators.release(v)
    this.memory?.release(v)
    const list = this.residents[this.local.get(this.vmHost[v]!)!]!
    list.splice(list.indexOf(v), 1)
  }

  /** Demand of VM v for the interval starting at `time`, as a fraction of its capacity. */
  private demandFraction(v: number, time: number): number {
    const trace = this.model.vmTrace[v]!
    if (trace >= 0) {
      const offset = trace * this.model.traces.slots
      const last = this.model.traces.slots - 1
      const t = Math.min(time, last * TRACE_INTERVAL)
      return planetLabUtilization(this.model.traces.samples, offset, t, TRACE_INTERVAL)
    }
    return this.generators.next(v, time)
  }

  step(input: StepInput): StepOutput {
    const { time, dt } = input
    const events: LabEvent[] = []
    for (const a of input.arrivals) this.arrive(a)
    this.applyPower(input)
    for (const v of input.cancel) {
      if (!this.migrations.cancel(v, time, events))
        events.push({
          time,
          kind: 'warning',
          vm: v,
          message: `VM ${v}: its migration can no longer be cancelled (the VM already runs on the destination)`,
        })
    }
    for (const v of input.targetFailed) this.migrations.targetFailed(v, time, events)
    for (const m of input.migrations) if (this.present[m.vm]) this.migrations.start(m.vm, m.source, m.target, time)
    for (const b of input.bandwidth) this.bandwidth[b.vm] = b.bytesPerSecond

    // Demands first, VM by VM in id order: the generators' state is laid out by VM id, so this pass
    // walks memory in order instead of jumping between VMs host by host.
    const present = this.present
    for (let v = 0; v < present.length; v++) {
      if (present[v]) this.demand[v] = this.demandFraction(v, time) * this.vmCapMips[v]!
    }
    const n = this.hostIds.length
    const hosts = new Float64Array(n * HOST_FIELDS)
    let vmCount = 0
    for (let i = 0; i < n; i++) vmCount += this.residents[i]!.length
    const vmIds = new Int32Array(vmCount)
    const vms = new Float64Array(vmCount * VM_FIELDS)
    const completions: MigrationCompletion[] = []
    const leaving: number[] = []
    const lost: number[] = []
    let row = 0
    for (let i = 0; i < n; i++) {
      const host = this.hostIds[i]!
      const list = this.residents[i]!
      const o = i * HOST_FIELDS
      let state = this.hostState[i]!
      let bootFraction = 0
      if (state === HOST_STATE.booting) {
        const booting = Math.min(dt, this.bootLeft[i]!)
        this.bootLeft[i] = this.bootLeft[i]! - dt
        bootFraction = booting / dt
        if (this.bootLeft[i]! <= 0) state = this.hostState[i] = HOST_STATE.on
      }
      const running = state === HOST_STATE.on
      const capacity = running ? this.capacity[i]! * (1 - bootFraction) : 0
      let demandSum = 0
      for (const v of list) demandSum += this.demand[v]!
      this.shareCpu(list, capacity, demandSum)
      let grantedSum = 0
      let short = false
      for (const v of list) {
        const want = this.demand[v]!
        let got = this.granted[v]!
        if (got < want - 1e-9) short = true
        let loss = 0
        let migrating = 0
        if (this.migrations.has(v)) {
          migrating = 1
          const target = this.migrations.target(v)
          const s = this.migrations.advance(v, host, time, dt, this.bandwidth[v]!, got, this.vmCapMips[v]!, events)
          // the source host runs what the VM still gets and pays the cost of sending
          got = s.granted
          grantedSum += got + s.sourceMips
          loss = s.lossMipsSeconds
          if (s.ended) {
            completions.push({
              vm: v,
              source: host,
              target,
              time: s.endTime,
              seconds: s.seconds,
              location: s.location,
              info: s.info,
            })
            if (s.location === 'destination') leaving.push(v)
            else if (s.location === 'lost') lost.push(v)
          }
        } else {
          grantedSum += got
          this.memory?.accrue(v, dt, got / this.vmCapMips[v]!)
        }
        const r = row * VM_FIELDS
        vmIds[row] = v
        vms[r + V.host] = host
        vms[r + V.demand] = want / this.vmCapMips[v]!
        vms[r + V.demandMips] = want
        vms[r + V.grantedMips] = got
        vms[r + V.migrationLossMipsSeconds] = loss
        vms[r + V.requestedMipsSeconds] = want * dt
        vms[r + V.grantedMipsSeconds] = got * dt
        vms[r + V.migrating] = migrating
        row++
      }
      const utilization = running && this.capacity[i]! > 0 ? Math.min(1, grantedSum / this.capacity[i]!) : 0
      const type = this.model.hostTypes[this.model.hostType[host]!]!
      // average power over the step: the booting part draws the boot energy evenly, the rest runs
      let powerW = running ? specPower(this.power[i]!, utilization) * (1 - bootFraction) : 0
      if (bootFraction > 0) powerW += (type.bootEnergyJ / type.bootSeconds) * bootFraction
      const active = running && list.length > 0
      hosts[o + H.state] = state
      hosts[o + H.demandMips] = demandSum
      hosts[o + H.grantedMips] = grantedSum
      hosts[o + H.utilization] = utilization
      hosts[o + H.powerW] = powerW
      hosts[o + H.energyJ] = powerW * dt
      hosts[o + H.slaSeconds] = active && short ? dt : 0
      hosts[o + H.activeSeconds] = active ? dt : 0
      let ram = 0
      for (const v of list) ram += this.vmRam[v]!
      hosts[o + H.ramMB] = ram
    }
    const departures = completions.filter((c) => c.location === 'destination').map((c) => this.depart(c.vm, c.target))
    for (const v of lost) this.release(v)
    const bandwidthDemands: StepOutput['bandwidthDemands'] = []
    for (let i = 0; i < n; i++) {
      for (const v of this.residents[i]!) {
        if (this.migrations.has(v)) {
          bandwidthDemands.push({
            vm: v,
            source: this.hostIds[i]!,
            target: this.migrations.target(v),
            bytesPerSecond: this.migrations.demand(v),
          })
        }
      }
    }
    return { hostIds: this.hostIds.slice(), hosts, vmIds, vms, completions, departures, bandwidthDemands, events }
  }

  private applyPower(input: StepInput): void {
    for (const p of input.power) {
      const i = this.local.get(p.host)
      if (i === undefined) continue
      const type = this.model.hostTypes[this.model.hostType[p.host]!]!
      if (p.on && this.hostState[i] === HOST_STATE.off) {
        this.hostState[i] = type.bootSeconds > 0 ? HOST_STATE.booting : HOST_STATE.on
        this.bootLeft[i] = type.bootSeconds
      } else if (!p.on) this.hostState[i] = HOST_STATE.off
    }
  }

  /** Max-min fair share of a host's MIPS among its VMs' demands (ties by VM id), into `granted`. */
  private shareCpu(list: number[], capacity: number, demandSum: number): void {
    if (demandSum <= capacity) {
      for (const v of list) this.granted[v] = this.demand[v]!
      return
    }
    const order = this.order
    order.length = 0
    for (const v of list) {
      this.granted[v] = 0
      if (this.demand[v]! > 0) order.push(v)
    }
    if (order.length > 1) order.sort((a, b) => this.demand[a]! - this.demand[b]! || a - b)
    let remaining = capacity
    let left = order.length
    for (const v of order) {
      const fair = remaining / left
      const give = this.demand[v]! < fair ? this.demand[v]! : fair
      this.granted[v] = give
      remaining -= give
      left--
    }
  }

  private depart(v: number, target: number): VmTransfer {
    const transfer: VmTransfer = {
      vm: v,
      host: target,
      generator: this.generators.get(v),
      stream: this.generators.streams[v]!.state(),
      memory: this.memory?.state(v),
    }
    this.release(v)
    return transfer
  }

  private arrive(a: VmTransfer): void {
    const i = this.local.get(a.host)
    if (i === undefined) throw new Error(`VM ${a.vm} sent to host ${a.host}, which this shard does not own`)
    this.generators.describe(this.model.workloads[this.model.vmGroup[a.vm]!]!, a.vm)
    this.generators.set(a.vm, a.generator, RandomStream.fromState(a.stream))
    if (a.memory) this.memory?.restore(a.vm, a.memory)
    this.admit(a.vm, a.host, i)
  }
}
