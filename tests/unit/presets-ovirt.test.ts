// oVirt's scheduling policies (oVirt Administration Guide, "Scheduling Policies") as pure functions over a
// tiny cluster, each expected move (or no move) worked out by hand from the documented rule: one VM per
// balancing run; Evenly_Distributed sheds from a host above HighUtilization (80 %) for
// CpuOverCommitDurationMinutes (2); Power_Saving also drains a host below LowUtilization (20 %);
// VM_Evenly_Distributed moves a VM from a host above HighVmCount (10) that runs more than MigrationThreshold
// (5) VMs more than another.
import { describe, expect, it } from 'vitest'
import { ovirtPass, vmCountSpread } from '../../engine/policies/ovirt'
import { presetDefaults, type OvirtParams } from '../../engine/policies/presets'
import { tinyCluster } from './tiny-cluster'

const ovirt = (name: string): OvirtParams => presetDefaults(name) as OvirtParams
const moves = (r: ReturnType<typeof ovirtPass>) => r.moves.map((m) => [m.vm, m.from, m.to, m.priority])

// one-minute steps so that CpuOverCommitDurationMinutes (2 minutes) spans the last two steps; hosts and VMs
// of 1,000 MIPS, so a VM's utilization is its share of a host
const minutes = { interval: 60 }

describe('ovirt-evenly (Evenly_Distributed)', () => {
  it('moves the least CPU-hungry VM of a host above 80 % for 2 minutes to the least loaded host', () => {
    // host 0: VMs 0 (50 %) + 1 (35 %) = 85 % in both of the last two minutes (> 80 %: over-utilized);
    // host 1: VM 2 at 30 %, host 2: VM 3 at 60 %. The VM that moves: VM 1 (35 %, the least CPU);
    // the target: the least loaded host that stays ≤ 80 % with it — host 1, 30 → 65 % (host 2: 95 %).
    // One VM per run: VM 0 stays although host 0 is then at 50 %.
    const view = tinyCluster({
      ...minutes,
      hosts: [[0, 1], [2], [3]],
      util: [
        [0.5, 0.5],
        [0.35, 0.35],
        [0.3, 0.3],
        [0.6, 0.6],
      ],
    })
    const r = ovirtPass(view, ovirt('ovirt-evenly'))
    expect(moves(r)).toEqual([[1, 0, 1, 2]])
    expect(r.moves[0]!.why).toContain('above HighUtilization 80.0 % for 2 steps')
  })

  it('leaves a host above 80 % for less than 2 minutes alone', () => {
    // host 0 at 85 % now but 75 % a minute before (VM 0: 50 %, then 40 %): not over-utilized for 2 minutes
    const view = tinyCluster({
      ...minutes,
      hosts: [[0, 1], [2], [3]],
      util: [
        [0.5, 0.4],
        [0.35, 0.35],
        [0.3, 0.3],
        [0.6, 0.6],
      ],
    })
    expect(ovirtPass(view, ovirt('ovirt-evenly')).moves).toEqual([])
  })

  it('makes no move when no host is above 80 %, however uneven (the PlanetLab day peaks at 76 %)', () => {
    // host 0 at 76 % (VMs 0: 70 %, 1: 6 %), hosts 1 and 2 at 5 %: VM 1 could go to host 1 (5 → 11 %), but
    // Evenly_Distributed acts on over-utilized hosts only — 76 % is not above 80 %
    const view = tinyCluster({
      ...minutes,
      hosts: [[0, 1], [2], [3]],
      util: [
        [0.7, 0.7],
        [0.06, 0.06],
        [0.05, 0.05],
        [0.05, 0.05],
      ],
    })
    expect(ovirtPass(view, ovirt('ovirt-evenly')).moves).toEqual([])
    // at HighUtilization 75 % the same host sheds VM 1 to host 1, the least loaded
    expect(moves(ovirtPass(view, { ...ovirt('ovirt-evenly'), highUtilization: 0.75 }))).toEqual([[1, 0, 1, 2]])
  })

  it('makes no move when every target would go above 80 %', () => {
    // host 0 at 85 % (VMs 50 % + 35 %), hosts 1 and 2 at 50 % and 60 %: VM 1 gives 85 % and 95 %, VM 0 more
    const view = tinyCluster({
      ...minutes,
      hosts: [[0, 1], [2], [3]],
      util: [
        [0.5, 0.5],
        [0.35, 0.35],
        [0.5, 0.5],
        [0.6, 0.6],
      ],
    })
    expect(ovirtPass(view, ovirt('ovirt-evenly')).moves).toEqual([])
  })

  it('with the default 5-minute interval, 2 minutes is the last step', () => {
    // overCommitDuration 120 s ÷ 300 s rounds to 0 steps: at least the last one counts
    const view = tinyCluster({ hosts: [[0, 1], [2]], util: [[0.5, 0.1], [0.35, 0.1], [0.3]] })
    expect(moves(ovirtPass(view, ovirt('ovirt-evenly')))).toEqual([[1, 0, 1, 2]])
  })
})

