// LabSession, the LabApi implementation every front end talks to: its frames and views come from the
// simulation and agree with a CLI run of the same scenario and seed.
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { LabSession } from '../../engine/api/lab-session'
import type { Frame, LabEvent } from '../../engine/api/lab-api'
import { nodeScenarioCatalog } from '../../engine/platform/node/catalog'
import { runToEnd } from '../../engine/run'
import { ROOT, planetLabModel } from '../helpers'

const catalog = nodeScenarioCatalog(join(ROOT, 'scenarios'))

describe('LabSession', () => {
  it('lists the built-in scenarios', async () => {
    const lab = new LabSession(catalog)
    const list = await lab.listScenarios()
    expect(list.map((s) => s.id)).toContain('planetlab-cloudsim')
    expect(list.find((s) => s.id === 'planetlab-cloudsim')!.mode).toBe('cloudsim')
  })

  it('plays a run whose frames end where a CLI run ends', async () => {
    const lab = new LabSession(catalog)
    const info = await lab.open({ builtin: 'planetlab-cloudsim', policy: 'thr-mmt-0.8' })
    expect(info.hosts).toBe(800)
    expect(info.vms).toBe(1052)
    expect(info.mode).toBe('cloudsim')
    expect(info.modeNote).toMatch(/CloudSim 3\.0\.3/)
    let last: Frame | undefined
    const events: LabEvent[] = []
    for (;;) {
      const r = await lab.advance({ steps: 50 })
      last = r.frames.at(-1) ?? last
      events.push(...r.events)
      if (r.done) break
    }
    const cli = await runToEnd(planetLabModel({ policy: 'thr-mmt-0.8' }))
    const report = await lab.report()
    expect(report.energyKWh).toBe(cli.energyKWh)
    expect(report.migrations).toBe(cli.migrations)
    expect(report.stateHash).toBe(cli.stateHash)
    expect(last?.migrations).toBe(cli.migrations)
    expect(events.filter((e) => e.kind === 'migration-start')).toHaveLength(cli.migrations)
    expect(events.filter((e) => e.kind === 'migration-end').length).toBeGreaterThan(cli.migrations - 200)
    expect(events.find((e) => e.kind === 'overload')!.message).toMatch(
      /over-loaded — static threshold: utilization \d+\.\d % > threshold 80\.0 %/,
    )
    expect(events.find((e) => e.kind === 'migration-start')!.message).toMatch(
      /PABFD picked the host whose power rises least \(\+\d+\.\d\d W/,
    )
    expect(events.filter((e) => e.kind === 'vm-removed')).toHaveLength(532)
  })

  it('answers placement and detail questions from the simulation state', async () => {
    const lab = new LabSession(catalog)
    await lab.open({ builtin: 'planetlab-cloudsim' })
    const { frames } = await lab.advance({ untilSeconds: 6 * 3600 })
    expect(frames.at(-1)!.time).toBeGreaterThanOrEqual(6 * 3600 - 300)
    const p = await lab.placement()
    const placed = [...p.vmHost].filter((h) => h >= 0)
    expect(placed.length).toBe(frames.at(-1)!.vmsRunning)
    const busy = new Set(placed)
    const host = [...busy][0]!
    const details = await lab.hostDetails(host)
    expect(details.vms.length).toBeGreaterThan(0)
    expect(details.cpuUtilization).toBeCloseTo(p.hostCpu[host]!, 12)
    const vm = details.vms[0]!.vm
    const vmd = await lab.vmDetails(vm)
    expect(vmd.host).toBe(host)
    expect(vmd.workload).toHaveLength(288)
    expect(vmd.utilizationHistory.length).toBeGreaterThan(0)
    expect(vmd.stealMips).toBeCloseTo(Math.max(0, vmd.demandMips - vmd.grantedMips), 9)
    await expect(lab.hostDetails(9999)).rejects.toThrow(/no host 9999/)
  })

  it('refuses an unknown built-in scenario with the list of known ones', async () => {
    const lab = new LabSession(catalog)
    await expect(lab.open({ builtin: 'nope' })).rejects.toThrow(
      /expected one of the built-in scenarios \(.*planetlab-cloudsim/,
    )
  })
})
