// Host swap (Linux swapping guest RAM out; the guest does not see it). When the guests' backed pages plus
// the host's own memory exceed RAM, the host writes pages to its swap device; a vCPU touching a swapped
// page takes a host major fault and waits for the device. Pages come back only when touched (Linux does
// not swap in ahead), and only if RAM has room; otherwise every fault pushes another page out (thrashing).
// Past the swap space the OOM killer ends the largest VM.
//
// Swap is a count per VM and access region (GuestMemory.hostSwapped, hostSwappedHot), not a set of pages.
// The guest's accesses come from its page-write model (GuestMemory access profile): a share of them spread
// over its hot region, the rest over its other pages. Per segment of dt seconds (docs/memory.md, "Host
// swap"):
//
//  1. a swapped page touched at least once comes back: of sw pages of a region of S pages receiving A
//     accesses, sw·(1 − e^(−A/S)) are touched (accesses land uniformly within a region);
//  2. whatever still does not fit is written out coldest first — the region whose pages are touched least
//     often per page (an idle VM's pages, pages outside the working set, the cold part of a hot-cold
//     pattern), as Linux's LRU lists evict what was not referenced recently; regions equally cold give
//     in proportion to their pages;
//  3. faults: the pages that came back, plus the accesses during the segment to pages that stay swapped
//     (each of those faults, and in a full RAM pushes a page out again). A fault blocks the vCPU for the
//     device's latency plus a page's transfer, c = (pageSize/4 KiB)·latency + pageSize/bandwidth;
//  4. a busy VM of b vCPUs runs a fraction r of the segment: r·b·dt = b·dt − c·(returned + r·steady), so
//     r = (b·dt − c·returned) / (b·dt + c·steady), where steady = its accesses to swapped pages at r = 1;
//  5. the device moves reads (faults) and writes (pages pushed out) at its bandwidth: past it, every
//     faulting VM slows in proportion (its faults wait in the device's queue); pages that must go out for
//     memory growth and exceed even that make every busy VM wait (direct reclaim).
//
// A working set larger than what stays resident thrashes: r = 1/(1 + x), x = (accesses per vCPU-second) ×
// (swapped share of its region) × c, and throughput collapses; an idle VM's pages go out first and cost
// nothing until touched.
import type { GuestMemory } from './guest-memory'
import * as fdlibm from '../math/fdlibm'

export interface HostSwapConfig {
  /** swap space on the host, bytes */
  swapBytes: number
  /** time the device takes to return one 4 KiB page at queue depth 1 (a host major fault), seconds */
  latencySec: number
  /** the device's throughput for swap traffic (4 KiB random reads and writes), bytes/s */
  bandwidthBytesPerSec: number
  /** bytes per fault (the kernel's page, 4 KiB) */
  faultBytes: number
}

/**
 * Lab defaults [R]: 8 GiB of swap on a datacenter SATA SSD — a 4 KiB random read ≈ 100 µs at queue depth
 * 1, and 256 MiB/s of 4 KiB random I/O (vendor data sheets give 94 k read / 65 k write IOPS for such a
 * drive, e.g. Kingston DC600M: 385 / 266 MB/s).
 */
export const HOST_SWAP_DEFAULTS: Readonly<HostSwapConfig> = {
  swapBytes: 8 * 1024 ** 3,
  latencySec: 100e-6,
  bandwidthBytesPerSec: 256 * 1024 ** 2,
  faultBytes: 4096,
}

/** Fraction of its running time a vCPU is blocked when x = touches/s × fault probability × latency. */
export function stallFraction(x: number): number {
  return x > 0 ? x / (1 + x) : 0
}

/** A region's KSM-merged pages, taken in proportion to its backed pages (which pages is not tracked). */
function mergedIn(vm: GuestMemory, backedHere: number): number {
  const merged = vm.ksmSlot ? vm.ksmSlot.merging : 0
  const backed = vm.backed
  return merged > 0 && backed > 0 ? (merged * backedHere) / backed : 0
}

/** Pages of a VM's hot (region 0) or other (region 1) pages the host could swap: backed, not merged. */
export function swappableIn(vm: GuestMemory, region: 0 | 1): number {
  const backed = region === 0 ? vm.hotBacked : vm.backed - vm.hotBacked
  const p = backed - mergedIn(vm, backed)
  return p > 0 ? p : 0
}

/** Pages of a VM the host could swap out: backed, not merged by KSM, not already swapped. */
export function swappablePages(vm: GuestMemory): number {
  const merged = vm.ksmSlot ? vm.ksmSlot.merging : 0
  const p = vm.backed - merged - vm.hostSwapped
  return p > 0 ? p : 0
}

/** Keeps a VM's swapped counts within what it still backs in each region (balloon, frees, KSM). */
export function clampSwapped(vm: GuestMemory): void {
  let hot = vm.hostSwappedHot
  let rest = vm.hostSwapped - hot
  const maxHot = swappableIn(vm, 0)
  const maxRest = swappableIn(vm, 1)
  if (hot > maxHot) hot = maxHot
  if (rest > maxRest) rest = maxRest
  if (rest < 0) rest = 0
  vm.hostSwappedHot = hot
  vm.hostSwapped = hot + rest
}

