// A host shard of the lab model: a set of hosts and the VMs running on them, stepped one scheduling
// interval at a time. Hosts share their CPU among their VMs by weight and cap (engine/hypervisor's
// CpuScheduler), manage their memory when the scenario asks (KSM, balloons, host swap: HostMemory, whose
// stalls cost the VMs CPU), draw power from their SPECpower table, boot and switch off on the
// coordinator's orders, and carry migrations out. A shard knows nothing of other shards; the coordinator
// combines their outputs in host and VM id order, so the results do not depend on how hosts are split
// between shards or workers.
import type { ClusterModel } from '../model/cluster-model'
import type { LabEvent } from '../vocabulary'
import { HOST_STATE } from '../vocabulary'
import { specPower } from '../power'
import { GeneratorBank } from '../workload/generators'
import { HISTORY_LENGTH } from '../policies/detectors'
import { traceDemand } from '../workload/trace-demand'
import { VmMemoryBank } from './vm-memory'
import { VmSnapshots, type SnapshotOrder } from './vm-snapshots'
import { CpuScheduler, VcpuTable, emptyCpuSummary, type CpuHostSpec } from '../hypervisor/cpu-scheduler'
import { HostMemory, HOST_MEMORY_FIELDS, type HostMemoryState } from '../hypervisor/host-memory'
import { setBalloonAuto, setBalloonTarget } from '../hypervisor/balloon'
import type { GuestMemory } from '../hypervisor/guest-memory'
import { KSM_DEFAULTS, type KsmDaemon, type KsmStats } from '../hypervisor/ksm'
import { ShardMigrations } from './shard-migrations'
import { memoryEvents } from './shard-memory-events'
import { CAUSE_CPU, CAUSE_MEMORY, CAUSE_MIGRATION, CAUSE_PAUSE, CAUSE_THROTTLING, HostShortfall } from './shard-sla'
import { OutputBuffers } from './output-buffers'
import { VmSlots, grown } from './vm-slots'
import { HostResidents } from './host-residents'
import { RowPermutation } from '../row-permutation'
import { LR_WINDOW, windowSums } from './index-lr'
import {
  HOST_COL,
  HOST_FIELDS,
  MEMORY_COL,
  MEMORY_FIELDS,
  VM_COL,
  VM_FIELDS,
  type MigrationCompletion,
  type ShardSnapshot,
  type StepInput,
  type VmSnapshot,
  type StepOutput,
  type VmTransfer,
  type LrWindow,
} from './protocol'

/** Steps between renumberings of the VMs' slots (compactSlots): migrations scatter a few % a step. */
const COMPACT_EVERY = 24

export interface ShardInit {
  model: ClusterModel
  /** the global ids of the hosts this shard owns, ascending */
  hostIds: Int32Array
  /** the host of every VM at t = 0 (−1: not placed); the shard keeps those on its hosts */
  placement: Int32Array
  /** hosts switched on at t = 0 */
  hostsOn: Int32Array
  /** resume from a checkpoint instead (its hosts and VMs for this shard's range; placement is ignored) */
  restore?: ShardSnapshot
}

export class HostShard {
  private readonly model: ClusterModel
  private readonly hostIds: Int32Array
  private readonly local: Map<number, number>
  private readonly hostState: Uint8Array
  private readonly bootLeft: Float64Array
  private readonly capacity: Float64Array
  private readonly spec: CpuHostSpec[]
  private readonly power: Float64Array[]
  private readonly residents: HostResidents
  /** per host, when the scenario manages memory */
  private readonly hostMemory: HostMemory[] | undefined

  /** whether any VM replays a trace (else every demand comes from a generator) */
  private readonly tracedVms: boolean
  /** the VMs on this shard's hosts and their slots: the tables below are indexed by slot */
  private readonly slots: VmSlots
  private vmHost: Int32Array
  private readonly generators: GeneratorBank
  /** seconds each VM is still paused by a snapshot save or load */
  private pauseLeft: Float64Array
  /** the share of the VM's CPU continuous checkpointing takes at full load (0: not protected) */
  private protection: Float64Array
  private vmCapMips: Float64Array
  private vmMipsPerVcpu: Float64Array
  private vmRam: Float64Array
  /** vCPUs, weight, cap, demand, stall → granted, steal, shortfall */
  private readonly cpu: VcpuTable
  /** bytes/s allotted to the VM's live migration */
  private bandwidth: Float64Array
  /** when the policy is LR: each VM's screen window (LR_WINDOW float32 values) and history ring head */
  private readonly lrScreen: boolean
  private lrWindow = new Float32Array(0)
  private lrHead = new Int32Array(0)
  private readonly lrSums = new Float64Array(3)
  // by global VM id
  private readonly memory: VmMemoryBank | undefined
  private readonly migrations: ShardMigrations
  private readonly snapshots: VmSnapshots | undefined
  private readonly scheduler = new CpuScheduler()
  private readonly cpuOut = emptyCpuSummary()
  /** the CPU the scheduler shares out on the host being stepped (its cores less any boot time) */
  private readonly hostShare: CpuHostSpec = { cores: 0, mipsPerCore: 0 }

