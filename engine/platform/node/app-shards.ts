// Host shards for the desktop app's lab (Electron's main process) and for LabSessions under Node: worker
// threads by the CLI's rule (shard-workers.ts: one per core, at most one per 2,000 hosts, small clusters in
// the lab's thread; `workers` overrides it). In the app the shard worker is the entry electron-vite bundles
// beside main's (out/main/shard-worker.js, electron.vite.config.ts); from sources, the TypeScript entry
// through the tsx bootstrap.
import { Worker } from 'node:worker_threads'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { inProcessShards } from '../../lab/shards'
import type { ShardPlanner } from '../../api/shard-plan'
import { defaultSpawner, shardOptions, workerShards, type WorkerSpawner } from './shard-workers'

/** The shard worker electron-vite bundles beside main's entry. */
export const BUNDLED_SHARD_WORKER = 'shard-worker.js'

/** Starts the bundled shard worker in `dir` (Electron main's folder) when it is there, else the sources'. */
export function bundledSpawner(dir: string): WorkerSpawner {
  const bundled = join(dir, BUNDLED_SHARD_WORKER)
  return existsSync(bundled) ? () => new Worker(bundled) : defaultSpawner()
}

export function nodeShardPlanner(spawn: WorkerSpawner = defaultSpawner()): ShardPlanner {
  return (model, workers) => {
    const o = shardOptions(model, workers)
    return o.shardFactory === inProcessShards
      ? { shards: 1, shardFactory: inProcessShards, where: 'in-thread' }
      : { shards: o.shards, shardFactory: workerShards(spawn), where: 'worker-threads' }
  }
}
