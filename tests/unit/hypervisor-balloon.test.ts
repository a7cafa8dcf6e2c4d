// Ballooning: pace and order of reclaim (free, cache, then guest swap), QMP's logical-size target,
// deflation, oVirt MoM's rules (5 % per cycle, pressure and critical levels, guaranteed minimum).
import { describe, expect, it } from 'vitest'
import {
  balloonActualBytes,
  emptyBalloonStep,
  momBalloonTarget,
  setBalloonTarget,
  stepBalloon,
  type BalloonConfig,
} from '../../engine/hypervisor/balloon'
import { HostMemory } from '../../engine/hypervisor/host-memory'
import { GuestMemory } from '../../engine/hypervisor/guest-memory'
import { streamFor } from '../../engine/random'

const MiB = 1024 * 1024
// 1 MiB pages keep the arithmetic readable: 1 GiB = 1024 pages
const cfg: BalloonConfig = {
  inflateBytesPerSec: 64 * MiB,
  deflateBytesPerSec: 64 * MiB,
  guestSwapBytesPerSec: 16 * MiB,
  guestReserveBytes: 128 * MiB,
}

function guest(id = 0) {
  // 256 free (zero), 256 page cache (image), 512 own data
  return GuestMemory.create(id, 1024 * MiB, MiB, { zero: 0.25, image: 0.25, imageId: 0 }, streamFor(1, 'vm', id))
}

describe('balloon', () => {
  it('reclaims to a QMP target at its pace: free pages, then page cache, then guest swap', () => {
    const vm = guest()
    setBalloonTarget(vm, 256 * MiB) // logical size 256 MiB: balloon 768 pages
    expect(vm.balloonTarget).toBe(768)
    expect(vm.balloonAuto).toBe(false)
    const out = emptyBalloonStep()
    // free and cache pages: 1/64 s each → 4 s for the 256 free pages
    stepBalloon(vm, 4, cfg, out)
    expect([vm.balloon, vm.free, vm.cache, vm.used, vm.guestSwapped]).toEqual([256, 0, 256, 512, 0])
    stepBalloon(vm, 4, cfg, out) // the page cache goes next
    expect([vm.balloon, vm.free, vm.cache, vm.used, vm.guestSwapped]).toEqual([512, 0, 0, 512, 0])
    // then the guest's own data, written to its swap at 16 MiB/s: 1/16 s per page
    stepBalloon(vm, 10, cfg, out)
    expect([vm.balloon, vm.used, vm.guestSwapped]).toEqual([672, 352, 160])
    stepBalloon(vm, 6, cfg, out)
    expect([vm.balloon, vm.used, vm.guestSwapped]).toEqual([768, 256, 256])
    expect(out).toEqual({ inflated: 768, deflated: 0, swappedOut: 256, swappedIn: 0 })
    expect(balloonActualBytes(vm)).toBe(256 * MiB)
    stepBalloon(vm, 100, cfg, out)
    expect(vm.balloon).toBe(768)
    // ballooned pages read as zeros and are not sent by a migration
    const p = Array.from({ length: vm.pages }, (_, q) => vm.isPresent(q)).indexOf(false)
    expect(vm.needsSending(p)).toBe(false)
    expect(vm.pagesToSend).toBe(256)
  })

  it('carries time that is not enough for a page to the next step', () => {
    const vm = guest()
    setBalloonTarget(vm, 512 * MiB)
    for (let i = 0; i < 10; i++) stepBalloon(vm, 0.01, cfg) // 0.1 s = 6.4 pages
    expect(vm.balloon).toBe(6)
    expect(vm.balloonCarry).toBeCloseTo(0.1 - 6 / 64, 12)
  })

  it('keeps the guest reserve whatever the target', () => {
    const vm = guest()
    setBalloonTarget(vm, 1 * MiB)
    stepBalloon(vm, 1000, cfg)
    expect(vm.present).toBe(128)
  })

  it('deflates, first bringing the swapped data back, then as free memory', () => {
    const vm = guest()
    setBalloonTarget(vm, 256 * MiB)
    stepBalloon(vm, 24, cfg)
    expect(vm.guestSwapped).toBe(256)
    setBalloonTarget(vm, 1024 * MiB)
    // swapped pages come back at min(64, 16) MiB/s: 10 s → 160 pages
    stepBalloon(vm, 10, cfg)
    expect([vm.balloon, vm.guestSwapped, vm.used, vm.free]).toEqual([608, 96, 416, 0])
    stepBalloon(vm, 6, cfg) // 96 more swapped pages
    stepBalloon(vm, 1, cfg) // 64 pages as free memory
    expect([vm.balloon, vm.guestSwapped, vm.used, vm.free]).toEqual([448, 0, 512, 64])
    stepBalloon(vm, 100, cfg)
    expect([vm.balloon, vm.free, vm.cache, vm.used]).toEqual([0, 512, 0, 512])
  })

  it('redirects a write to a ballooned page to a page the guest still has', () => {
    const vm = guest()
    setBalloonTarget(vm, 768 * MiB)
    stepBalloon(vm, 10, cfg) // 256 free pages gone
    const ballooned = Array.from({ length: vm.pages }, (_, q) => vm.isPresent(q)).indexOf(false)
    const written = vm.write(ballooned)
    expect(written).not.toBe(ballooned)
    expect(vm.isPresent(written)).toBe(true)
    // no free page left: a page-cache page was dropped for it
    expect([vm.cache, vm.used, vm.cacheDropped]).toEqual([255, 513, 1])
  })
})

