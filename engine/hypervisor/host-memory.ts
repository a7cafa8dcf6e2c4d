// A host's memory, step by step: the VMs' configured RAM, what the guests do with it (free / page cache /
// own data), balloons, KSM merging, host swap and the OOM killer, combined into what the host has
// resident, what it saves, how pressed it is, and what each VM loses to memory stalls (CPU seconds,
// which the CPU scheduler takes as `stall` and the SLA as shortfall). The report's `memory` section over
// time reads `row` (or `summary`) after each step.
//
// The host backs a guest's page cache and data, not its free pages (GuestMemory.backed). Within a step of
// dt seconds, when a policy is active, MoM's collectors sample the host's free memory every
// `sampleIntervalSec` (5 s) and its policy runs every `policyIntervalSec` (10 s) on the average of the last
// `sampleHistory` (10) samples, as MoM's StatAvg does; between those moments balloons move at their pace,
// ksmd scans for that long, then swap and stalls are settled (host-swap.ts). Order of a host step for the
// simulator (docs/memory.md):
//   1. workloads: CPU demand, page writes through GuestMemory.write (KSM copy-on-write is immediate);
//   2. host.memory.step(dt, busyVcpus) → per-VM stall[] and lostCpuSeconds[], row (summary);
//   3. table.stall[slot] = memory.stall[k]; CpuScheduler.schedule(...) → granted, steal, shortfall.
import { applyMomBalloon, BALLOON_DEFAULTS, emptyBalloonStep, stepBalloon, type BalloonConfig } from './balloon'
import { Ksm, momKsmPolicy, type KsmDaemon, type KsmState, type KsmStats } from './ksm'
import {
  clampSwapped,
  HOST_SWAP_DEFAULTS,
  oomVictim,
  swapSegment,
  SwapScratch,
  type HostSwapConfig,
  type SwapConstants,
  type SwapSegment,
} from './host-swap'
import { GuestMemory } from './guest-memory'

const MiB = 1024 * 1024

/** OpenStack Nova: `reserved_host_memory_mb` defaults to 512. */
export const RAM_RESERVED_DEFAULT_BYTES = 512 * MiB

export interface HostMemoryConfig {
  ramBytes: number
  /** page size of every VM image on the host */
  pageSize: number
  /** memory the host keeps for itself (kernel, services) */
  reservedBytes: number
  /** per-VM overhead outside guest RAM (QEMU, page tables), bytes */
  vmOverheadBytes: number
  /** MoM policy-engine-interval, seconds */
  policyIntervalSec: number
  /** MoM's host statistics collection interval, seconds */
  sampleIntervalSec: number
  /** MoM's sample-history-length: the policy reads the average of this many samples */
  sampleHistory: number
  /** MoM may shrink guests (oVirt "memory balloon optimization"); growing back always runs */
  ballooning: boolean
  /** MoM drives KSM (03-ksm.policy); otherwise KSM keeps the tunables set by hand */
  momKsm: boolean
  /** the cluster's KSM switch as MoM sees it */
  ksmEnabled: boolean
  /** a new VM's guaranteed memory (balloon_min) as a fraction of its RAM */
  guaranteedFraction: number
  swap: HostSwapConfig
  balloon: BalloonConfig
  /** time a guest takes to bring back one page from its own swap (a guest major fault), seconds */
  guestSwapLatencySec: number
  /** host CPU ksmd spends per 4 KiB page it scans, seconds */
  ksmCpuPerPageSec: number
}

/**
 * Defaults: Nova's reserve; MoM's 10 s policy interval, 5 s collection interval and 10-sample history
 * (oVirt mom-balloon+ksm.conf); policies off (Linux: KSM run 0; ballooning is a cluster option).
 * Guaranteed 50 %, 200 µs guest swap latency and 1 µs of ksmd CPU per 4 KiB page scanned (a checksum and
 * a few page compares) are lab choices [R].
 */
