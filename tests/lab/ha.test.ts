// HA from checkpoints: host failures (scheduled and random by MTBF), restarts by priority with admission
// control, protected VMs resuming from their last checkpoint, unprotected ones cold-booting.
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openScenario } from '../../engine/scenario/open'
import { nodeFiles } from '../../engine/platform/node/files'
import { LabSimulation } from '../../engine/lab/simulation'
import type { LabState } from '../../engine/lab/lab-state'
import { HOST_STATE, type LabEvent } from '../../engine/api/lab-api'
import { decodeState, encodeState } from '../../engine/checkpoint/codec'
import { ROOT } from '../helpers'

const DRILL = join(ROOT, 'scenarios', 'ha-drill.yaml')

async function play(file: string, set: string[] = []) {
  const model = openScenario(file, nodeFiles, { set })
  const sim = await LabSimulation.create(model, 1)
  const events: LabEvent[] = []
  sim.onEvent = (e) => events.push(e)
  while (await sim.step());
  return { model, sim, events, s: sim.summary() }
}

describe('ha-drill.yaml', () => {
  it('restarts every VM of the failed hosts: protected ones from their checkpoint, the others cold', async () => {
    const { model, s, events } = await play(DRILL)
    const ha = s.ha!
    expect(ha.hostFailures).toBe(2)
    expect(ha.hostRepairs).toBe(2)
    expect(ha.failures.map((f) => [f.host, f.time])).toEqual([
      [0, 7200],
      [1, 21600],
    ])
    expect(ha.vmsAffected).toBeGreaterThan(4)
    expect(ha.restarted).toBe(ha.vmsAffected)
    expect(ha.notRestarted).toBe(0)
    expect(ha.resumedFromCheckpoint).toBeGreaterThan(0)
    expect(ha.coldBooted).toBeGreaterThan(0)
    // a protected VM loses one epoch and is back after detection + failover; an unprotected one loses its
    // uptime and is back after detection + boot
    const { detection, failoverTime, bootTime } = model.ha
    expect(ha.lostWorkSeconds.protected).toBeCloseTo(ha.resumedFromCheckpoint * 0.2, 9)
    expect(ha.lostWorkSeconds.unprotected).toBeGreaterThan(ha.coldBooted * 7200)
    expect(ha.downtimeSeconds.max).toBe(detection + bootTime)
    expect(ha.downtimeSeconds.total).toBe(
      ha.resumedFromCheckpoint * (detection + failoverTime) + ha.coldBooted * (detection + bootTime),
    )
    for (const f of ha.failures) expect(f.recoveredAt! - f.time).toBeGreaterThanOrEqual(detection + failoverTime)
    // checkpointing costs the protected VMs CPU
    expect(ha.protectionOverheadCpuSeconds).toBeGreaterThan(0)
    expect(events.filter((e) => /^HA: VM \d+ resumes on host/.test(e.message))).toHaveLength(ha.resumedFromCheckpoint)
    expect(events.filter((e) => /^HA: VM \d+ cold-boots on host/.test(e.message))).toHaveLength(ha.coldBooted)
    // every VM runs at the end
    expect(s.vms).toBe(24)
  })

  it('reports the same, to the last bit, however the hosts are split into shards', async () => {
    const model = openScenario(DRILL, nodeFiles)
    const reports = []
    for (const shards of [1, 2, 3]) {
      const sim = await LabSimulation.create(model, shards)
      while (await sim.step());
      const s = sim.summary()
      reports.push({ stateHash: s.stateHash, ha: s.ha })
    }
    expect(reports[0]!.ha!.protectionOverheadCpuSeconds).toBeGreaterThan(0)
    expect(reports[1]).toEqual(reports[0])
    expect(reports[2]).toEqual(reports[0])
  })

  it('admission control keeps failover capacity on (it costs energy): no restart waits for a host to boot', async () => {
    const reserved = await play(DRILL)
    const none = await play(DRILL, ['ha.reserveHosts=0'])
    expect(none.s.energyKWh).toBeLessThan(reserved.s.energyKWh)
    // with the reserve every restart found a running host (downtimes are detection + failover or boot only)
    const ha = reserved.s.ha!
    expect(ha.downtimeSeconds.total).toBe(ha.resumedFromCheckpoint * 17 + ha.coldBooted * 105)
    expect(ha.reserve!.stepsHeld).toBe(ha.reserve!.steps)
    // without it, some restart waited for a host to boot (180 s)
    expect(none.s.ha!.downtimeSeconds.max).toBe(15 + 2 + 180)
  })

  it('random failures by MTBF are seeded: the same seed fails the same hosts at the same times', async () => {
    const a = await play(DRILL, ['ha.mtbf=1d', 'events=[]'])
    const b = await play(DRILL, ['ha.mtbf=1d', 'events=[]'])
    const c = await play(DRILL, ['ha.mtbf=1d', 'events=[]', 'seed=12'])
    expect(a.s.ha!.hostFailures).toBeGreaterThan(0)
    expect(b.s.ha!.failures).toEqual(a.s.ha!.failures)
    expect(b.s.stateHash).toBe(a.s.stateHash)
    expect(c.s.ha!.failures).not.toEqual(a.s.ha!.failures)
    for (const f of a.s.ha!.failures) expect(f.time % 60).toBe(0)
  })

  it('a checkpoint taken during an outage restores exactly', async () => {
    const model = openScenario(DRILL, nodeFiles)
    const sim = await LabSimulation.create(model, 1)
    while (sim.time < 7200 && (await sim.step()));
    const state = decodeState(encodeState(await sim.checkpoint())) as LabState
    while (await sim.step());
    const back = await LabSimulation.restore(model, state, 2)
    while (await back.step());
    expect(back.summary().stateHash).toBe(sim.summary().stateHash)
    expect(back.summary().ha).toEqual(sim.summary().ha)
    await back.close()
  })
})

