// The CloudSim-compatible mode on every PlanetLab day (../shared/data/planetlab, 10 days), not only the two
// with published figures: every VM of the day is created and runs, every policy family completes without
// tripping CloudSim's own failure paths, the non-power-aware energy is CloudSim's closed form, the
// ordering NPA > DVFS > consolidation holds, and reruns are bit-identical.
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runToEnd } from '../../engine/run'
import { SHARED_PLANETLAB, hasSharedData, planetLabModel } from '../helpers'

const days = hasSharedData ? readdirSync(SHARED_PLANETLAB).filter((d) => /^\d{8}$/.test(d)) : []

describe.skipIf(!hasSharedData)('every PlanetLab day in cloudsim mode', () => {
  it('finds the ten days', () => {
    expect(days).toHaveLength(10)
  })

  it.each(days)('%s', async (day) => {
    const traces = join(SHARED_PLANETLAB, day)
    const files = readdirSync(traces).filter((f) => f !== 'README.md').length
    const npa = await runToEnd(planetLabModel({ policy: 'npa', traces }))
    const dvfs = await runToEnd(planetLabModel({ policy: 'dvfs', traces }))
    expect(npa.vms).toBe(files)
    expect(dvfs.vms).toBe(files)
    // 400 G4 hosts at 117 W and 400 G5 hosts at 135 W, from the first step (300.1 s) to the last (86 100.1 s)
    expect(npa.energyKWh).toBeCloseTo(((400 * 117 + 400 * 135) * 86100.1) / 3.6e6, 6)
    expect(dvfs.energyKWh).toBeLessThan(npa.energyKWh)
    expect(dvfs.hostShutdowns).toBe(npa.hostShutdowns)
    for (const policy of ['thr-mmt-0.8', 'mad-mu-2.5', 'lr-mc-1.2']) {
      const r = await runToEnd(planetLabModel({ policy, traces }))
      expect(r.energyKWh).toBeLessThan(dvfs.energyKWh)
      expect(r.migrations).toBeGreaterThan(1000)
      expect(r.slatah).toBeGreaterThan(0)
      expect(r.slatah).toBeLessThan(0.2)
      expect(r.pdm).toBeGreaterThan(0)
      expect(r.pdm).toBeLessThan(0.01)
      expect(r.vmsRemovedForZeroDemand).toBe(dvfs.vmsRemovedForZeroDemand)
    }
    const again = await runToEnd(planetLabModel({ policy: 'lr-mc-1.2', traces }))
    const first = await runToEnd(planetLabModel({ policy: 'lr-mc-1.2', traces }))
    expect(again.stateHash).toBe(first.stateHash)
  })
})
