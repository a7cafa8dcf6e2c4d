// The host's memory over steps: host swap and its cost when guests do not fit (after balloons and KSM),
// the OOM killer, swap-in on touch, KSM savings, the coupling with CPU scheduling and migration,
// admission, checkpoints.
import { describe, expect, it } from 'vitest'
import { setBalloonTarget } from '../../engine/hypervisor/balloon'
import { CpuScheduler, VcpuTable } from '../../engine/hypervisor/cpu-scheduler'
import {
  admitsRam,
  HostMemory,
  migrationPayload,
  moveByMigration,
  type HostMemoryConfig,
} from '../../engine/hypervisor/host-memory'
import { swapReadSeconds } from '../../engine/hypervisor/host-swap'
import { GuestMemory } from '../../engine/hypervisor/guest-memory'
import type { ContentSpec } from '../../engine/memory/content'
import { streamFor } from '../../engine/random'

const MiB = 1024 * 1024
const GiB = 1024 * MiB
const unique: ContentSpec = { zero: 0, image: 0, imageId: 0 }

function vmOf(id: number, mib: number, spec: ContentSpec, seed = 1): GuestMemory {
  return GuestMemory.create(id, mib * MiB, MiB, spec, streamFor(seed, 'vm', id))
}

function pressedHost(cfg: Partial<HostMemoryConfig> = {}, spec: ContentSpec = unique) {
  // RAM 2 GiB, nothing reserved, two guests of 1.5 GiB: 3 GiB of guests on 2 GiB
  const host = new HostMemory({ ramBytes: 2 * GiB, pageSize: MiB, reservedBytes: 0, ...cfg })
  const vms = [vmOf(0, 1536, spec), vmOf(1, 1536, spec)]
  for (const vm of vms) host.add(vm)
  return { host, vms }
}

// touches: 4 MiB/s per running vCPU = 1024 kernel pages/s; host swap latency 100 µs
const touches = 1024
const stallOf = (faultProbability: number, latency: number) => {
  const x = touches * faultProbability * latency
  return x / (1 + x)
}