export const HOST_MEMORY_DEFAULTS: Omit<HostMemoryConfig, 'ramBytes' | 'pageSize'> = {
  reservedBytes: RAM_RESERVED_DEFAULT_BYTES,
  vmOverheadBytes: 0,
  policyIntervalSec: 10,
  sampleIntervalSec: 5,
  sampleHistory: 10,
  ballooning: false,
  momKsm: false,
  ksmEnabled: true,
  guaranteedFraction: 0.5,
  swap: HOST_SWAP_DEFAULTS,
  balloon: BALLOON_DEFAULTS,
  guestSwapLatencySec: 200e-6,
  ksmCpuPerPageSec: 1e-6,
}

/** A memory-management decision of the last step, for the event log. */
export type MemoryDecision =
  | {
      kind: 'balloon'
      /** seconds into the step */
      at: number
      vm: number
      /** balloon targets before and after, pages */
      from: number
      to: number
      /** MoM's averaged host free share that drove it */
      hostFree: number
    }
  | { kind: 'ksm'; at: number; run: number; was: number; pagesSharing: number }
  /** ksmd's savings moved by at least 1 % of RAM since the last note (pages_sharing before and after) */
  | { kind: 'ksm-merged'; at: number; from: number; to: number; fullScans: number }

/**
 * One host's memory after a step, bytes unless said otherwise. `HostMemory.row` holds these values in
 * this order (a Float64Array a shard can copy into its per-host output); `HostMemory.summary` builds
 * the object.
 */
export interface HostMemorySummary {
  ramBytes: number
  /** Σ configured VM RAM */
  configuredBytes: number
  /** configured / RAM */
  overcommit: number
  /** Σ guest pages not in a balloon (mapped by QEMU: in RAM or in host swap) */
  presentBytes: number
  balloonBytes: number
  /** KSM pages_sharing × page size */
  ksmSavedBytes: number
  /** balloon + KSM: memory the host does not have to back */
  savedBytes: number
  /** Σ present zero pages (the guests' free memory) */
  guestFreeBytes: number
  guestCacheBytes: number
  guestUsedBytes: number
  /** guest data pushed to the guests' own swap by their balloons */
  guestSwappedBytes: number
  /** RAM in use: host reserve + VM overheads + guest pages − swapped out */
  residentBytes: number
  freeBytes: number
  /** free / RAM (MoM's host_free_percent) */
  freeFraction: number
  /** 0 none, 1 pressure (free < 20 %), 2 critical (free ≤ 5 %) */
  pressure: number
  hostSwappedBytes: number
  /** this step */
  hostSwapOutBytes: number
  hostSwapInBytes: number
  guestSwapOutBytes: number
  /** Σ CPU seconds the VMs lost to swap faults this step */
  lostCpuSeconds: number
  /** VMs killed by the OOM killer this step */
  oomKills: number
  /** host CPU seconds ksmd spent scanning this step */
  ksmCpuSeconds: number
  /** host swap faults this step (4 KiB pages) */
  hostFaults: number
}

/** The order of the summary's values in `HostMemory.row`. */
export const HOST_MEMORY_FIELDS = [
  'ramBytes',
  'configuredBytes',
  'overcommit',
  'presentBytes',
  'balloonBytes',
  'ksmSavedBytes',
  'savedBytes',
  'guestFreeBytes',
  'guestCacheBytes',
  'guestUsedBytes',
  'guestSwappedBytes',
  'residentBytes',
  'freeBytes',
  'freeFraction',
  'pressure',
  'hostSwappedBytes',
  'hostSwapOutBytes',
  'hostSwapInBytes',
  'guestSwapOutBytes',
  'lostCpuSeconds',
  'oomKills',
  'ksmCpuSeconds',
  'hostFaults',
] as const satisfies readonly (keyof HostMemorySummary)[]

/** Index of each summary value in `HostMemory.row`. */
export const HM = Object.fromEntries(HOST_MEMORY_FIELDS.map((k, i) => [k, i])) as Readonly<
  Record<keyof HostMemorySummary, number>
>

