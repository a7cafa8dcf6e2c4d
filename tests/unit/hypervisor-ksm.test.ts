// KSM: merging at the configured scan rate with ksm.rst's statistics, the two-scan rule, chains at
// max_page_sharing, copy-on-write, the balloon and registration, run=2, MoM's controller, checkpoints.
import { describe, expect, it } from 'vitest'
import { Ksm, momKsmPolicy, type KsmStats } from '../../engine/hypervisor/ksm'
import { GuestMemory } from '../../engine/hypervisor/guest-memory'
import { ZERO_TOKEN, isImageToken } from '../../engine/memory/image'
import type { ContentSpec } from '../../engine/memory/content'
import { streamFor } from '../../engine/random'

const PAGE = 4096
// 1000 pages per VM: 100 zero (free: not mapped, so never scanned), 400 from OS image 0, 500 unique
const spec: ContentSpec = { zero: 0.1, image: 0.4, imageId: 0 }
// 1000 pages per VM: 400 from OS image 0, 600 unique — every page mapped
const mapped: ContentSpec = { zero: 0, image: 0.4, imageId: 0 }

function tenVms(seed = 1, pages = 1000, content = mapped): GuestMemory[] {
  return Array.from({ length: 10 }, (_, i) =>
    GuestMemory.create(i, pages * PAGE, PAGE, content, streamFor(seed, 'vm', i)),
  )
}

function host(vms: GuestMemory[], tunables = {}): Ksm {
  const ksm = new Ksm(PAGE, { run: 1, pages_to_scan: 100, sleep_millisecs: 20, ...tunables })
  for (const vm of vms) ksm.register(vm)
  return ksm
}

function firstPage(vm: GuestMemory, test: (token: number) => boolean): number {
  for (let p = 0; p < vm.pages; p++) if (test(vm.image.tokens[p]!)) return p
  throw new Error('no such page')
}

function pick(s: KsmStats) {
  const { pages_shared, pages_sharing, pages_unshared, pages_volatile, full_scans, stable_node_chains } = s
  return { pages_shared, pages_sharing, pages_unshared, pages_volatile, full_scans, stable_node_chains }
}