describe('HostMemory', () => {
  it('swaps out what does not fit and charges the faults as lost CPU', () => {
    const { host, vms } = pressedHost()
    host.step(10, [1, 1])
    const s = host.summary
    // 3072 pages needed on 2048: 1024 swapped, 512 from each (in proportion to their private pages)
    expect(vms[0]!.hostSwapped).toBe(512)
    expect(vms[1]!.hostSwapped).toBe(512)
    expect(s.hostSwappedBytes).toBe(1 * GiB)
    expect(s.hostSwapOutBytes).toBe(1 * GiB)
    expect(s.residentBytes).toBe(2 * GiB)
    expect(s.freeBytes).toBe(0)
    expect(s.pressure).toBe(2)
    expect(s.overcommit).toBe(1.5)
    // a third of each VM's touches fault: x = 1024 × 1/3 × 100 µs
    const st = stallOf(1 / 3, 100e-6)
    expect(host.stall[0]).toBeCloseTo(st, 12)
    expect(host.lostCpuSeconds[0]).toBeCloseTo(10 * st, 12)
    expect(s.lostCpuSeconds).toBeCloseTo(20 * st, 12)
    expect(host.hostFaults[0]).toBeCloseTo(10 * (1 - st) * (touches / 3), 9)
    // an idle VM touches nothing and loses nothing
    host.step(10, [0, 1])
    expect(host.lostCpuSeconds[0]).toBe(0)
    expect(host.stall[0]).toBe(0)
  })

  it('lets the CPU scheduler see the stall: shortfall = steal + what the VM spent blocked', () => {
    const { host } = pressedHost()
    host.step(10, [1, 1])
    const t = new VcpuTable()
    t.set(0, 1)
    t.set(1, 1)
    t.demand.set([1000, 1000])
    t.stall.set(host.stall.subarray(0, 2))
    new CpuScheduler().schedule({ cores: 4, mipsPerCore: 1000 }, t, [0, 1], 2)
    const st = stallOf(1 / 3, 100e-6)
    expect(t.granted[0]).toBeCloseTo(1000 * (1 - st), 9)
    expect(t.steal[0]).toBeCloseTo(0, 9)
    expect(t.shortfall[0]).toBeCloseTo(1000 * st, 9)
  })

  it('swaps only what balloons and KSM could not free (overcommit beyond RAM + balloon)', () => {
    // 25 % of each guest is free memory; the trainee balloons each guest down to 1152 MiB (384 pages)
    const { host, vms } = pressedHost({}, { zero: 0.25, image: 0, imageId: 0 })
    for (const vm of vms) setBalloonTarget(vm, 1152 * MiB)
    host.step(10, [1, 1])
    const s = host.summary
    expect(s.balloonBytes).toBe(768 * MiB)
    expect(vms[0]!.guestSwapped).toBe(0) // free pages only: no cost inside the guests
    // 2 × 1152 = 2304 pages on 2048: 256 swapped, 128 each
    expect(s.hostSwappedBytes).toBe(256 * MiB)
    expect(vms[0]!.hostSwapped).toBe(128)
    expect(host.stall[0]).toBeCloseTo(stallOf(128 / 1152, 100e-6), 12)
  })

  it('charges guest swap when a balloon takes more than free memory and page cache', () => {
    const host = new HostMemory({ ramBytes: 4 * GiB, pageSize: MiB, reservedBytes: 0 })
    const vm = vmOf(0, 1024, { zero: 0.25, image: 0.25, imageId: 0 })
    host.add(vm, { ksm: false })
    setBalloonTarget(vm, 256 * MiB) // 768 pages: 256 free, 256 cache, 256 of its data to its swap
    host.step(60, [1])
    expect(vm.guestSwapped).toBe(256)
    host.step(10, [1])
    const s = host.summary
    expect(s.hostSwappedBytes).toBe(0)
    expect(s.guestSwappedBytes).toBe(256 * MiB)
    // half of the guest's data is in its swap: x = 1024 × 0.5 × 200 µs
    expect(host.stall[0]).toBeCloseTo(stallOf(0.5, 200e-6), 12)
    expect(host.guestFaults[0]).toBeCloseTo(10 * (1 - stallOf(0.5, 200e-6)) * touches * 0.5, 9)
  })

  it('kills the largest VM when swap is full (OOM)', () => {
    const { host, vms } = pressedHost({ swap: { swapBytes: 512 * MiB, latencySec: 100e-6, faultBytes: 4096 } })
    host.step(10, [1, 1])
    const s = host.summary
    // 1024 pages over RAM, 512 of swap: VM 0 (largest, first) is killed; VM 1 fits
    expect(host.killed).toEqual([0])
    expect(s.oomKills).toBe(1)
    expect(vms[0]!.killed).toBe(true)
    expect(s.hostSwappedBytes).toBe(0)
    expect(s.configuredBytes).toBe(1536 * MiB)
    host.remove(vms[0]!)
    expect(host.vms.length).toBe(1)
  })

  it('brings touched pages back once RAM has room again', () => {
    const { host, vms } = pressedHost()
    host.step(10, [1, 1])
    host.remove(vms[1]!) // 1536 pages on 2048: room for VM 0's 512 swapped pages
    host.step(10, [1])
    const st = stallOf(1 / 3, 100e-6)
    // faults in 10 s: 10 × (1 − st) × 1024/3 kernel pages = that / 256 simulated pages
    const back = (10 * (1 - st) * (touches / 3)) / 256
    expect(vms[0]!.hostSwapped).toBeCloseTo(512 - back, 9)
    expect(host.summary.hostSwapInBytes).toBeCloseTo(back * MiB, 3)
  })

  it('counts KSM savings in what the host needs', () => {
    const host = new HostMemory({ ramBytes: 2 * GiB, pageSize: MiB, reservedBytes: 0 })
    // 100 simulated (1 MiB) pages per 20 ms wake-up: 25,600 kernel pages
    host.ksm.set({ run: 1, pages_to_scan: 25_600 })
    const vms = [0, 1].map((i) => vmOf(i, 1024, { zero: 0, image: 0.5, imageId: 3 }))
    for (const vm of vms) host.add(vm)
    host.step(0.5, [1, 1]) // not two passes yet (2 × 21 wake-ups = 0.84 s)
    let s = host.summary
    expect(s.ksmSavedBytes).toBe(0)
    expect(s.freeFraction).toBe(0)
    host.step(0.5, [1, 1])
    s = host.summary
    expect(s.ksmSavedBytes).toBe(512 * MiB)
    expect(s.savedBytes).toBe(512 * MiB)
    expect(s.residentBytes).toBe(1536 * MiB)
    expect(s.freeFraction).toBe(0.25)
    expect(s.pressure).toBe(0)
    expect(host.rssBytes(vms[0]!)).toBe(1 * GiB) // each QEMU still maps all its pages
  })

  it('admits by RAM allocation ratio (Nova: reserve 512 MiB, ratio 1.0)', () => {
    expect(admitsRam(16 * GiB, 15 * GiB, 512 * MiB)).toBe(true)
    expect(admitsRam(16 * GiB, 15 * GiB, 513 * MiB)).toBe(false)
    expect(admitsRam(16 * GiB, 20 * GiB, 2 * GiB, 1.5)).toBe(true) // (16 − 0.5) × 1.5 = 23.25
  })

  it('describes and carries out the memory side of a migration', () => {
    const a = new HostMemory({ ramBytes: 8 * GiB, pageSize: MiB, reservedBytes: 0 })
    const b = new HostMemory({ ramBytes: 8 * GiB, pageSize: MiB, reservedBytes: 0 })
    for (const h of [a, b]) h.ksm.set({ run: 1, pages_to_scan: 25_600 })
    const spec: ContentSpec = { zero: 0.25, image: 0.5, imageId: 1 }
    const moving = vmOf(0, 1024, spec)
    a.add(moving)
    a.add(vmOf(1, 1024, spec))
    b.add(vmOf(2, 1024, spec))
    setBalloonTarget(moving, 896 * MiB) // 128 free pages into the balloon
    a.step(2, [1, 1])
    b.step(2, [1])
    const payload = migrationPayload(moving)
    // 1024 pages: 128 ballooned and 128 zero are not sent; 512 image + 256 unique are, merged or not
    expect(payload).toEqual({ pages: 1024, send: 768, zero: 128, ballooned: 128, merged: 640, hostSwapped: 0 })
    expect(swapReadSeconds(moving)).toBe(0)
    const sharingA = a.ksm.stats().pages_sharing
    const arrived = moveByMigration(moving, a, b)
    // A loses the VM's 512 image shares and its zero-page shares
    expect(a.ksm.stats().pages_sharing).toBe(sharingA - 512 - 128)
    expect(arrived.balloon).toBe(128)
    expect(b.ksm.isMerged(arrived, 0)).toBe(false)
    const before = b.ksm.stats().pages_sharing
    b.step(2, [1, 1])
    // B's ksmd merges it again: 512 image pages with VM 2's; VM 2's 256 zero pages already fill one KSM
    // page (max_page_sharing 256), so the 128 arriving zero pages make a new one: 127 saved
    expect(b.ksm.stats().pages_sharing - before).toBe(512 + 127)
    expect(b.ksm.stats().stable_node_dups).toBe(2)
  })

  it('round-trips through state and continues identically', () => {
    const cfg = { ramBytes: 3 * GiB, pageSize: MiB, reservedBytes: 256 * MiB, ballooning: true, momKsm: true }
    const spec: ContentSpec = { zero: 0.3, image: 0.3, imageId: 2 }
    const host = new HostMemory(cfg)
    const vms = [0, 1, 2].map((i) => vmOf(i, 1280, spec, 4))
    for (const vm of vms) host.add(vm)
    const busy = [1, 2, 0.5]
    const writes = (list: GuestMemory[], step: number) => {
      const w = streamFor(11, 'writes', step)
      for (let i = 0; i < 200; i++) list[w.int(0, 2)]!.write(w.int(0, 1279))
    }
    for (let step = 0; step < 3; step++) {
      writes(vms, step)
      host.step(35, busy)
    }
    const saved = { host: host.state(), vms: vms.map((v) => v.state()) }
    const clones = new Map(saved.vms.map((s) => [s.image.vm, GuestMemory.fromState(s)]))
    const copy = HostMemory.fromState(saved.host, (id) => clones.get(id)!)
    const run = (h: HostMemory, list: GuestMemory[]) => {
      const out: unknown[] = []
      for (let step = 3; step < 8; step++) {
        writes(list, step)
        h.step(35, busy)
        const s = h.summary
        out.push(
          { ...s },
          h.ksm.stats(),
          Array.from(h.stall.subarray(0, 3)),
          list.map((v) => v.balloon),
        )
      }
      return out
    }
    const original = run(host, vms)
    const restored = run(
      copy,
      [0, 1, 2].map((i) => clones.get(i)!),
    )
    expect(restored).toEqual(original)
    expect(copy.state()).toEqual(host.state())
    expect(host.summary.balloonBytes).toBeGreaterThan(0) // the policies did act
    expect(host.ksm.stats().pages_sharing).toBeGreaterThan(0)
  })
})
