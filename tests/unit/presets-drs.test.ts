// vSphere DRS's legacy balancing and DPM as pure functions over a cluster view, checked against figures
// worked out by hand from the rules VMware documents (the KB on the priority of a DRS recommendation, the
// DPM band 63 % ± 18 %), and the preset names and parameters as scenarios spell them.
import { describe, expect, it } from 'vitest'
import type { ClusterView } from '../../engine/policies/cluster-view'
import {
  balancingPriority,
  currentChlsd,
  dpmPowerOff,
  dpmPowerOn,
  drsBalance,
  drsPass,
  drsPriority,
  targetDeviation,
} from '../../engine/policies/drs'
import { presetDefaults, presetWith, type DrsParams } from '../../engine/policies/presets'
import { parsePolicy, parsePolicyName, PolicyNameError } from '../../engine/policies/policy-name'

/**
 * A cluster as plain data: hosts of 1,000 MIPS and 4,096 MB, VMs of 1,000 MIPS and 1,024 MB with a constant
 * CPU utilization; `on[h]` false: switched off and wakeable. Moves and power-ons change the data.
 */
function cluster(hostsOf: number[][], util: number[], on: boolean[] = hostsOf.map(() => true), slots = 4): ClusterView {
  const members = hostsOf.map((vms) => [...vms])
  const state = [...on]
  const where = (v: number) => members.findIndex((m) => m.includes(v))
  return {
    hostCount: members.length,
    interval: 300,
    active: (h) => state[h]!,
    running: (h) => state[h]!,
    wakeable: (h) => !state[h]!,
    capacity: () => 1000,
    ramCapacity: () => 4096,
    vms: (h) => members[h]!,
    vmCapacity: () => 1000,
    vmRam: () => 1024,
    utilization: (v) => util[v]!,
    historyLength: () => 1,
    movable: () => true,
    admits: (v, h) => state[h]! && members[h]!.reduce((s, u) => s + util[u]!, 0) + util[v]! <= 1,
    migrationSlots: () => slots,
    move: (v, h) => {
      const from = where(v)
      members[from]!.splice(members[from]!.indexOf(v), 1)
      members[h]!.push(v)
    },
    powerOn: (h) => {
      state[h] = true
    },
  }
}

const drs = (threshold: number): DrsParams => ({ ...(presetDefaults(`drs-${threshold}`) as DrsParams) })

// hosts 0..3 at 80 % (VMs 0: 50 %, 1: 30 %), 10 % (VM 2), 40 % (VM 3), 30 % (VM 4): mean 40 %,
// deviations 40, −30, 0, −10 points: variance (0.16 + 0.09 + 0 + 0.01) ÷ 4 = 0.065, CHLSD = √0.065 = 0.25495
const unbalanced = () => cluster([[0, 1], [2], [3], [4]], [0.5, 0.3, 0.1, 0.4, 0.3])

