// The policy core (engine/policies/): admission, filters, weighers, VM selection, migration cost and the
// explanations, each checked against figures worked out by hand from the rules they implement.
import { describe, expect, it } from 'vitest'
import { ramCapacityMB, vcpuCapacity } from '../../engine/policies/admission'
import { describeRejection, placementRejection, REJECTION, type PlacementTables } from '../../engine/policies/filters'
import { powerIncreaseW } from '../../engine/policies/weighers'
import { selectVm, type SelectionView } from '../../engine/policies/selection'
import { cloudSimMigrationSeconds } from '../../engine/policies/migration-cost'
import { lrHorizon } from '../../engine/policies/detectors'
import { moveSentence, overloadSentence } from '../../engine/policies/explain'
import { HOST_STATE } from '../../engine/vocabulary'
import { streamFor } from '../../engine/random'

const admission = {
  cpuAllocationRatio: 4,
  ramAllocationRatio: 1.5,
  reservedHostMemory: 512 * 2 ** 20,
  reservedHostCpus: 2,
}

describe('admission (Nova: (RAM − reserved) × ratio, (cores − reserved) × ratio)', () => {
  it('gives a 16 GiB, 8-core host 23,808 MB and 24 vCPUs with these settings', () => {
    expect(ramCapacityMB(16384, admission)).toBe((16384 - 512) * 1.5)
    expect(vcpuCapacity(8, admission)).toBe(24)
    expect(vcpuCapacity(8, { ...admission, reservedHostCpus: 0 })).toBe(32)
  })
})

/** Two hosts: 0 has room, 1 is nearly full; VM 0 asks for 1,000 MIPS on 2 vCPUs of 1,000 MIPS, 4 GiB. */
function tables(): PlacementTables {
  return {
    hostState: Uint8Array.of(HOST_STATE.on, HOST_STATE.on),
    capacity: Float64Array.of(8000, 8000),
    peMips: Float64Array.of(2000, 2000),
    hostRam: Float64Array.of(16384, 16384),
    hostRamUse: Float64Array.of(8192, 14336),
    hostVcpuLimit: Float64Array.of(32, 32),
    hostVcpus: Float64Array.of(8, 31),
    hostDemand: Float64Array.of(3000, 7500),
    vmMipsPerVcpu: Float64Array.of(1000),
    vmRam: Float64Array.of(4096),
    vmVcpus: Float64Array.of(2),
  }
}

describe('filters: the first rule a host fails, with the numbers', () => {
  it('accepts a host with room', () => {
    expect(placementRejection(tables(), 0, 0, 1000)).toBe(REJECTION.none)
  })
  it('names the host state, core speed, RAM, vCPUs and CPU in that order', () => {
    const t = tables()
    t.hostState[0] = HOST_STATE.failed
    expect(placementRejection(t, 0, 0, 1000)).toBe(REJECTION.state)
    expect(describeRejection(REJECTION.state, t, 0, 0, 1000)).toBe('the host has failed')
    t.hostState[0] = HOST_STATE.maintenance
    expect(describeRejection(placementRejection(t, 0, 0, 1000), t, 0, 0, 1000)).toBe('the host is in maintenance')
    t.hostState[0] = HOST_STATE.off // an off host accepts: it is switched on for the VM
    expect(placementRejection(t, 0, 0, 1000)).toBe(REJECTION.none)
    t.peMips[0] = 999
    expect(placementRejection(t, 0, 0, 1000)).toBe(REJECTION.coreSpeed)
    // host 1: 14,336 + 4,096 > 16,384 MB
    expect(placementRejection(t, 1, 0, 1000)).toBe(REJECTION.ram)
    expect(describeRejection(REJECTION.ram, t, 1, 0, 1000)).toBe(
      'admission: the host accepts 2048 MiB more, the VM needs 4096 MiB',
    )
    t.hostRamUse[1] = 0
    // 31 + 2 > 32 vCPUs
    expect(placementRejection(t, 1, 0, 1000)).toBe(REJECTION.vcpus)
    t.hostVcpus[1] = 0
    // 7,500 + 1,000 > 8,000 MIPS
    expect(placementRejection(t, 1, 0, 1000)).toBe(REJECTION.cpu)
    expect(describeRejection(REJECTION.cpu, t, 1, 0, 1000)).toBe('CPU: 500 MIPS left, the VM asks for 1000')
    expect(placementRejection(t, 1, 0, 500)).toBe(REJECTION.none)
  })
})

describe('weighers: power-aware best fit', () => {
  it('is the watts after, interpolated in the SPECpower table, minus the watts before', () => {
    const table = [100, 110, 120, 130, 140, 150, 160, 170, 180, 190, 200]
    // u = 0.55: between 150 W (50 %) and 160 W (60 %), halfway: 155 W
    expect(powerIncreaseW(table, 0.55, 120)).toBeCloseTo(35, 12)
    expect(powerIncreaseW(table, 1, 0)).toBe(200)
    expect(powerIncreaseW(table, 0, 0)).toBe(100)
  })
})

