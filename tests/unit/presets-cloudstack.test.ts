// Apache CloudStack's cluster DRS (Administration Guide, "CloudStack DRS"; org.apache.cloudstack.cluster.Balanced
// and Condensed) as a pure function over a tiny cluster, each expected plan worked out by hand: imbalance =
// standard deviation ÷ mean of the hosts' allocated memory (drs.metric memory); balanced plans while it is above
// 1 − drs.imbalance (1 − 0.4 = 0.6: "1.0 means no imbalance is allowed"), condensed while it is below 0.4.
// Hosts of 4,096 MB, VMs of 1,024 MB: each VM is a quarter of a host.
import { describe, expect, it } from 'vitest'
import { cloudStackImbalance, cloudStackPass } from '../../engine/policies/cloudstack'
import { presetDefaults, type CloudStackParams } from '../../engine/policies/presets'
import { tinyCluster } from './tiny-cluster'

const cs = (name: string): CloudStackParams => presetDefaults(name) as CloudStackParams
const moves = (r: ReturnType<typeof cloudStackPass>) => r.moves.map((m) => [m.vm, m.from, m.to])
const quiet = (n: number) => Array.from({ length: n }, () => [0.01])

describe('cloudstack-balanced', () => {
  it('plans the single best move while the imbalance is above 0.6', () => {
    // shares 0.75, 0.25, 0: mean 1/3, variance ((5/12)² + (1/12)² + (1/3)²) ÷ 3 = (25 + 1 + 16) ÷ 144 ÷ 3
    // = 7/72, σ = 0.31180, imbalance 0.93541 > 0.6. Candidates: a VM from host 0 to host 2 → 0.5, 0.25, 0.25:
    // variance ((1/6)² + 2 × (1/12)²) ÷ 3 = 1/72, σ 0.11785, imbalance 0.35355 (best); host 0 → host 1 →
    // 0.5, 0.5, 0: 0.70711; host 1 → host 2: 0.93541 again. VMs 0..2 tie: the lowest id, VM 0.
    // 0.35355 ≤ 0.6: the plan stops after one move.
    const view = tinyCluster({ hosts: [[0, 1, 2], [3], []], util: quiet(4) })
    expect(cloudStackImbalance(view, cs('cloudstack-balanced'))).toBeCloseTo(Math.sqrt(7 / 72) * 3, 12)
    const r = cloudStackPass(view, cs('cloudstack-balanced'))
    expect(moves(r)).toEqual([[0, 0, 2]])
    expect(r.moves[0]!.metricAfter).toBeCloseTo(Math.sqrt(1 / 72) * 3, 12)
    expect(r.moves[0]!.why).toContain('is above 0.60')
  })

  it('plans nothing at an imbalance of 0.6 or less (the PlanetLab day sits at 0.32)', () => {
    // shares 0.5, 0.25, 0.25: imbalance 0.35355 ≤ 0.6
    const view = tinyCluster({ hosts: [[0, 1], [2], [3]], util: quiet(4) })
    expect(cloudStackPass(view, cs('cloudstack-balanced')).moves).toEqual([])
    // shares 0.75, 0.25, 0.25: mean 5/12, deviations 4/12, −2/12, −2/12, variance 24/144 ÷ 3 = 1/18,
    // imbalance √(1/18) ÷ (5/12) = 0.56569: above drs.imbalance 0.4 but not above 1 − 0.4 = 0.6 — no move
    const between = tinyCluster({ hosts: [[0, 1, 2], [3], [4]], util: quiet(5) })
    expect(cloudStackImbalance(between, cs('cloudstack-balanced'))).toBeCloseTo((Math.sqrt(1 / 18) * 12) / 5, 12)
    expect(cloudStackPass(between, cs('cloudstack-balanced')).moves).toEqual([])
  })

  it('stops at drs.max.migrations', () => {
    // shares 1, 0, 0, 0 (imbalance √3 = 1.732): the first best move is VM 0 to host 1 (0.75, 0.25, 0, 0:
    // imbalance 1.2247); with maxMigrations 1 the plan ends there although 1.2247 > 0.6
    const view = tinyCluster({ hosts: [[0, 1, 2, 3], [], [], []], util: quiet(4) })
    const r = cloudStackPass(view, { ...cs('cloudstack-balanced'), maxMigrations: 1 })
    expect(moves(r)).toEqual([[0, 0, 1]])
    expect(r.moves[0]!.metricBefore).toBeCloseTo(Math.sqrt(3), 12)
    expect(r.moves[0]!.metricAfter).toBeCloseTo(Math.sqrt(1.5), 12)
  })
})

describe('cloudstack-condensed', () => {
  it('plans the move that raises the imbalance most while it is below 0.4', () => {
    // shares 0.5, 0.25, 0.25 (0.35355 < 0.4): VM 2 (host 1) or VM 3 (host 2) to host 0 gives 0.75, 0, 0.25
    // or 0.75, 0.25, 0: imbalance 0.93541 (the most); the lowest id, VM 2. 0.93541 ≥ 0.4: stop.
    const view = tinyCluster({ hosts: [[0, 1], [2], [3]], util: quiet(4) })
    const r = cloudStackPass(view, cs('cloudstack-condensed'))
    expect(moves(r)).toEqual([[2, 1, 0]])
    expect(r.moves[0]!.metricAfter).toBeCloseTo(Math.sqrt(7 / 72) * 3, 12)
  })
})