export interface HostMemoryState {
  cfg: HostMemoryConfig
  ksm: KsmState
  vms: number[]
  untilPolicy: number
  /** the last step's summary (HostMemory.row) */
  row: Float64Array
  /** MoM's collector: seconds to the next sample, the samples (oldest first), ksmd's run as last seen */
  untilSample?: number
  samples?: number[]
  ksmRunSeen?: number
  ksmScannedSeen?: number
  ksmSharingNoted?: number
  /**
   * per VM (in `vms` order), its guest major faults already charged: those after it (a migration's writes
   * come after the step's charge) are charged by the next step (absent: all charged)
   */
  guestFaultsSeen?: number[]
}

// numbers a step needs, derived from the configuration (HostMemory.k)
const K_RAM_PAGES = 0
const K_FIXED_PAGES = 1
const K_OVERHEAD_PAGES = 2
const K_SWAP_PAGES = 3
const K_PAGE_SIZE = 4
const K_RAM_BYTES = 5
const K_GUEST_LATENCY = 6
const K_FAULTS_PER_PAGE = 7
const K_INTERVAL = 8
const K_POLICIES = 9
const K_SAMPLE_INTERVAL = 10
const K_KSM_CPU = 11

export class HostMemory {
  private config: HostMemoryConfig
  /**
   * The configuration's numbers in one small array allocated with the host: reading them costs no
   * trip to a config object elsewhere in memory (measured: that trip dominated a quiet host's step).
   */
  private readonly k: number[] = new Array<number>(12).fill(0.5)
  private readonly swapK: SwapConstants = { faultsPerPage: 1, latencySec: 0, bandwidthBytesPerSec: 1, pageSize: 1 }
  readonly ksm: KsmDaemon
  /** the host's VMs; per-VM outputs below are indexed by position in this list */
  readonly vms: GuestMemory[] = []
  /** CPU seconds lost to memory stalls in the last step */
  lostCpuSeconds: Float64Array = new Float64Array(8)
  /** fraction of its running time each VM was blocked in the last step (→ VcpuTable.stall) */
  stall: Float64Array = new Float64Array(8)
  /** CPU seconds each VM lost to host swap faults in the last step (part of lostCpuSeconds) */
  swapLostCpuSeconds: Float64Array = new Float64Array(8)
  /** host swap faults (kernel pages) in the last step */
  hostFaults: Float64Array = new Float64Array(8)
  /** guest swap faults (kernel pages) in the last step */
  guestFaults: Float64Array = new Float64Array(8)
  /** VM ids the OOM killer ended in the last step (remove them with remove()) */
  readonly killed: number[] = []
  /** the memory-management decisions of the last step (balloon targets, ksmd on/off), in order */
  readonly decisions: MemoryDecision[] = []
  /** the last step's summary values, in HOST_MEMORY_FIELDS order */
  readonly row: Float64Array = new Float64Array(HOST_MEMORY_FIELDS.length)
  /** scratch: backed, live VMs, host-swapped, guest-swapped pages (tally()) */
  private readonly acc: Float64Array = new Float64Array(4)
  private untilPolicy = 0
  private untilSample = 0
  /** MoM's collector: the host's free share at the last samples (a ring; count ≤ sampleHistory) */
  private samples: Float64Array = new Float64Array(10)
  private sampleHead = 0
  private sampleCount = 0
  private ksmRunSeen = -1
  private ksmScannedSeen = 0
  /** pages_sharing at the last 'ksm-merged' note */
  private ksmSharingNoted = 0
  private readonly ksmStats = {} as KsmStats
  /** whether the per-VM outputs hold anything non-zero (for chargedCount VMs) */
  private charged = false
  private chargedCount = -1
  /** each VM's guest major faults counted up to the last step */
  private guestFaultsSeen: Float64Array = new Float64Array(8)
  private readonly balloonStep = emptyBalloonStep()
  private readonly swapScratch = new SwapScratch()
  private readonly swapOut: SwapSegment = { reads: 0, writes: 0, reclaimBacklog: 0 }
  /** seconds into the current step (decisions' time stamps) */
  private clock = 0

  constructor(cfg: Partial<HostMemoryConfig> & Pick<HostMemoryConfig, 'ramBytes' | 'pageSize'>, ksm?: KsmDaemon) {
    this.config = { ...HOST_MEMORY_DEFAULTS, ...cfg }
    this.derive()
    this.ksm = ksm ?? new Ksm(cfg.pageSize)
    if (this.ksm.pageSize !== this.config.pageSize) throw new RangeError('KSM and host page sizes differ')
  }

