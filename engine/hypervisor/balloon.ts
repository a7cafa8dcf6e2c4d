// virtio-balloon (the virtio specification §5.5, QEMU's virtio-balloon and oVirt MoM's balloon policy):
// the host asks for a balloon size, the guest's driver inflates
// by handing pages over (free pages first, then its page cache, then — out of free memory — its own data,
// which it must first write to its swap: a performance cost, see HostMemory) or deflates by taking pages
// back, at the pace the guest can manage. The target comes either from a manual command (QMP `balloon`:
// the target *logical size* of the VM) or from the host's automatic policy, oVirt MoM's 02-balloon.policy,
// run every policy interval (10 s): under pressure (host free < 20 %) guests shrink by at most 5 % of their
// current memory per run, down to what they use plus a free margin that shrinks with the host's free
// memory; at ≤ 5 % host free the margin is negative and guests are forced to swap; otherwise balloons
// deflate by up to 5 % per run.
import { PAGE_IMAGE, PAGE_UNIQUE, PAGE_ZERO } from '../memory/content'
import type { GuestMemory } from './guest-memory'

const MiB = 1024 * 1024

export interface BalloonConfig {
  /** how fast the guest driver hands over free or page-cache pages (bytes/s) */
  inflateBytesPerSec: number
  /** how fast it takes pages back (bytes/s) */
  deflateBytesPerSec: number
  /** how fast the guest can write its own pages to its swap when the balloon needs them (bytes/s) */
  guestSwapBytesPerSec: number
  /** memory the guest keeps whatever the target (its kernel and a minimum to run), bytes */
  guestReserveBytes: number
}

/**
 * Lab defaults [R: no primary figure for a driver's inflation rate; the driver moves pages in batches of
 * 256 (VIRTIO_BALLOON_ARRAY_PFNS_MAX), so it is fast for free pages and bounded by disk writes when the
 * guest must swap].
 */
export const BALLOON_DEFAULTS: Readonly<BalloonConfig> = {
  inflateBytesPerSec: 256 * MiB,
  deflateBytesPerSec: 256 * MiB,
  guestSwapBytesPerSec: 64 * MiB,
  guestReserveBytes: 128 * MiB,
}

/** QMP `balloon {value}`: sets the VM's target logical size in bytes (balloon = RAM − value); manual mode. */
export function setBalloonTarget(vm: GuestMemory, logicalBytes: number): void {
  if (!(logicalBytes > 0)) throw new RangeError(`balloon value must be a positive byte count, found ${logicalBytes}`)
  const logical = Math.min(vm.pages, Math.round(logicalBytes / vm.pageSize))
  vm.balloonTarget = vm.pages - logical
  vm.balloonAuto = false
}

/** Hands the VM's balloon back to the host's automatic policy. */
export function setBalloonAuto(vm: GuestMemory): void {
  vm.balloonAuto = true
}

/** QMP `query-balloon` → `actual`: the VM's current logical size in bytes. */
export function balloonActualBytes(vm: GuestMemory): number {
  return (vm.pages - vm.balloon) * vm.pageSize
}

export interface BalloonStep {
  inflated: number
  deflated: number
  /** pages taken from the guest's own data (written to its swap first) */
  swappedOut: number
  /** pages of swapped-out data brought back into returned pages */
  swappedIn: number
}

export function emptyBalloonStep(): BalloonStep {
  return { inflated: 0, deflated: 0, swappedOut: 0, swappedIn: 0 }
}

/**
 * Moves a VM's balloon towards its target for `dt` seconds at the device's pace: a free or page-cache page
 * costs pageSize/inflateRate seconds, a page of the guest's own data pageSize/min(inflateRate, swapRate);
 * deflation pageSize/deflateRate (min with the swap rate when the page brings swapped data back). Time not
 * enough for the next page carries over. Adds to `out` (pages).
 */
