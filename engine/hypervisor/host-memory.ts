// A host's memory, step by step: the VMs' configured RAM, what the guests do with it (free / page cache /
// own data), balloons, KSM merging, host swap and the OOM killer, combined into what the host has
// resident, what it saves, how pressed it is, and what each VM loses to memory stalls (CPU seconds,
// which the CPU scheduler takes as `stall` and the SLA as shortfall). The report's `memory` section over
// time reads `row` (or `summary`) after each step.
//
// Within a step of dt seconds the host runs its policies every `policyIntervalSec` (oVirt MoM's 10 s),
// when any policy is active, and between two runs: balloons move at their pace, ksmd scans for that long,
// then swap and stalls are settled. Order of a host step for the simulator (docs/memory.md):
//   1. workloads: CPU demand, page writes through GuestMemory.write (KSM copy-on-write is immediate);
//   2. host.memory.step(dt, busyVcpus) → per-VM stall[] and lostCpuSeconds[], row (summary);
//   3. table.stall[slot] = memory.stall[k]; CpuScheduler.schedule(...) → granted, steal, shortfall.
import { ZERO_TOKEN } from '../memory/image'
import { applyMomBalloon, BALLOON_DEFAULTS, emptyBalloonStep, stepBalloon, type BalloonConfig } from './balloon'
import { Ksm, momKsmPolicy, type KsmState } from './ksm'
import {
  clampSwapped,
  HOST_SWAP_DEFAULTS,
  oomVictim,
  stallFraction,
  swapInTouched,
  swapOut,
  type HostSwapConfig,
} from './host-swap'
import { GuestMemory, type GuestMemoryState } from './guest-memory'

const MiB = 1024 * 1024

/** OpenStack Nova: `reserved_host_memory_mb` = 512, `ram_allocation_ratio` 1.0 since Antelope (2023.1). */
export const RAM_RESERVED_DEFAULT_BYTES = 512 * MiB
export const RAM_ALLOCATION_RATIO_DEFAULT = 1.0

/** Nova/placement admission: fits when allocated + request ≤ (RAM − reserved) × ratio. */
export function admitsRam(
  ramBytes: number,
  allocatedBytes: number,
  requestBytes: number,
  ratio: number = RAM_ALLOCATION_RATIO_DEFAULT,
  reservedBytes: number = RAM_RESERVED_DEFAULT_BYTES,
): boolean {
  return allocatedBytes + requestBytes <= (ramBytes - reservedBytes) * ratio
}

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
  /** distinct memory a running vCPU touches per second (drives faults on swapped pages), bytes */
  touchBytesPerVcpuSecond: number
}

/**
 * Defaults: Nova's reserve; MoM's 10 s interval; policies off (Linux: KSM run 0; ballooning is a cluster
 * option). Guaranteed 50 %, 200 µs guest swap latency and 4 MiB/s of touches per running vCPU are lab
 * choices [R], visible in the report's assumptions.
 */
export const HOST_MEMORY_DEFAULTS: Omit<HostMemoryConfig, 'ramBytes' | 'pageSize'> = {
  reservedBytes: RAM_RESERVED_DEFAULT_BYTES,
  vmOverheadBytes: 0,
  policyIntervalSec: 10,
  ballooning: false,
  momKsm: false,
  ksmEnabled: true,
  guaranteedFraction: 0.5,
  swap: HOST_SWAP_DEFAULTS,
  balloon: BALLOON_DEFAULTS,
  guestSwapLatencySec: 200e-6,
  touchBytesPerVcpuSecond: 4 * MiB,
}

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
}

// numbers a step needs, derived from the configuration (HostMemory.k)
const K_RAM_PAGES = 0
const K_FIXED_PAGES = 1
const K_OVERHEAD_PAGES = 2
const K_SWAP_PAGES = 3
const K_PAGE_SIZE = 4
const K_RAM_BYTES = 5
const K_TOUCH_RATE = 6
const K_HOST_LATENCY = 7
const K_GUEST_LATENCY = 8
const K_FAULTS_PER_PAGE = 9
const K_INTERVAL = 10
const K_POLICIES = 11