  // scratch
  private busy = new Float64Array(16)
  private hostSlots = new Int32Array(16)
  private rowOfSlot = new Int32Array(0)
  /** renumbering the slots (compactSlots), with its scratch space */
  private readonly permutation = new RowPermutation()
  /** steps since the slots were last renumbered (compactSlots) */
  private stepsSinceCompaction = 0
  private readonly ksmStats = {} as KsmStats
  /** the host being stepped: its VMs' shortfalls against the SLA tolerance */
  private readonly sla = new HostShortfall()
  private readonly buffers = new OutputBuffers()

  /**
   * `newKsm`: each host's ksmd (default the engine's Ksm); in-thread only — the tests run the lab with the
   * page-by-page reference through it.
   */
  constructor(
    init: ShardInit,
    private readonly newKsm?: (pageSize: number) => KsmDaemon,
  ) {
    const { model, hostIds } = init
    this.model = model
    this.hostIds = hostIds
    this.local = new Map()
    hostIds.forEach((h, i) => this.local.set(h, i))
    const n = hostIds.length
    this.hostState = new Uint8Array(n)
    this.bootLeft = new Float64Array(n)
    this.capacity = new Float64Array(n)
    this.spec = []
    this.power = []
    this.residents = new HostResidents(n)
    for (let i = 0; i < n; i++) {
      const t = model.hostTypes[model.hostType[hostIds[i]!]!]!
      this.capacity[i] = t.totalMips
      this.spec.push({ cores: t.cores, mipsPerCore: t.totalMips / t.cores })
      this.power.push(t.power)
    }
    this.hostMemory = model.memoryManaged ? Array.from(hostIds, (h) => newHostMemory(model, h, newKsm)) : undefined
    for (const h of init.hostsOn) {
      const i = this.local.get(h)
      if (i !== undefined) this.hostState[i] = HOST_STATE.on
    }
    const nv = model.vmCount
    this.tracedVms = model.vmTrace.some((t) => t >= 0)
    this.lrScreen =
      model.policy.kind === 'migration' && (model.policy.detector === 'lr' || model.policy.detector === 'lrr')
    this.memory = model.memoryImages ? new VmMemoryBank(model) : undefined
    this.migrations = new ShardMigrations(model, this.memory)
    this.snapshots = model.memoryImages ? new VmSnapshots(model) : undefined
    let expected = init.restore?.vms.length ?? 0
    for (let v = 0; v < nv && !init.restore; v++) if (this.local.has(init.placement[v]!)) expected++
    this.vmHost = new Int32Array(0)
    this.pauseLeft = new Float64Array(0)
    this.protection = new Float64Array(0)
    this.vmCapMips = new Float64Array(0)
    this.vmMipsPerVcpu = new Float64Array(0)
    this.vmRam = new Float64Array(0)
    this.bandwidth = new Float64Array(0)
    this.cpu = new VcpuTable(1)
    this.generators = new GeneratorBank(0)
    this.slots = new VmSlots(nv, Math.ceil(expected * 1.25), (capacity) => this.growSlots(capacity))
    if (init.restore) {
      this.restore(init.restore)
      return
    }
    for (let v = 0; v < nv; v++) {
      const h = init.placement[v]!
      const i = this.local.get(h)
      if (i === undefined) continue
      const slot = this.slots.take(v)
      this.generators.start(model.workloads[model.vmGroup[v]!]!, model.seed, v, slot)
      const guest = this.memory?.start(v)
      this.admit(v, slot, h, i, guest)
    }
  }

  /**
   * Renumbers the VMs' slots in the order the step visits them — host by host, each host's VMs in its
   * order (vm-slots.ts) — and moves every slot-indexed table's rows alike (the tables `growSlots` grows).
   */
  private compactSlots(): void {
    const order = new Int32Array(this.slots.size)
    const placed = new Uint8Array(this.slots.capacity)
    let k = 0
    const { count, ids, stride } = this.residents
    for (let i = 0; i < count.length; i++)
      for (let j = i * stride; j < i * stride + count[i]!; j++) {
        const slot = this.slots.slotOf[ids[j]!]!
        if (slot < 0 || placed[slot]) continue
        placed[slot] = 1
        order[k++] = slot
      }
    // any VM not among the residents keeps a slot after them
    for (let slot = 0; slot < this.slots.end; slot++)
      if (this.slots.vmOf[slot]! >= 0 && !placed[slot]) order[k++] = slot
    const p = this.permutation
    p.order = order
    p.apply(this.vmHost)
    p.apply(this.pauseLeft)
    p.apply(this.protection)
    p.apply(this.vmCapMips)
    p.apply(this.vmMipsPerVcpu)
    p.apply(this.vmRam)
    p.apply(this.bandwidth)
    this.cpu.permute(p)
    this.generators.permute(p)
    if (this.lrScreen) {
      p.apply(this.lrWindow, LR_WINDOW)
      p.apply(this.lrHead)
    }
    this.slots.compact(order)
    this.stepsSinceCompaction = 0
  }