describe('ovirt-power-saving (Power_Saving)', () => {
  it('drains a host below 20 % for 2 minutes, one VM, onto the busiest host that stays ≤ 80 %', () => {
    // host 0 at 10 % (< 20 %: under-utilized), host 1 at 50 %, host 2 at 65 %: VM 0 (10 %) to host 2,
    // the busiest that stays ≤ 80 % with it (65 → 75 %); priority 3 (a consolidation move)
    const view = tinyCluster({
      ...minutes,
      hosts: [[0], [1], [2]],
      util: [
        [0.1, 0.1],
        [0.5, 0.5],
        [0.65, 0.65],
      ],
    })
    const r = ovirtPass(view, ovirt('ovirt-power-saving'))
    expect(moves(r)).toEqual([[0, 0, 2, 3]])
    expect(r.moves[0]!.why).toContain('below LowUtilization 20.0 %')
  })

  it('relieves an over-utilized host first, toward the busiest host that stays ≤ 80 %', () => {
    // host 0 at 85 % (VMs 50 % + 35 %), host 1 at 30 %, host 2 at 40 %: VM 1 (35 %) to host 2 (40 → 75 %),
    // the busiest that stays ≤ 80 % (evenly would choose host 1, the least loaded)
    const view = tinyCluster({
      ...minutes,
      hosts: [[0, 1], [2], [3]],
      util: [
        [0.5, 0.5],
        [0.35, 0.35],
        [0.3, 0.3],
        [0.4, 0.4],
      ],
    })
    expect(moves(ovirtPass(view, ovirt('ovirt-power-saving')))).toEqual([[1, 0, 2, 2]])
  })
})

describe('ovirt-vm-evenly (VM_Evenly_Distributed)', () => {
  // VMs of 256 MB at 1 % CPU so that counts alone decide
  const counts = (...n: number[]) => {
    let next = 0
    const hosts = n.map((c) => Array.from({ length: c }, () => next++))
    return tinyCluster({ hosts, util: Array.from({ length: next }, () => [0.01]), vmRam: 256 })
  }

  it('moves one VM from a host above HighVmCount to the host with the fewest, when it runs > 5 more', () => {
    // 12, 6 and 2 VMs: host 0 has more than 10; hosts 1 (12 − 6 = 6 > 5) and 2 (10 > 5) qualify; the fewest
    // first: host 2. All VMs use 1 %: the lowest id, VM 0, moves. Spread 12 − 2 = 10 before.
    const view = counts(12, 6, 2)
    expect(vmCountSpread(view)).toBe(10)
    expect(moves(ovirtPass(view, ovirt('ovirt-vm-evenly')))).toEqual([[0, 0, 2, 2]])
    expect(vmCountSpread(view)).toBe(11 - 3)
  })

  it('makes no move at 10 VMs (not above HighVmCount) or a difference of 5 (not above MigrationThreshold)', () => {
    expect(ovirtPass(counts(10, 0), ovirt('ovirt-vm-evenly')).moves).toEqual([])
    expect(ovirtPass(counts(11, 6), ovirt('ovirt-vm-evenly')).moves).toEqual([])
  })
})
