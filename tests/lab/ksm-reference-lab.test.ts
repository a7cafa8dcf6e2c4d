// Whole lab runs with every memory feature on give the same results, to the last bit, when each host's
// ksmd is the page-by-page reference (tests/reference/ksm-reference.ts) instead of the engine's Ksm: the
// same stateHash, KSM counters, memory figures and migrations with their rounds.
import { describe, expect, it } from 'vitest'
import type { KsmDaemon } from '../../engine/hypervisor/ksm'
import { HostShard } from '../../engine/lab/shard'
import { inProcessShards, type ShardFactory } from '../../engine/lab/shards'
import { LabSimulation } from '../../engine/lab/simulation'
import { buildClusterModel } from '../../engine/model/cluster-model'
import { nodeFiles } from '../../engine/platform/node/files'
import { parseScenario } from '../../engine/scenario/load'
import { ReferenceKsm } from '../reference/ksm-reference'
import { POSTCOPY_KSM, PRESSED_LAB } from './memory-scenarios'

function referenceShards(newKsm: (pageSize: number) => KsmDaemon): ShardFactory {
  return (init) => {
    const shard = new HostShard(init, newKsm)
    return Promise.resolve({
      step: (input) => Promise.resolve(shard.step(input)),
      capture: () => Promise.resolve(shard.capture()),
      close: () => Promise.resolve(),
    })
  }
}

async function run(yaml: string, seed: number, policy: string, shards: number, factory: ShardFactory) {
  const { scenario } = parseScenario(yaml, 'ksm-reference.yaml')
  const model = buildClusterModel(scenario, 'ksm-reference.yaml', nodeFiles, { seed, policy })
  const sim = await LabSimulation.create(model, shards, factory)
  while (await sim.step()) {
    /* to the end */
  }
  await sim.close()
  return sim.summary()
}

describe('the lab on the page-by-page KSM reference', () => {
  for (const [name, yaml, seed, policy] of [
    [
      'pre-copy, balloons, swap, OOM kills, HA, a faster ksmd',
      // ksmd fast enough to make several passes over the hour
      PRESSED_LAB.replace('pagesToScan: 200, sleepMillisecs: 1000', 'pagesToScan: 1000, sleepMillisecs: 50'),
      995,
      'thr-mmt-0.8',
    ],
    ['post-copy onto pressed hosts with fast KSM', POSTCOPY_KSM, 7, 'none'],
  ] as const) {
    it(`gives the engine's results: ${name}`, async () => {
      let created = 0
      const reference = await run(
        yaml,
        seed,
        policy,
        2,
        referenceShards((pageSize) => {
          created++
          return new ReferenceKsm(pageSize)
        }),
      )
      expect(created).toBeGreaterThan(0)
      const engine = await run(yaml, seed, policy, 2, inProcessShards)
      // what the runs went through: merges, migrations with rounds
      expect(engine.memory!.peak.ksmSavedGiB).toBeGreaterThan(0.1)
      expect(engine.memory!.ksm.full_scans).toBeGreaterThan(2)
      expect(engine.migrationStats.completed).toBeGreaterThan(0)
      expect(engine.stateHash).toBe(reference.stateHash)
      expect(engine.memory).toEqual(reference.memory)
      expect(engine.migrationsDetail).toEqual(reference.migrationsDetail)
      expect(engine).toEqual(reference)
    })
  }
})
