// The host's memory over steps: host swap and its cost when guests do not fit (after balloons and KSM),
// the OOM killer, swap-in on touch, KSM savings, the coupling with CPU scheduling and migration,
// admission, checkpoints.
import { describe, expect, it } from 'vitest'
import { setBalloonTarget } from '../../engine/hypervisor/balloon'
import { CpuScheduler, VcpuTable } from '../../engine/hypervisor/cpu-scheduler'
import { HostMemory, type HostMemoryConfig } from '../../engine/hypervisor/host-memory'
import { swapReadSeconds } from '../../engine/hypervisor/host-swap'
import { GuestMemory } from '../../engine/hypervisor/guest-memory'
import type { Ksm } from '../../engine/hypervisor/ksm'
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

/** A guest touching its pages uniformly at `mibPerSecond` with `vcpus` vCPUs busy. */
function uniform(vm: GuestMemory, mibPerSecond: number, vcpus = 1): GuestMemory {
  vm.setAccess({ perSecond: mibPerSecond, vcpus, hotFirst: 0, hotPages: vm.pages, hotShare: 1 })
  return vm
}

// the swap device (defaults): 100 µs per 4 KiB fault, 256 MiB/s. A fault on a 1 MiB simulated page is
// 256 kernel faults: c = 256 × 100 µs + 1 MiB ÷ 256 MiB/s
const c = 256 * 100e-6 + 1 / 256

