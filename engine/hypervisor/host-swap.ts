// Host swap (MECHANISMS.md §5.6): when the guests' resident pages plus the host's own memory exceed RAM,
// the host swaps guest pages out. The guest does not see it: a vCPU touching a swapped page takes a host
// major fault and stalls for the swap device's latency. Pages come back only when touched (Linux does
// not swap in ahead), and only if RAM has room again; otherwise every fault pushes another page out.
// Past the swap space the OOM killer ends the largest VM.
//
// Swap is modelled as a count per VM (GuestMemory.hostSwapped), not as a set of pages: the host's LRU is
// taken as evenly aged, so each VM gives in proportion to its private (not KSM-merged) resident pages,
// and a VM's touches fault with probability swapped / mapped.
//
// The stall model is shared with guest swap (balloon over-reclaim): if a running vCPU makes r page
// touches per second and a fraction f of them fault with latency L, each second of work takes
// 1 + r·f·L seconds, so the vCPU is blocked a fraction x/(1+x) of the time, x = r·f·L.
import type { GuestMemory } from './guest-memory'

export interface HostSwapConfig {
  /** swap space on the host, bytes */
  swapBytes: number
  /** time to bring one swapped-out page back (a host major fault), seconds */
  latencySec: number
  /** bytes per fault (the kernel's page, 4 KiB) */
  faultBytes: number
}

/** Lab defaults [R]: 8 GiB of swap on an SSD (a 4 KiB random read ≈ 100 µs). */
export const HOST_SWAP_DEFAULTS: Readonly<HostSwapConfig> = {
  swapBytes: 8 * 1024 ** 3,
  latencySec: 100e-6,
  faultBytes: 4096,
}

/** Fraction of its running time a vCPU is blocked when x = touches/s × fault probability × latency. */
export function stallFraction(x: number): number {
  return x > 0 ? x / (1 + x) : 0
}

/** Pages of a VM the host could swap out: present, not merged by KSM, not already swapped. */
export function swappablePages(vm: GuestMemory): number {
  const merged = vm.ksmSlot ? vm.ksmSlot.merging : 0
  const p = vm.present - merged - vm.hostSwapped
  return p > 0 ? p : 0
}

/**
 * Swaps out `pages` more pages (may be fractional: a count), shared among vms[0..n−1] in proportion to
 * their swappable pages. Returns the pages actually swapped out (less if not enough are swappable).
 */
export function swapOut(vms: readonly GuestMemory[], n: number, pages: number): number {
  if (pages <= 0) return 0
  let total = 0
  for (let i = 0; i < n; i++) total += swappablePages(vms[i]!)
  if (total <= 0) return 0
  const take = pages < total ? pages : total
  let done = 0
  for (let i = 0; i < n; i++) {
    const vm = vms[i]!
    const share = (take * swappablePages(vm)) / total
    vm.hostSwapped += share
    vm.hostSwapOuts += share
    done += share
  }
  return done
}

/**
 * Brings back pages that were touched while RAM has room: VM i has faulted in `faultPages[i]` pages
 * (in simulated pages); at most `room` pages come back in all, in VM order. Returns the pages swapped in.
 */
export function swapInTouched(
  vms: readonly GuestMemory[],
  n: number,
  faultPages: ArrayLike<number>,
  room: number,
): number {
  let done = 0
  for (let i = 0; i < n && room > 0; i++) {
    const vm = vms[i]!
    let back = faultPages[i]!
    // counts are expected values and decay geometrically: the last thousandth of a page comes back whole
    if (back > vm.hostSwapped - 1e-3) back = vm.hostSwapped
    if (back > room) back = room
    if (back <= 0) continue
    vm.hostSwapped -= back
    vm.hostSwapIns += back
    room -= back
    done += back
  }
  return done
}

/** Keeps a VM's swapped count within what it still has mapped (the balloon may have taken pages). */
export function clampSwapped(vm: GuestMemory): void {
  const merged = vm.ksmSlot ? vm.ksmSlot.merging : 0
  const max = vm.present - merged
  if (vm.hostSwapped > max) vm.hostSwapped = max > 0 ? max : 0
}

/** The VM the OOM killer picks: the largest footprint (resident + swapped = present pages); ties: first. */
export function oomVictim(vms: readonly GuestMemory[], n: number): number {
  let best = -1
  let bestPages = -1
  for (let i = 0; i < n; i++) {
    const vm = vms[i]!
    if (vm.killed) continue
    if (vm.present > bestPages) {
      bestPages = vm.present
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
