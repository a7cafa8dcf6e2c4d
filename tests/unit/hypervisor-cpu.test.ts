// CPU scheduling by weight and cap (cgroup v2 cpu.weight / cpu.max, water-filling), steal and shortfall,
// admission by allocation ratio, checkpoints.
import { describe, expect, it } from 'vitest'
import { checkCpuWeight, CpuScheduler, VcpuTable } from '../../engine/hypervisor/cpu-scheduler'

const oneCore = { cores: 1, mipsPerCore: 1000 }

function run(host: { cores: number; mipsPerCore: number }, t: VcpuTable, n: number) {
  const slots = Int32Array.from({ length: n }, (_, i) => i)
  return new CpuScheduler().schedule(host, t, slots, n)
}

describe('CpuScheduler', () => {
  it('shares an overloaded core 2:1 between weights 200 and 100, steal = demand − granted', () => {
    const t = new VcpuTable()
    t.set(0, 1, 200)
    t.set(1, 1, 100)
    t.demand[0] = 1000
    t.demand[1] = 1000
    const sum = run(oneCore, t, 2)
    // λ = 1000 / 300 per unit of weight: 666.67 and 333.33
    expect(t.granted[0]).toBeCloseTo(2000 / 3, 9)
    expect(t.granted[1]).toBeCloseTo(1000 / 3, 9)
    expect(t.granted[0]! / t.granted[1]!).toBeCloseTo(2, 12)
    expect(t.steal[0]).toBeCloseTo(1000 - 2000 / 3, 9)
    expect(t.steal[1]).toBeCloseTo(1000 - 1000 / 3, 9)
    expect(t.shortfall[0]).toBe(t.steal[0])
    expect(sum.granted).toBeCloseTo(1000, 9)
    expect(sum.utilization).toBeCloseTo(1, 12)
  })

  it('holds a cap and lets the capped share flow to the other VM', () => {
    const t = new VcpuTable()
    // cpu.max "20000 100000" (the scenario's cpuCap 0.2): 0.2 of a 1000-MIPS pCPU = 200 MIPS, even with the
    // bigger weight
    t.set(0, 1, 1000, 0.2 * 1000)
    t.set(1, 1, 100)
    t.demand[0] = 1000
    t.demand[1] = 1000
    run(oneCore, t, 2)
    expect(t.granted[0]).toBe(200)
    expect(t.granted[1]).toBe(800)
    expect(t.steal[0]).toBe(800)
    expect(t.steal[1]).toBe(200)
  })

  it('applies a cap on an idle host too (not work-conserving for the capped VM)', () => {
    const t = new VcpuTable()
    // a cap of 1.5 pCPUs (cpuCap 1.5)
    t.set(0, 4, 100, 1.5 * 1000)
    t.demand[0] = 4000
    run({ cores: 8, mipsPerCore: 1000 }, t, 1)
    expect(t.granted[0]).toBe(1500)
    expect(t.steal[0]).toBe(2500)
  })

  it("gives an idle VM's unused share to the others", () => {
    const t = new VcpuTable()
    t.set(0, 1)
    t.set(1, 1)
    t.demand[0] = 100
    t.demand[1] = 1000
    run(oneCore, t, 2)
    expect(t.granted[0]).toBe(100)
    expect(t.granted[1]).toBe(900)
    expect(t.steal[0]).toBe(0)
  })

  it('fills water in several rounds: vCPU limits, caps and weights together', () => {
    // 4 cores × 1000 = 4000 MIPS.
    // A: 1 vCPU, demand 3000 → bound 1000 (one pCPU per vCPU), weight 100
    // B: 2 vCPUs, demand 2000, cap 600, weight 100 → bound 600
    // C: 4 vCPUs, demand 4000, weight 300; D: 4 vCPUs, demand 4000, weight 100
    // Σ bounds 9600 > 4000. Round 1: λ = 4000/600 = 6.67/weight: B (600 ≤ 667) saturates.
    // Round 2: left 3400 over weights 500: λ = 6.8: A needs 1000 > 680: none saturates →
    //   A 680, C 2040, D 680.
    const t = new VcpuTable()
    t.set(0, 1, 100)
    t.set(1, 2, 100, 600)
    t.set(2, 4, 300)
    t.set(3, 4, 100)
    t.demand.set([3000, 2000, 4000, 4000])
    const sum = run({ cores: 4, mipsPerCore: 1000 }, t, 4)
    expect(t.granted[1]).toBe(600)
    expect(t.granted[0]).toBeCloseTo(680, 9)
    expect(t.granted[2]).toBeCloseTo(2040, 9)
    expect(t.granted[3]).toBeCloseTo(680, 9)
    expect(sum.granted).toBeCloseTo(4000, 9)
    for (let i = 0; i < 4; i++) expect(t.steal[i]).toBeCloseTo(t.demand[i]! - t.granted[i]!, 9)
  })

  it('keeps memory stalls out of the competition: steal counts the offered part, shortfall all of it', () => {
    const t = new VcpuTable()
    t.set(0, 1)
    t.set(1, 1)
    t.demand[0] = 1000
    t.demand[1] = 1000
    t.stall[0] = 0.5 // blocked on swap half of its running time: offers 500
    run(oneCore, t, 2)
    expect(t.granted[0]).toBe(500)
    expect(t.granted[1]).toBe(500)
    expect(t.steal[0]).toBe(0)
    expect(t.shortfall[0]).toBe(500)
    expect(t.steal[1]).toBe(500)
  })

  it('schedules only the listed slots, in their order', () => {
    const t = new VcpuTable()
    for (let i = 0; i < 5; i++) t.set(i, 1)
    t.demand.fill(1000, 0, 5)
    new CpuScheduler().schedule(oneCore, t, [4, 2], 2)
    expect(t.granted[4]).toBe(500)
    expect(t.granted[2]).toBe(500)
    expect(t.granted[0]).toBe(0)
  })

  it('validates cgroup weights (1..10000)', () => {
    expect(() => checkCpuWeight(0)).toThrow(/1\.\.10000/)
    expect(() => checkCpuWeight(10001)).toThrow()
    expect(checkCpuWeight(10000)).toBe(10000)
  })

  it('round-trips its table through state', () => {
    const t = new VcpuTable(2)
    t.set(0, 2, 300, 1500)
    t.set(1, 1, 50)
    t.set(2, 4)
    t.demand.set([2000, 900, 3000])
    const copy = VcpuTable.fromState(t.state())
    const a = run({ cores: 2, mipsPerCore: 1000 }, t, 3)
    const b = run({ cores: 2, mipsPerCore: 1000 }, copy, 3)
    expect(b).toEqual(a)
    expect(copy.granted.subarray(0, 3)).toEqual(t.granted.subarray(0, 3))
    expect(copy.steal.subarray(0, 3)).toEqual(t.steal.subarray(0, 3))
  })
})
