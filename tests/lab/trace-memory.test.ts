// A trace's memory column drives the guest's memory: the guest holds as much of its own data as the trace
// says (resident or in its swap), so the balloon takes only what the guest does not use. Checked on one
// guest (GuestMemory.followData) and through the lab on a small scenario (the guest's counts in a whole-lab
// checkpoint), and a traced scenario runs bit-identically on any number of shards.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { GuestMemory } from '../../engine/hypervisor/guest-memory'
import { countContent } from '../../engine/memory/content'
import { streamFor } from '../../engine/random'
import { LabSimulation } from '../../engine/lab/simulation'
import { inProcessShards } from '../../engine/lab/shards'
import { runToEnd } from '../../engine/run'
import { openScenario } from '../../engine/scenario/open'
import { nodeFiles } from '../../engine/platform/node/files'
import { ROOT } from '../helpers'
import { modelOf } from '../workload-reference'

const PAGE = 4096

function guest() {
  // 100 pages: 30 free, 30 page cache, 40 own data
  return GuestMemory.create(0, 100 * PAGE, PAGE, { zero: 0.3, image: 0.3, imageId: 1 }, streamFor(7, 'vm', 0))
}

function consistent(g: GuestMemory): void {
  const c = countContent(g.image)
  // ballooned pages read as zeros: the image's zero pages are the free ones and the balloon's
  expect([c.zero - g.balloon, c.image, c.unique]).toEqual([g.free, g.cache, g.used])
  expect(g.free + g.cache + g.used + g.balloon).toBe(g.pages)
}

describe('GuestMemory.followData', () => {
  it('grows into free pages, then page cache, then pushes older data to the guest swap', () => {
    const g = guest()
    g.followData(60)
    expect([g.free, g.cache, g.used, g.guestSwapped]).toEqual([10, 30, 60, 0])
    g.followData(85)
    expect([g.free, g.cache, g.used, g.guestSwapped, g.cacheDropped]).toEqual([0, 15, 85, 0, 15])
    for (let i = 0; i < 10; i++) g.inflateOne() // the balloon takes 10 page-cache pages
    g.followData(95)
    expect([g.free, g.cache, g.used, g.guestSwapped, g.balloon]).toEqual([0, 0, 90, 5, 10])
    consistent(g)
  })

  it('shrinks out of the guest swap first, then frees resident data (zeros: free memory)', () => {
    const g = guest()
    for (let i = 0; i < 60; i++) g.inflateOne() // free and cache gone to the balloon
    g.followData(50)
    expect([g.used, g.guestSwapped]).toEqual([40, 10])
    g.followData(45)
    expect([g.used, g.guestSwapped]).toEqual([40, 5])
    g.followData(20)
    expect([g.free, g.used, g.guestSwapped]).toEqual([20, 20, 0])
    consistent(g)
  })
})

describe('traced VMs in the lab', () => {
  const GiB = 2 ** 30
  // each VM's memory use steps 1 → 3 → 0.5 → 3.5 → 2 GiB, every 5 minutes
  const memory = [1, 3, 0.5, 3.5, 2, 2]
  const yaml = (vms: number, ratio: number) => {
    const dir = mkdtempSync(join(tmpdir(), 'conlab-memory-'))
    const text = ['time,cpu,memory', ...memory.map((m, k) => `${k * 300},0.5,${m * GiB}`)].join('\n')
    for (let i = 0; i < vms; i++) writeFileSync(join(dir, `vm${i}.csv`), text)
    return `name: memory follows the trace
mode: lab
duration: 30m
interval: 5m
policy: none
migration: { model: cloudsim }
memory: { pageSize: 64KiB, ballooning: auto, guaranteed: 0.1 }
admission: { ramAllocationRatio: ${ratio} }
hostTypes:
  h: { cores: 16, mipsPerCore: 2500, ramMB: 16384, nicMbps: 10000, power: [100, 110, 120, 130, 140, 150, 160, 170, 180, 190, 200] }
hosts:
  - { type: h, count: 1 }
vmTypes:
  v: { vcpus: 2, mips: 2500, ramMB: 4096 }
vms:
  - type: v
    workload: { kind: csv, dir: ${JSON.stringify(dir)}, columns: { time: time, cpu: cpu, memory: memory } }
    pageWrites: { pattern: hot-cold, rate: 1MiB/s, hotSet: 64MiB, hotFraction: 1 }
`
  }

  for (const [name, vms, ratio] of [
    ['one VM on a host with room', 1, 1.5],
    ['six VMs on a host they overcommit (the balloons take what the guests do not use)', 6, 2],
  ] as const) {
    it(`keeps each guest's own data at the trace's memory, step by step: ${name}`, async () => {
      const model = modelOf(yaml(vms, ratio))
      expect(model.vmCount).toBe(vms)
      const sim = await LabSimulation.create(model, 1, inProcessShards)
      let ballooned = 0
      for (let k = 0; k < memory.length; k++) {
        await sim.step()
        const state = await sim.checkpoint()
        for (const vm of state.cluster.vms) {
          const [balloon, free, cache, used, guestSwapped] = vm.memory!.guest.counts
          // the step at k × 5 min followed the trace's row k: data resident or in the guest's swap
          expect(used! + guestSwapped!).toBe(Math.round((memory[k]! * GiB) / (64 * 1024)))
          expect(balloon! + free! + cache! + used!).toBe(65536)
          ballooned = Math.max(ballooned, balloon!)
        }
      }
      if (vms > 1) expect(ballooned).toBeGreaterThan(0)
      await sim.close()
    })
  }

  it('gives the same results on 1 to 4 shards (the Bitbrains week, its first 6 h)', async () => {
    const model = openScenario(join(ROOT, 'scenarios', 'bitbrains-rnd.yaml'), nodeFiles, { set: ['duration=6h'] })
    const hashes = new Set<string>()
    for (const shards of [1, 2, 3, 4]) {
      const r = await runToEnd(model, { shards })
      hashes.add(`${r.stateHash} ${r.energyKWh} ${r.migrations} ${JSON.stringify(r.memory?.final)}`)
    }
    expect(hashes.size).toBe(1)
  })
})
