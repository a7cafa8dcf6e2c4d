// A live migration's guest writes go through the guest's memory (GuestMemory), as every other write does:
// its free / cache / used counts, its balloon and KSM's sharing stay exact while it moves. (They went
// into the image behind the guest's back and were recounted when the migration ended: meanwhile a balloon
// inflating went by stale counts and threw "no present page of kind … although counted", writes landed
// on ballooned pages, and KSM kept merged pages the guest had overwritten.)
import { describe, expect, it } from 'vitest'
import { GuestMemory } from '../../engine/hypervisor/guest-memory'
import { Ksm } from '../../engine/hypervisor/ksm'
import { LiveMigration, type MigrationParams } from '../../engine/migration'
import { PageWriter } from '../../engine/workload/page-writes'
import { streamFor } from '../../engine/random'

const PAGE = 4096
const PAGES = 64
/** no setup, device state or resume time; no timeout (the default, 150 s per GiB, is 37 ms here) */
const BARE: Partial<MigrationParams> = { setupTime: 0, deviceStateBytes: 0, resumeTime: 0, completionTimeout: 1e6 }
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i)

function guestOf(vm: number, content: { zero: number; image: number }) {
  return GuestMemory.create(vm, PAGES * PAGE, PAGE, { ...content, imageId: 0 }, streamFor(1, 'vm', vm))
}

/** Sequential writes over all of memory from page 0, two pages a second at full activity. */
function sequential(guest: GuestMemory) {
  return PageWriter.forVm(1, guest.vm, { pattern: 'sequential', bytesPerSecond: 2 * PAGE }, guest.image)
}

describe('a live migration writes through the guest', () => {
  it('writes to ballooned pages land on the frames the guest allocates for them, counted', () => {
    // 64 free pages; the balloon takes the first free ones: pages 0…15
    const guest = guestOf(0, { zero: 1, image: 0 })
    for (let i = 0; i < 16; i++) guest.inflateOne()
    expect(range(0, PAGES).filter((p) => !guest.isPresent(p))).toEqual(range(0, 16))
    const writer = sequential(guest)
    const m = new LiveMigration(guest.image, writer, BARE, guest)
    // no bandwidth: nothing is sent, the guest runs at full speed in the bulk stage: 20 writes in 10 s,
    // to pages 0…19
    for (let s = 0; s < 10; s++) m.advance(1, 0)
    expect(m.phase).toEqual({ kind: 'precopy', round: 0 })
    expect(writer.written).toBe(20)
    // pages 0…15 are ballooned: their writes took the allocator's next free frames, 16…31; the writes to
    // pages 16…19 then found those frames written already
    expect([guest.free, guest.cache, guest.used, guest.balloon]).toEqual([32, 0, 16, 16])
    expect(guest.inconsistencies()).toEqual([])
    // KVM's dirty log holds the frames written, not the ballooned pages
    expect(range(0, PAGES).filter((p) => guest.image.isDirty(p))).toEqual(range(16, 32))
    // and the balloon goes on from exact counts: 32 free pages left, then data pushed to the guest's swap
    for (let i = 0; i < 40; i++) guest.inflateOne()
    expect([guest.free, guest.used, guest.balloon, guest.guestSwapped]).toEqual([0, 8, 56, 8])
    expect(guest.inconsistencies()).toEqual([])
  })

  it("breaks KSM's sharing of a merged page the moment the migrating guest writes it", () => {
    // two guests of the same OS image, every page page cache: ksmd merges them page for page
    const guests = [guestOf(0, { zero: 0, image: 1 }), guestOf(1, { zero: 0, image: 1 })]
    const ksm = new Ksm(PAGE, { run: 1 })
    for (const g of guests) ksm.register(g)
    ksm.advance(1000)
    expect(ksm.stats().pages_sharing).toBe(PAGES)
    const [moving] = guests as [GuestMemory]
    const m = new LiveMigration(moving.image, sequential(moving), BARE, moving)
    for (let s = 0; s < 5; s++) m.advance(1, 0)
    // 10 writes, pages 0…9: page cache overwritten with the guest's own data, each mapping broken at once
    expect([moving.cache, moving.used]).toEqual([PAGES - 10, 10])
    expect(range(0, PAGES).filter((p) => !ksm.isMerged(moving, p))).toEqual(range(0, 10))
    expect(ksm.stats().pages_sharing).toBe(PAGES - 10)
    expect(moving.inconsistencies()).toEqual([])
  })

  it('post-copy faults on the frames the guest touches; a ballooned page holds nothing after', () => {
    const guest = guestOf(0, { zero: 0.5, image: 0.25 })
    for (let i = 0; i < 16; i++) guest.inflateOne()
    const writer = PageWriter.forVm(1, 0, { pattern: 'uniform', bytesPerSecond: 40 * PAGE }, guest.image)
    const m = new LiveMigration(guest.image, writer, { ...BARE, mode: 'postcopy' }, guest)
    // 4 pages a second on the wire: the guest runs on the destination long before its pages are there
    for (let s = 0; s < 60 && !m.isFinished(); s++) {
      m.advance(1, 4 * (PAGE + 8))
      expect(guest.inconsistencies()).toEqual([])
    }
    const info = m.info()
    expect(info.status).toBe('completed')
    expect(info.ram['postcopy-requests']).toBeGreaterThan(0)
    // every page crossed once, the ballooned ones as zero pages
    expect(info.ram.normal + info.ram.duplicate).toBe(PAGES)
    expect(range(0, PAGES).filter((p) => !guest.isPresent(p) && guest.image.tokens[p] !== 0)).toEqual([])
  })
})
