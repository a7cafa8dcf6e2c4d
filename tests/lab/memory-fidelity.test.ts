// The lab's memory mechanisms end to end, each on a small scenario whose figures are derived here by hand
// from the documented rules (docs/memory.md, docs/validation.md): host swap that hurts a working set larger
// than RAM and spares a cold idle VM, free pages not backed, ksmd's CPU on the host's cores, the OOM
// killer counted once, CPU overcommit at t = 0 within the admission ratios, and memory-overcommit.yaml.
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openScenario } from '../../engine/scenario/open'
import { nodeFiles } from '../../engine/platform/node/files'
import { ROOT } from '../helpers'
import { inlineModel, playModel } from './inline-scenario'

const host = (cores: number, mips: number, ramMB: number) =>
  `{ cores: ${cores}, mipsPerCore: ${mips}, ramMB: ${ramMB}, nicMbps: 10000, power: [100, 110, 120, 130, 140, 150, 160, 170, 180, 190, 200] }`

/** One host of `ramMB`, memory managed (RAM overcommit admitted), 64 KiB pages, 10 s steps. */
function oneHost(ramMB: number, vms: string, extra = '', cores = 4, duration = '60s'): string {
  return `
name: memory fidelity
mode: lab
duration: ${duration}
interval: 10s
policy: none
migration: { model: cloudsim }
memory: { pageSize: 64KiB, hostSwap: 8GiB }
admission: { ramAllocationRatio: 4, reservedHostMemory: 0 }
${extra}
hostTypes:
  h: ${host(cores, 2000, ramMB)}
hosts: [{ type: h, count: 1 }]
vmTypes:
  v1g: { vcpus: 1, mips: 2000, ramMB: 1024 }
  v2g: { vcpus: 1, mips: 2000, ramMB: 2048 }
vms:
${vms}
`
}

// swap device defaults: 100 µs per 4 KiB page at queue depth 1, 256 MiB/s. A 64 KiB page = 16 kernel pages:
const c = 16 * 100e-6 + 65536 / (256 * 1024 * 1024)

describe('host swap in the lab', () => {
  it('a working set twice the RAM thrashes: the VM runs 1/(1 + x) of the time, and the host is in violation', async () => {
    // a 2 GiB VM writing 400 MiB/s uniformly over all its pages on a 1 GiB host: half of it is swapped out,
    // every second write faults: x = 6400 pages/s × ½ × c
    const model = inlineModel(
      oneHost(
        1024,
        `  - { type: v2g, count: 1, workload: { kind: constant, level: 1 },
      pageWrites: { pattern: uniform, rate: 400MiB/s }, content: { zero: 0, image: 0 } }`,
      ),
    )
    const granted: number[] = []
    const { sim } = await playModel(model, (s) => granted.push(s.vmGrantedNow[0]!))
    const r = 1 / (1 + 6400 * 0.5 * c)
    expect(r).toBeLessThan(0.15) // on main the loss was 4.9 %: the VM ran at 95 %
    for (const g of granted) expect(g).toBeCloseTo(2000 * r, 6)
    const s = sim.summary()
    expect(s.memory!.final.hostSwappedGiB).toBeCloseTo(1, 12)
    expect(s.memory!.lostCpuSeconds).toBeCloseTo(60 * (1 - r), 6)
    // the VM lost 85 % of its demand: far beyond the 5 % tolerance, every step
    expect(s.slatah).toBe(1)
  })

  it('a cold idle VM takes the swap and costs nothing; the busy VM keeps its CPU', async () => {
    // 3 GiB of VMs on 2 GiB: the idle VM's pages are the coldest (nobody touches them), so they go out
    const model = inlineModel(
      oneHost(
        2048,
        `  - { type: v2g, count: 1, workload: { kind: constant, level: 0.5 },
      pageWrites: { pattern: hot-cold, rate: 64MiB/s, hotSet: 256MiB, hotFraction: 1 }, content: { zero: 0, image: 0 } }
  - { type: v1g, count: 1, workload: { kind: constant, level: 0 },
      pageWrites: { pattern: uniform, rate: 64MiB/s }, content: { zero: 0, image: 0 } }`,
      ),
    )
    const { sim, events } = await playModel(model)
    const m = sim.summary().memory!
    expect(m.final.hostSwappedGiB).toBeCloseTo(1, 12)
    expect(m.hostFaults).toBe(0)
    expect(m.lostCpuSeconds).toBe(0)
    expect(sim.vmGrantedNow[0]).toBe(1000)
    expect(sim.summary().slatah).toBe(0)
    // the swap-out is an event with its numbers: 1 GiB out, nothing back
    const burst = events.find((e) => e.message.includes('swapped 1.00 GiB out and 0 MiB back in'))
    expect(burst?.host).toBe(0)
  })

  it('free guest pages are not backed: a 90 % free VM does not swap on a host smaller than its RAM', async () => {
    // 2 GiB VM, 90 % zero pages, on a 1 GiB host: it backs round(0.1 × 32768) = 3277 pages of 64 KiB
    const model = inlineModel(
      oneHost(
        1024,
        `  - { type: v2g, count: 1, workload: { kind: constant, level: 0.5 },
      pageWrites: { pattern: hot-cold, rate: 0MiB/s }, content: { zero: 0.9, image: 0 } }`,
      ),
    )
    const { sim } = await playModel(model)
    const m = sim.summary().memory!
    expect(m.final.hostSwappedGiB).toBe(0) // main: 1 GiB swapped
    expect(m.final.residentGiB).toBeCloseTo((3277 * 64) / 1024 / 1024, 12)
  })
})

