// Host shards as the coordinator sees them: a handle per shard (in this thread or a worker), what is left of
// a shard whose worker died, and how hosts are dealt to shards — at the start, and again when a checkpoint is
// restored with another number of shards. Hosts are dealt round-robin (host h to shard h mod n), not in
// ranges: consolidation packs VMs onto the low ids of each host type, and ranges would leave one worker
// with the whole load. The coordinator reduces every output in host or VM id order, so the dealing never
// shows in the results.
import { HOST_STATE } from '../vocabulary'
import type { ClusterModel } from '../model/cluster-model'
import { HostShard, type ShardInit } from './shard'
import { HOST_COL, HOST_FIELDS, type ShardSnapshot, type StepInput, type StepOutput } from './protocol'

export interface ShardHandle {
  step(input: StepInput): Promise<StepOutput>
  /** the shard's hosts and VMs, for a whole-lab checkpoint */
  capture(): Promise<ShardSnapshot>
  close(): Promise<void>
}

/** Hosts named briefly: "hosts 0–999", "hosts 1, 3, …, 1999 (every 2nd)", or a list. */
export function describeHosts(ids: Int32Array): string {
  const n = ids.length
  if (n === 0) return 'no hosts'
  if (n === 1) return `host ${ids[0]}`
  const step = ids[1]! - ids[0]!
  let regular = step > 0
  for (let i = 2; i < n && regular; i++) regular = ids[i]! - ids[i - 1]! === step
  const last = ids[n - 1]!
  if (regular && step === 1) return `hosts ${ids[0]}–${last}`
  if (regular && n > 3) return `hosts ${ids[0]}, ${ids[1]}, …, ${last} (every ${ordinal(step)})`
  const shown = Array.from(ids.subarray(0, 8)).join(', ')
  return `hosts ${shown}${n > 8 ? `, … (${n} hosts)` : ''}`
}

function ordinal(k: number): string {
  const tens = k % 100
  const suffix = tens >= 11 && tens <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][k % 10] ?? 'th')
  return `${k}${suffix}`
}

/** A shard stopped answering (its worker crashed or exited): the hosts it held are lost. */
export class ShardFailure extends Error {
  constructor(
    readonly hostIds: Int32Array,
    readonly reason: string,
  ) {
    super(`the shard of ${describeHosts(hostIds)} failed: ${reason}`)
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
      for (let i = 0; i < hostIds.length; i++) hosts[i * HOST_FIELDS + HOST_COL.state] = HOST_STATE.failed
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
        busyMs: 0,
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

/** Starts `shardCount` shards, host h in shard h mod shardCount. */
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
    const hostIds = Int32Array.from({ length: Math.ceil((model.hostCount - s) / count) }, (_, i) => s + i * count)
    for (const h of hostIds) shardOfHost[h] = s
    inits.push(initFor(hostIds))
  }
  const shards = await Promise.all(inits.map((init) => factory(init)))
  return { shards, shardOfHost }
}

/** The shards' snapshots as one, hosts and VMs in id order. */
export function mergeSnapshots(parts: ShardSnapshot[]): ShardSnapshot {
  const rows: { part: ShardSnapshot; i: number }[] = []
  for (const part of parts) for (let i = 0; i < part.hostIds.length; i++) rows.push({ part, i })
  rows.sort((a, b) => a.part.hostIds[a.i]! - b.part.hostIds[b.i]!)
  const hostIds = Int32Array.from(rows, (r) => r.part.hostIds[r.i]!)
  const hostState = Uint8Array.from(rows, (r) => r.part.hostState[r.i]!)
  const bootLeft = Float64Array.from(rows, (r) => r.part.bootLeft[r.i]!)
  const memory = parts.some((p) => p.hostMemory) ? rows.map((r) => r.part.hostMemory![r.i]!) : undefined
  return {
    hostIds,
    hostState,
    bootLeft,
    hostMemory: memory,
    vms: parts.flatMap((p) => p.vms).sort((a, b) => a.vm - b.vm),
  }
}

/** The part of a whole-cluster snapshot that a shard of `hostIds` takes, in the shard's host order. */
export function shardPart(all: ShardSnapshot, hostIds: Int32Array): ShardSnapshot {
  const row = new Map<number, number>()
  all.hostIds.forEach((h, i) => row.set(h, i))
  const at = Array.from(hostIds, (h) => {
    const i = row.get(h)
    if (i === undefined) throw new Error(`checkpoint: host ${h} is missing`)
    return i
  })
  const mine = new Set(hostIds)
  return {
    hostIds: Int32Array.from(at, (i) => all.hostIds[i]!),
    hostState: Uint8Array.from(at, (i) => all.hostState[i]!),
    bootLeft: Float64Array.from(at, (i) => all.bootLeft[i]!),
    hostMemory: all.hostMemory ? at.map((i) => all.hostMemory![i]!) : undefined,
    vms: all.vms.filter((v) => mine.has(v.host)),
  }
}
