// The hypervisor mechanisms inside the lab model, end to end from scenario files: CPU weights, caps and
// steal on a shared core; memory overcommit with KSM, auto-balloon and host swap (memory-overcommit.yaml).
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openScenario } from '../../engine/scenario/open'
import { nodeFiles } from '../../engine/platform/node/files'
import { LabSimulation } from '../../engine/lab/simulation'
import { ROOT } from '../helpers'

async function play(file: string, set: string[] = []) {
  const model = openScenario(file, nodeFiles, { set })
  const sim = await LabSimulation.create(model, 1)
  while (await sim.step());
  await sim.close()
  return sim
}

const WEIGHTS = join(ROOT, 'tests', 'fixtures', 'cpu-weights.yaml')

describe('CPU shares on a host (cgroup v2 cpu.weight, cpu.max)', () => {
  it('weights 2:1 on an over-loaded core give 2:1; steal = demand − granted', async () => {
    const sim = await play(WEIGHTS)
    expect([...sim.plan.vmHost]).toEqual([0, 0])
    expect(sim.vmGrantedNow[0]).toBeCloseTo(2000 / 3, 9)
    expect(sim.vmGrantedNow[1]).toBeCloseTo(1000 / 3, 9)
    expect(sim.vmStealMips[0]).toBeCloseTo(1000 - 2000 / 3, 9)
    expect(sim.vmStealMips[1]).toBeCloseTo(1000 - 1000 / 3, 9)
    // the host is short of CPU while both run there: an SLA violation
    expect(sim.summary().slatah).toBeGreaterThan(0.5)
  })

  it('a cap holds, and the other VM takes what the capped one leaves', async () => {
    const sim = await play(WEIGHTS, ['vms[0].cpuCap=0.2'])
    expect(sim.vmGrantedNow[0]).toBeCloseTo(200, 9)
    expect(sim.vmGrantedNow[1]).toBeCloseTo(800, 9)
    expect(sim.vmStealMips[0]).toBeCloseTo(800, 9)
  })

  it('equal weights share equally', async () => {
    const sim = await play(WEIGHTS, ['vms[0].cpuWeight=100'])
    expect(sim.vmGrantedNow[0]).toBeCloseTo(500, 9)
    expect(sim.vmGrantedNow[1]).toBeCloseTo(500, 9)
  })
})

describe('memory-overcommit.yaml: one host overcommitted 1.5× with KSM and auto-balloon', () => {
  it('shows the savings and the cost over time in the memory section', async () => {
    const sim = await play(join(ROOT, 'scenarios', 'memory-overcommit.yaml'))
    const s = sim.summary()
    const m = s.memory!
    expect(m.settings).toEqual({ ksm: 'on', ballooning: 'auto', ramAllocationRatio: 1.5, pageSizeBytes: 65536 })
    expect(m.final.configuredGiB).toBe(24)
    const first = m.timeline[0]!
    const hour = m.timeline.find((p) => p.time >= 3600)!
    const last = m.timeline.at(-1)!
    // at the start the guests' 24 GiB do not fit in 16 GiB: the host swaps and the VMs lose CPU to faults
    expect(first.hostSwappedGiB).toBeGreaterThan(4)
    expect(first.lostCpuSeconds).toBeGreaterThan(1)
    // ksmd merges the shared image and zero pages at its scan rate; the balloons take free memory
    expect(first.ksmSavedGiB).toBe(0)
    expect(hour.ksmSavedGiB).toBeGreaterThan(4)
    expect(m.peak.balloonGiB).toBeGreaterThan(1)
    expect(m.ksm.pages_sharing).toBeGreaterThan(m.ksm.pages_shared)
    expect(m.ksm.full_scans).toBeGreaterThan(10)
    // so the swap drains and its cost falls away
    expect(hour.hostSwappedGiB).toBeLessThan(first.hostSwappedGiB)
    expect(last.hostSwappedGiB).toBeLessThan(0.01)
    expect(last.lostCpuSeconds).toBeLessThan(first.lostCpuSeconds / 100)
    // what the host holds never exceeds its RAM; savings plus resident account for the configured memory
    for (const p of m.timeline) expect(p.residentGiB).toBeLessThanOrEqual(16 + 1e-9)
    expect(m.lostCpuSeconds).toBeGreaterThan(10)
    expect(m.oomKills).toBe(0)
    // the cost shows as SLA shortfall
    expect(s.overallSla).toBeGreaterThan(0)
  })
})
