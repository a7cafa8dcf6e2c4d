// Host shards in Node worker threads (CLI, tests, Electron main), driven over comlink: one call per shard
// per step. A worker that crashes or exits does not take the lab down: its pending call fails with a
// ShardFailure naming the hosts it held, and the coordinator decides what happens next.
import type { Worker } from 'node:worker_threads'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import * as Comlink from 'comlink'
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs'
import type { ShardService } from '../../lab/shard-service'
import { ShardCalls, ShardFailure, inProcessShards, type ShardFactory, type ShardHandle } from '../../lab/shards'
import type { ClusterModel } from '../../model/cluster-model'

export type WorkerSpawner = () => Worker

// node:worker_threads and node:os load when a lab starts threads, not with this module: a cloudsim run
// (the CLI's usual run) never loads them.
const threads = () => process.getBuiltinModule('node:worker_threads')

/** Hosts a worker should own at least: fewer would cost more in messages than it saves. */
export const HOSTS_PER_WORKER = 2000

/**
 * How a shard worker starts: the bundled entry next to the CLI bundle (out/cli/shard-worker.mjs), or the
 * TypeScript entry through the tsx bootstrap when running from sources (tests, development).
 */
export function defaultSpawner(): WorkerSpawner {
  const bundled = new URL('./shard-worker.mjs', import.meta.url)
  const { Worker } = threads()
  if (existsSync(fileURLToPath(bundled))) return () => new Worker(bundled)
  const boot = new URL('./dev-worker-boot.mjs', import.meta.url)
  const entry = new URL('./shard-worker.ts', import.meta.url).href
  return () => new Worker(boot, { workerData: { __entry: entry } })
}

export function workerShards(spawn: WorkerSpawner = defaultSpawner()): ShardFactory {
  return async (init) => {
    const worker = spawn()
    const api = Comlink.wrap<ShardService>(nodeEndpoint(worker))
    const hosts = init.hostIds
    const calls = new ShardCalls()
    worker.on('error', (e: Error) => calls.fail(new ShardFailure(hosts, `worker crashed: ${e.message}`)))
    worker.on('exit', (code) => calls.fail(new ShardFailure(hosts, `worker exited with code ${code}`)))
    let closing = false
    await calls.call(() => api.init(init))
    const handle: ShardHandle = {
      step: (input) => calls.call(() => api.step(Comlink.transfer(input, input.reuse))),
      capture: () => calls.call(() => api.capture()),
      close: async () => {
        if (closing) return
        closing = true
        api[Comlink.releaseProxy]()
        await worker.terminate()
      },
    }
    return handle
  }
}

export interface ShardOptions {
  shards: number
  shardFactory: ShardFactory
}

/**
 * Shards for a run. `workers` from the command line: 0 = all hosts in this thread; n = n worker threads.
 * Default: one worker per core, but no more than one per HOSTS_PER_WORKER hosts — small clusters stay in
 * this thread. The CloudSim-compatible mode always runs on this thread (see README).
 */
export function shardOptions(model: ClusterModel, workers: number | undefined): ShardOptions {
  if (model.mode === 'cloudsim') return { shards: 1, shardFactory: inProcessShards }
  const count =
    workers ??
    Math.min(process.getBuiltinModule('node:os').availableParallelism(), Math.floor(model.hostCount / HOSTS_PER_WORKER))
  if (count < 1 || (workers === undefined && count < 2)) return { shards: 1, shardFactory: inProcessShards }
  return { shards: Math.min(count, model.hostCount), shardFactory: workerShards() }
}
