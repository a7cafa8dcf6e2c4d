// The fast memory model against a page-by-page reference. Two identical hosts run the same random history
// — guests booted from OS images, page writes (hot-cold and uniform), frees, MoM's balloons and KSM policy,
// host swap, guests leaving and coming back (a migration's unregister and register), KSM's tunables
// changed, run = 2 — one with the engine's Ksm (bit planes, word-at-a-time visits, skipped passes) and its
// guests written a word at a time, the other with tests/reference/ksm-reference.ts (ksmd literally, page by
// page, one wake-up at a time) and its guests written page by page through write() alone. After every step
// the KSM counters, every guest's pages and counts, and the host's outputs must be equal, to the last bit.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { BALLOON_DEFAULTS } from '../../engine/hypervisor/balloon'
import { GuestMemory } from '../../engine/hypervisor/guest-memory'
import { HostMemory } from '../../engine/hypervisor/host-memory'
import { Ksm, KSM_DEFAULTS, type KsmDaemon } from '../../engine/hypervisor/ksm'
import { PageWriter, type PageSink, type WritePattern } from '../../engine/workload/page-writes'
import { streamFor } from '../../engine/random'
import { ReferenceKsm, ReferenceSlot } from '../reference/ksm-reference'

const KiB = 1024
const MiB = 1024 * KiB

interface VmPlan {
  mib: number
  zero: number
  image: number
  imageId: number
  pattern: WritePattern
  writeKiBs: number
  hotShare: number
  vcpus: number
}

interface Plan {
  seed: number
  pageKiB: number
  ramShare: number
  ballooning: boolean
  momKsm: boolean
  swapMiB: number
  pagesToScan: number
  sleepMs: number
  maxSharing: number
  vms: VmPlan[]
  /** per step: seconds, and an event (0..9: none; 10+: see `event`) */
  steps: { dt: number; event: number; arg: number }[]
}

const vmPlan: fc.Arbitrary<VmPlan> = fc.record({
  mib: fc.integer({ min: 1, max: 6 }),
  zero: fc.integer({ min: 0, max: 50 }).map((x) => x / 100),
  image: fc.integer({ min: 0, max: 50 }).map((x) => x / 100),
  imageId: fc.constantFrom(0, 0, 0, 1),
  pattern: fc.constantFrom<WritePattern>('hot-cold', 'uniform', 'sequential'),
  writeKiBs: fc.integer({ min: 0, max: 256 }),
  hotShare: fc.double({ min: 0.5, max: 1, noNaN: true }),
  vcpus: fc.integer({ min: 1, max: 2 }),
})

const plan: fc.Arbitrary<Plan> = fc.record({
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  pageKiB: fc.constantFrom(4, 16, 64),
  ramShare: fc.double({ min: 0.4, max: 1.3, noNaN: true }),
  ballooning: fc.boolean(),
  momKsm: fc.boolean(),
  swapMiB: fc.integer({ min: 0, max: 8 }),
  pagesToScan: fc.integer({ min: 1, max: 3000 }),
  sleepMs: fc.integer({ min: 5, max: 200 }),
  maxSharing: fc.integer({ min: 2, max: 6 }),
  vms: fc.array(vmPlan, { minLength: 2, maxLength: 7 }),
  steps: fc.array(
    fc.record({
      dt: fc.integer({ min: 1, max: 60 }),
      event: fc.integer({ min: 0, max: 15 }),
      arg: fc.nat(),
    }),
    { minLength: 5, maxLength: 25 },
  ),
})

/** One of the two hosts: its memory, its guests (by VM id) and their writers. */
interface Twin {
  host: HostMemory
  ksm: KsmDaemon
  guests: GuestMemory[]
  writers: PageWriter[]
  sinks: PageSink[]
  /** VM ids on the host, in the host's order */
  resident: number[]
}