/** The VM the OOM killer picks: the largest footprint (backed pages, resident or swapped); ties: first. */
export function oomVictim(vms: readonly GuestMemory[], n: number): number {
  let best = -1
  let bestPages = -1
  for (let i = 0; i < n; i++) {
    const vm = vms[i]!
    if (vm.killed) continue
    if (vm.backed > bestPages) {
      bestPages = vm.backed
      best = i
    }
  }
  return best
}

/**
 * Extra time a migration spends reading a VM's swapped-out pages back from the host's swap (pre-copy
 * must read every page): pages × (pageSize / faultBytes) faults × latency, seconds.
 */
export function swapReadSeconds(vm: GuestMemory, cfg: HostSwapConfig = HOST_SWAP_DEFAULTS): number {
  return vm.hostSwapped * (vm.pageSize / cfg.faultBytes) * cfg.latencySec
}

/** What one segment of host swap did (pages, summed over the host's VMs). */
export interface SwapSegment {
  /** pages read back from the device (faults) */
  reads: number
  /** pages written to the device */
  writes: number
  /** seconds the device was busy beyond the segment (direct reclaim) */
  reclaimBacklog: number
}

/**
 * Scratch for `swapSegment`, per VM × region (index 2k: hot, 2k + 1: the rest): grown with the host.
 * Typed arrays, allocated once per host.
 */
export class SwapScratch {
  /** accesses to one page per second at the segment's activity */
  rho = new Float64Array(16)
  remaining = new Float64Array(16)
  end = new Float64Array(16)
  returned = new Float64Array(16)
  order = new Int32Array(16)
  /** per VM: run fraction, faults (simulated pages), steady faults */
  run = new Float64Array(16)
  fault = new Float64Array(16)
  steady = new Float64Array(16)

  grow(vms: number): void {
    const n = 2 * vms
    if (n <= this.rho.length) return
    const m = Math.max(n, this.rho.length * 2)
    this.rho = new Float64Array(m)
    this.remaining = new Float64Array(m)
    this.end = new Float64Array(m)
    this.returned = new Float64Array(m)
    this.order = new Int32Array(m)
    this.run = new Float64Array(m)
    this.fault = new Float64Array(m)
    this.steady = new Float64Array(m)
  }
}

/** Constants of a segment, derived from the host's configuration. */
export interface SwapConstants {
  /** kernel pages per simulated page */
  faultsPerPage: number
  latencySec: number
  bandwidthBytesPerSec: number
  pageSize: number
}

/**
 * One segment of `seg` seconds of host swap for vms[0..n−1] (live ones), with `over` pages more needed than
 * RAM holds (≤ 0: room). `busy[k]` = busy vCPUs of VM k. Updates each VM's swapped counts and adds each
 * VM's lost CPU-seconds and host faults (kernel pages) into `lost` and `faults`. Steps 1–5 of the header.
 */
