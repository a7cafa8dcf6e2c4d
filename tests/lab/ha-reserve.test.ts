// HA admission control, as vSphere HA's "host failures cluster tolerates": enough capacity stays powered on
// to restart the VMs of the N fullest hosts on the others (RAM and vCPUs within the admission ratios). It is
// built at t = 0, rebuilt after a failure used it, refuses a start that cannot hold it, and the report shows
// that it held. Expected figures from the scenario's numbers.
import { describe, expect, it } from 'vitest'
import { inlineModel, playModel } from './inline-scenario'

/** Four 8 GiB hosts (2 cores × 4 = 8 vCPUs each); VMs of 1 GiB, 1 vCPU at 50 %; no consolidation. */
function cluster(vms: number, extra = ''): string {
  return `
name: HA reserve
mode: lab
duration: 5m
interval: 1m
policy: none
migration: { model: cloudsim }
admission: { reservedHostMemory: 0 }
ha: { reserveHosts: 1, detection: 15s, bootTime: 60s }
hostTypes:
  h: { cores: 2, mipsPerCore: 1000, ramMB: 8192, nicMbps: 1000, power: [100, 110, 120, 130, 140, 150, 160, 170, 180, 190, 200], bootSeconds: 0, bootEnergyJ: 0 }
hosts: [{ type: h, count: 4 }]
vmTypes:
  v: { vcpus: 1, mips: 500, ramMB: 1024 }
vms:
  - { type: v, count: ${vms}, workload: { kind: constant, level: 0.5 } }
${extra}
`
}

describe('HA admission control (host failures cluster tolerates = 1)', () => {
  it('holds the reserve from t = 0: a second host is on for the first one’s 4 GiB (main: spare 0)', async () => {
    // 4 VMs × 250 MIPS fit host 0 (2000 MIPS): 4 GiB and 4 vCPUs there. Restarting them needs a host with
    // 4 GiB and 4 vCPUs of room: host 1 (8 GiB, 8 vCPUs), on from t = 0
    const { sim, events } = await playModel(inlineModel(cluster(4)))
    const P = sim.plan
    expect([...P.hostState].slice(0, 2)).toEqual([1, 1])
    const s = sim.summary()
    expect(s.ha!.reserve).toEqual({
      hostsTolerated: 1,
      stepsHeld: 5,
      steps: 5,
      minMarginRamMB: 8192 - 4096,
      hostsPoweredOn: 0,
      movesRefused: 0,
    })
    // it costs host 1's idle power for the whole run: 100 W × 300 s, beside host 0's 4 × 250/2000 = 50 %
    // and the 10 W standby power of the two hosts left off
    expect(s.energyKWh).toBeCloseTo(((150 + 100 + 2 * 10) * 300) / 3.6e6, 12)
    expect(events.filter((e) => e.kind === 'host-off')).toEqual([])
  })

  it('rebuilds it after a failure used it: another host is switched on', async () => {
    // host 0 fails at 1 min; its 4 VMs restart on host 1 (the reserve); now host 1 holds 4 GiB and the
    // reserve needs a further host: host 2 is switched on by admission control
    const { sim, events } = await playModel(inlineModel(cluster(4, 'events: [{ at: 1m, failHost: { host: 0 } }]')))
    const on = events.find((e) => e.kind === 'host-on' && /by HA admission control/.test(e.message))
    expect(on?.host).toBe(2)
    expect(on!.message).toMatch(
      /would need 4\.0 GiB of RAM and 4 vCPUs restarted, the others had room for 0\.0 GiB and 0/,
    )
    const r = sim.summary().ha!.reserve!
    expect(r.hostsPoweredOn).toBe(1)
    // held at the end of every step: the restarts and the new host come in the same step
    expect(r.stepsHeld).toBe(r.steps)
    expect(sim.plan.vmHost.every((h) => h === 1)).toBe(true)
  })

  it('refuses to power the VMs on when no set of hosts can hold it', async () => {
    // 28 VMs of 1 GiB on 4 × 8 GiB: the fullest host holds 8 GiB, the other three have 4 GiB of room
    await expect(playModel(inlineModel(cluster(28)))).rejects.toThrow(
      /HA admission control \(ha\.reserveHosts 1\) refuses to power the VMs on: .* needs 8192 MiB of RAM .* room for 4096 MiB/,
    )
  })
})