export class HostMemory {
  private config: HostMemoryConfig
  /**
   * The configuration's numbers in one small array allocated with the host: reading them costs no
   * trip to a config object elsewhere in memory (measured: that trip dominated a quiet host's step).
   */
  private readonly k: number[] = new Array<number>(12).fill(0.5)
  readonly ksm: Ksm
  /** the host's VMs; per-VM outputs below are indexed by position in this list */
  readonly vms: GuestMemory[] = []
  /** CPU seconds lost to memory stalls in the last step */
  lostCpuSeconds: Float64Array = new Float64Array(8)
  /** fraction of its running time each VM was blocked in the last step (→ VcpuTable.stall) */
  stall: Float64Array = new Float64Array(8)
  /** host swap faults (kernel pages) in the last step */
  hostFaults: Float64Array = new Float64Array(8)
  /** guest swap faults (kernel pages) in the last step */
  guestFaults: Float64Array = new Float64Array(8)
  /** VM ids the OOM killer ended in the last step (remove them with remove()) */
  readonly killed: number[] = []
  /** the last step's summary values, in HOST_MEMORY_FIELDS order */
  readonly row: Float64Array = new Float64Array(HOST_MEMORY_FIELDS.length)
  /** scratch: present, live VMs, host-swapped, guest-swapped pages (tally()) */
  private readonly acc: Float64Array = new Float64Array(4)
  private untilPolicy = 0
  /** whether the per-VM outputs hold anything non-zero (for chargedCount VMs) */
  private charged = false
  private chargedCount = -1
  private faultPages: Float64Array = new Float64Array(8)
  private readonly balloonStep = emptyBalloonStep()

  constructor(cfg: Partial<HostMemoryConfig> & Pick<HostMemoryConfig, 'ramBytes' | 'pageSize'>, ksm?: Ksm) {
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
    k[K_TOUCH_RATE] = c.touchBytesPerVcpuSecond / c.swap.faultBytes
    k[K_HOST_LATENCY] = c.swap.latencySec
    k[K_GUEST_LATENCY] = c.guestSwapLatencySec
    k[K_FAULTS_PER_PAGE] = c.pageSize / c.swap.faultBytes
    k[K_INTERVAL] = c.policyIntervalSec
    k[K_POLICIES] = c.ballooning || c.momKsm ? 1 : 0
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
  }

  /** Takes a VM's memory off this host (migrated away, stopped, killed): leaves KSM, frees its swap. */
  remove(vm: GuestMemory): void {
    const i = this.vms.indexOf(vm)
    if (i < 0) return
    this.vms.splice(i, 1)
    this.ksm.unregister(vm)
    vm.hostSwapped = 0
  }

  private grow(n: number): void {
    if (n <= this.stall.length) return
    const m = Math.max(n, this.stall.length * 2)
    this.lostCpuSeconds = new Float64Array(m)
    this.stall = new Float64Array(m)
    this.hostFaults = new Float64Array(m)
    this.guestFaults = new Float64Array(m)
    this.faultPages = new Float64Array(m)
  }

  /** Sums the live VMs' present, host-swapped and guest-swapped pages into `acc` (one pass). */
  private tally(): void {
    let present = 0
    let live = 0
    let swapped = 0
    let guest = 0
    const vms = this.vms
    for (let k = 0; k < vms.length; k++) {
      const vm = vms[k]!
      if (vm.killed) continue
      present += vm.present
      swapped += vm.hostSwapped
      guest += vm.guestSwapped
      live++
    }
    const acc = this.acc
    acc[0] = present
    acc[1] = live
    acc[2] = swapped
    acc[3] = guest
  }

  /** Pages the host needs for itself, the VMs' overheads and the guests (KSM-merged pages once), after tally(). */
  private neededPages(): number {
    const k = this.k
    const acc = this.acc
    return k[K_FIXED_PAGES]! + acc[1]! * k[K_OVERHEAD_PAGES]! + acc[0]! - this.ksm.savedPages
  }