  get cfg(): Readonly<HostMemoryConfig> {
    return this.config
  }

  /** Changes settings (a trainee turning ballooning on, a bigger swap, …); the page size cannot change. */
  configure(patch: Partial<Omit<HostMemoryConfig, 'pageSize'>>): void {
    this.config = { ...this.config, ...patch }
    this.derive()
  }

  private derive(): void {
    const c = this.config
    const k = this.k
    k[K_RAM_PAGES] = c.ramBytes / c.pageSize
    k[K_FIXED_PAGES] = c.reservedBytes / c.pageSize
    k[K_OVERHEAD_PAGES] = c.vmOverheadBytes / c.pageSize
    k[K_SWAP_PAGES] = c.swap.swapBytes / c.pageSize
    k[K_PAGE_SIZE] = c.pageSize
    k[K_RAM_BYTES] = c.ramBytes
    k[K_GUEST_LATENCY] = c.guestSwapLatencySec
    k[K_FAULTS_PER_PAGE] = c.pageSize / c.swap.faultBytes
    k[K_INTERVAL] = c.policyIntervalSec
    k[K_POLICIES] = c.ballooning || c.momKsm ? 1 : 0
    k[K_SAMPLE_INTERVAL] = c.sampleIntervalSec
    k[K_KSM_CPU] = c.ksmCpuPerPageSec * (c.pageSize / 4096)
    const s = this.swapK
    s.faultsPerPage = c.pageSize / c.swap.faultBytes
    s.latencySec = c.swap.latencySec
    s.bandwidthBytesPerSec = c.swap.bandwidthBytesPerSec
    s.pageSize = c.pageSize
    if (this.samples.length !== c.sampleHistory) {
      this.samples = new Float64Array(Math.max(1, c.sampleHistory))
      this.sampleHead = 0
      this.sampleCount = 0
    }
  }

  /** Places a VM's memory on this host; registers it with KSM (QEMU mem-merge=on) unless told not to. */
  add(vm: GuestMemory, options: { ksm?: boolean; guaranteedBytes?: number } = {}): void {
    if (vm.pageSize !== this.cfg.pageSize)
      throw new RangeError(`VM ${vm.vm} has ${vm.pageSize}-byte pages, host ${this.cfg.pageSize}`)
    if (options.guaranteedBytes !== undefined)
      vm.balloonMinPages = Math.min(vm.pages, Math.round(options.guaranteedBytes / vm.pageSize))
    else if (vm.balloonMinPages === 0) vm.balloonMinPages = Math.round(vm.pages * this.cfg.guaranteedFraction)
    this.vms.push(vm)
    if ((options.ksm ?? true) && !vm.ksmSlot) this.ksm.register(vm)
    this.grow(this.vms.length)
    this.guestFaultsSeen[this.vms.length - 1] = vm.guestMajorFaults
  }

  /** Takes a VM's memory off this host (migrated away, stopped, killed): leaves KSM, frees its swap. */
  remove(vm: GuestMemory): void {
    const i = this.vms.indexOf(vm)
    if (i < 0) return
    this.vms.splice(i, 1)
    this.guestFaultsSeen.copyWithin(i, i + 1)
    this.ksm.unregister(vm)
    vm.clearHostSwap()
  }

  private grow(n: number): void {
    if (n <= this.stall.length) return
    const m = Math.max(n, this.stall.length * 2)
    this.lostCpuSeconds = new Float64Array(m)
    this.stall = new Float64Array(m)
    this.swapLostCpuSeconds = new Float64Array(m)
    this.hostFaults = new Float64Array(m)
    this.guestFaults = new Float64Array(m)
    const seen = new Float64Array(m)
    seen.set(this.guestFaultsSeen)
    this.guestFaultsSeen = seen
  }

