// A VM the OOM killer ends in the step its host is ordered to fail: the kill happened during the step, the
// failure at its end, so the VM was dead before its host went down. The coordinator sees it once, as
// killed: counted in vmsKilled and the memory report's oomKills, not handed to HA, never restarted; the
// host's other VMs fail with it and HA restarts them. (The shard released it twice, as failed and as
// killed, and crashed with a TypeError; with its migration completing in the same step, it departed too.)
import { describe, expect, it } from 'vitest'
import { inlineModel } from './inline-scenario'
import { runChecked } from './checked-run'

/**
 * Host 0 (1 GiB of RAM, 256 MiB of swap) runs VM 0 (2 GiB, all its own data) and VM 1 (256 MiB): 2.25 GiB
 * backed is 1.25 GiB over RAM, more than the swap, so the OOM killer ends the largest, VM 0, in the first
 * step; what is left fits. Host 0 is ordered to fail at 1 min, the end of that same step.
 */
function scenario(events: string, migration = '{ model: precopy }'): string {
  return `
name: OOM kill and host failure in one step
mode: lab
duration: 3m
interval: 1m
policy: none
migration: ${migration}
memory: { pageSize: 64KiB, hostSwap: 256MiB }
admission: { ramAllocationRatio: 4, reservedHostMemory: 0 }
ha: { detection: 15s, bootTime: 30s }
hostTypes:
  h: { cores: 4, mipsPerCore: 2000, ramMB: 1024, nicMbps: 10000, bootSeconds: 0, power: [100, 110, 120, 130, 140, 150, 160, 170, 180, 190, 200] }
hosts: [{ type: h, count: 2 }]
vmTypes:
  big: { vcpus: 1, mips: 2000, ramMB: 2048 }
  small: { vcpus: 1, mips: 2000, ramMB: 256 }
vms:
  - { type: big, count: 1, workload: { kind: constant, level: 0.5 }, content: { zero: 0, image: 0 } }
  - { type: small, count: 1, workload: { kind: constant, level: 0.5 }, content: { zero: 0, image: 0 } }
events:
${events}
`
}

async function run(yaml: string) {
  const { sim, summary, events, found, steps } = await runChecked(inlineModel(yaml))
  expect(steps).toBe(3)
  expect(found).toEqual([])
  return { sim, summary, events }
}

describe('an OOM kill in the step its host fails', () => {
  it('the killed VM is counted killed once; HA restarts the host’s other VM', async () => {
    const { sim, summary, events } = await run(scenario('  - { at: 1m, failHost: { host: 0 } }'))
    expect(summary.vmsKilled).toBe(1)
    expect(summary.memory!.oomKills).toBe(1)
    const oom = events.filter((e) => e.message.includes('out-of-memory killer'))
    expect(oom.map((e) => [e.vm, e.host, e.time])).toEqual([[0, 0, 0]])
    const ha = summary.ha!
    expect([ha.hostFailures, ha.vmsAffected, ha.restarted, ha.notRestarted]).toEqual([1, 1, 1, 0])
    expect(ha.failures).toEqual([{ host: 0, time: 60, vms: 1, restarted: 1, recoveredAt: 60 + 15 + 30 }])
    // VM 1 cold-boots on host 1 after detection; VM 0 is never restarted
    const restarts = events.filter((e) => e.kind === 'ha-restart')
    expect(restarts.map((e) => [e.vm, e.host])).toEqual([[1, 1]])
    expect(Array.from(sim.plan.vmHost)).toEqual([-1, 1])
  })

  it('a VM killed while its migration would complete in that step does not arrive: its move is lost', async () => {
    // 2 GiB at QEMU's default 128 MiB/s over 10 GbE: the pre-copy would end ~16 s into the first step
    const { summary, events } = await run(
      scenario(['  - { at: 0s, migrate: { vm: 0, to: 1 } }', '  - { at: 1m, failHost: { host: 0 } }'].join('\n')),
    )
    expect(summary.vmsKilled).toBe(1)
    expect(summary.memory!.oomKills).toBe(1)
    expect(summary.migrationsDetail.map((r) => [r.vm, r.source, r.target, r.location])).toEqual([[0, 0, 1, 'lost']])
    expect(events.some((e) => e.kind === 'migration-end')).toBe(false)
    const ha = summary.ha!
    expect([ha.vmsAffected, ha.restarted]).toEqual([1, 1])
    expect(events.filter((e) => e.kind === 'ha-restart').map((e) => [e.vm, e.host])).toEqual([[1, 1]])
  })
})