describe('DRS priority (6 − ⌈CHLSD ÷ 0.1 × √N⌉) and the threshold', () => {
  it('reads the formula left to right', () => {
    // CHLSD 0.05 over 16 hosts: 0.05 ÷ 0.1 × 4 = 2 → 6 − 2 = 4; 0.2 over 4 hosts: 2 × 2 = 4 → 2
    expect(drsPriority(0.05, 16)).toBe(4)
    expect(drsPriority(0.2, 4)).toBe(2)
    expect(drsPriority(0, 10)).toBe(6)
    // balancing moves are 2 at best (1 is mandatory), none when there is no imbalance
    expect(balancingPriority(0.25495, 4)).toBe(2)
    expect(balancingPriority(0, 4)).toBeUndefined()
    // threshold k tolerates CHLSD ≤ (5 − k) × 0.1 ÷ √N: threshold 3 over 16 hosts 0.05, threshold 1 all
    expect(targetDeviation(3, 16)).toBeCloseTo(0.05, 15)
    expect(targetDeviation(1, 16)).toBe(Number.POSITIVE_INFINITY)
  })

  it('gives every balancing move priority 2 on a cluster of hundreds of hosts (the PlanetLab day: N = 414)', () => {
    // √414 = 20.347. The day's CHLSD stays between 0.0675 and 0.0840 at every pass: 0.0675 ÷ 0.1 × 20.347 =
    // 13.73 → 6 − 14 = −8; 0.0840 → 17.09 → 6 − 18 = −12: 2 at best for balancing, within thresholds 2..5.
    expect(drsPriority(0.0675, 414)).toBe(-8)
    expect(drsPriority(0.084, 414)).toBe(-12)
    expect(balancingPriority(0.0675, 414)).toBe(2)
    // priority 3 needs ⌈CHLSD ÷ 0.1 × √N⌉ ≤ 3, CHLSD ≤ 0.3 ÷ 20.347 = 0.01474; drs-3 stops at 0.2 ÷ 20.347 =
    // 0.00983, drs-5 at 0: both far below what one pass reaches, so the lab's cost-benefit rule (a move must
    // lower CHLSD by 1 % of it) ends every pass of both, at the same move: drs-3 and drs-5 make the same moves
    expect(balancingPriority(0.0147, 414)).toBe(3)
    expect(targetDeviation(3, 414)).toBeCloseTo(0.2 / Math.sqrt(414), 15)
    expect(targetDeviation(5, 414)).toBe(0)
  })

  it('measures CHLSD over the active hosts', () => {
    expect(currentChlsd(unbalanced(), drs(3))).toBeCloseTo(Math.sqrt(0.065), 12)
  })

  it('drs-3 makes the one move that lowers CHLSD most, then stops at priority 4', () => {
    // from host 0 (the only host above the mean) to host 1 (the least loaded below it):
    //   VM 0 (50 %): loads 30, 60, 40, 30 → variance (0.01 + 0.04 + 0 + 0.01) ÷ 4 = 0.015, CHLSD 0.12247
    //   VM 1 (30 %): loads 50, 40, 40, 30 → variance (0.01 + 0 + 0 + 0.01) ÷ 4 = 0.005, CHLSD 0.07071 (best)
    // then 6 − ⌈0.07071 ÷ 0.1 × 2⌉ = 6 − ⌈1.414⌉ = 4 > 3: drs-3 stops
    const moves = drsBalance(unbalanced(), drs(3))
    expect(moves.map((m) => [m.vm, m.from, m.to, m.priority])).toEqual([[1, 0, 1, 2]])
    expect(moves[0]!.metricBefore).toBeCloseTo(Math.sqrt(0.065), 12)
    expect(moves[0]!.metricAfter).toBeCloseTo(Math.sqrt(0.005), 12)
    expect(moves[0]!.why).toContain('host load standard deviation 0.2550 over 4 hosts gives priority 2')
    expect(moves[0]!.why).toContain('lowers it to 0.0707')
  })

  it('drs-5 goes on at priority 4 while a move helps; drs-1 makes no balancing move', () => {
    // after VM 1: loads 50, 40, 40, 30 (mean 40); host 0 (VM 0, 50 %) is the only source, host 3 (30 %) the
    // only target below the mean: 0, 40, 40, 80 is worse — no further move
    expect(drsBalance(unbalanced(), drs(5)).map((m) => [m.vm, m.to])).toEqual([[1, 1]])
    expect(drsBalance(unbalanced(), drs(1))).toEqual([])
    // two sources: hosts 0 and 1 at 90 % and 70 % (VMs 0 + 1, 2 + 3), hosts 2 and 3 at 10 %: mean 45 %,
    // variance (0.2025 + 0.0625 + 0.1225 + 0.1225) ÷ 4 = 0.1275, CHLSD 0.35707 → priority 2 (raw −2)
    const two = () => cluster([[0, 1], [2, 3], [4], [5]], [0.5, 0.4, 0.4, 0.3, 0.1, 0.1])
    const m5 = drsBalance(two(), drs(5))
    const m3 = drsBalance(two(), drs(3))
    expect(m5.length).toBeGreaterThanOrEqual(m3.length)
    // first move: VM 0 (50 %) from host 0 to host 2: loads 40, 70, 60, 10 → variance (0.0025 + 0.0625 +
    // 0.0225 + 0.1225) ÷ 4 = 0.0525; VM 1 (40 %): 50, 70, 50, 10 → (0.0025 + 0.0625 + 0.0025 + 0.1225) ÷ 4 =
    // 0.0475 (better); VM 2 (40 %) from host 1: 90, 30, 50, 10 → (0.2025 + 0.0225 + 0.0025 + 0.1225) ÷ 4 =
    // 0.0875; VM 3 (30 %): 90, 40, 40, 10 → (0.2025 + 0.0025 + 0.0025 + 0.1225) ÷ 4 = 0.0825. VM 1 → host 2.
    expect([m3[0]!.vm, m3[0]!.from, m3[0]!.to]).toEqual([1, 0, 2])
    expect(m3[0]!.metricAfter).toBeCloseTo(Math.sqrt(0.0475), 12)
  })
})