describe('migration cost (CloudSim: RAM over half the NIC)', () => {
  it('moves 1,024 MB over 1 Gbit/s in 16.384 s, and LR predicts that many intervals ahead', () => {
    // half of 1,000,000 kbit/s = 62.5 MB/s
    expect(cloudSimMigrationSeconds(1024, 1_000_000)).toBeCloseTo(16.384, 12)
    // 10 points + ceil(16.384 / 5) intervals
    expect(lrHorizon(1024, 1_000_000, 5)).toBe(10 + 4)
    expect(lrHorizon(1024, 1_000_000, 300)).toBe(11)
  })
})

/** Four VMs: RAM, utilization and 12 history values each. */
function view(): SelectionView & { hist: Float64Array[] } {
  const ram = [2048, 1024, 1024, 4096]
  const util = [0.5, 0.9, 0.2, 0.2]
  const a = [0.1, 0.3, 0.2, 0.5, 0.4, 0.7, 0.2, 0.9, 0.3, 0.2, 0.6, 0.1]
  const b = [0.2, 0.1, 0.4, 0.3, 0.6, 0.5, 0.8, 0.7, 0.9, 0.3, 0.1, 0.5]
  const c = [0.9, 0.2, 0.4, 0.1, 0.6, 0.3, 0.8, 0.2, 0.5, 0.3, 0.7, 0.4]
  // VM 3 is VM 0 + VM 1: perfectly explained by the others
  const hist = [a, b, c, a.map((x, i) => x + b[i]!)].map((h) => Float64Array.from(h))
  return {
    hist,
    ramMB: (v) => ram[v]!,
    utilization: (v) => util[v]!,
    historyLength: (v) => hist[v]!.length,
    history: (v, n) => hist[v]!.subarray(0, n),
  }
}

describe('VM selection (CCPE 2012 §6.2)', () => {
  const random = () => streamFor(7, 'vm-selection', 0)
  it('MMT: the least RAM, ties to the first in list order', () => {
    expect(selectVm('mmt', [0, 1, 2, 3], view(), random())).toBe(1)
    expect(selectVm('mmt', [0, 2, 1, 3], view(), random())).toBe(2)
  })
  it('MU: the least utilization, ties to the first', () => {
    expect(selectVm('mu', [0, 1, 3, 2], view(), random())).toBe(3)
  })
  it('RS: a seeded draw among the candidates', () => {
    const r = random()
    const expected = [0, 1, 2, 3][random().int(0, 3)]
    expect(selectVm('rs', [0, 1, 2, 3], view(), r)).toBe(expected)
  })
  it('MC: the VM whose history the others explain best (R² = 1 for VM 0, 1 and 3, the first wins)', () => {
    // VM 0 = VM 3 − VM 1 and VM 1 = VM 3 − VM 0 are explained exactly too; ties keep the first
    expect(selectVm('mc', [2, 3, 0, 1], view(), random())).toBe(3)
    expect(selectVm('mc', [0, 1, 2, 3], view(), random())).toBe(0)
  })
  it('MC falls back to MMT when the regressions cannot be computed (too few observations)', () => {
    // 2 history values against 2 regressors and an intercept: commons-math refuses
    const v = { ...view(), historyLength: () => 2 }
    expect(selectVm('mc', [0, 1, 2], v, random())).toBe(1)
  })
  it('no candidate: −1', () => {
    expect(selectVm('mmt', [], view(), random())).toBe(-1)
  })
})

describe('explanations', () => {
  it('say which rule decided, with its numbers', () => {
    expect(overloadSentence(3, { overloaded: true, value: 0.75, threshold: 0.7, rule: 'thr-fallback' })).toBe(
      'host 3 over-loaded — THR 0.7 fallback (too little history): utilization 75.0 % > 70.0 %',
    )
    expect(overloadSentence(4, { overloaded: true, value: 1.0421, threshold: 1, rule: 'lr' })).toBe(
      'host 4 over-loaded — local regression: predicted utilization × safety = 1.042 ≥ 1',
    )
    expect(overloadSentence(5, { overloaded: true, value: 0.9, threshold: 0.8, rule: 'thr' })).toBe(
      'host 5 over-loaded — static threshold: utilization 90.0 % > threshold 80.0 %',
    )
    const move = {
      vm: 7,
      from: 5,
      to: 2,
      reason: 'underload' as const,
      sourceUtilization: 0.1,
      powerIncreaseW: 3.4,
      targetUtilizationAfter: 0.812,
    }
    expect(moveSentence(move, true)).toBe(
      'VM 7 → host 2: empties under-utilized host 5 (10.0 % planned); power-aware best fit: the host whose power rises least (+3.40 W, to 81.2 % CPU)',
    )
  })
})
