// The LR screen's per-VM sums are summed by the shards, from windows they keep as VMs run, move between
// shards and come back from failures; a plan restored from the same histories sums them itself. Both must
// agree to the last bit after every step, or the screen would decide on numbers that are not the plan's.
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openScenario } from '../../engine/scenario/open'
import { nodeFiles } from '../../engine/platform/node/files'
import { LabSimulation } from '../../engine/lab/simulation'
import { LabPlan } from '../../engine/lab/plan'
import { ROOT } from '../helpers'

describe('LR screen sums from the shards', () => {
  it.each([
    ['the PlanetLab day, 2 shards', 'planetlab-lab.yaml', 2, 72],
    // the whole drill: its two failures come at 2 h and 6 h
    ['the HA drill (failures, restarts), 3 shards', 'ha-drill.yaml', 3, 720],
  ])('%s: equal to what the plan sums from its histories, step after step', async (_, file, shards, steps) => {
    const model = openScenario(join(ROOT, 'scenarios', file), nodeFiles, { policy: 'lr-mmt-1.2' })
    const sim = await LabSimulation.create(model, shards)
    const restored = new LabPlan(model)
    let checked = 0
    let moved = 0
    for (let k = 0; k < steps; k++) {
      await sim.step()
      restored.restore(sim.plan.state())
      for (let v = 0; v < model.vmCount; v++) {
        if (sim.plan.vmHost[v]! < 0) continue
        const live = sim.plan.screenSumsOf(v)
        const summed = restored.screenSumsOf(v)
        if (live[0] !== summed[0] || live[1] !== summed[1] || live[2] !== summed[2])
          expect({ step: k, vm: v, sums: live }).toEqual({ step: k, vm: v, sums: summed })
        if (live[1] !== 0) checked++
      }
      moved = sim.migrationLog.filter((m) => m.location === 'destination').length
    }
    expect(moved).toBeGreaterThan(5)
    expect(checked).toBeGreaterThan((model.vmCount * steps) / 2)
    await sim.close()
  })
})