describe('HostMemory: host swap', () => {
  it('thrashes a working set larger than RAM: throughput collapses to 1/(1 + x)', () => {
    // a 2 GiB guest writing 400 MiB/s uniformly over all its memory, on a 1 GiB host
    const host = new HostMemory({ ramBytes: 1 * GiB, pageSize: MiB, reservedBytes: 0 })
    const vm = uniform(vmOf(0, 2048, unique), 400)
    host.add(vm, { ksm: false })
    host.step(10, [1])
    // 1024 pages do not fit: swapped out (half of the working set)
    expect(vm.hostSwapped).toBe(1024)
    // every second access finds its page swapped: x = 400 pages/s × ½ × c
    const x = 400 * 0.5 * c
    const run = 1 / (1 + x)
    expect(run).toBeLessThan(0.15) // the lesson: it runs at 14.5 % of its speed
    expect(host.stall[0]).toBeCloseTo(1 - run, 12)
    expect(host.lostCpuSeconds[0]).toBeCloseTo(10 * (1 - run), 9)
    // faults: its accesses at that speed that miss, 4 KiB each
    expect(host.hostFaults[0]).toBeCloseTo(10 * run * 400 * 0.5 * 256, 6)
    // the device: the 1024 pages written out, then each fault read back and another page pushed out
    const s = host.summary
    expect(s.hostSwapOutBytes).toBeCloseTo((1024 + 10 * run * 200) * MiB, 0)
    expect(s.hostSwapInBytes).toBeCloseTo(10 * run * 200 * MiB, 0)
    // the next step: the same thrashing (what comes back pushes out as much)
    host.step(10, [1])
    expect(vm.hostSwapped).toBeCloseTo(1024, 9)
    expect(host.stall[0]).toBeCloseTo(1 - run, 12)
    expect(host.summary.hostSwapOutBytes).toBeCloseTo(host.summary.hostSwapInBytes, 0)
  })

  it('is bounded by the swap device: past its bandwidth every faulting VM slows in proportion', () => {
    // 8 vCPUs writing 3200 MiB/s: per vCPU as above, 8 times the faults
    const host = new HostMemory({ ramBytes: 1 * GiB, pageSize: MiB, reservedBytes: 0 })
    const vm = uniform(vmOf(0, 2048, unique), 3200, 8)
    host.add(vm, { ksm: false })
    host.step(10, [8])
    host.step(10, [8]) // steady: nothing more to push out
    const r = 1 / (1 + 400 * 0.5 * c)
    // at the latency alone: 3200 × ½ × 10 × r faults, each read and each pushing a page out
    const faults = 3200 * 0.5 * 10 * r
    const capacity = 256 * 10 // pages the device moves in 10 s
    expect(2 * faults).toBeGreaterThan(capacity)
    const sigma = capacity / (2 * faults)
    expect(host.stall[0]).toBeCloseTo(1 - r * sigma, 12)
    expect(host.summary.hostSwapInBytes + host.summary.hostSwapOutBytes).toBeCloseTo(capacity * MiB, 0)
  })

  it('swaps a cold idle VM first, which costs it nothing until it runs', () => {
    // RAM 2 GiB: an idle 1 GiB guest and a busy 1.5 GiB guest writing a 256 MiB hot set
    const host = new HostMemory({ ramBytes: 2 * GiB, pageSize: MiB, reservedBytes: 0 })
    const idle = uniform(vmOf(0, 1024, unique), 8)
    const busy = vmOf(1, 1536, unique)
    busy.setAccess({ perSecond: 64, vcpus: 1, hotFirst: 0, hotPages: 256, hotShare: 0.9 })
    host.add(idle, { ksm: false })
    host.add(busy, { ksm: false })
    host.step(10, [0, 1])
    // 512 pages over RAM, all from the idle VM (nobody touches them); the busy one loses nothing
    expect([idle.hostSwapped, busy.hostSwapped]).toEqual([512, 0])
    expect([host.lostCpuSeconds[0], host.lostCpuSeconds[1]]).toEqual([0, 0])
    // the idle VM wakes up, touching its pages uniformly at 8 MiB/s (8/1024 per page and second): the
    // coldest pages are now the busy VM's cold ones (6.4 pages/s over 1280 pages: 0.005 per page and s)
    host.step(10, [1, 1])
    const back = 512 * -Math.expm1((-8 / 1024) * 10)
    // what it touched came back; as many of the busy VM's cold pages went out
    expect(idle.hostSwapped).toBeCloseTo(512 - back, 9)
    expect(busy.hostSwapped).toBeCloseTo(back, 9)
    expect(busy.hostSwappedHot).toBe(0)
    // the idle VM paid for the pages it brought back, the busy one for touching its cold pages out there
    // (pages out for the whole segment: the steady part), each r = (10 − c·back) / (10 + c·steady)
    const steadyIdle = (8 / 1024) * (512 - back) * 10
    const rIdle = (10 - c * back) / (10 + c * steadyIdle)
    expect(host.lostCpuSeconds[0]).toBeCloseTo(10 * (1 - rIdle), 9)
    const steadyBusy = (6.4 / 1280) * back * 10
    expect(host.lostCpuSeconds[1]).toBeCloseTo(10 * (1 - 10 / (10 + c * steadyBusy)), 9)
  })

  it('lets the CPU scheduler see the stall: shortfall = steal + what the VM spent blocked', () => {
    const host = new HostMemory({ ramBytes: 1 * GiB, pageSize: MiB, reservedBytes: 0 })
    host.add(uniform(vmOf(0, 2048, unique), 400), { ksm: false })
    host.step(10, [1])
    const t = new VcpuTable()
    t.set(0, 1)
    t.demand.set([1000])
    t.stall.set(host.stall.subarray(0, 1))
    new CpuScheduler().schedule({ cores: 4, mipsPerCore: 1000 }, t, [0], 1)
    const st = 1 - 1 / (1 + 400 * 0.5 * c)
    expect(t.granted[0]).toBeCloseTo(1000 * (1 - st), 9)
    expect(t.steal[0]).toBeCloseTo(0, 9)
    expect(t.shortfall[0]).toBeCloseTo(1000 * st, 9)
  })

  it('does not back free pages: a guest that is 90 % free memory does not swap (free page reporting)', () => {
    // the case: two 1.5 GiB guests on 2 GiB, but 90 % of their pages are free
    const { host, vms } = pressedHost({}, { zero: 0.9, image: 0, imageId: 0 })
    host.step(10, [1, 1])
    const s = host.summary
    // each backs round(0.1 × 1536) = 154 pages: 308 MiB of 2 GiB
    expect(vms[0]!.backed).toBe(154)
    expect(s.hostSwappedBytes).toBe(0)
    expect(s.residentBytes).toBe(308 * MiB)
    expect(s.freeFraction).toBeCloseTo(1 - 308 / 2048, 12)
    expect(s.pressure).toBe(0)
    expect(host.rssBytes(vms[0]!)).toBe(154 * MiB)
  })

  it('swaps only what balloons and KSM could not free (overcommit beyond RAM + balloon)', () => {
    // 25 % page cache each; the trainee balloons each guest down to 1152 MiB: 384 cache pages each go
    const { host, vms } = pressedHost({}, { zero: 0, image: 0.25, imageId: 0 })
    for (const vm of vms) setBalloonTarget(vm, 1152 * MiB)
    host.step(10, [0, 0])
    const s = host.summary
    expect(s.balloonBytes).toBe(768 * MiB)
    expect(vms[0]!.guestSwapped).toBe(0) // page cache only: dropped, no cost inside the guests
    // 2 × 1152 = 2304 backed pages on 2048: 256 swapped, the two idle guests equally cold: 128 each
    expect(s.hostSwappedBytes).toBe(256 * MiB)
    expect(vms[0]!.hostSwapped).toBe(128)
    expect(vms[1]!.hostSwapped).toBe(128)
  })

  it('charges guest swap for each write that needs a frame the balloon left to the guest’s own data', () => {
    const host = new HostMemory({ ramBytes: 4 * GiB, pageSize: MiB, reservedBytes: 0 })
    const vm = vmOf(0, 1024, { zero: 0.25, image: 0.25, imageId: 0 })
    host.add(vm, { ksm: false })
    setBalloonTarget(vm, 256 * MiB) // 768 pages: 256 free, 256 cache, 256 of its data to its swap
    host.step(60, [1])
    expect(vm.guestSwapped).toBe(256)
    // the workload writes 10 pages it had: present, no fault; then 10 that the balloon took (their data
    // is in the guest's swap): each needs a frame, which pushes another page of its data out
    const present = Array.from({ length: vm.pages }, (_, q) => q)
      .filter((q) => vm.isPresent(q))
      .slice(0, 10)
    const ballooned = Array.from({ length: vm.pages }, (_, q) => q)
      .filter((q) => !vm.isPresent(q))
      .slice(0, 10)
    for (const q of present) vm.write(q)
    expect(vm.guestMajorFaults).toBe(0)
    for (const q of ballooned) vm.write(q)
    expect(vm.guestMajorFaults).toBe(10)
    host.step(10, [1])
    // 10 guest major faults of 256 kernel pages at 200 µs
    expect(host.guestFaults[0]).toBe(10 * 256)
    expect(host.lostCpuSeconds[0]).toBeCloseTo(10 * 256 * 200e-6, 12)
    expect(host.stall[0]).toBeCloseTo((10 * 256 * 200e-6) / 10, 12)
    expect(host.summary.hostSwappedBytes).toBe(0)
  })

  it('kills the largest VM when swap is full (OOM)', () => {
    const { host, vms } = pressedHost({
      swap: { swapBytes: 512 * MiB, latencySec: 100e-6, bandwidthBytesPerSec: 256 * MiB, faultBytes: 4096 },
    })
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
    for (const vm of vms) uniform(vm, 100)
    host.step(10, [1, 1])
    // equally cold: each gives half of the 1024 pages over RAM
    expect([vms[0]!.hostSwapped, vms[1]!.hostSwapped]).toEqual([512, 512])
    host.remove(vms[1]!) // 1536 pages on 2048: room for VM 0's 512 swapped pages
    host.step(10, [1])
    // of 512 swapped pages touched at 100/1536 per page and second, 512 (1 − e^(−10 × 100/1536)) come back
    const rho = 100 / 1536
    const back = 512 * -Math.expm1(-rho * 10)
    expect(vms[0]!.hostSwapped).toBeCloseTo(512 - back, 9)
    // it waited for those, and touched the ones still out: r = (10 − c·back)/(10 + c·steady)
    const steady = rho * (512 - back) * 10
    const r = (10 - c * back) / (10 + c * steady)
    expect(host.lostCpuSeconds[0]).toBeCloseTo(10 * (1 - r), 9)
    expect(host.summary.hostSwapInBytes).toBeCloseTo((back + r * steady) * MiB, 3)
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
    // 1024 pages: 128 ballooned and 128 zero are not sent; 512 image + 256 unique are, merged or not
    // (free pages are not mapped: KSM merged only the image pages)
    const first = {
      pages: moving.pages,
      send: moving.pagesToSend,
      zero: moving.free,
      ballooned: moving.balloon,
      merged: moving.ksmSlot?.merging,
      hostSwapped: moving.hostSwapped,
    }
    expect(first).toEqual({ pages: 1024, send: 768, zero: 128, ballooned: 128, merged: 512, hostSwapped: 0 })
    expect(swapReadSeconds(moving)).toBe(0)
    const sharingA = a.ksm.stats().pages_sharing
    // switch-over as a shard does it (engine/lab/shard.ts): the state leaves A, a fresh copy arrives on B
    const sent = moving.state()
    a.remove(moving)
    const arrived = GuestMemory.fromState(sent)
    arrived.clearHostSwap()
    arrived.balloonCarry = 0
    b.add(arrived)
    // A loses the VM's 512 image shares
    expect(a.ksm.stats().pages_sharing).toBe(sharingA - 512)
    expect(arrived.balloon).toBe(128)
    expect((b.ksm as Ksm).isMerged(arrived, 0)).toBe(false)
    const before = b.ksm.stats().pages_sharing
    b.step(2, [1, 1])
    // B's ksmd merges it again: 512 image pages with VM 2's
    expect(b.ksm.stats().pages_sharing - before).toBe(512)
    expect(b.ksm.stats().stable_node_dups).toBe(0)
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
