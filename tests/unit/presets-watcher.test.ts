// OpenStack Watcher's strategies (Watcher docs, "Strategies": workload balance, VM workload consolidation) as
// pure functions over a tiny cluster, each expected move worked out by hand from the documented rule.
// Hosts and VMs of 1,000 MIPS: a VM's utilization is its share of a host; 5-minute steps.
import { describe, expect, it } from 'vitest'
import { presetDefaults, type WatcherParams } from '../../engine/policies/presets'
import { relativeClusterUtilization, watcherPass } from '../../engine/policies/watcher'
import { tinyCluster } from './tiny-cluster'

const watcher = (name: string): WatcherParams => presetDefaults(name) as WatcherParams
const moves = (r: ReturnType<typeof watcherPass>) => r.moves.map((m) => [m.vm, m.from, m.to])

describe('watcher-balance (workload balance, threshold 25 %)', () => {
  it('moves the VM closest to the source’s excess over the average to the least utilized host below 25 %', () => {
    // workloads: host 0 = VMs 0 (200) + 1 (100) = 300 MIPS (30 % ≥ 25 %: the source), host 1 = 100 (10 %),
    // host 2 = 200 (20 %); average 200, host 0's excess 100. VM 0 (200) exceeds it; VM 1 (100) leaves 0:
    // VM 1. Targets below 25 % that stay below 250 MIPS with it: host 1 (100 + 100 = 200), not host 2 (300).
    const view = tinyCluster({ hosts: [[0, 1], [2], [3]], util: [[0.2], [0.1], [0.1], [0.2]] })
    const r = watcherPass(view, watcher('watcher-balance'))
    expect(moves(r)).toEqual([[1, 0, 1]])
    expect(r.moves[0]!.why).toContain('at or above the threshold 25.0 %')
  })

  it('makes no move when no VM fits within the excess, or no host is at 25 %', () => {
    // host 0 = 200 + 150 = 350 (35 %), hosts 1, 2 = 100, 200: average 216.7, excess 133.3 — both VMs exceed it
    const none = tinyCluster({ hosts: [[0, 1], [2], [3]], util: [[0.2], [0.15], [0.1], [0.2]] })
    expect(watcherPass(none, watcher('watcher-balance')).moves).toEqual([])
    // host 0 = VMs 0 (140) + 1 (100) = 240 MIPS (24 %), host 1 = 10: average 125, excess 115 — VM 1 would fit
    // it, but no host is at 25 %
    const quiet = tinyCluster({ hosts: [[0, 1], [2]], util: [[0.14], [0.1], [0.01]] })
    expect(watcherPass(quiet, watcher('watcher-balance')).moves).toEqual([])
  })
})

describe('watcher-consolidation (VM workload consolidation, four phases)', () => {
  it('offloads the over-loaded host, then consolidates the least loaded onto the busiest that fit', () => {
    // host 0 = VMs 0 (600) + 1 (500) = 1,100 MIPS > 1,000 × cc 1.0: over-loaded; host 1 = VM 2 (200);
    // host 2 = VM 3 (500).
    // 1. offload: host 0's VMs least CPU first: VM 1 (500) to the busiest host that fits — host 2
    //    (500 + 500 = 1,000 ≤ 1,000); host 0 is then at 600, no longer over-loaded.
    // 2. consolidation, least loaded first: host 1 (200): VM 2 to the busiest that fits: host 2 (1,000) is
    //    full, host 0 (600 + 200 = 800) fits. Host 0 (800): VM 0 does not fit on host 2. Host 2: none above it.
    // 3. each VM moved once. 4. host 1 is empty (the lab switches it off).
    const view = tinyCluster({ hosts: [[0, 1], [2], [3]], util: [[0.6], [0.5], [0.2], [0.5]] })
    const r = watcherPass(view, watcher('watcher-consolidation'))
    expect(moves(r)).toEqual([
      [1, 0, 2],
      [2, 1, 0],
    ])
    expect(view.vms(1)).toEqual([])
    // relative cluster utilization over the hosts still holding VMs: (80 % + 100 %) ÷ 2
    expect(relativeClusterUtilization(view)).toBeCloseTo(0.9, 12)
  })

  it('leaves a cluster that cannot be packed tighter alone', () => {
    // hosts at 60 % and 50 %: neither VM fits on the other host (110 %)
    const view = tinyCluster({ hosts: [[0], [1]], util: [[0.6], [0.5]] })
    expect(watcherPass(view, watcher('watcher-consolidation')).moves).toEqual([])
  })
})