describe('ksmd on the host', () => {
  it("charges its scanning to the host's cores: the VMs get what is left", async () => {
    // one 64 MiB VM of 1024 OS-image pages (no free page), idle writer; ksmd scans 400 kernel pages (25
    // simulated pages of 64 KiB) per 20 ms wake-up. A pass of S = 1024 pages ends on the wake-up that finds
    // the end: ⌈1025 × 16 / 400⌉ = 41 wake-ups. 60 s = 3000 wake-ups = 73 passes (2993) + 7 wake-ups of
    // 25 pages: 73 × 1024 + 175 = 74,927 pages scanned, × 16 kernel pages × 1 µs.
    const model = inlineModel(`
name: ksmd cpu
mode: lab
duration: 60s
interval: 60s
policy: none
migration: { model: cloudsim }
memory: { pageSize: 64KiB, ksm: { mode: on, pagesToScan: 400, sleepMillisecs: 20 } }
admission: { reservedHostMemory: 0 }
hostTypes:
  h: ${host(1, 2000, 4096)}
hosts: [{ type: h, count: 1 }]
vmTypes:
  small: { vcpus: 1, mips: 2000, ramMB: 64 }
vms:
  - { type: small, count: 1, workload: { kind: constant, level: 1 },
      pageWrites: { pattern: uniform, rate: 0MiB/s }, content: { zero: 0, image: 1 } }
`)
    const { sim } = await playModel(model)
    const ksmSeconds = 74_927 * 16 * 1e-6
    expect(sim.summary().memory!.ksmCpuSeconds).toBeCloseTo(ksmSeconds, 12)
    // the VM asks for the whole core and gets what ksmd leaves of it (main: all of it)
    expect(sim.vmGrantedNow[0]).toBeCloseTo(2000 * (1 - ksmSeconds / 60), 9)
    expect(sim.hostUtil[0]).toBeCloseTo(1, 12)
  })
})

describe('the OOM killer', () => {
  it('counts one kill once, however long the run goes on (main: a stale row re-added every step)', async () => {
    // a 2 GiB VM on a 1 GiB host with 256 MiB of swap: 1 GiB over RAM > swap → killed in the first step
    const model = inlineModel(
      oneHost(
        1024,
        `  - { type: v2g, count: 1, workload: { kind: constant, level: 0.5 }, content: { zero: 0, image: 0 } }`,
        '',
        4,
        '120s',
      ),
      ['memory.hostSwap=256MiB'],
    )
    const { sim, events } = await playModel(model)
    expect(sim.summary().memory!.oomKills).toBe(1)
    expect(events.filter((e) => e.message.includes('out-of-memory killer'))).toHaveLength(1)
  })
})

describe('initial placement', () => {
  it('overcommits CPU at t = 0 within cpuAllocationRatio when no host has the nominal room', async () => {
    // two 2-vCPU VMs at 30 % on one 2-core host: 4 vCPUs ≤ 2 cores × 16
    const model = inlineModel(`
name: cpu overcommit at t = 0
mode: lab
duration: 60s
interval: 60s
policy: none
migration: { model: cloudsim }
admission: { cpuAllocationRatio: 16 }
hostTypes:
  h: ${host(2, 1000, 8192)}
hosts: [{ type: h, count: 1 }]
vmTypes:
  v: { vcpus: 2, mips: 1000, ramMB: 1024 }
vms:
  - { type: v, count: 2, workload: { kind: constant, level: 0.3 } }
`)
    const { sim } = await playModel(model)
    expect([...sim.plan.vmHost]).toEqual([0, 0])
    // 2 × 600 MIPS on 2000: both get what they ask
    expect(sim.vmGrantedNow[0]).toBeCloseTo(600, 9)
    // and a ratio that does not allow it is named in the refusal
    await expect(
      playModel(
        inlineModel(
          `
name: no room
mode: lab
duration: 60s
interval: 60s
policy: none
migration: { model: cloudsim }
admission: { cpuAllocationRatio: 1 }
hostTypes:
  h: ${host(2, 1000, 8192)}
hosts: [{ type: h, count: 1 }]
vmTypes:
  v: { vcpus: 2, mips: 1000, ramMB: 1024 }
vms:
  - { type: v, count: 2, workload: { kind: constant, level: 0.3 } }
`,
        ),
      ),
    ).rejects.toThrow(/at most 0 vCPUs are left on a host \(admission.cpuAllocationRatio\)/)
  })
})