describe('restart priority under scarce capacity', () => {
  it('restarts the high-priority VM on the only free slot; the low-priority one waits', async () => {
    const { s, sim, events } = await play(join(ROOT, 'tests', 'fixtures', 'ha-priority.yaml'))
    expect(s.ha!.vmsAffected).toBe(2)
    expect(s.ha!.restarted).toBe(1)
    expect(s.ha!.notRestarted).toBe(1)
    expect(sim.plan.vmHost[1]).toBe(2)
    expect(sim.plan.vmHost[0]).toBe(-1)
    expect(events.some((e) => /HA cannot restart VM 0 yet: no host admits it/.test(e.message))).toBe(true)
  })
})

describe('a planned migration whose VM dies first', () => {
  it('is dropped: the VM was waiting for its target to boot when its own host failed', async () => {
    // (it used to start from wherever HA restarted the VM, or from no host at all when HA could not)
    const model = openScenario(DRILL, nodeFiles, { policy: 'none' })
    const sim = await LabSimulation.create(model, 2)
    await sim.step()
    const P = sim.plan
    const vm = P.vmHost.findIndex((h) => h >= 0)
    const source = P.vmHost[vm]!
    const target = Array.from(P.hostState).findIndex((s, h) => s === HOST_STATE.off && P.admits(h, vm))
    expect(target).toBeGreaterThanOrEqual(0)
    // the move waits while the target boots; the source fails at the end of this step
    sim.order({ migrate: { vm, to: target } })
    sim.order({ failHost: { host: source } })
    await sim.step()
    expect(sim.queued.map((q) => q.vm)).toContain(vm)
    expect(P.vmHost[vm]).toBe(-1)
    for (let k = 0; k < 10; k++) await sim.step()
    // HA restarted it elsewhere; the move planned before the failure is gone with it
    expect(P.vmHost[vm]).toBeGreaterThanOrEqual(0)
    expect(P.vmHost[vm]).not.toBe(source)
    expect(sim.queued.map((q) => q.vm)).not.toContain(vm)
    expect(sim.inFlight.has(vm)).toBe(false)
    expect(sim.migrationLog.filter((m) => m.vm === vm)).toEqual([])
    await sim.close()
  })
})