  /** Sums the live VMs' backed, host-swapped and guest-swapped pages into `acc` (one pass). */
  private tally(): void {
    let backed = 0
    let live = 0
    let swapped = 0
    let guest = 0
    const vms = this.vms
    for (let k = 0; k < vms.length; k++) {
      const vm = vms[k]!
      if (vm.killed) continue
      backed += vm.backed
      swapped += vm.hostSwapped
      guest += vm.guestSwapped
      live++
    }
    const acc = this.acc
    acc[0] = backed
    acc[1] = live
    acc[2] = swapped
    acc[3] = guest
  }

  /**
   * Pages the host needs for itself, the VMs' overheads and the guests' backed pages (KSM-merged pages
   * once; free pages not at all), after tally().
   */
  private neededPages(): number {
    const k = this.k
    const acc = this.acc
    return k[K_FIXED_PAGES]! + acc[1]! * k[K_OVERHEAD_PAGES]! + acc[0]! - this.ksm.savedPages
  }

  /** Free RAM as a fraction, now (MoM's host_free_percent before averaging). */
  freeFraction(): number {
    const ramPages = this.k[K_RAM_PAGES]!
    this.tally()
    const resident = this.neededPages() - this.acc[2]!
    const free = ramPages - resident
    return free > 0 ? free / ramPages : 0
  }

  /** MoM's collector: one sample of the host's free share. */
  private sample(): void {
    const ring = this.samples
    ring[this.sampleHead] = this.freeFraction()
    this.sampleHead = (this.sampleHead + 1) % ring.length
    if (this.sampleCount < ring.length) this.sampleCount++
  }

  /** MoM's StatAvg of the host's free share: the mean of the samples held (the current value before any). */
  averagedFreeFraction(): number {
    const n = this.sampleCount
    if (n === 0) return this.freeFraction()
    let sum = 0
    for (let i = 0; i < n; i++) sum += this.samples[i]!
    return sum / n
  }

  /** Whether a policy has to run within steps (else a step is one segment). */
  private policiesActive(): boolean {
    if (this.k[K_POLICIES] === 1) return true
    const vms = this.vms
    for (let k = 0; k < vms.length; k++) if (vms[k]!.balloonAuto && vms[k]!.balloon > 0) return true
    return false
  }

  private runPolicies(): void {
    const cfg = this.cfg
    const hostFree = this.averagedFreeFraction()
    for (const vm of this.vms) {
      if (vm.killed || !vm.balloonAuto) continue
      const from = vm.balloonTarget
      if (applyMomBalloon(vm, hostFree, cfg.ballooning))
        this.decisions.push({ kind: 'balloon', at: this.clock, vm: vm.vm, from, to: vm.balloonTarget, hostFree })
    }
    if (cfg.momKsm) {
      let shareable = 0
      for (const slot of this.ksm.slots) shareable += slot.vm.backed - slot.vm.hostSwapped
      momKsmPolicy(this.ksm, {
        memAvailableKiB: cfg.ramBytes / 1024,
        memFreeKiB: (hostFree * cfg.ramBytes) / 1024,
        ksmShareableKiB: (shareable * cfg.pageSize) / 1024,
        ksmEnabled: cfg.ksmEnabled,
      })
    }
    this.noteKsm()
  }

  /** ksmd switched on or off since last seen: a decision for the log. */
  private noteKsm(): void {
    const run = this.ksm.tunables.run
    if (run === this.ksmRunSeen) return
    if (this.ksmRunSeen !== -1 || run === 1)
      this.decisions.push({
        kind: 'ksm',
        at: this.clock,
        run,
        was: this.ksmRunSeen,
        pagesSharing: this.ksm.savedPages,
      })
    this.ksmRunSeen = run
  }

