// A lab run in in-process shards whose memory bookkeeping is checked after every step
// (HostShard.memoryInconsistencies).
import { HostShard } from '../../engine/lab/shard'
import { LabSimulation } from '../../engine/lab/simulation'
import type { ShardFactory } from '../../engine/lab/shards'
import type { LabSummary } from '../../engine/lab/lab-summary'
import type { LabEvent } from '../../engine/api/lab-api'
import type { ClusterModel } from '../../engine/model/cluster-model'

/**
 * Runs a model to its end in `shards` in-process shards, checking every shard's memory after every step;
 * returns the lab, its summary, the events and the inconsistencies found (with the step that showed them).
 */
export async function runChecked(
  m: ClusterModel,
  shards = 1,
): Promise<{ sim: LabSimulation; summary: LabSummary; events: LabEvent[]; found: string[]; steps: number }> {
  const hosts: HostShard[] = []
  const factory: ShardFactory = (init) => {
    const shard = new HostShard(init)
    hosts.push(shard)
    return Promise.resolve({
      step: (input) => Promise.resolve(shard.step(input)),
      capture: () => Promise.resolve(shard.capture()),
      close: () => Promise.resolve(),
    })
  }
  const sim = await LabSimulation.create(m, shards, factory)
  const events: LabEvent[] = []
  sim.onEvent = (e) => events.push(e)
  const found: string[] = []
  let steps = 0
  while (await sim.step()) {
    steps++
    for (const shard of hosts) for (const f of shard.memoryInconsistencies()) found.push(`step ${steps}: ${f}`)
    if (found.length > 20) break
  }
  await sim.close()
  return { sim, summary: sim.summary(), events, found, steps }
}