describe('DPM (63 % ± 18 %, power-on over 5 minutes, power-off over 40)', () => {
  const dpm = { threshold: 3, target: 0.63, tolerance: 0.18, powerOnWindow: 300, powerOffWindow: 2400 }

  it('wakes the lowest-id standby host when a host asks for more than 81 %', () => {
    // host 0 at 90 % (> 81 %): priority 2 (≥ 90 %); host 2 is off and wakeable
    const view = cluster([[0], [1], []], [0.9, 0.5], [true, true, false])
    const on = dpmPowerOn(view, dpm)
    expect(on).toMatchObject({ kind: 'power-on', host: 2, priority: 2 })
    // at 81 % exactly nothing is asked
    expect(dpmPowerOn(cluster([[0], []], [0.81], [true, false]), dpm)).toBeUndefined()
  })

  it('empties the least loaded host below 45 % when its VMs fit elsewhere within 63 %', () => {
    // hosts at 50 %, 20 %, 10 %: host 2 (10 %) is the least loaded below 45 %; its VM (10 %) goes to the
    // fullest host that stays ≤ 63 %: host 0 (50 → 60 %). 45 − 10 = 35 points below the band: priority 2
    const view = cluster([[0], [1], [2]], [0.5, 0.2, 0.1])
    const off = dpmPowerOff(view, dpm, new Set())
    expect(off).toMatchObject({ kind: 'standby', host: 2, priority: 2 })
    expect(off!.moves!.map((m) => [m.vm, m.from, m.to])).toEqual([[2, 2, 0]])
    expect(off!.why).toContain('below 63.0 % − 18.0 % = 45.0 %')
    // a host the pass touched is left alone: then host 1 (20 %, 25 points below: priority 3) to host 0 (50 → 70 %
    // is over 63 %) or host 2 (10 → 30 %)
    const other = dpmPowerOff(cluster([[0], [1], [2]], [0.5, 0.2, 0.1]), dpm, new Set([2]))
    expect(other).toMatchObject({ kind: 'standby', host: 1, priority: 3 })
    expect(other!.moves!.map((m) => m.to)).toEqual([2])
  })

  it('a pass whose power-off is above DPM threshold makes none and leaves the VMs where they are', () => {
    // three hosts at 30 % (drs-1: no balancing move). Host 0, the least loaded (lowest id), is 15 points below
    // the band: a power-off of priority 4, its VM to host 1 (30 → 60 % ≤ 63 %). Over DPM's threshold 3 the pass
    // makes none — and the move it planned is not left in the view, where the next decisions would count
    // VM 0 on host 1
    const view = cluster([[0], [1], [2]], [0.3, 0.3, 0.3])
    expect(drsPass(view, { ...drs(1), dpm })).toEqual({ moves: [], power: [] })
    expect([0, 1, 2].map((h) => view.vms(h))).toEqual([[0], [1], [2]])
    // with DPM's threshold at 4 the same power-off is made, with its move
    const other = cluster([[0], [1], [2]], [0.3, 0.3, 0.3])
    const made = drsPass(other, { ...drs(1), dpm: { ...dpm, threshold: 4 } })
    expect(made.power).toMatchObject([{ kind: 'standby', host: 0, priority: 4 }])
    expect(made.power[0]!.moves!.map((m) => [m.vm, m.from, m.to])).toEqual([[0, 0, 1]])
    expect([0, 1, 2].map((h) => other.vms(h))).toEqual([[], [1, 0], [2]])
  })
})

describe('preset names and parameters', () => {
  it('parses drs-1..5, +dpm and the other families with their documented defaults', () => {
    expect(parsePolicyName('drs-3+dpm')).toMatchObject({ kind: 'preset', name: 'drs-3+dpm' })
    expect(presetDefaults('drs-4')).toMatchObject({ family: 'drs', threshold: 4, every: 300 })
    expect(presetDefaults('drs-2+dpm')).toMatchObject({
      dpm: { target: 0.63, tolerance: 0.18, powerOnWindow: 300, powerOffWindow: 2400 },
    })
    expect(presetDefaults('ovirt-evenly')).toMatchObject({ highUtilization: 0.8, lowUtilization: 0.2, every: 60 })
    expect(presetDefaults('watcher-balance')).toMatchObject({ threshold: 0.25 })
    expect(presetDefaults('cloudstack-balanced')).toMatchObject({
      every: 3600,
      maxMigrations: 50,
      imbalance: 0.4,
      metric: 'memory',
    })
    expect(() => parsePolicyName('drs-7')).toThrow(PolicyNameError)
  })

  it('takes parameters over the name, and names a bad one', () => {
    const r = parsePolicy({ name: 'drs-3+dpm', threshold: 4 })
    expect(r.spec?.name).toBe('drs-4+dpm')
    const bad = presetWith(presetDefaults('drs-3')!, { highVmCount: 3 })
    expect(bad.spec).toBeUndefined()
    expect(bad.problems[0]!.path).toEqual(['highVmCount'])
    expect(parsePolicy({ name: 'lr-mmt-1.2', threshold: 3 }).problems[0]!.message).toContain('takes no parameters')
  })
})
