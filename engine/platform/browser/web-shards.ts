// Host shards in Web Workers (the browser build), driven over comlink like the Node worker threads
// (engine/platform/node/shard-workers.ts): one call per shard per step, typed arrays transferred. The lab
// runs in a dedicated Web Worker and starts these from there (nested workers). A shard worker that fails
// does not take the lab down: its pending call fails with a ShardFailure naming the hosts it held, and the
// coordinator stops the run or goes on without them, as the scenario says.
import * as Comlink from 'comlink'
import type { ShardService } from '../../lab/shard-service'
import { ShardCalls, ShardFailure, inProcessShards, type ShardFactory, type ShardHandle } from '../../lab/shards'
import { workerCount, type ShardPlanner } from '../../api/shard-plan'

export type WebWorkerSpawner = () => Worker

export const spawnShardWorker: WebWorkerSpawner = () =>
  new Worker(new URL('./shard.worker.ts', import.meta.url), { type: 'module', name: 'conlab-shard' })

export function webWorkerShards(spawn: WebWorkerSpawner = spawnShardWorker): ShardFactory {
  return async (init) => {
    const worker = spawn()
    const api = Comlink.wrap<ShardService>(worker)
    const hosts = init.hostIds
    const calls = new ShardCalls()
    worker.addEventListener('error', (e: ErrorEvent) => {
      e.preventDefault()
      calls.fail(new ShardFailure(hosts, `worker crashed: ${e.message || 'an error in the shard worker'}`))
    })
    worker.addEventListener('messageerror', () =>
      calls.fail(new ShardFailure(hosts, 'worker sent a message that could not be read')),
    )
    let closed = false
    const terminate = () => {
      if (closed) return
      closed = true
      api[Comlink.releaseProxy]()
      worker.terminate()
    }
    try {
      await calls.call(() => api.init(init))
    } catch (e) {
      terminate()
      throw e
    }
    const handle: ShardHandle = {
      step: (input) => calls.call(() => api.step(Comlink.transfer(input, input.reuse))),
      capture: () => calls.call(() => api.capture()),
      close: () => {
        terminate()
        return Promise.resolve()
      },
    }
    return handle
  }
}

/**
 * The browser's shard planner: Web Workers, one per core (navigator.hardwareConcurrency) but no more than one
 * per 2,000 hosts; small clusters stay in the lab's worker. `workers` overrides it (0: none).
 */
export function browserShardPlanner(
  cores: number = navigator.hardwareConcurrency || 1,
  spawn: WebWorkerSpawner = spawnShardWorker,
): ShardPlanner {
  return (model, workers) => {
    const count = model.mode === 'lab' ? workerCount(model.hostCount, cores, workers) : 0
    return count === 0
      ? { shards: 1, shardFactory: inProcessShards, where: 'in-thread' }
      : { shards: count, shardFactory: webWorkerShards(spawn), where: 'web-workers' }
  }
}
