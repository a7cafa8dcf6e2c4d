// The CloudSim-compatible mode against CloudSim 3.0.3's own figures (tests/fixtures/cloudsim-reference.json).
// Shared by the per-day test files so the days run in parallel.
// Deterministic policies must match exactly: equal migrations, energy within 0.01 kWh, SLATAH and PDM
// within 0.5 %. RS (random selection; CloudSim's is unseeded) is compared on the mean of 5 seeds.
import { describe, expect, it } from 'vitest'
import { runToEnd } from '../../engine/run'
import { CLOUDSIM_POLICIES, cloudSimPolicyKey, parsePolicyName } from '../../engine/policies/policy-name'
import { cloudSimReference, planetLabModel, relativeError } from '../helpers'

const reference = cloudSimReference()
const deterministic = CLOUDSIM_POLICIES.filter((p) => !p.includes('-rs-'))
const randomSelection = CLOUDSIM_POLICIES.filter((p) => p.includes('-rs-'))

export function referenceSuite(day: string, traces: string | undefined, available: boolean): void {
  describe.skipIf(!available)(`CloudSim 3.0.3 reference, PlanetLab ${day}`, () => {
    const runs = reference[day]!

    it.each(deterministic)('%s matches CloudSim exactly', async (policy) => {
      const expected = runs[cloudSimPolicyKey(parsePolicyName(policy))]!
      const r = await runToEnd(planetLabModel({ policy, traces }))
      expect(r.mode).toBe('cloudsim')
      expect(r.vms).toBe(expected.vms)
      expect(r.migrations).toBe(expected.migrations)
      expect(Math.abs(r.energyKWh - expected.energyKWh)).toBeLessThanOrEqual(0.01)
      expect(relativeError(r.slatah, expected.slatah)).toBeLessThanOrEqual(0.005)
      expect(relativeError(r.pdm, expected.pdm)).toBeLessThanOrEqual(0.005)
      expect(r.hostShutdowns).toBe(expected.hostShutdowns)
      expect(relativeError(r.overallSla, expected.overallSla)).toBeLessThanOrEqual(0.005)
    })

    it.each(randomSelection)('%s matches CloudSim on the mean of 5 seeds', async (policy) => {
      const expected = runs[cloudSimPolicyKey(parsePolicyName(policy))]!
      const seeds = [1, 2, 3, 4, 5]
      const reports = await Promise.all(seeds.map((seed) => runToEnd(planetLabModel({ policy, traces, seed }))))
      const mean = (f: (r: (typeof reports)[number]) => number) =>
        reports.reduce((a, r) => a + f(r), 0) / reports.length
      expect(
        relativeError(
          mean((r) => r.energyKWh),
          expected.energyKWh,
        ),
      ).toBeLessThanOrEqual(0.03)
      expect(
        relativeError(
          mean((r) => r.migrations),
          expected.migrations,
        ),
      ).toBeLessThanOrEqual(0.05)
      // Different seeds really draw differently (the selection is random, not a disguised MMT).
      expect(new Set(reports.map((r) => r.migrations)).size).toBeGreaterThan(1)
    })
  })
}
