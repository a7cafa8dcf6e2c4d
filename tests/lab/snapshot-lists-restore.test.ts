// Every VM's snapshot list (what the app's VM details show) survives a whole-lab checkpoint and restore,
// also for the VMs no shard holds at the checkpoint: one between shards (its move finished in the last
// step, arriving in the next), one waiting for HA (its host failed in the last step), one the OOM killer
// ended. (The restore rebuilt the lists from the VMs on the shards only: those three came back with none.)
import { describe, expect, it } from 'vitest'
import { LabSimulation } from '../../engine/lab/simulation'
import type { LabState } from '../../engine/lab/lab-state'
import { decodeState, encodeState } from '../../engine/checkpoint/codec'
import { inlineModel } from './inline-scenario'

/**
 * Host 0 (1 GiB of RAM, 256 MiB of swap) runs VM 0 (2 GiB of its own data) and VMs 1 and 2 (256 MiB
 * each): the OOM killer ends VM 0 in the first step. Each VM takes a snapshot at t = 0; VM 1 moves to host
 * 1 (another shard) in the second step, and host 0 fails at the end of it.
 */
const SCENARIO = `
name: snapshot lists across a restore
mode: lab
duration: 5m
interval: 1m
policy: none
migration: { model: precopy }
memory: { pageSize: 64KiB, hostSwap: 256MiB }
admission: { ramAllocationRatio: 4, reservedHostMemory: 0 }
ha: { detection: 15s, bootTime: 30s }
hostTypes:
  h: { cores: 4, mipsPerCore: 2000, ramMB: 1024, nicMbps: 10000, bootSeconds: 0, power: [100, 110, 120, 130, 140, 150, 160, 170, 180, 190, 200] }
hosts: [{ type: h, count: 2 }]
vmTypes:
  big: { vcpus: 1, mips: 2000, ramMB: 2048 }
  small: { vcpus: 1, mips: 1000, ramMB: 256 }
vms:
  - { type: big, count: 1, workload: { kind: constant, level: 0.5 }, content: { zero: 0, image: 0 } }
  - { type: small, count: 2, workload: { kind: constant, level: 0.5 }, content: { zero: 0, image: 0 } }
events:
  - { at: 0s, snapshot: { vm: 0, name: zero, memory: false } }
  - { at: 0s, snapshot: { vm: 1, name: one, memory: true } }
  - { at: 0s, snapshot: { vm: 2, name: two, memory: false } }
  - { at: 1m, migrate: { vm: 1, to: 1 } }
  - { at: 2m, failHost: { host: 0 } }
`

const names = (sim: LabSimulation) =>
  [0, 1, 2].map((v) => (sim.snapshotLists.get(v) ?? []).map((s) => `${s.name}${s.memory ? ' (memory)' : ''}`))

describe('snapshot lists across a checkpoint', () => {
  it('keep the lists of VMs between shards, waiting for HA, or killed', async () => {
    const model = inlineModel(SCENARIO)
    const sim = await LabSimulation.create(model, 2)
    await sim.step()
    await sim.step()
    expect(sim.time).toBe(120)
    // at the checkpoint no shard holds VM 0 (killed), VM 1 (arriving on host 1) or VM 2 (waiting for HA)
    const state = decodeState(encodeState(await sim.checkpoint())) as LabState
    expect(state.cluster.vms.map((v) => v.vm)).toEqual([])
    expect(state.pending.arrivals.map((a) => [a.vm, a.host])).toEqual([[1, 1]])
    expect(state.totals.vmsKilled).toBe(1)
    expect(names(sim)).toEqual([['zero'], ['one (memory)'], ['two']])
    for (const shards of [1, 2]) {
      const restored = await LabSimulation.restore(model, state, shards)
      expect([...restored.snapshotLists].sort((a, b) => a[0] - b[0])).toEqual(
        [...sim.snapshotLists].sort((a, b) => a[0] - b[0]),
      )
      // and on: VM 1 arrives, VM 2 is restarted by HA, each with its tree
      await restored.step()
      expect(restored.plan.vmHost[1]).toBe(1)
      expect(restored.plan.vmHost[2]).toBe(1)
      restored.order({ snapshot: { vm: 2, name: 'after', description: '', memory: false } })
      await restored.step()
      expect(names(restored)).toEqual([['zero'], ['one (memory)'], ['two', 'after']])
      await restored.close()
    }
    await sim.close()
  })
})