function twin(p: Plan, reference: boolean): Twin {
  const pageSize = p.pageKiB * KiB
  const guests = p.vms.map((v, id) =>
    GuestMemory.create(
      id,
      v.mib * MiB,
      pageSize,
      { zero: v.zero, image: v.image, imageId: v.imageId },
      streamFor(p.seed, 'vm', id),
    ),
  )
  const ramBytes = Math.max(pageSize * 64, Math.floor(p.ramShare * guests.reduce((s, g) => s + g.pages, 0)) * pageSize)
  const ksm: KsmDaemon = reference ? new ReferenceKsm(pageSize) : new Ksm(pageSize)
  const host = new HostMemory(
    {
      ramBytes,
      pageSize,
      reservedBytes: 0,
      ballooning: p.ballooning,
      // guests of a few MiB: a small reserve, a slow device (a balloon takes steps to move)
      balloon: {
        ...BALLOON_DEFAULTS,
        guestReserveBytes: 256 * KiB,
        inflateBytesPerSec: MiB / 8,
        deflateBytesPerSec: MiB / 4,
        guestSwapBytesPerSec: MiB / 16,
      },
      momKsm: p.momKsm,
      swap: { swapBytes: p.swapMiB * MiB, latencySec: 100e-6, bandwidthBytesPerSec: 256 * MiB, faultBytes: 4096 },
    },
    ksm,
  )
  ksm.set({
    ...KSM_DEFAULTS,
    run: 1,
    pages_to_scan: p.pagesToScan,
    sleep_millisecs: p.sleepMs,
    max_page_sharing: p.maxSharing,
  })
  const writers = p.vms.map((v, id) => {
    const w = PageWriter.forVm(
      p.seed,
      id,
      { pattern: v.pattern, bytesPerSecond: v.writeKiBs * KiB, hotBytes: (v.mib * MiB) / 4, hotFraction: v.hotShare },
      guests[id]!.image,
    )
    const hot = w.hotSet
    guests[id]!.setAccess({
      perSecond: w.writesPerSecond(),
      vcpus: v.vcpus,
      hotFirst: hot.first,
      hotPages: hot.pages,
      hotShare: v.hotShare,
    })
    return w
  })
  // the reference's guests are written page by page: one draw and one write() a page
  const sinks = guests.map((g): PageSink => (reference ? { write: (page) => g.write(page) } : g))
  for (const g of guests) host.add(g)
  return { host, ksm, guests, writers, sinks, resident: guests.map((_, id) => id) }
}

/** A step's event, the same on both twins. */
function event(t: Twin, p: Plan, e: number, arg: number): void {
  switch (e) {
    case 10: {
      // a guest frees a run of pages (free page reporting: the host discards them)
      const g = t.guests[arg % t.guests.length]!
      const first = arg % g.pages
      for (let q = first; q < Math.min(g.pages, first + 1 + (arg % 64)); q++) g.release(q)
      break
    }
    case 11: {
      // a guest leaves (migrates away; its KSM slot goes) or comes back (registered behind the cursor)
      const id = arg % t.guests.length
      const at = t.resident.indexOf(id)
      if (at >= 0 && t.resident.length > 1) {
        t.host.remove(t.guests[id]!)
        t.resident.splice(at, 1)
      } else if (at < 0) {
        t.host.add(t.guests[id]!)
        t.resident.push(id)
      }
      break
    }
    case 12:
      t.ksm.set({ pages_to_scan: 1 + (arg % 4000) })
      break
    case 13:
      t.ksm.set({ sleep_millisecs: 5 + (arg % 100) })
      break
    case 14:
      // stop and unmerge everything, change the chains' size while no KSM page exists, run again
      t.ksm.set({ run: 2 })
      t.ksm.set({ max_page_sharing: 2 + (arg % 5) })
      t.ksm.set({ run: 1 })
      break
    case 15:
      t.ksm.set({ run: t.ksm.tunables.run === 1 ? 0 : 1 })
      break
    default:
      break
  }
  void p
}

function step(t: Twin, dt: number): void {
  for (const id of t.resident) {
    const w = t.writers[id]!
    w.accrue(dt, 1)
    w.settle(t.sinks[id]!)
  }
  const busy = t.resident.map((id) => (t.guests[id]!.killed ? 0 : 1))
  t.host.step(dt, busy)
}

