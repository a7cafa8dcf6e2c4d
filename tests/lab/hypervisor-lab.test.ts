// The hypervisor mechanisms inside the lab model, end to end from scenario files: CPU weights, caps and
// steal on a shared core. (Memory overcommit: memory-fidelity.test.ts.)
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