export function stepBalloon(
  vm: GuestMemory,
  dt: number,
  cfg: BalloonConfig = BALLOON_DEFAULTS,
  out: BalloonStep = emptyBalloonStep(),
): BalloonStep {
  const floor = Math.min(vm.pages, Math.ceil(cfg.guestReserveBytes / vm.pageSize))
  const target = Math.max(0, Math.min(vm.balloonTarget, vm.pages - floor))
  if (vm.balloon === target) {
    vm.balloonCarry = 0
    return out
  }
  let budget = vm.balloonCarry + dt
  const size = vm.pageSize
  if (vm.balloon < target) {
    const fast = size / cfg.inflateBytesPerSec
    const slow = size / Math.min(cfg.inflateBytesPerSec, cfg.guestSwapBytesPerSec)
    // page after page, the budget paying each; the pages themselves move in runs of one kind
    while (vm.balloon < target) {
      const kind = vm.nextInflateKind()
      if (kind === -1) break
      const cost = kind === PAGE_UNIQUE ? slow : fast
      const limit = Math.min(
        target - vm.balloon,
        kind === PAGE_ZERO ? vm.free : kind === PAGE_IMAGE ? vm.cache : vm.used,
      )
      let n = 0
      while (n < limit && budget >= cost) {
        budget -= cost
        n++
      }
      vm.inflate(kind, n)
      out.inflated += n
      if (kind === PAGE_UNIQUE) out.swappedOut += n
      if (n < limit) break
    }
  } else {
    const fast = size / cfg.deflateBytesPerSec
    const slow = size / Math.min(cfg.deflateBytesPerSec, cfg.guestSwapBytesPerSec)
    while (vm.balloon > target) {
      // pages bringing swapped data back first
      const swapped = vm.guestSwapped > 0
      const cost = swapped ? slow : fast
      const limit = swapped ? Math.min(vm.balloon - target, vm.guestSwapped) : vm.balloon - target
      let n = 0
      while (n < limit && budget >= cost) {
        budget -= cost
        n++
      }
      vm.deflate(n)
      out.deflated += n
      if (swapped) out.swappedIn += n
      if (n < limit) break
    }
  }
  vm.balloonCarry = vm.balloon === target ? 0 : budget
  return out
}

// ---- oVirt MoM auto-balloon policy (vdsm static/etc/vdsm/mom.d/02-balloon.policy) ------------------

export const MOM_BALLOON = {
  pressureThreshold: 0.2,
  pressureCritical: 0.05,
  minGuestFreePercent: 0.2,
  maxBalloonChangePercent: 0.05,
  minBalloonChangePercent: 0.0025,
} as const

/** What MoM reads of a guest, in one unit (pages here). */
export interface MomGuest {
  /** balloon_cur: the guest's current logical memory */
  cur: number
  /** mem_unused: the guest's free memory (MemFree) */
  unused: number
  /** balloon_min: guaranteed memory */
  min: number
  /** balloon_max: the VM's configured memory */
  max: number
}

/**
 * One run of MoM's balloon rules for one guest: the new balloon_cur target, or undefined for no change.
 * `hostFreePercent` = host mem_free / mem_available; `enabled` = ballooning allowed (else only deflate).
 */
export function momBalloonTarget(hostFreePercent: number, enabled: boolean, g: MomGuest): number | undefined {
  const M = MOM_BALLOON
  const guestFreePercent =
    hostFreePercent <= M.pressureCritical
      ? -0.05 + hostFreePercent
      : M.minGuestFreePercent * (hostFreePercent / M.pressureThreshold)
  const bigEnough = (v: number): boolean => Math.abs(v - g.cur) > M.minBalloonChangePercent * g.cur
  const usedMem = g.cur - g.unused
  const floor = Math.max(g.min, usedMem + guestFreePercent * g.cur)
  let target: number | undefined
  if (hostFreePercent < M.pressureThreshold && enabled) {
    // shrink_guest
    let size = g.cur * (1 - M.maxBalloonChangePercent)
    if (size < floor) size = floor
    if (size <= g.cur && bigEnough(size)) target = size
  } else if (g.cur < g.max) {
    // grow_guest
    let size = g.cur * (1 + M.maxBalloonChangePercent)
    if (size < floor) size = floor
    if (size > g.max) size = g.max
    if (bigEnough(size)) target = size
  }
  // guest_qos: guaranteed minimum
  if (g.cur < g.min) target = g.min
  return target
}

/**
 * Runs MoM's rules for a VM in auto mode and sets its balloon target (pages, rounded). Returns whether
 * the target changed.
 */
export function applyMomBalloon(vm: GuestMemory, hostFreePercent: number, enabled: boolean): boolean {
  if (!vm.balloonAuto) return false
  const cur = vm.pages - vm.balloon
  const t = momBalloonTarget(hostFreePercent, enabled, {
    cur,
    unused: vm.free,
    min: vm.balloonMinPages,
    max: vm.pages,
  })
  if (t === undefined) return false
  const target = vm.pages - Math.min(vm.pages, Math.max(0, Math.round(t)))
  if (target === vm.balloonTarget) return false
  vm.balloonTarget = target
  return true
}
