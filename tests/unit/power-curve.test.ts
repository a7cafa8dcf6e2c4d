// The power curve's fast forms (no Math.ceil, precomputed tenths and slopes) must give CloudSim's
// PowerModelSpecPower doubles bit for bit: its formula is written out here as the reference.
import { describe, expect, it } from 'vitest'
import { interpolateWatts, interpolateWithDeltas, segmentDeltas, specPower } from '../../engine/power'

/** PowerModelSpecPower.getPower as CloudSim 3.0.3 writes it (floor, ceil, (p2 − p1) / 10, lo / 10). */
function cloudSimPower(table: ArrayLike<number>, u: number): number {
  if (u % 0.1 === 0) return table[Math.trunc(u * 10)]!
  const lo = Math.floor(u * 10)
  const hi = Math.ceil(u * 10)
  const p1 = table[lo]!
  const p2 = table[hi]!
  const delta = (p2 - p1) / 10
  return p1 + delta * (u - lo / 10) * 100
}

// HP ProLiant ML110 G4 and G5 (SPECpower_ssj2008), as in CloudSim's PlanetLab examples
const G4 = Float64Array.of(86, 89.4, 92.6, 96, 99.5, 102, 106, 108, 112, 114, 117)
const G5 = Float64Array.of(93.7, 97, 101, 105, 110, 116, 121, 125, 129, 133, 135)

describe('power curve', () => {
  it('equals CloudSim’s formula bit for bit, on every tenth and on 200,000 utilizations between', () => {
    for (const table of [G4, G5]) {
      const deltas = segmentDeltas(table)
      const mismatches: number[] = []
      const check = (u: number) => {
        const expected = cloudSimPower(table, u)
        if (
          !Object.is(interpolateWatts(table, u), expected) ||
          !Object.is(interpolateWithDeltas(table, deltas, u), expected)
        )
          mismatches.push(u)
      }
      for (let k = 0; k <= 10; k++) check(k / 10)
      // deterministic utilizations of every magnitude: a fine grid and quotients like PABFD's (MIPS / 5320)
      for (let i = 0; i <= 100_000; i++) check(i / 100_000)
      for (let i = 1; i <= 100_000; i++) check(((i * 7919) % 5320) / 5320)
      expect(mismatches.slice(0, 5)).toEqual([])
    }
  })

  it('gives the table’s values at the tenths and interpolates linearly between', () => {
    expect(specPower(G4, 0)).toBe(86)
    expect(specPower(G4, 1)).toBe(117)
    expect(specPower(G5, 0.5)).toBe(116)
    // a quarter of the way from 50 % (116 W) to 60 % (121 W)
    expect(specPower(G5, 0.525)).toBeCloseTo(117.25, 12)
    expect(segmentDeltas(G4)[4]).toBeCloseTo(0.25, 15)
  })

  it('rejects a utilization outside [0, 1] as CloudSim does', () => {
    expect(() => specPower(G4, 1.0001)).toThrow(/within \[0, 1\], found 1.0001/)
    expect(() => specPower(G4, -0.1)).toThrow(RangeError)
  })
})