  /** Room in every slot-indexed table for `capacity` slots. */
  private growSlots(capacity: number): void {
    this.vmHost = grown(this.vmHost, capacity, -1)
    this.pauseLeft = grown(this.pauseLeft, capacity)
    this.protection = grown(this.protection, capacity)
    this.vmCapMips = grown(this.vmCapMips, capacity)
    this.vmMipsPerVcpu = grown(this.vmMipsPerVcpu, capacity)
    this.vmRam = grown(this.vmRam, capacity)
    this.bandwidth = grown(this.bandwidth, capacity)
    this.cpu.grow(capacity)
    this.generators.grow(capacity)
    if (this.lrScreen) {
      const window = new Float32Array(capacity * LR_WINDOW)
      window.set(this.lrWindow)
      this.lrWindow = window
      this.lrHead = grown(this.lrHead, capacity)
    }
  }

  /** The VM's LR-screen window as the coordinator's history has it (empty: a VM with no history yet). */
  private setLrWindow(slot: number, w: LrWindow | undefined): void {
    if (!this.lrScreen) return
    this.lrHead[slot] = w?.head ?? 0
    for (let i = 0; i < LR_WINDOW; i++) this.lrWindow[slot * LR_WINDOW + i] = w?.values[i] ?? 0
  }

  /** This shard's hosts and VMs for a whole-lab checkpoint. */
  capture(): ShardSnapshot {
    const vms: VmSnapshot[] = []
    for (let v = 0; v < this.slots.slotOf.length; v++) {
      const slot = this.slots.slotOf[v]!
      if (slot < 0) continue
      vms.push({ ...this.transfer(v, this.vmHost[slot]!), migration: this.migrations.snapshot(v) })
    }
    return {
      hostIds: this.hostIds.slice(),
      hostState: this.hostState.slice(),
      bootLeft: this.bootLeft.slice(),
      hostMemory: this.hostMemory?.map((hm) => hm.state()),
      vms,
    }
  }

  /** Takes the state of a checkpoint (`capture()` of any shards, for this shard's hosts). */
  private restore(s: ShardSnapshot): void {
    const at = new Map<number, number>()
    s.hostIds.forEach((h, k) => at.set(h, k))
    const hostMemory: (HostMemoryState | undefined)[] = []
    for (let i = 0; i < this.hostIds.length; i++) {
      const k = at.get(this.hostIds[i]!)
      if (k === undefined) throw new Error(`checkpoint: host ${this.hostIds[i]} is missing`)
      this.hostState[i] = s.hostState[k]!
      this.bootLeft[i] = s.bootLeft[k]!
      hostMemory.push(s.hostMemory?.[k])
    }
    const guests = new Map<number, GuestMemory>()
    for (const r of s.vms) {
      const i = this.local.get(r.host)
      if (i === undefined) continue
      const slot = this.slots.take(r.vm)
      this.generators.describe(this.model.workloads[this.model.vmGroup[r.vm]!]!, slot)
      this.generators.set(slot, r.generator, r.stream)
      const guest = r.memory && this.memory ? this.memory.restore(r.vm, r.memory) : undefined
      if (guest) guests.set(r.vm, guest)
      if (r.snapshots) this.snapshots?.restore(r.vm, r.snapshots)
      this.admit(r.vm, slot, r.host, i, guest, false)
      this.pauseLeft[slot] = r.pauseLeft ?? 0
      this.setLrWindow(slot, r.lrWindow)
      if (r.migration) this.migrations.restore(r.vm, r.migration)
    }
    if (this.hostMemory) {
      for (let i = 0; i < this.hostIds.length; i++) {
        const state = hostMemory[i]
        if (!state) throw new Error(`checkpoint: the memory of host ${this.hostIds[i]} is missing`)
        this.hostMemory[i] = HostMemory.fromState(state, (vm) => {
          const guest = guests.get(vm)
          if (!guest) throw new Error(`checkpoint: VM ${vm} is on host ${this.hostIds[i]}'s memory but not on the host`)
          return guest
        })
      }
    }
  }