  /**
   * Advances the host's memory by dt seconds. busyVcpus[k] is how many vCPUs of vms[k] want to run
   * (demand / MIPS per vCPU): it sets how fast the VM touches memory. The guests' page writes of the step
   * are issued before (their guest swap faults are charged here). Fills the per-VM outputs and `row`.
   */
  step(dt: number, busyVcpus: ArrayLike<number>): void {
    const n = this.vms.length
    this.grow(n)
    if (this.charged || this.chargedCount !== n) {
      // only when the last step charged anything (or the VM list changed): quiet hosts leave them alone
      this.lostCpuSeconds.fill(0, 0, n)
      this.swapLostCpuSeconds.fill(0, 0, n)
      this.hostFaults.fill(0, 0, n)
      this.guestFaults.fill(0, 0, n)
      this.stall.fill(0, 0, n)
      this.charged = false
      this.chargedCount = n
    }
    if (this.killed.length > 0) this.killed.length = 0
    if (this.decisions.length > 0) this.decisions.length = 0
    const row = this.row
    row[HM.hostSwapOutBytes] = 0
    row[HM.hostSwapInBytes] = 0
    row[HM.guestSwapOutBytes] = 0
    row[HM.oomKills] = 0
    row[HM.hostFaults] = 0
    this.clock = 0
    this.chargeGuestFaults(busyVcpus)
    const policies = this.policiesActive()
    const interval = this.k[K_INTERVAL]!
    const sampleEvery = this.k[K_SAMPLE_INTERVAL]!
    if (!policies) this.noteKsm()
    let t = 0
    while (t < dt) {
      let seg = dt - t
      this.clock = t
      if (policies) {
        // MoM's collector samples, then its policy runs on the average (both due at once: sample first)
        if (this.untilSample <= 1e-9) {
          this.sample()
          this.untilSample += sampleEvery
        }
        if (this.untilPolicy <= 1e-9) {
          this.runPolicies()
          this.untilPolicy += interval
        }
        if (this.untilPolicy < seg) seg = this.untilPolicy
        if (this.untilSample < seg) seg = this.untilSample
      }
      this.segment(seg, busyVcpus)
      t += seg
      if (policies) {
        this.untilPolicy -= seg
        this.untilSample -= seg
      }
    }
    if (!policies) {
      if (this.untilPolicy > 0) this.untilPolicy = Math.max(0, this.untilPolicy - dt)
      if (this.untilSample > 0) this.untilSample = Math.max(0, this.untilSample - dt)
    }
    if (this.charged) {
      for (let k = 0; k < n; k++) {
        const demand = busyVcpus[k]! * dt
        this.stall[k] = demand > 0 ? Math.min(1, this.lostCpuSeconds[k]! / demand) : 0
      }
    }
    const scanned = this.ksm.stats(this.ksmStats).pages_scanned
    row[HM.ksmCpuSeconds] = scanned > this.ksmScannedSeen ? (scanned - this.ksmScannedSeen) * this.k[K_KSM_CPU]! : 0
    this.ksmScannedSeen = scanned
    const sharing = this.ksm.savedPages
    if (Math.abs(sharing - this.ksmSharingNoted) >= 0.01 * this.k[K_RAM_PAGES]!) {
      this.decisions.push({
        kind: 'ksm-merged',
        at: dt,
        from: this.ksmSharingNoted,
        to: sharing,
        fullScans: this.ksmStats.full_scans,
      })
      this.ksmSharingNoted = sharing
    }
    this.summarise()
  }

  /**
   * Guest swap (balloon over-reclaim): each write that needed a frame the guest had to free by pushing its
   * own data to its swap is a guest major fault, blocking the vCPU for the guest's swap latency.
   */
  private chargeGuestFaults(busy: ArrayLike<number>): void {
    const vms = this.vms
    const kpp = this.k[K_FAULTS_PER_PAGE]!
    const latency = this.k[K_GUEST_LATENCY]!
    for (let i = 0; i < vms.length; i++) {
      const vm = vms[i]!
      const seen = this.guestFaultsSeen[i]!
      if (vm.guestMajorFaults === seen) continue
      const faults = (vm.guestMajorFaults - seen) * kpp
      this.guestFaultsSeen[i] = vm.guestMajorFaults
      if (vm.killed || !(busy[i]! > 0)) continue
      this.charged = true
      this.guestFaults[i] = faults
      this.lostCpuSeconds[i] = this.lostCpuSeconds[i]! + faults * latency
    }
  }

