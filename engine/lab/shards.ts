// Host shards as the coordinator sees them: a handle per shard (in this thread or a worker), what is left of
// a shard whose worker died, and how hosts are split into contiguous ranges — at the start, and again when a
// checkpoint is restored with another number of shards.
import { HOST_STATE } from '../api/lab-api'
import type { ClusterModel } from '../model/cluster-model'
import { HostShard, type ShardInit } from './shard'
import { H, HOST_FIELDS, type ShardSnapshot, type StepInput, type StepOutput } from './protocol'

export interface ShardHandle {
  step(input: StepInput): Promise<StepOutput>
  /** the shard's hosts and VMs, for a whole-lab checkpoint */
  capture(): Promise<ShardSnapshot>
  close(): Promise<void>
}

/** A shard stopped answering (its worker crashed or exited): the hosts it held are lost. */
export class ShardFailure extends Error {
  constructor(
    readonly hostIds: Int32Array,
    readonly reason: string,
  ) {
    super(`the shard of hosts ${hostIds[0] ?? '?'}–${hostIds[hostIds.length - 1] ?? '?'} failed: ${reason}`)
    this.name = 'ShardFailure'
  }
}

/**
 * The calls in flight to one worker, failed together when the worker dies. (Racing each call against one
 * never-settling "died" promise would keep every result alive through that promise's reaction list.)
 */
export class ShardCalls {
  private failure: ShardFailure | undefined
  private readonly pending = new Set<(e: ShardFailure) => void>()

  call<T>(send: () => Promise<T>): Promise<T> {
    if (this.failure) return Promise.reject(this.failure)
    return new Promise<T>((resolve, reject) => {
      this.pending.add(reject)
      send()
        .then(resolve, reject)
        .finally(() => this.pending.delete(reject))
    })
  }

  /** The worker died: every pending and later call fails with the first reason given. */
  fail(e: ShardFailure): void {
    this.failure ??= e
    for (const reject of this.pending) reject(this.failure)
    this.pending.clear()
  }
}

/** What remains of a dead shard: its hosts, failed, drawing nothing, running nothing. */
export function failedShard(hostIds: Int32Array): ShardHandle {
  return {
    capture: () =>
      Promise.resolve({
        hostIds: hostIds.slice(),
        hostState: new Uint8Array(hostIds.length).fill(HOST_STATE.failed),
        bootLeft: new Float64Array(hostIds.length),
        vms: [],
      }),
    step: () => {
      const hosts = new Float64Array(hostIds.length * HOST_FIELDS)
      for (let i = 0; i < hostIds.length; i++) hosts[i * HOST_FIELDS + H.state] = HOST_STATE.failed
      return Promise.resolve({
        hostIds: hostIds.slice(),
        hosts,
        vmIds: new Int32Array(0),
        vms: new Float64Array(0),
        completions: [],
        departures: [],
        lost: [],
        failed: [],
        bandwidthDemands: [],
        migrationProgress: [],
        snapshotLists: [],
        events: [],
      })
    },
    close: () => Promise.resolve(),
  }
}

/** Starts a shard; the lab decides how many and which hosts each gets. */
export type ShardFactory = (init: ShardInit) => Promise<ShardHandle>

/** Shards in this thread: the same code the workers run. */
export const inProcessShards: ShardFactory = (init) => {
  const shard = new HostShard(init)
  return Promise.resolve({
    step: (input) => Promise.resolve(shard.step(input)),
    capture: () => Promise.resolve(shard.capture()),
    close: () => Promise.resolve(),
  })
}

/** Starts `shardCount` shards over contiguous host ranges. */
export async function startShards(
  model: ClusterModel,
  shardCount: number,
  factory: ShardFactory,
  initFor: (hostIds: Int32Array) => ShardInit,
): Promise<{ shards: ShardHandle[]; shardOfHost: Int32Array }> {
  const count = Math.max(1, Math.min(shardCount, model.hostCount))
  const shardOfHost = new Int32Array(model.hostCount)
  const inits: ShardInit[] = []
  for (let s = 0; s < count; s++) {
    const from = Math.floor((s * model.hostCount) / count)
    const to = Math.floor(((s + 1) * model.hostCount) / count)
    const hostIds = Int32Array.from({ length: to - from }, (_, i) => from + i)
    for (const h of hostIds) shardOfHost[h] = s
    inits.push(initFor(hostIds))
  }
  const shards = await Promise.all(inits.map((init) => factory(init)))
  return { shards, shardOfHost }
}

/** The shards' snapshots as one, hosts and VMs in id order (shards hold ascending host ranges). */
export function mergeSnapshots(parts: ShardSnapshot[]): ShardSnapshot {
  const hosts = parts.reduce((n, p) => n + p.hostIds.length, 0)
  const hostIds = new Int32Array(hosts)
  const hostState = new Uint8Array(hosts)
  const bootLeft = new Float64Array(hosts)
  let at = 0
  for (const p of parts) {
    hostIds.set(p.hostIds, at)
    hostState.set(p.hostState, at)
    bootLeft.set(p.bootLeft, at)
    at += p.hostIds.length
  }
  const memory = parts.some((p) => p.hostMemory) ? parts.flatMap((p) => p.hostMemory ?? []) : undefined
  return {
    hostIds,
    hostState,
    bootLeft,
    hostMemory: memory,
    vms: parts.flatMap((p) => p.vms).sort((a, b) => a.vm - b.vm),
  }
}

/** The part of a whole-cluster snapshot that a shard of `hostIds` (a contiguous ascending range) takes. */
export function shardPart(all: ShardSnapshot, hostIds: Int32Array): ShardSnapshot {
  const first = all.hostIds.indexOf(hostIds[0]!)
  const end = first + hostIds.length
  const mine = new Set(hostIds)
  return {
    hostIds: all.hostIds.slice(first, end),
    hostState: all.hostState.slice(first, end),
    bootLeft: all.bootLeft.slice(first, end),
    hostMemory: all.hostMemory?.slice(first, end),
    vms: all.vms.filter((v) => mine.has(v.host)),
  }
}
