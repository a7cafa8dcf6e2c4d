// Where a LabSession's lab-mode runs put their host shards: the platform decides (Electron main and Node:
// worker threads, engine/platform/node/app-shards.ts; the browser build: Web Workers started by the lab's own
// Web Worker, engine/platform/browser/web-shards.ts) and hands the session a planner. Results do not depend
// on the number of shards (engine/lab/simulation.ts combines their outputs in host and VM order).
import type { ClusterModel } from '../model/cluster-model'
import { inProcessShards, type ShardFactory } from '../lab/shards'
import type { ShardPlace } from './lab-api'

export interface ShardPlan {
  shards: number
  shardFactory: ShardFactory
  where: ShardPlace
}

/** The shards for a model; `workers` as `conlab run --workers` takes it (undefined: the platform's default). */
export type ShardPlanner = (model: ClusterModel, workers: number | undefined) => ShardPlan

/** Every host in the session's own thread. */
export const inThreadShards: ShardPlanner = () => ({ shards: 1, shardFactory: inProcessShards, where: 'in-thread' })

/** Hosts a worker should own at least: fewer would cost more in messages than it saves (the CLI's rule). */
export const HOSTS_PER_WORKER = 2000

/**
 * How many workers: `workers` when given (0: none), else one per core but no more than one per
 * HOSTS_PER_WORKER hosts, and none when that leaves fewer than two (small clusters stay in the lab's thread).
 * engine/platform/node/shard-workers.ts's shardOptions applies the same rule for the CLI.
 */
export function workerCount(hosts: number, cores: number, workers: number | undefined): number {
  if (workers !== undefined) return Math.max(0, Math.min(Math.floor(workers), hosts))
  const count = Math.min(cores, Math.floor(hosts / HOSTS_PER_WORKER))
  return count < 2 ? 0 : count
}