describe('KSM', () => {
  it('starts off (run 0) with the Linux defaults', () => {
    const ksm = new Ksm(PAGE)
    expect(ksm.tunables).toEqual({ run: 0, pages_to_scan: 100, sleep_millisecs: 20, max_page_sharing: 256 })
    const vms = tenVms()
    for (const vm of vms) ksm.register(vm)
    ksm.advance(60_000)
    expect(ksm.stats().pages_scanned).toBe(0)
  })

  it('merges ten VMs of one image after two full scans at 100 pages / 20 ms; free pages are not scanned', () => {
    const vms = tenVms(1, 1000, spec)
    const ksm = host(vms)
    // 10 × 900 mapped pages (the 100 free pages of each VM are not mapped: skipped free of budget); a pass
    // takes floor(9000/100) + 1 = 91 wake-ups (the last one only finds the end): wake-ups at t = 0, 20, …,
    // 1800 ms, the next pass starts at 1820 ms.
    ksm.advance(1800) // wake-ups at 0 … 1780: all pages seen, the end not yet
    expect(ksm.stats().full_scans).toBe(0)
    expect(ksm.stats().pages_scanned).toBe(9000)
    ksm.advance(20) // the wake-up at t = 1800 finds the end of pass 1
    let s = ksm.stats()
    expect(s.full_scans).toBe(1)
    expect(s.pages_scanned).toBe(9000)
    // first visit: every page only gets its checksum remembered (volatile)
    expect(pick(s)).toEqual({
      pages_shared: 0,
      pages_sharing: 0,
      pages_unshared: 0,
      pages_volatile: 9000,
      full_scans: 1,
      stable_node_chains: 0,
    })

    // 45 more wake-ups (t = 1820 … 2700): pass 2 has covered VMs 0–4.
    ksm.advance(900)
    s = ksm.stats()
    expect(s.pages_scanned).toBe(13_500)
    // image: VM 0's 400 pages enter the unstable tree, VM 1's merge with them, VMs 2–4 join: 400 KSM
    // pages × 5 mappings. unique: 5 × 500 in the unstable tree. No zero page is merged: none is mapped.
    expect(pick(s)).toEqual({
      pages_shared: 400,
      pages_sharing: 400 * 4,
      pages_unshared: 2500,
      pages_volatile: 9000 - 400 - 1600 - 2500,
      full_scans: 1,
      stable_node_chains: 0,
    })

    ksm.advance(920) // t = 2720 … 3620: 45 wake-ups for VMs 5–9, one to find the end
    s = ksm.stats()
    expect(pick(s)).toEqual({
      pages_shared: 400,
      pages_sharing: 400 * 9,
      pages_unshared: 5000,
      pages_volatile: 0,
      full_scans: 2,
      stable_node_chains: 0,
    })
    expect(s.rmap_items).toBe(9000)
    expect(s.general_profit).toBe(3600 * 4096 - 9000 * 64)
    expect(ksm.savedPages).toBe(3600)
    expect(vms[3]!.ksmSlot!.merging).toBe(400)
    expect(ksm.zeroPagesMerged()).toBe(0)
    // a page the guest frees is released to the host (free page reporting): its rmap_item goes
    const p = firstPage(vms[3]!, (t) => t !== ZERO_TOKEN && !isImageToken(t))
    vms[3]!.release(p)
    expect(ksm.stats().rmap_items).toBe(8999)
    expect(ksm.stats().pages_unshared).toBe(4999)
  })

  it('breaks exactly one share for one write (copy on write), and rediscovers the page later', () => {
    const vms = tenVms()
    const ksm = host(vms)
    ksm.advance(4040)
    const before = ksm.stats()
    const vm = vms[3]!
    const p = firstPage(vm, isImageToken)
    expect(ksm.mappingsOf(vm, p)).toBe(10)
    vm.write(p)
    let s = ksm.stats()
    expect(s.pages_sharing).toBe(before.pages_sharing - 1)
    expect(s.pages_shared).toBe(before.pages_shared)
    expect(s.cow_ksm).toBe(1)
    expect(ksm.isMerged(vm, p)).toBe(false)
    vm.write(p) // already private: nothing more to break
    expect(ksm.stats().pages_sharing).toBe(before.pages_sharing - 1)
    expect(ksm.stats().cow_ksm).toBe(1)
    // next pass: its checksum changed (volatile); the one after: unchanged, into the unstable tree
    ksm.advance(2020)
    expect(ksm.stats().pages_volatile).toBe(1)
    ksm.advance(2020)
    s = ksm.stats()
    expect(s.pages_volatile).toBe(0)
    expect(s.pages_unshared).toBe(before.pages_unshared + 1)
    expect(s.full_scans).toBe(4)
  })

  it('counts a KSM page as shared while one mapping is left, and drops it with the last', () => {
    const vms = [0, 1].map((i) =>
      GuestMemory.create(i, 10 * PAGE, PAGE, { zero: 0, image: 1, imageId: 0 }, streamFor(1, 'vm', i)),
    )
    const ksm = host(vms)
    ksm.advance(40) // S = 20: one wake-up per pass
    expect(ksm.stats().pages_shared).toBe(10)
    expect(ksm.stats().pages_sharing).toBe(10)
    vms[0]!.write(4)
    expect([ksm.stats().pages_shared, ksm.stats().pages_sharing]).toEqual([10, 9])
    vms[1]!.write(4)
    expect([ksm.stats().pages_shared, ksm.stats().pages_sharing]).toEqual([9, 9])
  })

  it('finds a write it was not told of when it next scans the page (Linux lag)', () => {
    const vms = tenVms()
    const ksm = host(vms)
    ksm.advance(4040)
    const sharing = ksm.stats().pages_sharing
    const vm = vms[0]!
    const p = firstPage(vm, isImageToken)
    vm.image.write(p) // behind GuestMemory's back
    expect(ksm.stats().pages_sharing).toBe(sharing)
    ksm.advance(2020)
    expect(ksm.stats().pages_sharing).toBe(sharing - 1)
    expect(ksm.stats().cow_ksm).toBe(1)
  })

  it('chains KSM pages at max_page_sharing and reuses a dup that has room again', () => {
    // nine VMs of one page each, all holding page 0 of OS image 0
    const vms = Array.from({ length: 9 }, (_, i) =>
      GuestMemory.create(i, PAGE, PAGE, { zero: 0, image: 1, imageId: 0 }, streamFor(1, 'vm', i)),
    )
    const vm = vms[0]!
    const ksm = host(vms, { max_page_sharing: 4 })
    ksm.advance(40) // two passes of 9 pages
    // 9 identical pages: KSM pages of 4 and 4; the 9th finds both full and waits in the unstable tree
    let s = ksm.stats()
    expect([s.pages_shared, s.pages_sharing, s.pages_unshared]).toEqual([2, 6, 1])
    expect([s.stable_node_chains, s.stable_node_dups]).toEqual([1, 2])
    vm.write(0) // a mapping leaves the first KSM page: it has room again
    ksm.advance(20)
    s = ksm.stats()
    // the waiting page joins it; the written page is volatile
    expect([s.pages_shared, s.pages_sharing, s.pages_unshared, s.pages_volatile]).toEqual([2, 6, 0, 1])
    expect(() => ksm.set({ max_page_sharing: 8 })).toThrow(/no KSM pages/)
    expect(() => ksm.set({ max_page_sharing: 1 })).toThrow(/≥ 2/)
  })

  it('loses the sharing of a page the guest gives to its balloon', () => {
    const vms = tenVms()
    const ksm = host(vms)
    ksm.advance(4040)
    const s0 = ksm.stats()
    expect(vms[9]!.inflateOne()).toBe(1) // no free page: a page-cache (image) page, merged
    const s1 = ksm.stats()
    expect(s1.pages_sharing).toBe(s0.pages_sharing - 1)
    expect(s1.rmap_items).toBe(s0.rmap_items - 1)
    // the next pass has one page fewer: floor(9999/100) + 1 = 100 wake-ups
    const scanned = s1.pages_scanned
    ksm.advance(2000)
    expect(ksm.stats().pages_scanned - scanned).toBe(9999)
    expect(ksm.stats().full_scans).toBe(3)
  })

  it('drops a VM that leaves, and places a new one just behind the cursor', () => {
    const vms = tenVms()
    const ksm = host(vms)
    ksm.advance(4040)
    const s0 = ksm.stats()
    ksm.unregister(vms[9]!)
    const s1 = ksm.stats()
    // image KSM pages lose one mapping each
    expect(s1.pages_sharing).toBe(s0.pages_sharing - 400)
    expect(s1.pages_shared).toBe(s0.pages_shared)
    expect(s1.pages_unshared).toBe(s0.pages_unshared - 600)
    expect(s1.rmap_items).toBe(s0.rmap_items - 1000)
    expect(vms[9]!.ksmSlot).toBeNull()
    ksm.advance(1000) // mid-pass: cursor in VM 4
    ksm.register(vms[9]!)
    expect(ksm.slots.map((s) => s.vm.vm)).toEqual([0, 1, 2, 3, 9, 4, 5, 6, 7, 8])
  })

  it('unmerges everything with run = 2 and starts again with run = 1', () => {
    const vms = tenVms()
    const ksm = host(vms)
    ksm.advance(4040)
    ksm.set({ run: 2 })
    const s = ksm.stats()
    expect([s.pages_shared, s.pages_sharing, s.pages_unshared, s.rmap_items, s.full_scans]).toEqual([0, 0, 0, 0, 0])
    ksm.advance(10_000)
    expect(ksm.stats().pages_scanned).toBe(20_000)
    ksm.set({ run: 1 })
    ksm.advance(4040)
    expect(ksm.stats().pages_sharing).toBe(3600)
  })

  it('scans big simulated pages at the same byte rate (pages_to_scan counts 4 KiB pages)', () => {
    const big = 2 * 1024 * 1024 // one simulated page = 512 kernel pages
    const vms = Array.from({ length: 10 }, (_, i) => GuestMemory.create(i, 10 * big, big, spec, streamFor(1, 'vm', i)))
    const ksm = new Ksm(big, { run: 1, pages_to_scan: 1024, sleep_millisecs: 20 })
    for (const vm of vms) ksm.register(vm)
    // 2 simulated pages per wake-up; 90 mapped pages (each VM's free page is not) + the end:
    // ceil(91 × 512 / 1024) = 46 wake-ups
    ksm.advance(900)
    expect(ksm.stats().full_scans).toBe(0)
    expect(ksm.stats().pages_scanned).toBe(90)
    ksm.advance(20)
    expect(ksm.stats().full_scans).toBe(1)
    ksm.advance(920)
    const s = ksm.stats()
    expect(s.full_scans).toBe(2)
    // 4 image pages per VM: 4 KSM pages × 10 → shared 4, sharing 36
    expect([s.pages_shared, s.pages_sharing]).toEqual([4, 36])
    expect(s.general_profit).toBe(36 * big - 90 * 512 * 64)
  })

  it('lets wake-ups that cannot afford a big page only add budget', () => {
    const big = 2 * 1024 * 1024 // 512 kernel pages; 128 per wake-up: one page every 4 wake-ups
    const vm = GuestMemory.create(0, 4 * big, big, { zero: 0, image: 1, imageId: 0 }, streamFor(1, 'vm', 0))
    const ksm = new Ksm(big, { run: 1, pages_to_scan: 128, sleep_millisecs: 20 })
    ksm.register(vm)
    // 4 pages and the end: (4 + 1) × 512 / 128 = 20 wake-ups, at t = 0 … 380 ms
    ksm.advance(61) // wake-ups at 0, 20, 40, 60: the 4th scans page 0
    expect(ksm.stats().pages_scanned).toBe(1)
    ksm.advance(319) // up to t = 380 (exclusive): 19 wake-ups in all
    expect([ksm.stats().pages_scanned, ksm.stats().full_scans]).toEqual([4, 0])
    ksm.advance(1)
    expect(ksm.stats().full_scans).toBe(1)
  })

  it.each([
    { page: PAGE, pages: 300, toScan: 64, sleep: 20 },
    { page: 64 * 1024, pages: 40, toScan: 40, sleep: 10 }, // 16 kernel pages per page: 2.5 per wake-up
    { page: 2 * 1024 * 1024, pages: 12, toScan: 128, sleep: 10 }, // a page every 4 wake-ups
    { page: 2 * 1024 * 1024, pages: 12, toScan: 1250, sleep: 10 }, // MoM's maximum: 2.44 pages per wake-up
  ])(
    'batches wake-ups and skips identical passes without changing any result ($page B pages, $toScan per wake-up)',
    (c) => {
      const run = (fast: boolean) => {
        const vms = Array.from({ length: 10 }, (_, i) =>
          GuestMemory.create(i, c.pages * c.page, c.page, { zero: 0.3, image: 0.3, imageId: 1 }, streamFor(5, 'vm', i)),
        )
        const ksm = new Ksm(c.page, { run: 1, pages_to_scan: c.toScan, sleep_millisecs: c.sleep, max_page_sharing: 16 })
        for (const vm of vms) ksm.register(vm)
        ksm.fastForward = fast
        const writes = streamFor(9, 'writes', 0)
        const trace: unknown[] = []
        for (let step = 0; step < 12; step++) {
          for (let w = 0; w < 40; w++) vms[writes.int(0, 9)]!.write(writes.int(0, c.pages - 1))
          // balloon moves anywhere, often before the cursor
          if (step % 3 === 1) for (let b = 0; b < 3; b++) vms[writes.int(0, 9)]!.inflateOne()
          if (step % 4 === 2) vms[writes.int(0, 9)]!.deflateOne()
          ksm.advance(2000 + 777 * step)
          trace.push(ksm.stats())
        }
        const st = ksm.state()
        return { trace, cursor: st.cursor, slots: st.slots }
      }
      const fast = run(true)
      const slow = run(false)
      expect(fast.trace).toEqual(slow.trace)
      expect(fast.cursor).toEqual(slow.cursor)
      expect(fast.slots).toEqual(slow.slots)
      expect((fast.trace.at(-1) as KsmStats).full_scans).toBeGreaterThan(2)
    },
  )

  it('round-trips through state mid-pass and continues identically', () => {
    const vms = tenVms(1, 1000, spec)
    const ksm = host(vms)
    ksm.advance(3030)
    const clones = new Map(vms.map((vm) => [vm.vm, GuestMemory.fromState(vm.state())]))
    const copy = Ksm.fromState(ksm.state(), (id) => clones.get(id)!)
    for (const [k, m] of [
      [ksm, vms],
      [copy, [...clones.values()]],
    ] as const) {
      m[2]!.write(firstPage(m[2]!, isImageToken))
      m[7]!.write(firstPage(m[7]!, (t) => t === ZERO_TOKEN))
      k.advance(5000)
    }
    expect(copy.stats()).toEqual(ksm.stats())
    expect(copy.state()).toEqual(ksm.state())
  })
})