describe('memory-overcommit.yaml, checked by hand', () => {
  it('every VM gets its CPU, the swapped pages are cold: no shortfall; decisions are events with numbers', async () => {
    const model = openScenario(join(ROOT, 'scenarios', 'memory-overcommit.yaml'), nodeFiles)
    const { sim, events } = await playModel(model)
    const s = sim.summary()
    const m = s.memory!
    // 12 VMs of 2 GiB = 32,768 pages of 64 KiB: 9,830 free (30 %, not backed), 9,830 OS image, 13,108 data.
    // The host backs 12 × 22,938 pages = 16.80 GiB and keeps 0.5 GiB (Nova's reserve) on 16 GiB: it must
    // swap at least 1.30 GiB at once.
    expect(m.final.configuredGiB).toBe(24)
    const backedGiB = (12 * 22_938 * 64) / 1024 / 1024
    expect(backedGiB).toBeCloseTo(16.8, 2)
    const burst = events.find((e) => e.kind === 'warning' && /swapped .* out/.test(e.message))!
    expect(burst.time).toBe(0)
    expect(m.timeline[0]!.hostSwappedGiB).toBeGreaterThanOrEqual(backedGiB + 0.5 - 16)
    // what goes out is what nobody touches: the guests write only their 128 MiB hot set (hotFraction 1),
    // so no host-swapped page is ever touched: no fault
    expect(m.hostFaults).toBe(0)
    // CPU: 12 VMs of one 2000-MIPS vCPU at 0.4 ± 0.2 (+ noise) on 8 × 3000 MIPS: demand ≤ 18,000 +
    // noise < 24,000 less ksmd's 0.02 core (400 pages / 20 ms × 1 µs): no contention. What the VMs lose is
    // the few guest swap faults of the first minutes, when the balloons reach into the guests' data (at
    // 200 µs each): seconds in a run of ~60,000 CPU-seconds, far below the 5 % a user would notice
    expect(m.lostCpuSeconds).toBeGreaterThan(0)
    expect(s.overallSla).toBeLessThan(1e-4)
    expect(s.slatah).toBe(0) // main: 75.83 %
    expect(s.slaCauses.violationSeconds).toEqual({ cpu: 0, memory: 0, migration: 0, throttling: 0, pause: 0 })
    expect(s.slaCauses.lostMipsSeconds.memory).toBeCloseTo(m.lostCpuSeconds * 2000, 6)
    // ksmd scans at most 20,000 kernel pages a second, 1 µs each, for 6 h: ≤ 432 CPU-seconds; a pass of
    // ~370,000 kernel pages wastes at most one wake-up's 400 pages at its end
    expect(m.ksmCpuSeconds).toBeLessThanOrEqual(432 + 1e-9)
    expect(m.ksmCpuSeconds).toBeGreaterThan(432 * 0.998)
    // KSM merges image pages only: at most 11 of every 12 copies of the 9,830 image pages
    expect(m.ksm.pages_sharing).toBeLessThanOrEqual(11 * 9_830)
    expect(m.ksm.pages_sharing).toBeGreaterThan(0)
    expect(m.oomKills).toBe(0)
    for (const p of m.timeline) expect(p.residentGiB).toBeLessThanOrEqual(16 + 1e-9)
    // the decisions, as events with their numbers
    expect(events.some((e) => /ksmd started \(run = 1, pages_to_scan 400, sleep 20 ms\)/.test(e.message))).toBe(true)
    expect(events.some((e) => /MoM inflated 12 balloon\(s\) .* < 20 %/.test(e.message))).toBe(true)
    expect(events.some((e) => /MoM deflated .* ≥ 20 %/.test(e.message))).toBe(true)
    expect(events.some((e) => /ksmd merged .* pages_sharing/.test(e.message))).toBe(true)
  })
})