describe('MoM auto-balloon rules', () => {
  const g = { cur: 1000, unused: 400, min: 500, max: 1000 }

  it('shrinks by at most 5 % per run under pressure', () => {
    // host 10 % free: guest free target 0.2 × 0.10/0.20 = 10 %; floor = 600 + 100 = 700 < 950
    expect(momBalloonTarget(0.1, true, g)).toBe(950)
    // floor 920 + 100 = 1020 above cur: nothing to take
    expect(momBalloonTarget(0.1, true, { ...g, unused: 80 })).toBeUndefined()
    // not enabled: no shrinking
    expect(momBalloonTarget(0.1, false, g)).toBeUndefined()
  })

  it('forces guests to swap when critical (guest free target = host free − 5 %)', () => {
    // host 4 %: target −1 %: floor = max(500, 920 − 10) = 910 below what the guest uses
    expect(momBalloonTarget(0.04, true, { ...g, unused: 80 })).toBe(950)
    expect(momBalloonTarget(0.04, true, { cur: 950, unused: 0, min: 500, max: 1000 })).toBeCloseTo(940.5, 9)
  })

  it('grows back by 5 % per run, or to the floor, within balloon_max', () => {
    // host 25 %: guest free target 25 %: floor = 500 + 200 = 700 < 840
    expect(momBalloonTarget(0.25, true, { cur: 800, unused: 300, min: 500, max: 1000 })).toBe(840)
    // floor = 700 + 0.5 × 800 = 1100 → capped at max
    expect(momBalloonTarget(0.5, true, { cur: 800, unused: 100, min: 500, max: 1000 })).toBe(1000)
    expect(momBalloonTarget(0.5, true, { cur: 1000, unused: 100, min: 500, max: 1000 })).toBeUndefined()
  })

  it('ignores changes under 0.25 % and enforces the guaranteed minimum', () => {
    // floor = 600 + 0.198 × 1000 = 798 … use a floor of 998: 998 vs 1000 is 0.2 %
    expect(momBalloonTarget(0.1, true, { cur: 1000, unused: 102, min: 500, max: 1000 })).toBeUndefined()
    expect(momBalloonTarget(0.1, true, { cur: 400, unused: 100, min: 500, max: 1000 })).toBe(500)
  })

  it("shrinks guests on a pressed host 5 % per 10 s run, reading MoM's 10-sample average of host free memory", () => {
    // RAM 1000 MiB, no reserve. VM 0: 1 GiB, 374 free pages (not backed), 650 backed; VM 1: 256 MiB, 56 free,
    // 200 backed. The host backs 850 MiB: 15 % free, under MoM's 20 % pressure threshold.
    const host = new HostMemory({ ramBytes: 1000 * MiB, pageSize: MiB, reservedBytes: 0, ballooning: true })
    const vm0 = GuestMemory.create(
      0,
      1024 * MiB,
      MiB,
      { zero: 374 / 1024, image: 0, imageId: 0 },
      streamFor(2, 'vm', 0),
    )
    const vm1 = GuestMemory.create(1, 256 * MiB, MiB, { zero: 56 / 256, image: 0, imageId: 0 }, streamFor(2, 'vm', 1))
    for (const vm of [vm0, vm1]) host.add(vm, { ksm: false })
    expect([vm0.backed, vm1.backed]).toEqual([650, 200])
    expect(vm0.balloonMinPages).toBe(512) // 50 % guaranteed
    const cur: number[] = []
    for (let cycle = 0; cycle < 3; cycle++) {
      host.step(10, [1, 1])
      cur.push(vm0.present)
    }
    // guest free target = 0.2 × 15 %/20 % = 15 %; floor = used + 15 % × cur stays below 95 % of cur:
    // 1024 × 0.95 = 972.8 → 973; 973 × 0.95 = 924.35 → 924; 924 × 0.95 = 877.8 → 878
    expect(cur).toEqual([973, 924, 878])
    // the balloons took free pages, which the host never backed: its free memory did not move
    expect(host.summary.freeFraction).toBeCloseTo(0.15, 12)
    expect(vm0.guestSwapped).toBe(0)
    // VM 1 leaves at t = 30 s: 35 % free now. MoM's policy at t = 30 reads the mean of its samples at
    // t = 0, 5, …, 30: (6 × 15 % + 35 %)/7 = 17.86 % < 20 %: still shrinking, to max(878 × 0.95,
    // 650 + 0.1786 × 878) = 834.1 → 834 (read instantly, 35 % would have grown it to 963)
    host.remove(vm1)
    host.step(10, [1])
    expect(vm0.present).toBe(834)
    expect(host.averagedFreeFraction()).toBeCloseTo((6 * 0.15 + 2 * 0.35) / 8, 12)
    // t = 40: samples at 0 … 40: (6 × 15 % + 3 × 35 %)/9 = 21.67 %: MoM grows the guest by 5 %, or to
    // 650 + 0.2167 × 834 = 830.7: 834 × 1.05 = 875.7 → 876
    host.step(10, [1])
    expect(vm0.present).toBe(876)
    // the decisions are in the log with the averaged host free share that drove them
    const d = host.decisions.filter((x) => x.kind === 'balloon' && x.vm === 0)
    expect(d).toEqual([{ kind: 'balloon', at: 0, vm: 0, from: 1024 - 834, to: 1024 - 876, hostFree: 1.95 / 9 }])
  })
})