  /** The last step's summary as an object (allocates: for reports and tests; shards read `row`). */
  get summary(): HostMemorySummary {
    const o = {} as HostMemorySummary
    for (let i = 0; i < HOST_MEMORY_FIELDS.length; i++) o[HOST_MEMORY_FIELDS[i]!] = this.row[i]!
    return o
  }

  /** A step the host did not take (switched off, no VMs): nothing happened, the per-step figures are 0. */
  idle(): void {
    const row = this.row
    row[HM.hostSwapOutBytes] = 0
    row[HM.hostSwapInBytes] = 0
    row[HM.guestSwapOutBytes] = 0
    row[HM.oomKills] = 0
    row[HM.lostCpuSeconds] = 0
    row[HM.ksmCpuSeconds] = 0
    row[HM.hostFaults] = 0
    if (this.killed.length > 0) this.killed.length = 0
    if (this.decisions.length > 0) this.decisions.length = 0
    this.ksmScannedSeen = this.ksm.stats(this.ksmStats).pages_scanned
  }

  private segment(seg: number, busy: ArrayLike<number>): void {
    const k = this.k
    const vms = this.vms
    const n = vms.length
    const size = k[K_PAGE_SIZE]!
    const bs = this.balloonStep
    bs.swappedOut = 0
    for (let i = 0; i < n; i++) {
      const vm = vms[i]!
      if (!vm.killed && (vm.balloon !== vm.balloonTarget || vm.balloonCarry !== 0))
        stepBalloon(vm, seg, this.config.balloon, bs)
    }
    if (bs.swappedOut > 0) this.row[HM.guestSwapOutBytes] = this.row[HM.guestSwapOutBytes]! + bs.swappedOut * size
    this.ksm.advance(seg * 1000)
    for (let i = 0; i < n; i++) {
      const vm = vms[i]!
      if (vm.hostSwapped > 0) clampSwapped(vm)
    }
    this.tally()

    // past RAM and the swap space, the OOM killer
    const ramPages = k[K_RAM_PAGES]!
    const swapPages = k[K_SWAP_PAGES]!
    let over = this.neededPages() - ramPages
    while (over > swapPages) {
      const victim = oomVictim(vms, n)
      if (victim < 0) break
      const vm = vms[victim]!
      this.ksm.unregister(vm)
      vm.killed = true
      vm.clearHostSwap()
      this.killed.push(vm.vm)
      this.row[HM.oomKills] = this.row[HM.oomKills]! + 1
      this.tally()
      over = this.neededPages() - ramPages
    }
    if (over <= 0 && this.acc[2]! <= 0) return

    // swap out what does not fit (coldest first), fault back what is touched (host-swap.ts)
    const out = this.swapOut
    swapSegment(vms, n, busy, seg, over, this.swapK, this.swapScratch, this.swapLostCpuSeconds, this.hostFaults, out)
    this.charged = true
    for (let i = 0; i < n; i++) this.lostCpuSeconds[i] = this.guestLost(i) + this.swapLostCpuSeconds[i]!
    const r = this.row
    r[HM.hostSwapOutBytes] = r[HM.hostSwapOutBytes]! + out.writes * size
    r[HM.hostSwapInBytes] = r[HM.hostSwapInBytes]! + out.reads * size
    r[HM.hostFaults] = r[HM.hostFaults]! + out.reads * k[K_FAULTS_PER_PAGE]!
  }

  /** CPU seconds VM i lost to guest swap this step. */
  private guestLost(i: number): number {
    return this.guestFaults[i]! * this.k[K_GUEST_LATENCY]!
  }