export function swapSegment(
  vms: readonly GuestMemory[],
  n: number,
  busy: ArrayLike<number>,
  seg: number,
  over: number,
  k: SwapConstants,
  s: SwapScratch,
  lost: Float64Array,
  faults: Float64Array,
  out: SwapSegment,
): void {
  s.grow(n)
  const { rho, remaining, end, returned, order, run, fault } = s
  const steadyOf = s.steady
  // 1. touched swapped pages come back
  let stillSwapped = 0
  let swappedBefore = 0
  for (let i = 0; i < n; i++) {
    const vm = vms[i]!
    const h = 2 * i
    if (vm.killed) {
      rho[h] = rho[h + 1] = remaining[h] = remaining[h + 1] = returned[h] = returned[h + 1] = 0
      continue
    }
    const b = busy[i]!
    const activity = b > 0 ? b / vm.vcpus : 0
    const rate = vm.accessPerSecond * activity
    const hotPages = vm.hotPages
    const restPages = vm.pages - hotPages
    rho[h] = hotPages > 0 ? (rate * vm.hotShare) / hotPages : 0
    rho[h + 1] = restPages > 0 ? (rate * (1 - vm.hotShare)) / restPages : 0
    const swHot = vm.hostSwappedHot
    const swRest = vm.hostSwapped - swHot
    swappedBefore += vm.hostSwapped
    const backHot = swHot > 0 ? swHot * -fdlibm.expm1(-rho[h] * seg) : 0
    const backRest = swRest > 0 ? swRest * -fdlibm.expm1(-rho[h + 1]! * seg) : 0
    remaining[h] = swHot - backHot
    remaining[h + 1] = swRest - backRest
    stillSwapped += remaining[h] + remaining[h + 1]!
  }
  // 2. what still does not fit goes out, coldest region first (ties: VM order, the rest before hot)
  for (let j = 0; j < 2 * n; j++) end[j] = remaining[j]!
  let needOut = over - stillSwapped
  if (needOut > 0) {
    let m = 0
    for (let i = 0; i < n; i++) {
      if (vms[i]!.killed) continue
      order[m++] = 2 * i + 1
      order[m++] = 2 * i
    }
    // insertion sort by rho (stable: a host holds tens of VMs)
    for (let a = 1; a < m; a++) {
      const j = order[a]!
      const r = rho[j]!
      let b = a - 1
      while (b >= 0 && rho[order[b]!]! > r) {
        order[b + 1] = order[b]!
        b--
      }
      order[b + 1] = j
    }
    // regions equally cold give in proportion to what they can give (Linux reclaims each memory cgroup's
    // LRU in proportion to its size); `returned` holds each region's room meanwhile
    for (let a = 0; a < m && needOut > 0;) {
      const r = rho[order[a]!]!
      let z = a
      let room = 0
      for (; z < m && rho[order[z]!]! === r; z++) {
        const j = order[z]!
        const free = swappableIn(vms[j >> 1]!, (j & 1) as 0 | 1) - remaining[j]!
        returned[j] = free > 0 ? free : 0
        room += returned[j]
      }
      if (room > 0) {
        const take = room < needOut ? room : needOut
        for (let y = a; y < z; y++) {
          const j = order[y]!
          end[j] = end[j]! + (take * returned[j]!) / room
        }
        needOut -= take
      }
      a = z
    }
  }
  // 3–4. faults and run fractions (at an unbounded device)
  const c = k.faultsPerPage * k.latencySec + k.pageSize / k.bandwidthBytesPerSec
  let reads = 0
  let swappedAfter = 0
  for (let i = 0; i < n; i++) {
    const vm = vms[i]!
    const h = 2 * i
    returned[h] = returned[h + 1] = 0
    run[i] = 1
    fault[i] = 0
    steadyOf[i] = 0
    if (vm.killed) continue
    const backHot = vm.hostSwappedHot - end[h]!
    const backRest = vm.hostSwapped - vm.hostSwappedHot - end[h + 1]!
    returned[h] = backHot > 0 ? backHot : 0
    returned[h + 1] = backRest > 0 ? backRest : 0
    swappedAfter += end[h]! + end[h + 1]!
    const b = busy[i]!
    if (!(b > 0)) continue
    const back = returned[h] + returned[h + 1]!
    const steady = (rho[h]! * end[h]! + rho[h + 1]! * end[h + 1]!) * seg
    if (back === 0 && steady === 0) continue
    const work = b * seg
    const r = Math.max(0, work - c * back) / (work + c * steady)
    run[i] = r
    steadyOf[i] = r * steady
    fault[i] = back + r * steady
    reads += fault[i]!
  }
  // 5. the device's bandwidth: writes = reads + the net change of what is swapped
  const netOut = swappedAfter - swappedBefore
  let writes = reads + netOut
  if (writes < 0) writes = 0

  const capacity = (k.bandwidthBytesPerSec * seg) / k.pageSize
  const forced = netOut > 0 ? netOut : 0
  let sigma = 1
  let backlog = 0
  if (reads + writes > capacity) {
    if (forced >= capacity) {
      sigma = 0
      backlog = ((forced - capacity) * k.pageSize) / k.bandwidthBytesPerSec
    } else sigma = (capacity - forced) / (reads + writes - forced)
  }
  const waitShare = backlog > seg ? 1 : backlog / seg
  let swappedFinal = 0
  for (let i = 0; i < n; i++) {
    const vm = vms[i]!
    if (vm.killed) continue
    const h = 2 * i
    const b = busy[i]!
    if (b > 0) {
      // through a saturated device a faulting VM makes σ of its progress; past it, direct reclaim
      let r = fault[i]! > 0 ? run[i]! * sigma : 1
      r = r > waitShare ? r - waitShare : 0
      lost[i] = lost[i]! + b * seg * (1 - r)
      faults[i] = faults[i]! + fault[i]! * sigma * k.faultsPerPage
    }
    // pages that could not come back through a saturated device stay swapped
    const backHot = returned[h]!
    const backRest = returned[h + 1]!
    const hot = end[h]! + (1 - sigma) * backHot
    const rest = end[h + 1]! + (1 - sigma) * backRest
    const pushed = end[h]! + end[h + 1]! - remaining[h]! - remaining[h + 1]!
    vm.hostSwapIns += sigma * (backHot + backRest + steadyOf[i]!)
    vm.hostSwapOuts += sigma * steadyOf[i]! + (pushed > 0 ? pushed : 0)
    vm.hostSwappedHot = hot
    vm.hostSwapped = hot + rest
    swappedFinal += hot + rest
  }
  out.reads = reads * sigma
  const w = out.reads + swappedFinal - swappedBefore
  out.writes = w > 0 ? w : 0
  out.reclaimBacklog = backlog
}
