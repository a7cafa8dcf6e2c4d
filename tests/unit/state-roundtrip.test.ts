// Round trips of the engine's state()/fromState() pairs below the lab (random streams, memory images, page
// writers, guest memory, KSM, host memory, the CPU table, live migrations, snapshot trees) on randomised
// states: see state-fields.ts for what is checked. The lab's own pairs are in state-roundtrip-lab.test.ts.
import fc from 'fast-check'
import { describe, it } from 'vitest'
import { RandomStream, streamFor } from '../../engine/random'
import { MemoryImage, ZERO_TOKEN, imageToken } from '../../engine/memory/image'
import { TokenTable } from '../../engine/hypervisor/token-table'
import { CpuScheduler, VcpuTable } from '../../engine/hypervisor/cpu-scheduler'
import { PageWriter, type PageWriteSpec } from '../../engine/workload/page-writes'
import { GuestMemory } from '../../engine/hypervisor/guest-memory'
import { HostMemory } from '../../engine/hypervisor/host-memory'
import { HOST_SWAP_DEFAULTS } from '../../engine/hypervisor/host-swap'
import { setBalloonTarget } from '../../engine/hypervisor/balloon'
import { LiveMigration } from '../../engine/migration'
import { SnapshotTree } from '../../engine/checkpoint/snapshot-tree'
import { checkRoundTrip } from './state-fields'

const constructed = (cls: string, keys: string[]) => Object.fromEntries(keys.map((k) => [`${cls}.${k}`, CONSTRUCTED]))
const PAGE_WRITER_CONSTRUCTED = [
  'spec',
  'pageCount',
  'pageSize',
  'perSecond',
  'pattern',
  'hotFirst',
  'hotPages',
  'hotFraction',
  'coldPages',
]
const REFERENCE = 'a reference to an object compared where it first appears (the same object in both trees)'
const CONSTRUCTED = 'a construction parameter, the same in a fresh object of the plan'

/** A number spread evenly over [min, max] (fc.double spreads over the bit patterns: mostly tiny values). */
const uniform = (min: number, max: number) =>
  fc.noBias(fc.integer({ min: 0, max: 1_000_000 })).map((k) => min + ((max - min) * k) / 1_000_000)

const stream = (plan: { seed: number; id: number }) => streamFor(plan.seed, 'round-trip', plan.id)
const draw = (s: RandomStream, op: number) => (op === 0 ? s.float() : op === 1 ? s.normal() : s.int(-5, 1000))

/** An image alone has no balloon: the guest marks its pages (GuestMemory, whose case moves it). */
const ABSENT = 'pages held by the balloon, marked by GuestMemory (its state carries them as flags)'