  private summarise(): void {
    const r = this.row
    const size = this.k[K_PAGE_SIZE]!
    let configured = 0
    let present = 0
    let balloon = 0
    let free = 0
    let cache = 0
    let used = 0
    let guestSwapped = 0
    let swapped = 0
    let live = 0
    let lost = 0
    const vms = this.vms
    const charged = this.charged
    for (let k = 0; k < vms.length; k++) {
      const vm = vms[k]!
      if (charged) lost += this.lostCpuSeconds[k]!
      if (vm.killed) continue
      live++
      configured += vm.pages
      present += vm.present
      balloon += vm.balloon
      free += vm.free
      cache += vm.cache
      used += vm.used
      guestSwapped += vm.guestSwapped
      swapped += vm.hostSwapped
    }
    const acc = this.acc
    acc[0] = cache + used
    acc[1] = live
    acc[2] = swapped
    acc[3] = guestSwapped
    const ram = this.k[K_RAM_BYTES]!
    const resident = (this.neededPages() - swapped) * size
    const freeBytes = Math.max(0, ram - resident)
    const freeFraction = ram > 0 ? freeBytes / ram : 0
    const ksmSaved = this.ksm.savedPages * size
    r[HM.ramBytes] = ram
    r[HM.configuredBytes] = configured * size
    r[HM.overcommit] = ram > 0 ? (configured * size) / ram : 0
    r[HM.presentBytes] = present * size
    r[HM.balloonBytes] = balloon * size
    r[HM.ksmSavedBytes] = ksmSaved
    r[HM.savedBytes] = balloon * size + ksmSaved
    r[HM.guestFreeBytes] = free * size
    r[HM.guestCacheBytes] = cache * size
    r[HM.guestUsedBytes] = used * size
    r[HM.guestSwappedBytes] = guestSwapped * size
    r[HM.residentBytes] = resident
    r[HM.freeBytes] = freeBytes
    r[HM.freeFraction] = freeFraction
    r[HM.pressure] = freeFraction <= 0.05 ? 2 : freeFraction < 0.2 ? 1 : 0
    r[HM.hostSwappedBytes] = swapped * size
    r[HM.lostCpuSeconds] = lost
  }

  /** A VM's resident set on this host (QEMU RSS, KSM pages counted in full as Linux does), bytes. */
  rssBytes(vm: GuestMemory): number {
    return (vm.backed - vm.hostSwapped) * vm.pageSize
  }

  state(): HostMemoryState {
    const samples: number[] = []
    const ring = this.samples
    const n = this.sampleCount
    for (let i = 0; i < n; i++) samples.push(ring[(this.sampleHead - n + i + ring.length) % ring.length]!)
    return {
      cfg: { ...this.config, swap: { ...this.config.swap }, balloon: { ...this.config.balloon } },
      ksm: this.ksm.state(),
      vms: this.vms.map((v) => v.vm),
      untilPolicy: this.untilPolicy,
      row: this.row.slice(),
      untilSample: this.untilSample,
      samples,
      ksmRunSeen: this.ksmRunSeen,
      ksmScannedSeen: this.ksmScannedSeen,
      ksmSharingNoted: this.ksmSharingNoted,
      guestFaultsSeen: Array.from(this.guestFaultsSeen.subarray(0, this.vms.length)),
    }
  }

  /** Rebuilds a host's memory around restored GuestMemory objects (`vmOf`: VM id → GuestMemory, not yet attached). */
  static fromState(s: HostMemoryState, vmOf: (vm: number) => GuestMemory): HostMemory {
    const ksm = Ksm.fromState(s.ksm, vmOf)
    const h = new HostMemory({ ...HOST_MEMORY_DEFAULTS, ...s.cfg, swap: { ...HOST_SWAP_DEFAULTS, ...s.cfg.swap } }, ksm)
    for (const id of s.vms) {
      const vm = vmOf(id)
      h.vms.push(vm)
    }
    h.grow(h.vms.length)
    for (let i = 0; i < h.vms.length; i++) h.guestFaultsSeen[i] = s.guestFaultsSeen?.[i] ?? h.vms[i]!.guestMajorFaults
    h.untilPolicy = s.untilPolicy
    h.untilSample = s.untilSample ?? 0
    for (const v of s.samples ?? []) {
      h.samples[h.sampleHead] = v
      h.sampleHead = (h.sampleHead + 1) % h.samples.length
      if (h.sampleCount < h.samples.length) h.sampleCount++
    }
    h.ksmRunSeen = s.ksmRunSeen ?? -1
    h.ksmScannedSeen = s.ksmScannedSeen ?? 0
    h.ksmSharingNoted = s.ksmSharingNoted ?? 0
    h.row.set(s.row.subarray(0, h.row.length))
    return h
  }
}
