// The shards' memory bookkeeping holds together through whole lab runs: after every step, every VM's
// free / cache / used counts equal a recount of its pages, its balloon its ballooned pages (which hold
// nothing), and each host's memory holds exactly the live guests of the VMs on it
// (HostShard.memoryInconsistencies) — through live migrations whose guests write while they move
// (pre-copy, post-copy), balloons, KSM, host swap, the OOM killer and HA restarts.
import { describe, expect, it } from 'vitest'
import type { ClusterModel } from '../../engine/model/cluster-model'
import { buildClusterModel } from '../../engine/model/cluster-model'
import { parseScenario } from '../../engine/scenario/load'
import { nodeFiles } from '../../engine/platform/node/files'
import { runChecked } from './checked-run'
import { POSTCOPY_KSM, PRESSED_LAB } from './memory-scenarios'

function model(yaml: string, seed: number, policy: string): ClusterModel {
  const { scenario } = parseScenario(yaml, 'memory-consistency.yaml')
  return buildClusterModel(scenario, 'memory-consistency.yaml', nodeFiles, { seed, policy })
}

describe('memory bookkeeping through lab runs', () => {
  it('the reported run: auto-balloons inflating on VMs that live-migrated (main: threw "no present page")', async () => {
    const { summary, found, steps } = await runChecked(model(PRESSED_LAB, 995, 'thr-mmt-0.8'))
    expect(found).toEqual([])
    expect(steps).toBe(60)
    // what it went through: live migrations, balloons, host swap, the OOM killer, a protected VM resumed
    expect(summary.migrationStats.completed).toBeGreaterThan(5)
    const memory = summary.memory!
    expect(memory.peak.balloonGiB).toBeGreaterThan(0.5)
    expect(memory.peak.hostSwappedGiB).toBeGreaterThan(0)
    expect(memory.oomKills).toBeGreaterThan(0)
    expect(summary.ha!.resumedFromCheckpoint).toBeGreaterThan(0)
  })

  it('post-copy onto pressed hosts, KSM, and a protected VM resumed after its host failed under its move', async () => {
    const { summary, found } = await runChecked(model(POSTCOPY_KSM, 7, 'none'), 2)
    expect(found).toEqual([])
    const log = summary.migrationsDetail
    // VM 0's move off host 0 was in flight when host 0 failed: it resumed from its checkpoint (so did VM 1)
    expect(log.find((r) => r.vm === 0 && r.source === 0)?.location).toBe('lost')
    expect(summary.ha!.resumedFromCheckpoint).toBe(2)
    // VM 8 onto host 1, then VM 0 (ballooned by then) off host 2: both finished in post-copy, faulting
    const faulted = log.filter((r) => r.location === 'destination' && r.info!.ram['postcopy-requests'] > 0)
    expect(faulted.map((r) => [r.vm, r.source, r.target])).toEqual([
      [8, 2, 1],
      [0, 2, 0],
    ])
    const memory = summary.memory!
    expect(memory.peak.ksmSavedGiB).toBeGreaterThan(0.5)
    expect(memory.peak.balloonGiB).toBeGreaterThan(1)
    expect(memory.peak.hostSwappedGiB).toBeGreaterThan(0.5)
  })
})