  /** VM v (in `slot`) joins host `host` (local index i): its static settings into the slot's tables. */
  private admit(
    v: number,
    slot: number,
    host: number,
    i: number,
    guest: GuestMemory | undefined,
    addMemory = true,
  ): void {
    this.vmHost[slot] = host
    this.residents.insert(i, v)
    const M = this.model
    const t = M.vmTypes[M.vmType[v]!]!
    const group = M.groups[M.vmGroup[v]!]!
    const cap = group.cpuCap === undefined ? Infinity : group.cpuCap * this.spec[i]!.mipsPerCore
    this.cpu.set(slot, t.vcpus, group.cpuWeight, cap)
    this.cpu.stall[slot] = 0
    this.vmCapMips[slot] = t.vcpus * t.mips
    this.vmMipsPerVcpu[slot] = t.mips
    this.vmRam[slot] = t.ramMB
    this.protection[slot] = group.protection ? group.pageWrites.rate / group.protection.copyRate : 0
    this.pauseLeft[slot] = 0
    this.bandwidth[slot] = 0
    this.setLrWindow(slot, undefined)
    if (guest && this.hostMemory && addMemory) {
      const fraction = group.guaranteedMemory ?? M.memory.guaranteed
      this.hostMemory[i]!.add(guest, { guaranteedBytes: fraction * guest.bytes })
    }
  }

  private release(v: number): void {
    const slot = this.slots.slotOf[v]!
    const i = this.local.get(this.vmHost[slot]!)!
    if (this.hostMemory && this.memory) this.hostMemory[i]!.remove(this.memory.guest(v))
    this.snapshots?.release(v)
    this.generators.release(slot)
    this.memory?.release(v)
    this.slots.release(v)
    this.vmHost[slot] = -1
    this.residents.remove(i, v)
  }