describe('MoM KSM policy', () => {
  const GiB = 1024 * 1024 // in KiB

  it('turns KSM off while memory is plentiful', () => {
    const ksm = new Ksm(PAGE, { run: 1 })
    momKsmPolicy(ksm, { memAvailableKiB: 64 * GiB, memFreeKiB: 40 * GiB, ksmShareableKiB: 20 * GiB })
    expect(ksm.tunables.run).toBe(0)
  })

  it('runs it, boosting pages_to_scan by 300 under pressure and decaying by 50 otherwise, within [64, 1250]', () => {
    const ksm = new Ksm(PAGE)
    // free 10 % < 20 %: pressure
    momKsmPolicy(ksm, { memAvailableKiB: 16 * GiB, memFreeKiB: 1.6 * GiB, ksmShareableKiB: 14 * GiB })
    expect(ksm.tunables).toMatchObject({ run: 1, sleep_millisecs: 10, pages_to_scan: 400 })
    for (let i = 0; i < 5; i++)
      momKsmPolicy(ksm, { memAvailableKiB: 16 * GiB, memFreeKiB: 1 * GiB, ksmShareableKiB: 14 * GiB })
    expect(ksm.tunables.pages_to_scan).toBe(1250)
    // free 30 %, but shareable + threshold ≥ available: still on, decaying
    momKsmPolicy(ksm, { memAvailableKiB: 16 * GiB, memFreeKiB: 4.8 * GiB, ksmShareableKiB: 14 * GiB })
    expect(ksm.tunables.pages_to_scan).toBe(1200)
    // small host: sleep = 10 ms × 16 GiB / 8 GiB
    momKsmPolicy(ksm, { memAvailableKiB: 8 * GiB, memFreeKiB: 1 * GiB, ksmShareableKiB: 7 * GiB })
    expect(ksm.tunables.sleep_millisecs).toBe(20)
    const big = new Ksm(PAGE, { pages_to_scan: 100 })
    momKsmPolicy(big, { memAvailableKiB: 256 * GiB, memFreeKiB: 100 * GiB, ksmShareableKiB: 240 * GiB })
    expect(big.tunables).toMatchObject({ run: 1, sleep_millisecs: 10, pages_to_scan: 64 })
  })

  it('unmerges when KSM is disabled for the cluster while pages are shared', () => {
    const vms = tenVms()
    const ksm = host(vms)
    ksm.advance(4040)
    momKsmPolicy(ksm, { memAvailableKiB: 16 * GiB, memFreeKiB: 1 * GiB, ksmShareableKiB: 14 * GiB, ksmEnabled: false })
    expect(ksm.tunables.run).toBe(2)
    expect(ksm.stats().pages_shared).toBe(0)
  })
})