  /** Free RAM as a fraction (MoM host_free_percent). */
  freeFraction(): number {
    const ramPages = this.k[K_RAM_PAGES]!
    this.tally()
    const resident = this.neededPages() - this.acc[2]!
    const free = ramPages - resident
    return free > 0 ? free / ramPages : 0
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
    const hostFree = this.freeFraction()
    for (const vm of this.vms) if (!vm.killed && vm.balloonAuto) applyMomBalloon(vm, hostFree, cfg.ballooning)
    if (cfg.momKsm) {
      let shareable = 0
      for (const slot of this.ksm.slots) shareable += slot.vm.present
      momKsmPolicy(this.ksm, {
        memAvailableKiB: cfg.ramBytes / 1024,
        memFreeKiB: (hostFree * cfg.ramBytes) / 1024,
        ksmShareableKiB: (shareable * cfg.pageSize) / 1024,
        ksmEnabled: cfg.ksmEnabled,
      })
    }
  }

  /**
   * Advances the host's memory by dt seconds. busyVcpus[k] is how many vCPUs of vms[k] want to run
   * (demand / MIPS per vCPU): it sets how fast the VM touches memory. Fills the per-VM outputs and `row`.
   */
  step(dt: number, busyVcpus: ArrayLike<number>): void {
    const n = this.vms.length
    this.grow(n)
    if (this.charged || this.chargedCount !== n) {
      // only when the last step charged anything (or the VM list changed): quiet hosts leave them alone
      this.lostCpuSeconds.fill(0, 0, n)
      this.hostFaults.fill(0, 0, n)
      this.guestFaults.fill(0, 0, n)
      this.stall.fill(0, 0, n)
      this.charged = false
      this.chargedCount = n
    }
    if (this.killed.length > 0) this.killed.length = 0
    const row = this.row
    row[HM.hostSwapOutBytes] = 0
    row[HM.hostSwapInBytes] = 0
    row[HM.guestSwapOutBytes] = 0
    row[HM.oomKills] = 0
    const policies = this.policiesActive()
    const interval = this.k[K_INTERVAL]!
    let t = 0
    while (t < dt) {
      let seg = dt - t
      if (policies) {
        if (this.untilPolicy <= 1e-9) {
          this.runPolicies()
          this.untilPolicy += interval
        }
        if (this.untilPolicy < seg) seg = this.untilPolicy
      }
      this.segment(seg, busyVcpus)
      t += seg
      if (policies) this.untilPolicy -= seg
    }
    if (!policies && this.untilPolicy > 0) this.untilPolicy = Math.max(0, this.untilPolicy - dt)
    if (this.charged) {
      for (let k = 0; k < n; k++) {
        const demand = busyVcpus[k]! * dt
        this.stall[k] = demand > 0 ? this.lostCpuSeconds[k]! / demand : 0
      }
    }
    this.summarise()
  }

  /** The last step's summary as an object (allocates: for reports and tests; shards read `row`). */
  get summary(): HostMemorySummary {
    const o = {} as HostMemorySummary
    for (let i = 0; i < HOST_MEMORY_FIELDS.length; i++) o[HOST_MEMORY_FIELDS[i]!] = this.row[i]!
    return o
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

    // swap out what does not fit; past the swap space, the OOM killer
    const ramPages = k[K_RAM_PAGES]!
    const swapPages = k[K_SWAP_PAGES]!
    let over = this.neededPages() - ramPages
    while (over > swapPages) {
      const victim = oomVictim(vms, n)
      if (victim < 0) break
      const vm = vms[victim]!
      this.ksm.unregister(vm)
      vm.killed = true
      vm.hostSwapped = 0
      this.killed.push(vm.vm)
      this.row[HM.oomKills] = this.row[HM.oomKills]! + 1
      this.tally()
      over = this.neededPages() - ramPages
    }
    const acc = this.acc
    if (over > acc[2]!) {
      this.row[HM.hostSwapOutBytes] = this.row[HM.hostSwapOutBytes]! + swapOut(vms, n, over - acc[2]!) * size
      this.tally()
    }
    if (acc[2]! <= 0 && acc[3]! <= 0) return

    // stalls: touches to pages swapped by the host or by the guest
    const rate = k[K_TOUCH_RATE]!
    const pageFaults = k[K_FAULTS_PER_PAGE]!
    const hostLatency = k[K_HOST_LATENCY]!
    const guestLatency = k[K_GUEST_LATENCY]!
    for (let i = 0; i < n; i++) {
      const vm = vms[i]!
      this.faultPages[i] = 0
      const b = busy[i]!
      if (vm.killed || !(b > 0)) continue
      const present = vm.present
      const fHost = present > 0 ? vm.hostSwapped / present : 0
      const data = vm.used + vm.cache + vm.guestSwapped
      const fGuest = data > 0 ? vm.guestSwapped / data : 0
      if (fHost === 0 && fGuest === 0) continue
      this.charged = true
      const st = stallFraction(rate * (fHost * hostLatency + fGuest * guestLatency))
      this.lostCpuSeconds[i] = this.lostCpuSeconds[i]! + b * seg * st
      const running = b * seg * (1 - st)
      const hf = running * rate * fHost
      this.hostFaults[i] = this.hostFaults[i]! + hf
      this.guestFaults[i] = this.guestFaults[i]! + running * rate * fGuest
      this.faultPages[i] = hf / pageFaults
    }
    // touched pages come back while RAM has room
    const room = acc[2]! - (over > 0 ? over : 0)
    if (room > 0)
      this.row[HM.hostSwapInBytes] = this.row[HM.hostSwapInBytes]! + swapInTouched(vms, n, this.faultPages, room) * size
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
    acc[0] = present
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
    return (vm.present - vm.hostSwapped) * vm.pageSize
  }