  step(input: StepInput): StepOutput {
    const started = performance.now()
    const { time, dt } = input
    this.buffers.give(input.reuse)
    const events: LabEvent[] = []
    for (const h of input.repairHosts) {
      const i = this.local.get(h)
      if (i !== undefined && this.hostState[i] === HOST_STATE.failed) this.hostState[i] = HOST_STATE.off
    }
    for (const a of input.arrivals) this.arrive(a)
    if (++this.stepsSinceCompaction >= COMPACT_EVERY) this.compactSlots()
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
    const slotOf = this.slots.slotOf
    for (const m of input.migrations) if (slotOf[m.vm]! >= 0) this.migrations.start(m.vm, m.source, m.target, time)
    for (const b of input.bandwidth) if (slotOf[b.vm]! >= 0) this.bandwidth[slotOf[b.vm]!] = b.bytesPerSecond
    for (const b of input.balloons) this.balloon(b.vm, b.targetBytes, time, events)
    const snapshotLists: StepOutput['snapshotLists'] = []
    for (const o of input.snapshots) {
      this.snapshot(o, time, events)
      if (slotOf[o.vm]! >= 0) snapshotLists.push({ vm: o.vm, snapshots: this.snapshots?.list(o.vm) ?? [] })
    }

    // Demands first, slot by slot: the generators' state is laid out by slot, so this pass walks memory
    // in order instead of jumping between VMs host by host (each VM draws from its own stream).
    const vmOf = this.slots.vmOf
    const demand = this.cpu.demand
    const end = this.slots.end
    this.generators.fill(time, vmOf, end, demand)
    if (this.tracedVms)
      for (let slot = 0; slot < end; slot++) {
        const trace = vmOf[slot]! >= 0 ? this.model.vmTrace[vmOf[slot]!]! : -1
        if (trace >= 0) demand[slot] = traceDemand(this.model, trace, time)
      }
    for (let slot = 0; slot < end; slot++) if (vmOf[slot]! >= 0) demand[slot] = demand[slot]! * this.vmCapMips[slot]!
    const n = this.hostIds.length
    const hosts = this.buffers.float64(n * HOST_FIELDS)
    const memory = this.hostMemory ? this.buffers.float64(n * MEMORY_FIELDS) : undefined
    // VM rows in VM id order: the coordinator adds them into id-indexed tables, which it then walks in
    // order. Each VM's row is known before the hosts are stepped.
    if (this.rowOfSlot.length < this.slots.capacity) this.rowOfSlot = new Int32Array(this.slots.capacity)
    const rowOfSlot = this.rowOfSlot
    const vmCount = this.slots.size
    const vmIds = this.buffers.int32(vmCount)
    const vms = this.buffers.float64(vmCount * VM_FIELDS)
    for (let v = 0, row = 0; v < slotOf.length; v++) {
      if (slotOf[v]! < 0) continue
      rowOfSlot[slotOf[v]!] = row
      vmIds[row++] = v
    }
    const completions: MigrationCompletion[] = []
    const lost: StepOutput['lost'] = []
    for (let i = 0; i < n; i++) {
      const host = this.hostIds[i]!
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
      const residents = this.residents
      let ksmCores = 0
      if (this.hostMemory) {
        const hm = this.hostMemory[i]!
        if (running && residents.count[i]! > 0) {
          this.stepMemory(i, dt, time, lost, events)
          // ksmd runs on the host's cores: what it takes, the VMs do not get
          ksmCores = hm.row[HM_INDEX.ksmCpuSeconds]! / dt
        } else hm.idle()
      }
      const count = residents.count[i]!
      const first = i * residents.stride
      const ids = residents.ids
      if (this.hostSlots.length < count) this.hostSlots = new Int32Array(count * 2)
      const hostSlots = this.hostSlots
      if (count > 0) {
        for (let k = 0; k < count; k++) hostSlots[k] = slotOf[ids[first + k]!]!
        const spec = this.spec[i]!
        const share = this.hostShare
        share.cores = running ? Math.max(0, spec.cores * (1 - bootFraction) - ksmCores) : 0
        share.mipsPerCore = spec.mipsPerCore
        this.scheduler.schedule(share, this.cpu, hostSlots, count, this.cpuOut)
      }
      let grantedSum = ksmCores * this.spec[i]!.mipsPerCore
      const sla = this.sla
      sla.reset()
      let ram = 0
      for (let k = 0; k < count; k++) {
        const v = ids[first + k]!
        const slot = hostSlots[k]!
        const want = demand[slot]!
        let got = this.cpu.granted[slot]!
        // what the scheduler could not give: contention or the cap (steal), memory stalls (the rest)
        const stealMips = this.cpu.steal[slot]!
        const stallMips = Math.max(0, this.cpu.shortfall[slot]! - stealMips)
        const scheduled = got
        const protection = this.protection[slot]!
        const capMips = this.vmCapMips[slot]!
        ram += this.vmRam[slot]!
        let protectionCpu = 0
        if (protection > 0 && got > 0) {
          // continuous checkpoints: each epoch pauses the VM while its dirty pages are copied to the backup
          const paused = Math.min(0.9, (protection * want) / capMips)
          protectionCpu = ((got * paused) / this.vmMipsPerVcpu[slot]!) * dt
          got *= 1 - paused
        }
        if (this.pauseLeft[slot]! > 0) {
          // paused while a snapshot is saved or loaded: the VM runs only for the rest of the step
          const paused = Math.min(dt, this.pauseLeft[slot]!)
          this.pauseLeft[slot] = this.pauseLeft[slot]! - paused
          got *= 1 - paused / dt
        }
        const paused = scheduled - got
        let loss = 0
        let throttled = 0
        if (this.migrations.has(v)) {
          const target = this.migrations.target(v)
          const s = this.migrations.advance(v, host, time, dt, this.bandwidth[slot]!, got, capMips, events)
          // the source host runs what the VM still gets and pays the cost of sending
          got = s.granted
          grantedSum += got + s.sourceMips
          loss = s.lossMipsSeconds
          throttled = s.throttleMipsSeconds
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
          }
        } else {
          grantedSum += got
          // where memory is managed, writes were issued before the host's memory step
          if (!this.hostMemory) this.memory?.accrue(v, dt, got / capMips)
        }
        sla.add(want, stealMips, stallMips, (loss - throttled) / dt, throttled / dt, paused)
        const r = rowOfSlot[slot]! * VM_FIELDS
        vms[r + VM_COL.demandMips] = want
        vms[r + VM_COL.grantedMips] = got
        vms[r + VM_COL.migrationLossMipsSeconds] = loss
        vms[r + VM_COL.stealMips] = this.cpu.steal[slot]!
        if (this.lrScreen) {
          // the history value the coordinator records for this step, into the VM's screen window
          const head = this.lrHead[slot] === 0 ? HISTORY_LENGTH - 1 : this.lrHead[slot]! - 1
          this.lrHead[slot] = head
          const at = slot * LR_WINDOW
          this.lrWindow[at + (head % LR_WINDOW)] = want / capMips
          windowSums(this.lrWindow, at, head % LR_WINDOW, this.lrSums)
          vms[r + VM_COL.lrS] = this.lrSums[0]!
          vms[r + VM_COL.lrT] = this.lrSums[1]!
          vms[r + VM_COL.lrAbs] = this.lrSums[2]!
        } else {
          vms[r + VM_COL.lrS] = 0
          vms[r + VM_COL.lrT] = 0
          vms[r + VM_COL.lrAbs] = 0
        }
        vms[r + VM_COL.protectionCpuSeconds] = protectionCpu
        vms[r + VM_COL.host] = host
      }
      const utilization = running && this.capacity[i]! > 0 ? Math.min(1, grantedSum / this.capacity[i]!) : 0
      const type = this.model.hostTypes[this.model.hostType[host]!]!
      // average power over the step: the booting part draws the boot energy evenly, the rest runs
      // a switched-off host still draws its BMC's standby power
      let powerW = running
        ? specPower(this.power[i]!, utilization) * (1 - bootFraction)
        : state === HOST_STATE.off
          ? type.offPowerW
          : 0
      if (bootFraction > 0) powerW += (type.bootEnergyJ / type.bootSeconds) * bootFraction
      const active = running && count > 0
      hosts[o + HOST_COL.state] = state
      hosts[o + HOST_COL.utilization] = utilization
      hosts[o + HOST_COL.powerW] = powerW
      hosts[o + HOST_COL.slaSeconds] = active && sla.violated ? dt : 0
      hosts[o + HOST_COL.activeSeconds] = active ? dt : 0
      hosts[o + HOST_COL.ramMB] = ram
      hosts[o + HOST_COL.slaCause] = active ? sla.cause : -1
      hosts[o + HOST_COL.lostCpu] = sla.lost[CAUSE_CPU]! * dt
      hosts[o + HOST_COL.lostMemory] = sla.lost[CAUSE_MEMORY]! * dt
      hosts[o + HOST_COL.lostMigration] = sla.lost[CAUSE_MIGRATION]! * dt
      hosts[o + HOST_COL.lostThrottling] = sla.lost[CAUSE_THROTTLING]! * dt
      hosts[o + HOST_COL.lostPause] = sla.lost[CAUSE_PAUSE]! * dt
      if (memory) this.memoryRow(i, memory)
    }
    // VMs the OOM killer ended during the step leave first: they are reported killed (`lost`), once
    for (const l of lost) this.release(l.vm)
    const departures = completions.filter((c) => c.location === 'destination').map((c) => this.depart(c.vm, c.target))
    for (const c of completions) if (c.location === 'lost') this.release(c.vm)
    // hosts failing at the end of this step: their VMs ran until now (a VM killed during the step is
    // already gone: it died before its host did, so HA does not restart it)
    const failed: StepOutput['failed'] = []
    for (const h of input.failHosts) this.failHost(h, failed)
    // the migrations still in flight (the coordinator orders these by VM)
    const bandwidthDemands: StepOutput['bandwidthDemands'] = []
    const progress: StepOutput['migrationProgress'] = []
    for (const v of this.migrations.vms()) {
      const info = this.migrations.progress(v)
      if (info) progress.push({ vm: v, info })
      bandwidthDemands.push({
        vm: v,
        source: this.vmHost[slotOf[v]!]!,
        target: this.migrations.target(v),
        bytesPerSecond: this.migrations.demand(v),
      })
    }
    const hostIds = this.buffers.int32(n)
    hostIds.set(this.hostIds)
    return {
      hostIds,
      hosts,
      memory,
      vmIds,
      vms,
      completions,
      departures,
      lost,
      failed,
      bandwidthDemands,
      migrationProgress: progress,
      snapshotLists,
      events,
      busyMs: performance.now() - started,
    }
  }

  /**
   * Where the shard's memory bookkeeping disagrees with itself (empty: consistent): every VM's use counts
   * against its pages (GuestMemory.inconsistencies), and each host's memory holding exactly the live guests
   * of the VMs on it. O(pages): for tests, between steps, never in one.
   */
  memoryInconsistencies(): string[] {
    const out: string[] = []
    const memory = this.memory
    if (!memory) return out
    for (let i = 0; i < this.hostIds.length; i++) {
      const on = this.residents.list(i).sort((a, b) => a - b)
      for (const v of on) out.push(...memory.guest(v).inconsistencies())
      const hm = this.hostMemory?.[i]
      if (!hm) continue
      const held = hm.vms.map((g) => g.vm).sort((a, b) => a - b)
      if (held.join() !== on.join())
        out.push(`host ${this.hostIds[i]}: its memory holds VMs [${held.join()}], it runs [${on.join()}]`)
      for (const g of hm.vms) {
        if (g.killed) out.push(`host ${this.hostIds[i]}: VM ${g.vm} was killed but is still on the host`)
        else if (on.includes(g.vm) && g !== memory.guest(g.vm))
          out.push(`host ${this.hostIds[i]}: the memory it holds for VM ${g.vm} is not the VM's`)
      }
    }
    return out
  }

  /** Host h fails: its VMs stop where they are (their state goes to the coordinator for HA), so do the
   * migrations out of it; its memory is gone. */
  private failHost(h: number, failed: StepOutput['failed']): void {
    const i = this.local.get(h)
    if (i === undefined || this.hostState[i] === HOST_STATE.failed) return
    for (const v of this.residents.list(i)) {
      this.migrations.drop(v)
      failed.push({ host: h, transfer: this.transfer(v, h) })
      this.release(v)
    }
    this.hostState[i] = HOST_STATE.failed
    this.bootLeft[i] = 0
    if (this.hostMemory) this.hostMemory[i] = newHostMemory(this.model, h, this.newKsm)
  }

  /** A snapshot order for one of this shard's VMs. */
  private snapshot(order: SnapshotOrder, time: number, events: LabEvent[]): void {
    const v = order.vm
    const slot = this.slots.slotOf[v]!
    if (slot < 0 || !this.memory || !this.snapshots) return
    const i = this.local.get(this.vmHost[slot]!)!
    const migrating = this.migrations.has(v)
    if (!migrating) this.memory.settle(v)
    const effect = this.snapshots.apply(
      order,
      {
        guest: this.memory.guest(v),
        writer: this.memory.writer(v),
        generator: this.generators.get(slot),
        stream: this.generators.streamState(slot),
        migrating,
        host: this.vmHost[slot]!,
      },
      time,
      events,
    )
    this.pauseLeft[slot] = this.pauseLeft[slot]! + effect.pauseSeconds
    if (!effect.revert && !effect.powerCycled) return
    const hm = this.hostMemory?.[i]
    hm?.remove(this.memory.guest(v))
    let guest: GuestMemory
    if (effect.revert) {
      const r = effect.revert
      this.memory.replace(v, r.guest, r.writer)
      this.generators.set(slot, r.generator, r.stream)
      guest = r.guest
    } else {
      guest = this.memory.start(v)
      this.snapshots.imageReplaced(v)
    }
    if (hm) {
      const group = this.model.groups[this.model.vmGroup[v]!]!
      hm.add(guest, { guaranteedBytes: (group.guaranteedMemory ?? this.model.memory.guaranteed) * guest.bytes })
    }
  }

  /**
   * A memory-managed host's step before its CPU is shared: the guests write their pages (through
   * GuestMemory, so KSM sees copy-on-write at once), then balloons, KSM, swap and the OOM killer run;
   * memory stalls become the VMs' `stall` for the CPU scheduler.
   */
  private stepMemory(i: number, dt: number, time: number, lost: StepOutput['lost'], events: LabEvent[]): void {
    const hm = this.hostMemory![i]!
    const memory = this.memory!
    const guests = hm.vms
    if (this.busy.length < guests.length) this.busy = new Float64Array(guests.length * 2)
    const busy = this.busy
    const slotOf = this.slots.slotOf
    for (let k = 0; k < guests.length; k++) {
      const v = guests[k]!.vm
      const slot = slotOf[v]!
      const want = this.cpu.demand[slot]!
      busy[k] = want / this.vmMipsPerVcpu[slot]!
      if (this.migrations.has(v)) continue // the migration issues its writes
      memory.accrue(v, dt, want / this.vmCapMips[slot]!)
      memory.settle(v)
      memory.followTrace(v, time)
    }
    hm.step(dt, busy)
    memoryEvents(this.hostIds[i]!, time, hm, events)
    for (let k = 0; k < guests.length; k++) this.cpu.stall[slotOf[guests[k]!.vm]!] = hm.stall[k]!
    for (const v of hm.killed) {
      // the VM's QEMU process is gone: a migration out of it ends here (the coordinator logs it lost)
      this.migrations.drop(v)
      const host = this.hostIds[i]!
      const message = `VM ${v} killed by the out-of-memory killer of host ${host}: resident pages exceeded RAM and swap`
      lost.push({ vm: v, host, reason: message })
      events.push({ time, kind: 'warning', vm: v, host, message })
    }
  }

  /** Host i's memory figures into the step's memory table (MB; KSM counts in pages). */
  private memoryRow(i: number, out: Float64Array): void {
    const hm = this.hostMemory![i]!
    const row = hm.row
    const o = i * MEMORY_FIELDS
    const MB = 1 / (1024 * 1024)
    out[o + MEMORY_COL.configuredMB] = row[HM_INDEX.configuredBytes]! * MB
    out[o + MEMORY_COL.residentMB] = row[HM_INDEX.residentBytes]! * MB
    out[o + MEMORY_COL.ksmSavedMB] = row[HM_INDEX.ksmSavedBytes]! * MB
    out[o + MEMORY_COL.balloonMB] = row[HM_INDEX.balloonBytes]! * MB
    out[o + MEMORY_COL.hostSwappedMB] = row[HM_INDEX.hostSwappedBytes]! * MB
    out[o + MEMORY_COL.guestSwappedMB] = row[HM_INDEX.guestSwappedBytes]! * MB
    out[o + MEMORY_COL.lostCpuSeconds] = row[HM_INDEX.lostCpuSeconds]!
    out[o + MEMORY_COL.pressure] = row[HM_INDEX.pressure]!
    out[o + MEMORY_COL.oomKills] = row[HM_INDEX.oomKills]!
    out[o + MEMORY_COL.ksmCpuSeconds] = row[HM_INDEX.ksmCpuSeconds]!
    out[o + MEMORY_COL.hostFaults] = row[HM_INDEX.hostFaults]!
    const k = hm.ksm.stats(this.ksmStats)
    out[o + MEMORY_COL.ksmPagesShared] = k.pages_shared
    out[o + MEMORY_COL.ksmPagesSharing] = k.pages_sharing
    out[o + MEMORY_COL.ksmPagesUnshared] = k.pages_unshared
    out[o + MEMORY_COL.ksmPagesVolatile] = k.pages_volatile
    out[o + MEMORY_COL.ksmFullScans] = k.full_scans
  }

  /** A balloon order (scheduled event or the trainee): a logical size in bytes, or back to the policy. */
  private balloon(v: number, target: number | 'auto', time: number, events: LabEvent[]): void {
    if (!this.slots.has(v) || !this.memory) return
    const guest = this.memory.guest(v)
    if (target === 'auto') setBalloonAuto(guest)
    else setBalloonTarget(guest, target)
    events.push({
      time,
      kind: 'info',
      vm: v,
      host: this.vmHost[this.slots.slotOf[v]!],
      message:
        target === 'auto'
          ? `VM ${v}: balloon handed to the host's policy`
          : `VM ${v}: balloon target ${(target / 2 ** 20).toFixed(0)} MiB of ${(guest.bytes / 2 ** 20).toFixed(0)} MiB`,
    })
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

  private depart(v: number, target: number): VmTransfer {
    const transfer = this.transfer(v, target)
    this.release(v)
    return transfer
  }

  /** What VM v is, to move it to `host` (or to keep it in a checkpoint). */
  private transfer(v: number, host: number): VmTransfer {
    const slot = this.slots.slotOf[v]!
    return {
      vm: v,
      host,
      generator: this.generators.get(slot),
      stream: this.generators.streamState(slot),
      memory: this.memory?.state(v),
      snapshots: this.snapshots?.state(v),
      pauseLeft: this.pauseLeft[slot],
    }
  }

  private arrive(a: VmTransfer): void {
    const i = this.local.get(a.host)
    if (i === undefined) throw new Error(`VM ${a.vm} sent to host ${a.host}, which this shard does not own`)
    const slot = this.slots.take(a.vm)
    this.generators.describe(this.model.workloads[this.model.vmGroup[a.vm]!]!, slot)
    this.generators.set(slot, a.generator, a.stream)
    let guest: GuestMemory | undefined
    if (a.snapshots) this.snapshots?.restore(a.vm, a.snapshots)
    if (a.memory && this.memory) {
      guest = this.memory.restore(a.vm, a.memory)
      // a fresh copy on the destination: nothing of it swapped out, not merged yet
      guest.clearHostSwap()
      guest.balloonCarry = 0
    } else if (this.memory) {
      // restarted without its memory (a cold boot after its host failed)
      guest = this.memory.start(a.vm)
      this.snapshots?.imageReplaced(a.vm)
    }
    this.admit(a.vm, slot, a.host, i, guest)
    this.pauseLeft[slot] = a.pauseLeft ?? 0
    this.setLrWindow(slot, a.lrWindow)
  }
}

