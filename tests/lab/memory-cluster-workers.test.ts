// scenarios/memory-cluster-64.yaml — 64 hosts, 768 VMs with real pages, KSM, MoM's balloons, host swap —
// gives the same results in-thread and on 1, 2 and 3 worker threads (its first 40 minutes: the boot,
// KSM's first passes and the balloons' first moves, where the shards' work is).
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openScenario } from '../../engine/scenario/open'
import { nodeFiles } from '../../engine/platform/node/files'
import { runToEnd } from '../../engine/run'
import { workerShards } from '../../engine/platform/node/shard-workers'
import { ROOT } from '../helpers'

describe('memory-cluster-64 on worker threads', () => {
  it('gives the in-thread results on 1, 2 and 3 workers', async () => {
    const model = openScenario(join(ROOT, 'scenarios', 'memory-cluster-64.yaml'), nodeFiles)
    const untilSeconds = 40 * 60
    const inThread = await runToEnd(model, { shards: 1, untilSeconds })
    const memory = inThread.memory!
    // what the shards did: KSM merged the VMs' common image pages across each host
    expect(memory.ksm.pages_sharing).toBeGreaterThan(0)
    expect(memory.peak.ksmSavedGiB).toBeGreaterThan(1)
    for (const workers of [1, 2, 3]) {
      const r = await runToEnd(model, { shards: workers, shardFactory: workerShards(), untilSeconds })
      expect(r.shards).toBe(workers)
      expect(r.stateHash).toBe(inThread.stateHash)
      expect(r.energyKWh).toBe(inThread.energyKWh)
      expect(r.memory).toEqual(inThread.memory)
    }
  }, 300_000)
})