  state(): HostMemoryState {
    return {
      cfg: { ...this.config, swap: { ...this.config.swap }, balloon: { ...this.config.balloon } },
      ksm: this.ksm.state(),
      vms: this.vms.map((v) => v.vm),
      untilPolicy: this.untilPolicy,
      row: this.row.slice(),
    }
  }

  /** Rebuilds a host's memory around restored GuestMemory objects (`vmOf`: VM id → GuestMemory, not yet attached). */
  static fromState(s: HostMemoryState, vmOf: (vm: number) => GuestMemory): HostMemory {
    const ksm = Ksm.fromState(s.ksm, vmOf)
    const h = new HostMemory({ ...s.cfg }, ksm)
    for (const id of s.vms) {
      const vm = vmOf(id)
      h.vms.push(vm)
    }
    h.grow(h.vms.length)
    h.untilPolicy = s.untilPolicy
    h.row.set(s.row)
    return h
  }
}

// ---- coupling with live migration -------------------------------------------------------------------

/** What a live migration of a VM moves, in pages of the VM's image. */
export interface MigrationPayload {
  pages: number
  /** present pages with content: sent in full by the first round */
  send: number
  /** present zero pages: a flag each (QEMU zero-page detection) */
  zero: number
  /** ballooned pages: not sent */
  ballooned: number
  /** pages merged by KSM on the source: sent like the rest (each VM its own copy) */
  merged: number
  /** pages the source host swapped out: read back from swap before they are sent */
  hostSwapped: number
}

/** The first round's payload of a VM (O(1)); per-page decisions: GuestMemory.needsSending(page). */
export function migrationPayload(vm: GuestMemory): MigrationPayload {
  return {
    pages: vm.pages,
    send: vm.pagesToSend,
    zero: vm.free,
    ballooned: vm.balloon,
    merged: vm.ksmSlot ? vm.ksmSlot.merging : 0,
    hostSwapped: vm.hostSwapped,
  }
}

/**
 * Switch-over: the VM's memory leaves `from` (its KSM sharing there ends, its swap is freed) and arrives
 * at `to` as a copy of its state (balloon kept, nothing swapped, not merged yet: the destination's ksmd
 * merges it again as it scans). Returns the GuestMemory now on `to`. Across workers, send `vm.state()` and
 * call `arriveByMigration` on the destination shard instead.
 */
export function moveByMigration(vm: GuestMemory, from: HostMemory, to: HostMemory): GuestMemory {
  const s = vm.state()
  from.remove(vm)
  return arriveByMigration(s, to)
}

/** The destination side of a migration: rebuilds the VM's memory from its state and places it on `to`. */
export function arriveByMigration(s: GuestMemoryState, to: HostMemory): GuestMemory {
  const vm = GuestMemory.fromState(s)
  vm.hostSwapped = 0
  vm.balloonCarry = 0
  to.add(vm)
  return vm
}

/** A page's content is zero (QEMU's zero-page check) — re-exported for migration code. */
export function isZeroPage(vm: GuestMemory, page: number): boolean {
  return vm.image.tokens[page] === ZERO_TOKEN
}