const HM_INDEX = Object.fromEntries(HOST_MEMORY_FIELDS.map((k, i) => [k, i])) as Record<
  (typeof HOST_MEMORY_FIELDS)[number],
  number
>

/** A host's memory manager from the scenario's settings. */
function newHostMemory(model: ClusterModel, h: number, newKsm?: (pageSize: number) => KsmDaemon): HostMemory {
  const t = model.hostTypes[model.hostType[h]!]!
  const mem = model.memory
  const hm = new HostMemory(
    {
      ramBytes: t.ramMB * 2 ** 20,
      pageSize: model.pageSize,
      reservedBytes: model.admission.reservedHostMemory,
      ballooning: mem.ballooning === 'auto',
      momKsm: mem.ksm.mode === 'mom',
      ksmEnabled: mem.ksm.mode !== 'off',
      guaranteedFraction: mem.guaranteed,
      swap: {
        swapBytes: mem.hostSwap,
        latencySec: mem.swapLatency,
        bandwidthBytesPerSec: mem.swapBandwidth,
        faultBytes: 4096,
      },
      ksmCpuPerPageSec: mem.ksm.cpuPerPage,
    },
    newKsm?.(model.pageSize),
  )
  hm.ksm.set({
    ...KSM_DEFAULTS,
    run: mem.ksm.mode === 'off' ? 0 : 1,
    pages_to_scan: mem.ksm.pagesToScan,
    sleep_millisecs: mem.ksm.sleepMillisecs,
    max_page_sharing: mem.ksm.maxPageSharing,
  })
  return hm
}
