// Mechanisms of the lab checked on small scenarios whose figures are derived here by hand from the
// documented rules (docs/validation.md lists each with its public reference): the SPECpower table, boot and
// standby power; NIC sharing between live migrations; post-copy's downtime and traffic.
import { describe, expect, it } from 'vitest'
import { runToEnd } from '../../engine/run'
import { inlineModel } from './inline-scenario'

const POWER = '[100, 110, 120, 130, 140, 150, 160, 170, 180, 190, 200]'

describe('power: SPECpower interpolation, boot energy, standby', () => {
  it('adds up, step by step, to the hand-computed energy', async () => {
    // 3 hosts of 2 × 1000 MIPS; a 2-vCPU VM at 35 % = 700 MIPS on host 0 (util 0.35: 130 + ½ × 10 = 135 W).
    // At 1 min it is moved to host 1, which is off: host 1 boots 120 s at 200 W (the default boot energy:
    // bootSeconds × the table's 100 % figure), then the move (CloudSim's timing: 1024 MB ÷ 62.5 MB/s =
    // 16.4 s) runs in the step from 3 min; host 0 idles off after it; a switched-off host draws 10 W.
    //   step      host 0   host 1              host 2
    //   0–1 min   135      10                  10
    //   1–2 min   135      200 (booting)       10
    //   2–3 min   135      200 (booting)       10
    //   3–4 min   135      100 (on, idle)      10      (the VM moves; its CPU stays on host 0)
    //   4–5 min   10       135                 10
    //   5–6 min   10       135                 10
    const model = inlineModel(`
name: power
mode: lab
duration: 6m
interval: 1m
policy: none
migration: { model: cloudsim }
hostTypes:
  h: { cores: 2, mipsPerCore: 1000, ramMB: 8192, nicMbps: 1000, power: ${POWER}, bootSeconds: 120 }
hosts: [{ type: h, count: 3 }]
vmTypes:
  v: { vcpus: 2, mips: 1000, ramMB: 1024 }
vms:
  - { type: v, count: 1, workload: { kind: constant, level: 0.35 } }
events:
  - { at: 1m, migrate: { vm: 0, to: 1 } }
`)
    const report = await runToEnd(model, {})
    const watts = [155, 345, 345, 245, 155, 155]
    expect(report.energyKWh).toBeCloseTo((watts.reduce((a, b) => a + b) * 60) / 3.6e6, 12)
    expect(report.migrationsDetail![0]).toMatchObject({ source: 0, target: 1, start: 180, location: 'destination' })
    expect(report.migrationsDetail![0]!.end).toBeCloseTo(180 + 1024 / 62.5, 9)
  })
})

const TWO_OUT = (model: string) => `
name: nic sharing
mode: lab
duration: 1m
interval: 10s
policy: none
migration: { model: ${model}, maxBandwidth: 128MiB/s }
memory: { pageSize: 4KiB }
admission: { reservedHostMemory: 0 }
hostTypes:
  h: { cores: 4, mipsPerCore: 1000, ramMB: 4096, nicMbps: 1000, power: ${POWER}, bootSeconds: 0 }
hosts: [{ type: h, count: 3 }]
vmTypes:
  v: { vcpus: 1, mips: 1000, ramMB: 1024 }
vms:
  - { type: v, count: 2, workload: { kind: constant, level: 0.5 }, pageWrites: { pattern: uniform, rate: 0MiB/s }, content: { zero: 0, image: 0 } }
events:
  - { at: 0s, migrate: { vm: 0, to: 1 } }
  - { at: 0s, migrate: { vm: 1, to: 2 } }
`

describe('NIC sharing between live migrations', () => {
  it('two pre-copies out of one 1 GbE host share its 125 MB/s: 62.5 MB/s each, end to end', async () => {
    // both VMs start on host 0 (2 × 500 MIPS fit its 4000). Each sends its 262,144 pages of 4 KiB + 8 bytes
    // of header at 62.5 MB/s (the max-min fair share of host 0's NIC, below max-bandwidth), 6.25 MB per
    // 100 ms window (a page goes while budget is left: ceil(k × 6.25e6 / 4104) pages after k windows).
    // QEMU's rule: at a window's end, pending bytes < measured bandwidth × 300 ms = 18.75 MB → sync (no
    // write: nothing new) → stop and copy the rest, the 256 KiB of device state, then 20 ms of resume.
    const report = await runToEnd(inlineModel(TWO_OUT('precopy')), {})
    const sentAfter = (k: number) => Math.ceil((k * 6.25e6) / 4104)
    let k = 1
    while ((262_144 - sentAfter(k)) * 4096 >= 18.75e6) k++
    expect(k).toBe(170)
    const last = (262_144 - sentAfter(k)) * 4104 + 262_144
    const downtime = last / 62.5e6 + 0.02
    for (const m of report.migrationsDetail!) {
      expect(m.location).toBe('destination')
      expect(m.info!.ram.transferred).toBe(262_144 * 4104 + 262_144)
      expect(m.info!.downtime! / 1000).toBeCloseTo(downtime, 9)
      expect(m.info!['total-time'] / 1000).toBeCloseTo(0.1 + k * 0.1 + downtime, 9)
    }
  })

  it('post-copy: the pause is the device state and the resume only; every page crosses once', async () => {
    // post-copy switches at its first check, after setup: the guest pauses for 256 KiB of device state at
    // its share (62.5 MB/s) + 20 ms of resume, then runs on the destination while the pages are pushed
    const report = await runToEnd(inlineModel(TWO_OUT('postcopy')), {})
    for (const m of report.migrationsDetail!) {
      expect(m.location).toBe('destination')
      expect(m.info!.downtime! / 1000).toBeCloseTo(262_144 / 62.5e6 + 0.02, 6)
      expect(m.info!.ram.transferred).toBe(262_144 * 4104 + 262_144)
      expect(m.info!['total-time'] / 1000).toBeCloseTo(0.1 + (262_144 * 4104 + 262_144) / 62.5e6 + 0.02, 3)
    }
  })
})