/** Everything the two hosts must agree on. */
function observed(t: Twin) {
  return {
    ksm: t.ksm.stats(),
    tunables: { ...t.ksm.tunables },
    slots: t.ksm.slots.map((s) => {
      const w = s.vm.ksmSlot as unknown as { merging: number; rmapItems: number }
      return { vm: s.vm.vm, merging: w.merging, rmapItems: w.rmapItems }
    }),
    stall: Array.from(t.host.stall),
    lost: Array.from(t.host.lostCpuSeconds),
    faults: Array.from(t.host.hostFaults),
    summary: { ...t.host.summary },
    guests: t.guests.map((g) => ({
      counts: [g.free, g.cache, g.used, g.balloon, g.hostSwapped, g.guestSwapped, g.guestSwapOuts, g.guestSwapIns],
      killed: g.killed,
      present: Buffer.from(Uint8Array.from({ length: g.pages }, (_, q) => (g.isPresent(q) ? 1 : 0))).toString('hex'),
      tokens: Buffer.from(g.image.tokens.buffer).toString('base64'),
    })),
  }
}

/** Which pages are merged, per guest: the reference's per-page places against the engine's planes. */
function merged(t: Twin): string[] {
  return t.guests.map((g) => {
    const slot = g.ksmSlot
    let bits = ''
    for (let q = 0; q < g.pages; q++) {
      const m =
        slot instanceof ReferenceSlot ? slot.where !== null && slot.where[q]! >= 0 : (t.ksm as Ksm).isMerged(g, q)
      bits += m ? '1' : '0'
    }
    return bits
  })
}

describe('KSM and guest memory against the page-by-page reference', () => {
  it('merge the same pages with the same counters, step after step, whatever happens', () => {
    // what the histories went through (so that the comparison is not of idle hosts)
    const seen = { sharing: 0, cow: 0, chains: 0, balloon: 0, hostSwap: 0, guestSwap: 0, left: 0 }
    fc.assert(
      fc.property(plan, (p) => {
        const fast = twin(p, false)
        const ref = twin(p, true)
        expect(observed(fast)).toEqual(observed(ref))
        for (const [i, s] of p.steps.entries()) {
          if (s.event >= 10) {
            event(fast, p, s.event, s.arg)
            event(ref, p, s.event, s.arg)
          }
          step(fast, s.dt)
          step(ref, s.dt)
          expect(observed(fast), `after step ${i}`).toEqual(observed(ref))
          expect(merged(fast), `merged pages after step ${i}`).toEqual(merged(ref))
          for (const g of fast.guests) expect(g.inconsistencies()).toEqual([])
          const k = fast.ksm.stats()
          if (k.pages_sharing > 0) seen.sharing++
          if (k.cow_ksm > 0) seen.cow++
          if (k.stable_node_chains > 0) seen.chains++
          if (fast.guests.some((g) => g.balloon > 0)) seen.balloon++
          if (fast.guests.some((g) => g.hostSwapped > 0)) seen.hostSwap++
          if (fast.guests.some((g) => g.guestSwapped > 0)) seen.guestSwap++
          if (fast.resident.length < fast.guests.length) seen.left++
        }
      }),
      { seed: 20261207, numRuns: 60, endOnFailure: true },
    )
    for (const [what, steps] of Object.entries(seen)) expect(steps, what).toBeGreaterThanOrEqual(10)
  })

  it('reads the reference’s per-page state and goes on scanning as the reference does', () => {
    fc.assert(
      fc.property(plan, (p) => {
        const ref = twin(p, true)
        for (const s of p.steps.slice(0, 6)) step(ref, s.dt)
        // the engine's KSM restored from the reference's state, over copies of the guests
        const copies = new Map(ref.guests.map((g) => [g.vm, GuestMemory.fromState(g.state())]))
        const restored = Ksm.fromState(ref.ksm.state(), (vm) => copies.get(vm)!)
        expect(restored.stats()).toEqual(ref.ksm.stats())
        for (const ms of [1000, 7000, 60000]) {
          restored.advance(ms)
          ref.ksm.advance(ms)
          expect(restored.stats()).toEqual(ref.ksm.stats())
        }
      }),
      { seed: 7, numRuns: 30, endOnFailure: true },
    )
  })
})