describe('state round trips', () => {
  it('RandomStream', async () => {
    await checkRoundTrip({
      plan: fc.record({
        seed: fc.nat(),
        id: fc.nat(1000),
        ops: fc.array(fc.integer({ min: 0, max: 2 }), { maxLength: 25 }),
      }),
      fresh: (p) => stream(p),
      drive: (s, p) => p.ops.forEach((op) => draw(s, op)),
      more: (s, p) => p.ops.forEach((op) => draw(s, (op + 1) % 3)),
      save: (s) => s.state(),
      restore: (s) => RandomStream.fromState(s),
    })
  })

  it('MemoryImage', async () => {
    type Op = { write: number } | { set: number; token: number } | { log: 'start' | 'stop' | 'sync' }
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ write: fc.nat(199) }),
      fc.record({ set: fc.nat(199), token: fc.nat(1000) }),
      fc.record({ log: fc.constantFrom('start' as const, 'stop' as const, 'sync' as const) }),
    )
    const apply = (image: MemoryImage, ops: Op[]) => {
      for (const o of ops) {
        if ('write' in o) image.write(o.write % image.pageCount)
        else if ('set' in o)
          image.setToken(o.set % image.pageCount, o.token === 0 ? ZERO_TOKEN : imageToken(0, o.token))
        else if (o.log === 'start') image.startLogging()
        else if (o.log === 'stop') image.stopLogging()
        else image.syncDirty()
      }
    }
    await checkRoundTrip({
      plan: fc.record({
        vm: fc.nat(50),
        pages: fc.integer({ min: 1, max: 200 }),
        pageShift: fc.integer({ min: 9, max: 16 }),
        ops: fc.array(op, { maxLength: 60, size: 'max' }),
      }),
      fresh: (p) => new MemoryImage(p.vm, p.pages * 2 ** p.pageShift, 2 ** p.pageShift),
      drive: (image, p) => apply(image, p.ops),
      more: (image, p) => apply(image, p.ops.slice().reverse()),
      save: (image) => image.state(),
      restore: (s) => MemoryImage.fromState(s),
      unmoved: {
        'MemoryImage.pageSize': CONSTRUCTED,
        'MemoryImage.pageCount': CONSTRUCTED,
        'MemoryImage.vm': CONSTRUCTED,
        'MemoryImage.uniqueBase': CONSTRUCTED,
        'MemoryImage.absent': ABSENT,
      },
    })
  })

  it('PageWriter', async () => {
    type Op = { accrue: number; activity: number } | { stall: number } | { next: number } | { flush: boolean }
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({
        accrue: uniform(0, 30),
        activity: uniform(0, 1),
      }),
      fc.record({ stall: uniform(0, 5) }),
      fc.record({ next: fc.integer({ min: 1, max: 5 }) }),
      fc.record({ flush: fc.boolean() }),
    )
    const spec: fc.Arbitrary<PageWriteSpec> = fc.record({
      pattern: fc.constantFrom('uniform' as const, 'hot-cold' as const, 'sequential' as const),
      bytesPerSecond: fc.integer({ min: 0, max: 64 * 4096 }),
      hotBytes: fc.option(fc.integer({ min: 4096, max: 100 * 4096 }), { nil: undefined }),
      hotFraction: fc.option(uniform(0, 1), { nil: undefined }),
      hotOffset: fc.option(fc.integer({ min: 0, max: 300 * 4096 }), { nil: undefined }),
    })
    const apply = (w: PageWriter, image: MemoryImage, ops: Op[]) => {
      for (const o of ops) {
        if ('accrue' in o) w.accrue(o.accrue, o.activity)
        else if ('stall' in o) w.stall(o.stall, 1)
        else if ('next' in o) for (let i = 0; i < o.next; i++) image.write(w.nextPage())
        else if (o.flush) w.flush(image)
        else w.settle(image)
      }
    }
    const images = new WeakMap<PageWriter, MemoryImage>()
    const writer = (p: { pages: number; spec: PageWriteSpec; seed: number }, w?: PageWriter) => {
      const image = new MemoryImage(0, p.pages * 4096, 4096)
      const out = w ?? new PageWriter(p.spec, image.pageCount, 4096, streamFor(p.seed, 'page-writes', 0))
      images.set(out, image)
      return out
    }
    await checkRoundTrip({
      plan: fc.record({
        pages: fc.integer({ min: 1, max: 300 }),
        spec,
        seed: fc.nat(),
        ops: fc.array(op, { maxLength: 30, size: 'max' }),
      }),
      fresh: (p) => writer(p),
      drive: (w, p) => apply(w, images.get(w)!, p.ops),
      more: (w, p) => apply(w, images.get(w)!, [{ accrue: 7, activity: 0.5 }, ...p.ops]),
      save: (w) => w.state(),
      restore: (s, p) => writer(p, PageWriter.fromState(s)),
      unmoved: {
        ...constructed('PageWriter', PAGE_WRITER_CONSTRUCTED),
        'RandomStream.spare': 'a page writer draws uniforms only (the RandomStream case moves it)',
      },
    })
  })

  it('TokenTable', async () => {
    type Op = { set: number; value: number } | { del: number } | { clear: true }
    const op: fc.Arbitrary<Op> = fc.oneof(
      { weight: 8, arbitrary: fc.record({ set: fc.nat(200), value: fc.nat(1e6) }) },
      { weight: 3, arbitrary: fc.record({ del: fc.nat(60) }) },
      { weight: 1, arbitrary: fc.constant({ clear: true as const }) },
    )
    // keys: small integers and large tokens (above 2^32), as KSM stores them
    const key = (k: number) => (k % 2 ? k : 2 ** 40 + k * 7919)
    const apply = (t: TokenTable, ops: Op[]) => {
      for (const o of ops) {
        if ('set' in o) t.set(key(o.set), o.value)
        else if ('del' in o) t.delete(key(o.del))
        else t.clear()
      }
    }
    await checkRoundTrip({
      plan: fc.record({
        capacity: fc.integer({ min: 1, max: 40 }),
        ops: fc.array(op, { maxLength: 200, size: 'max' }),
      }),
      fresh: (p) => new TokenTable(p.capacity),
      drive: (t, p) => apply(t, p.ops),
      more: (t, p) => apply(t, p.ops.slice(0, 40)),
      save: (t) => t.state(),
      restore: (s) => TokenTable.fromState(s),
    })
  })

  it('VcpuTable', async () => {
    const vm = fc.record({
      slot: fc.nat(20),
      vcpus: fc.integer({ min: 1, max: 8 }),
      weight: fc.integer({ min: 1, max: 10000 }),
      cap: fc.oneof(fc.constant(Infinity), fc.integer({ min: 100, max: 8000 })),
      demand: uniform(0, 9000),
      stall: uniform(0, 0.9),
    })
    type VmRow = { slot: number; vcpus: number; weight: number; cap: number; demand: number; stall: number }
    const scheduler = new CpuScheduler()
    const apply = (t: VcpuTable, vms: VmRow[], cores: number) => {
      for (const v of vms) {
        t.set(v.slot, v.vcpus, v.weight, v.cap)
        t.demand[v.slot] = v.demand
        t.stall[v.slot] = v.stall
      }
      const slots = [...new Set(vms.map((v) => v.slot))]
      scheduler.schedule({ cores, mipsPerCore: 1000 }, t, slots, slots.length)
    }
    await checkRoundTrip({
      plan: fc.record({
        capacity: fc.integer({ min: 1, max: 30 }),
        cores: fc.integer({ min: 1, max: 8 }),
        vms: fc.array(vm, { maxLength: 12, size: 'max' }),
      }),
      fresh: (p) => new VcpuTable(p.capacity),
      drive: (t, p) => apply(t, p.vms, p.cores),
      more: (t, p) =>
        apply(
          t,
          p.vms.map((v) => ({ ...v, demand: v.demand / 2 })),
          p.cores,
        ),
      save: (t) => t.state(),
      restore: (s) => VcpuTable.fromState(s),
    })
  })

  it('GuestMemory', async () => {
    type Op =
      | { write: number }
      | { release: number }
      | { inflate: number }
      | { deflate: number }
      | { set: number }
      | { log: boolean }
      | { access: number; hot: number; share: number }
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ write: fc.nat(99) }),
      // the guest's page-write model as the host's swap model reads it
      fc.record({ access: fc.nat(1000), hot: fc.nat(120), share: uniform(0, 1) }),
      fc.record({ log: fc.boolean() }),
      fc.record({ release: fc.nat(99) }),
      fc.record({ inflate: fc.integer({ min: 1, max: 20 }) }),
      fc.record({ deflate: fc.integer({ min: 1, max: 20 }) }),
      fc.record({ set: fc.nat(1000) }),
    )
    const apply = (g: GuestMemory, ops: Op[]) => {
      for (const o of ops) {
        if ('write' in o) g.write(o.write % g.pages)
        else if ('release' in o) g.release(o.release % g.pages)
        else if ('inflate' in o) for (let i = 0; i < o.inflate; i++) g.inflateOne()
        else if ('deflate' in o) for (let i = 0; i < o.deflate; i++) g.deflateOne()
        else if ('access' in o)
          g.setAccess({
            perSecond: o.access,
            vcpus: 1 + (o.access % 4),
            hotFirst: o.hot % g.pages,
            hotPages: o.hot,
            hotShare: o.share,
          })
        else if ('log' in o) {
          // a migration or a snapshot chain logs the guest's writes
          if (o.log) g.image.startLogging()
          else g.image.syncDirty()
        } else {
          // what the balloon driver, host swap and the OOM killer set on a guest
          const k = o.set
          g.balloonTarget = k % g.pages
          g.balloonAuto = k % 3 === 0
          g.balloonMinPages = k % 7
          g.balloonCarry = (k % 11) / 10
          g.hostSwapped = Math.min(g.present, k % 13)
          g.hostSwappedHot = g.hostSwapped / 2
          g.guestMajorFaults += k % 3
          g.hostSwapOuts += k % 5
          g.hostSwapIns += k % 4
          g.killed = k % 5 === 0
        }
      }
    }
    await checkRoundTrip({
      plan: fc.record({
        vm: fc.nat(9),
        pages: fc.integer({ min: 1, max: 100 }),
        zero: uniform(0, 0.5),
        image: uniform(0, 0.5),
        seed: fc.nat(),
        ops: fc.array(op, { maxLength: 40, size: 'max' }),
      }),
      fresh: (p) =>
        GuestMemory.create(
          p.vm,
          p.pages * 4096,
          4096,
          { zero: p.zero, image: p.image, imageId: 1 },
          streamFor(p.seed, 'vm-memory', p.vm),
        ),
      drive: (g, p) => apply(g, p.ops),
      more: (g, p) => apply(g, p.ops.slice().reverse()),
      save: (g) => g.state(),
      restore: (s) => GuestMemory.fromState(s),
      // the balloon's page stack above its size holds pages already given back: never read
      unmoved: {
        ...constructed('GuestMemory', ['pages', 'pageSize']),
        ...constructed('MemoryImage', ['pageCount', 'pageSize', 'vm', 'uniqueBase']),
        'GuestMemory.ksmSlot': 'set by Ksm.register; the host memory case checks that KSM re-attaches it',
        'MemoryImage.changed':
          'every page of a booted guest changed since KSM last looked, and only KSM clears it: the host memory case moves it',
      },
    })
  })

  it('HostMemory, with its KSM and its guests', async () => {
    type Op =
      | { step: number; busy: number }
      | { write: number; page: number }
      | { balloon: number; size: number }
      | { ksm: 0 | 1 | 2; scan: number }
      | { remove: number }
      | { readd: boolean }
      | { configure: number }
      | { access: number; hot: number }
      | { merge: number }
    const op: fc.Arbitrary<Op> = fc.oneof(
      {
        weight: 4,
        arbitrary: fc.record({
          step: fc.integer({ min: 1, max: 10 }),
          busy: uniform(0, 2),
        }),
      },
      { weight: 3, arbitrary: fc.record({ write: fc.nat(3), page: fc.nat(255) }) },
      { weight: 1, arbitrary: fc.record({ balloon: fc.nat(3), size: uniform(0.05, 1) }) },
      {
        weight: 1,
        arbitrary: fc.record({
          ksm: fc.constantFrom(0 as const, 1 as const, 2 as const),
          scan: fc.integer({ min: 1, max: 400 }),
        }),
      },
      { weight: 1, arbitrary: fc.record({ remove: fc.nat(3) }) },
      { weight: 1, arbitrary: fc.record({ readd: fc.boolean() }) },
      { weight: 1, arbitrary: fc.record({ configure: fc.nat(100) }) },
      // how a guest touches its memory: what the swap model brings back and pushes out
      { weight: 1, arbitrary: fc.record({ access: fc.nat(4000), hot: fc.nat(128) }) },
      // ksmd at full speed for a while (contents shared by more guests than max_page_sharing make chains)
      { weight: 1, arbitrary: fc.record({ merge: fc.integer({ min: 1, max: 5 }) }) },
    )
    interface Host {
      host: HostMemory
      guests: GuestMemory[]
    }
    const plan = fc.record({
      // four guests or more: a content's pages pair up into more than one KSM page (a chain) at max 2
      vms: fc.integer({ min: 1, max: 6 }),
      pages: fc.integer({ min: 16, max: 128 }),
      ramPages: fc.integer({ min: 64, max: 1024 }),
      ballooning: fc.boolean(),
      momKsm: fc.boolean(),
      swapPages: fc.integer({ min: 0, max: 512 }),
      // a simulated page of 16 kernel pages makes ksmd carry scan budget between wake-ups
      pageShift: fc.constantFrom(12, 16),
      maxSharing: fc.constantFrom(2, 3, 256),
      seed: fc.nat(),
      ops: fc.array(op, { maxLength: 40, size: 'max' }),
    })
    type Plan = typeof plan extends fc.Arbitrary<infer P> ? P : never
    const fresh = (p: Plan): Host => {
      const page = 2 ** p.pageShift
      const host = new HostMemory({
        ramBytes: p.ramPages * page,
        pageSize: page,
        reservedBytes: 0,
        ballooning: p.ballooning,
        momKsm: p.momKsm,
        swap: { ...HOST_SWAP_DEFAULTS, swapBytes: p.swapPages * page },
        // guests of a few hundred KiB: a reserve of 4 pages lets the balloon take most of them; a slow
        // device leaves balloons between targets at the end of a step
        balloon: {
          inflateBytesPerSec: 7 * page,
          deflateBytesPerSec: 5 * page,
          guestSwapBytesPerSec: 3 * page,
          guestReserveBytes: 4 * page,
        },
      })
      // max_page_sharing 2 or 3: contents shared by more guests need chains of KSM pages
      host.ksm.set({ run: 1, sleep_millisecs: 200, max_page_sharing: p.maxSharing })
      const guests: GuestMemory[] = []
      for (let v = 0; v < p.vms; v++) {
        // the same image in every guest: KSM has pages to merge
        const content = { zero: 0.2, image: 0.5, imageId: 3 }
        const g = GuestMemory.create(v, p.pages * page, page, content, streamFor(p.seed, 'vm-memory', v))
        host.add(g)
        guests.push(g)
      }
      return { host, guests }
    }
    const apply = (h: Host, ops: Op[]) => {
      for (const o of ops) {
        const live = h.host.vms
        if ('step' in o)
          h.host.step(
            o.step,
            live.map((_, k) => (o.busy * (k + 1)) / live.length),
          )
        else if ('write' in o) {
          const g = live[o.write % Math.max(1, live.length)]
          if (g && !g.killed) g.write(o.page % g.pages)
          // a migration logs the guest's writes
          if (g && o.page % 16 === 0) g.image.startLogging()
        } else if ('balloon' in o) {
          const g = live[o.balloon % Math.max(1, live.length)]
          if (g) setBalloonTarget(g, Math.max(4096, Math.round(o.size * g.bytes)))
        } else if ('ksm' in o) h.host.ksm.set({ run: o.ksm, pages_to_scan: o.scan })
        else if ('remove' in o) {
          if (live.length > 1) h.host.remove(live[o.remove % live.length]!)
        } else if ('readd' in o) {
          // a VM migrating back: its memory registers with KSM again
          const away = h.guests.find((g) => !live.includes(g))
          if (away) h.host.add(away, o.readd ? {} : { ksm: false, guaranteedBytes: away.bytes / 3 })
        } else if ('access' in o) {
          const g = live[o.access % Math.max(1, live.length)]
          g?.setAccess({ perSecond: o.access, vcpus: 2, hotFirst: o.hot % g.pages, hotPages: o.hot, hotShare: 0.9 })
        } else if ('merge' in o) {
          h.host.ksm.set({ run: 1, pages_to_scan: 2000 })
          h.host.ksm.advance(o.merge * 1000)
        } else
          h.host.configure({
            ballooning: o.configure % 2 === 0,
            policyIntervalSec: 5 + (o.configure % 10),
            guestSwapLatencySec: (1 + (o.configure % 7)) * 1e-4,
          })
      }
    }
    await checkRoundTrip({
      plan,
      fresh,
      drive: (h, p) => apply(h, p.ops),
      more: (h, p) => apply(h, [{ step: 20, busy: 1 }, ...p.ops, { step: 20, busy: 1 }]),
      // as a shard saves it: the host's memory, and each guest on its own (the VM's state travels with it)
      save: (h) => ({ host: h.host.state(), guests: h.guests.map((g) => g.state()) }),
      restore: (s) => {
        const guests = s.guests.map((g) => GuestMemory.fromState(g))
        return { host: HostMemory.fromState(s.host, (vm) => guests[vm]!), guests }
      },
      unmoved: {
        ...constructed('Ksm', ['pageSize', 'kernelPageSize', 'kpp']),
        ...constructed('GuestMemory', ['pages', 'pageSize']),
        ...constructed('MemoryImage', ['pageCount', 'pageSize', 'vm', 'uniqueBase']),
        'Ksm.fastForward':
          'how ksmd is stepped, not what it did: results are the same either way (hypervisor-ksm tests), the engine never turns it off',
        'GuestMemory.ksmSlot': REFERENCE,
        'KsmSlot.owner': REFERENCE,
        'GuestMemory.balloonMinPages': 'compared here; driven in the GuestMemory case',
        'GuestMemory.killed': 'compared here; driven in the GuestMemory case',
      },
    })
  })

  it('LiveMigration, with its image and page writer', async () => {
    type Op =
      | { advance: number; bandwidth: number; activity: number }
      | { postcopy: true }
      | { cancel: true }
      | { tune: number }
      | { failed: 'source' | 'destination' }
    // mostly time passing (a migration ends at the first cancel or failure, so those are rare)
    const op: fc.Arbitrary<Op> = fc.oneof(
      {
        weight: 60,
        arbitrary: fc.record({
          // 0.05 s: a slice ending as the setup does
          advance: fc.oneof(uniform(0.05, 2), fc.constant(0.05)),
          // 64 KiB/s: post-copy faults cost more than the time they are taken in
          bandwidth: fc.oneof(fc.noBias(fc.integer({ min: 2 ** 18, max: 6 * 2 ** 20 })), fc.constant(2 ** 16)),
          activity: uniform(0, 1),
        }),
      },
      { weight: 2, arbitrary: fc.constant({ postcopy: true as const }) },
      { weight: 1, arbitrary: fc.constant({ cancel: true as const }) },
      { weight: 4, arbitrary: fc.record({ tune: fc.nat(100) }) },
      { weight: 1, arbitrary: fc.record({ failed: fc.constantFrom('source' as const, 'destination' as const) }) },
    )
    const plan = fc.record({
      pages: fc.noBias(fc.integer({ min: 256, max: 4096 })),
      seed: fc.nat(),
      pattern: fc.constantFrom('uniform' as const, 'hot-cold' as const, 'sequential' as const),
      // up to 8× what the link carries: pre-copy may not converge, auto-converge throttles
      rate: fc.noBias(fc.integer({ min: 0, max: 32 * 2 ** 20 })),
      mode: fc.constantFrom(
        'precopy' as const,
        'precopy' as const,
        'precopy' as const,
        'postcopy' as const,
        'hybrid' as const,
      ),
      syncRule: fc.constantFrom('qemu' as const, 'full-pass' as const),
      autoConverge: fc.boolean(),
      // a short limit keeps a fast writer from converging without auto-converge
      downtimeMs: fc.noBias(fc.integer({ min: 1, max: 100 })),
      // seconds; the default (150 s per GiB) would cancel a guest of a few MiB within a second
      timeout: fc.integer({ min: 20, max: 600 }),
      // the guest's writes through its memory, as the lab migrates (with part of it in the balloon)
      guest: fc.option(fc.nat(200), { nil: undefined }),
      ops: fc.array(op, { maxLength: 50, size: 'max' }),
    })
    type Plan = typeof plan extends fc.Arbitrary<infer P> ? P : never
    const fresh = (p: Plan) => {
      const image = new MemoryImage(0, p.pages * 4096, 4096)
      for (let i = 0; i < image.pageCount; i++) if (i % 5) image.setToken(i, imageToken(0, i))
      let guest: GuestMemory | undefined
      if (p.guest !== undefined) {
        guest = new GuestMemory(image)
        for (let i = 0; i < p.guest; i++) guest.inflateOne()
      }
      const writer = PageWriter.forVm(
        p.seed,
        0,
        { pattern: p.pattern, bytesPerSecond: p.rate, hotBytes: 64 * 4096 },
        image,
      )
      return new LiveMigration(
        image,
        writer,
        {
          mode: p.mode,
          syncRule: p.syncRule,
          autoConverge: p.autoConverge,
          downtimeLimit: p.downtimeMs / 1000,
          maxBandwidth: 4 * 2 ** 20,
          completionTimeout: p.timeout,
          setupTime: 0.05,
          // a device state and a resume long enough that a slice may end inside them
          deviceStateBytes: 2 * 2 ** 20,
          resumeTime: 0.5,
        },
        guest,
      )
    }
    const apply = (m: LiveMigration, ops: Op[]) => {
      for (const o of ops) {
        if ('advance' in o) {
          if (!m.isFinished()) m.advance(o.advance, o.bandwidth, o.activity)
        } else if ('postcopy' in o) m.startPostcopy()
        else if ('cancel' in o) m.cancel('the trainee cancelled it')
        else if ('failed' in o) m.hostFailed(o.failed)
        else
          m.setParameters({
            downtimeLimit: (1 + o.tune) / 2000,
            maxBandwidth: (1 + o.tune) * 65536,
            completionTimeout: 20 + o.tune * 5,
            autoConverge: o.tune % 2 === 0,
          })
      }
    }
    await checkRoundTrip({
      plan,
      fresh,
      drive: (m, p) => apply(m, p.ops),
      more: (m, p) =>
        apply(m, [...p.ops.filter((o) => 'advance' in o), { advance: 1, bandwidth: 2 ** 20, activity: 1 }]),
      // as a shard saves a migration in flight: the VM's memory (its image) and writer travel with their
      // own states
      save: (m) => {
        const guest = (m as unknown as { guest?: GuestMemory }).guest
        return { migration: m.state(), image: m.image.state(), writer: m.writer.state(), guest: guest?.state() }
      },
      restore: (s) => {
        const guest = s.guest ? GuestMemory.fromState(s.guest) : undefined
        const image = guest ? guest.image : MemoryImage.fromState(s.image)
        return LiveMigration.fromState(s.migration, image, PageWriter.fromState(s.writer), guest)
      },
      runs: 120,
      // the guest's memory is driven in the GuestMemory case
      classes: ['LiveMigration', 'MemoryImage', 'PageWriter', 'RandomStream'],
      unmoved: {
        ...constructed('LiveMigration', ['pageCount', 'pageSize']),
        ...constructed('MemoryImage', ['pageCount', 'pageSize', 'vm', 'uniqueBase']),
        ...constructed('PageWriter', PAGE_WRITER_CONSTRUCTED),
        'RandomStream.spare': 'a page writer draws uniforms only (the RandomStream case moves it)',
        'MemoryImage.absent': ABSENT,
      },
    })
  })

  it('SnapshotTree, with the image it snapshots', async () => {
    type Op =
      | { write: number[] }
      | { take: boolean; state: number }
      | { revert: number }
      | { remove: number; children: boolean }
      | { edit: number }
      | { replaced: true }
    const op: fc.Arbitrary<Op> = fc.oneof(
      { weight: 4, arbitrary: fc.record({ write: fc.array(fc.nat(99), { maxLength: 10 }) }) },
      { weight: 3, arbitrary: fc.record({ take: fc.boolean(), state: fc.nat(100) }) },
      { weight: 2, arbitrary: fc.record({ revert: fc.nat(20) }) },
      { weight: 1, arbitrary: fc.record({ remove: fc.nat(20), children: fc.boolean() }) },
      { weight: 1, arbitrary: fc.record({ edit: fc.nat(20) }) },
      { weight: 1, arbitrary: fc.constant({ replaced: true as const }) },
    )
    interface Vm {
      tree: SnapshotTree
      image: MemoryImage
    }
    const ids = (t: SnapshotTree) => {
      const out: number[] = []
      const walk = (nodes: ReturnType<SnapshotTree['list']>) =>
        nodes.forEach((n) => {
          out.push(n.id)
          walk(n.childNodes)
        })
      walk(t.list())
      return out
    }
    const apply = (vm: Vm, ops: Op[], from: number) => {
      let n = from
      for (const o of ops) {
        const known = ids(vm.tree)
        if ('write' in o) o.write.forEach((p) => vm.image.write(p))
        else if ('take' in o)
          vm.tree.take(vm.image, { name: `s${n++}`, memory: o.take, time: o.state, state: { position: o.state } })
        else if ('revert' in o) {
          if (known.length === 0) continue
          const r = vm.tree.revert(known[o.revert % known.length])
          if (r.image) vm.image = r.image
          else vm.tree.liveImageReplaced()
        } else if ('remove' in o) {
          if (known.length) vm.tree.delete(known[o.remove % known.length]!, { withChildren: o.children })
        } else if ('edit' in o) {
          if (known.length) vm.tree.edit(known[o.edit % known.length]!, { description: `edited ${n}` })
        } else vm.tree.liveImageReplaced()
      }
    }
    await checkRoundTrip({
      plan: fc.record({
        costs: fc.record({ saveCost: fc.constantFrom('full' as const, 'delta' as const) }),
        ops: fc.array(op, { maxLength: 30, size: 'max' }),
      }),
      fresh: (p) => {
        const image = new MemoryImage(3, 100 * 4096, 4096)
        for (let i = 0; i < 60; i++) image.setToken(i, imageToken(0, i))
        return { tree: SnapshotTree.forImage(image, p.costs), image }
      },
      drive: (vm, p) => apply(vm, p.ops, 0),
      more: (vm, p) => apply(vm, p.ops, 1000),
      // the tree with the VM's memory (both in a checkpoint)
      save: (vm) => ({ tree: vm.tree.toState(), image: vm.image.state() }),
      restore: (s) => ({ tree: SnapshotTree.fromState(s.tree), image: MemoryImage.fromState(s.image) }),
      unmoved: {
        ...constructed('SnapshotTree', ['costs', 'vm', 'pageCount', 'pageSize']),
        ...constructed('MemoryImage', ['pageCount', 'pageSize', 'vm', 'uniqueBase']),
        'MemoryImage.absent': ABSENT,
      },
    })
  })
})
