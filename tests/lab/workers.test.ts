// The lab model sharded over worker threads: bit-identical results whatever the number of workers, and a
// worker that dies is reported with the hosts and VMs it took down — the run stops or goes on, as the
// scenario says.
import { join } from 'node:path'
import type { Worker } from 'node:worker_threads'
import { describe, expect, it } from 'vitest'
import { openScenario } from '../../engine/scenario/open'
import { nodeFiles } from '../../engine/platform/node/files'
import { runToEnd } from '../../engine/run'
import { defaultSpawner, workerShards } from '../../engine/platform/node/shard-workers'
import { LabRunStopped, LabSimulation } from '../../engine/lab/simulation'
import type { LabEvent } from '../../engine/api/lab-api'
import { HOST_STATE } from '../../engine/api/lab-api'
import { ROOT } from '../helpers'

const PLANETLAB_LAB = join(ROOT, 'scenarios', 'planetlab-lab.yaml')
const GENERATED = join(ROOT, 'tests', 'fixtures', 'generated-large.yaml')

describe('identical results for any number of workers', () => {
  it.each([
    ['the PlanetLab day (lab model)', PLANETLAB_LAB],
    ['a generated 2000-host cluster', GENERATED],
  ])('%s', async (_, file) => {
    const model = openScenario(file, nodeFiles)
    const inThread = await runToEnd(model, { shards: 1 })
    expect(inThread.migrations).toBeGreaterThan(0)
    for (const workers of [1, 2, 3, 4]) {
      const timing = { startMs: 0, stepsMs: 0, shardWaitMs: 0, shardWorkMs: 0, slowestShardMs: 0 }
      const r = await runToEnd(model, { shards: workers, shardFactory: workerShards(), timing })
      expect(r.shards).toBe(workers)
      // where the time went: the waits hold the slowest shard's work, which is 1/n of the sum at least
      expect(timing.startMs).toBeGreaterThan(0)
      expect(timing.slowestShardMs).toBeGreaterThan(0)
      expect(timing.stepsMs).toBeGreaterThan(timing.shardWaitMs)
      expect(timing.shardWaitMs).toBeGreaterThan(timing.slowestShardMs)
      expect(timing.shardWorkMs).toBeGreaterThanOrEqual(timing.slowestShardMs)
      expect(timing.shardWorkMs).toBeLessThanOrEqual(timing.slowestShardMs * workers * (1 + 1e-9))
      expect(r.stateHash).toBe(inThread.stateHash)
      expect(r.energyKWh).toBe(inThread.energyKWh)
      expect(r.migrations).toBe(inThread.migrations)
      expect(r.slatah).toBe(inThread.slatah)
    }
  })
})

describe('a worker that dies', () => {
  function dyingWorkers() {
    const workers: Worker[] = []
    const spawn = defaultSpawner()
    return {
      workers,
      factory: workerShards(() => {
        const w = spawn()
        workers.push(w)
        return w
      }),
    }
  }

  async function runUntilKill(onWorkerFailure: 'stop' | 'continue') {
    const model = { ...openScenario(GENERATED, nodeFiles), onWorkerFailure }
    const { workers, factory } = dyingWorkers()
    const sim = await LabSimulation.create(model, 2, factory)
    const events: LabEvent[] = []
    sim.onEvent = (e) => events.push(e)
    for (let i = 0; i < 12; i++) await sim.step()
    // hosts are dealt round-robin: the first worker holds the even ones
    await workers[0]!.terminate()
    return { sim, events }
  }

  it('stops the run with a message naming the hosts and VMs lost', async () => {
    const { sim } = await runUntilKill('stop')
    const error = await sim.step().then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(LabRunStopped)
    expect((error as Error).message).toMatch(
      /the shard of hosts 0, 2, …, 1998 \(every 2nd\) failed: worker exited with code 1: 1000 hosts failed and \d+ VMs were lost \(VM \d+, .*\) at 0d 01:00 simulated; the run stopped/,
    )
  })

  it('or goes on without them when the scenario says so', async () => {
    const { sim, events } = await runUntilKill('continue')
    for (let f = await sim.step(); f; f = await sim.step()) {
      // play to the end
    }
    const warning = events.find((e) => e.kind === 'warning')
    expect(warning?.message).toMatch(/1000 hosts failed and \d+ VMs were lost .*; the run continues without them/)
    const lost = Number(/and (\d+) VMs were lost/.exec(warning!.message)![1])
    expect(lost).toBeGreaterThan(0)
    for (let h = 0; h < 2000; h += 2) expect(sim.plan.hostState[h]).toBe(HOST_STATE.failed)
    let running = 0
    for (let v = 0; v < sim.plan.vmCount; v++) if (sim.plan.vmHost[v]! >= 0) running++
    expect(running).toBe(4000 - lost)
    for (let v = 0; v < sim.plan.vmCount; v++)
      expect(sim.plan.vmHost[v] === -1 || sim.plan.vmHost[v]! % 2 === 1).toBe(true)
    expect(sim.summary().simulatedSeconds).toBe(12 * 3600)
    await sim.close()
  })
})
