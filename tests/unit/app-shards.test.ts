// Where the app's lab puts its host shards: worker threads in Electron main and under Node (the CLI's rule:
// one per core, at most one per 2,000 hosts, small clusters in the lab's thread; `workers` overrides it), and
// the figures do not depend on it — the session's state hash for the PlanetLab day in lab mode is the same
// with every host in the session's thread and with two worker threads.
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { describe, expect, it } from 'vitest'
import { LabSession } from '../../engine/api/lab-session'
import { HOSTS_PER_WORKER, inThreadShards, workerCount } from '../../engine/api/shard-plan'
import { nodeScenarioCatalog } from '../../engine/platform/node/catalog'
import { bundledSpawner, nodeShardPlanner } from '../../engine/platform/node/app-shards'
import { shardOptions } from '../../engine/platform/node/shard-workers'
import { inProcessShards } from '../../engine/lab/shards'
import type { ClusterModel } from '../../engine/model/cluster-model'
import { ROOT } from '../helpers'

const catalog = nodeScenarioCatalog(join(ROOT, 'scenarios'))

describe('shard planning', () => {
  it('follows the CLI’s rule for any cluster size and --workers', () => {
    const cores = availableParallelism()
    for (const hosts of [2, 800, 1999, 4000, 10_000, 64_000])
      for (const workers of [undefined, 0, 1, 2, 3]) {
        const model = { mode: 'lab', hostCount: hosts } as ClusterModel
        const cli = shardOptions(model, workers)
        const count = workerCount(hosts, cores, workers)
        expect(count === 0 ? 1 : count).toBe(cli.shards)
        expect(count === 0).toBe(cli.shardFactory === inProcessShards)
      }
    expect(workerCount(10_000, 8, undefined)).toBe(5)
    expect(workerCount(10_000, 2, undefined)).toBe(2)
    expect(workerCount(3999, 8, undefined)).toBe(0)
    expect(workerCount(800, 8, 3)).toBe(3)
    expect(workerCount(2, 8, 3)).toBe(2)
    expect(HOSTS_PER_WORKER).toBe(2000)
  })

  it('keeps CloudSim’s model and small clusters in the lab’s thread', () => {
    const plan = nodeShardPlanner()
    expect(plan({ mode: 'cloudsim', hostCount: 800 } as ClusterModel, 4).where).toBe('in-thread')
    expect(plan({ mode: 'lab', hostCount: 800 } as ClusterModel, undefined)).toMatchObject({
      shards: 1,
      where: 'in-thread',
    })
    expect(plan({ mode: 'lab', hostCount: 800 } as ClusterModel, 2)).toMatchObject({
      shards: 2,
      where: 'worker-threads',
    })
    expect(inThreadShards({ mode: 'lab', hostCount: 9 } as ClusterModel, 3).where).toBe('in-thread')
  })

  it('starts the worker bundled beside main’s entry when it is there', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'conlab-bundle-'))
    try {
      writeFileSync(
        join(dir, 'shard-worker.js'),
        "require('node:worker_threads').parentPort.postMessage('the bundled worker')",
      )
      const worker = bundledSpawner(dir)()
      const said = await new Promise((resolve) => worker.once('message', resolve))
      expect(said).toBe('the bundled worker')
      await worker.terminate()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('a LabSession with its hosts in worker threads', () => {
  it('plays the PlanetLab day in lab mode to the same state as with every host in its own thread', async () => {
    const inThread = new LabSession(catalog, 'node', { shards: nodeShardPlanner() })
    const threaded = new LabSession(catalog, 'node', { shards: nodeShardPlanner() })
    try {
      const a = await inThread.open({ builtin: 'planetlab-lab', workers: 0 })
      const b = await threaded.open({ builtin: 'planetlab-lab', workers: 2 })
      expect(a.shards).toEqual({ count: 1, where: 'in-thread' })
      expect(b.shards).toEqual({ count: 2, where: 'worker-threads' })
      // the views agree along the way
      await inThread.advance({ untilSeconds: 6 * 3600 })
      await threaded.advance({ untilSeconds: 6 * 3600 })
      expect(await threaded.placement()).toEqual(await inThread.placement())
      expect(await threaded.hostDetails(100)).toEqual(await inThread.hostDetails(100))
      expect(await threaded.vmDetails(500)).toEqual(await inThread.vmDetails(500))
      const [fa, fb] = await Promise.all([inThread.advance({ steps: 300 }), threaded.advance({ steps: 300 })])
      expect(fb.frames).toEqual(fa.frames)
      expect(fb.events).toEqual(fa.events)
      expect(fa.done && fb.done).toBe(true)
      const [ra, rb] = await Promise.all([inThread.report(), threaded.report()])
      expect(ra.simulatedSeconds).toBe(86400)
      expect(rb.stateHash).toBe(ra.stateHash)
      expect(rb.energyKWh).toBe(ra.energyKWh)
      expect(rb.migrations).toBe(ra.migrations)
      expect([ra.shards, rb.shards]).toEqual([1, 2])
    } finally {
      await Promise.all([inThread.close(), threaded.close()])
    }
  })
})
