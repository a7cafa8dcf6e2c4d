// The analytic model (docs/migration.md) on its own: the closed forms reproduce worked examples A and B, the
// collision correction behaves at both ends.
import { describe, expect, it } from 'vitest'
import {
  GiB,
  MiB,
  geometricPrecopy,
  precopyPassModel,
  precopyQemuModel,
  uniquePagesDirtied,
  writableWorkingSet,
} from '../../engine/migration'

describe('analytic pre-copy model', () => {
  it('worked example A (§2.3): 4 rounds, 16 MiB left, 125 ms downtime, 42.625 s, 5456 MiB sent', () => {
    const a = geometricPrecopy({ memory: 4 * GiB, bandwidth: 128 * MiB, dirtyRate: 32 * MiB, downtimeLimit: 0.3 })
    expect(a.lambda).toBe(0.25)
    expect(a.rounds).toBe(4)
    expect(a.volumes.map((v) => v / MiB)).toEqual([4096, 1024, 256, 64, 16])
    expect(a.times).toEqual([32, 8, 2, 0.5])
    expect(a.downtime).toBeCloseTo(0.125, 12)
    expect(a.totalTime).toBeCloseTo(42.625, 12)
    expect(a.transferred / MiB).toBeCloseTo(5456, 9)
  })

  it('worked example B (§2.3): λ ≥ 1 never converges', () => {
    const b = geometricPrecopy({ memory: 16 * GiB, bandwidth: 128 * MiB, dirtyRate: 200 * MiB, downtimeLimit: 0.3 })
    expect(b.converges).toBe(false)
    expect(b.totalTime).toBe(Infinity)
    // with a round limit (Xen's n_max) it stops, with a large pause
    const xen = geometricPrecopy({
      memory: 1 * GiB,
      bandwidth: 128 * MiB,
      dirtyRate: 200 * MiB,
      downtimeLimit: 0.3,
      maxRounds: 29,
    })
    expect(xen.rounds).toBe(29)
    expect(xen.downtime).toBeGreaterThan(1000)
  })

  it('distinct pages: w writes into N pages dirty N(1 − (1 − 1/N)^w)', () => {
    const N = 1048576
    expect(uniquePagesDirtied(N, 0)).toBe(0)
    expect(uniquePagesDirtied(N, 1)).toBeCloseTo(1, 9)
    expect(uniquePagesDirtied(N, 1000)).toBeCloseTo(1000 - (1000 * 999) / 2 / N, 3)
    expect(uniquePagesDirtied(N, N) / N).toBeCloseTo(1 - Math.exp(-1), 6)
    expect(uniquePagesDirtied(N, 50 * N)).toBeCloseTo(N, 6)
    // a hot set saturates at its size (§2.2: W(τ) concave, W∞ = hot set)
    const w = (tau: number) => writableWorkingSet(N, 65536, 1, 51200, tau)
    expect(w(0.1)).toBeLessThan(w(1))
    expect(w(100)).toBeCloseTo(65536, 3)
    expect(w(2) - w(1)).toBeLessThan(w(1) - w(0))
  })

  it('collisions shorten the later rounds of example A; the textbook and QEMU rules both converge', () => {
    const input = {
      pageCount: 1048576,
      pageSize: 4096,
      bandwidth: 128 * MiB,
      writeBytesPerSecond: 32 * MiB,
      downtimeLimit: 0.3,
    }
    const pass = precopyPassModel({ ...input, pageHeaderBytes: 0 })
    // round 1 = distinct pages of 32 s × 8192 writes/s = N(1 − e^{−0.25}) ≈ 906 MiB instead of 1024
    const round1 = 1048576 * -Math.expm1(262144 * Math.log1p(-1 / 1048576))
    expect(pass.detail[1]!.pages).toBeCloseTo(round1, 6)
    expect((round1 * 4096) / MiB).toBeCloseTo(906.03, 2)
    expect((pass.detail[1]!.pages * 4096) / MiB).toBeLessThan(1024)
    expect(pass.rounds).toBe(4)
    expect(pass.totalTime).toBeLessThan(42.625)
    const qemu = precopyQemuModel(input)
    expect(qemu.converges).toBe(true)
    // QEMU switches over as soon as the pending set fits: its downtime sits just under the limit
    expect(qemu.downtime).toBeLessThan(0.3)
    expect(qemu.downtime).toBeGreaterThan(0.2)
  })
})
