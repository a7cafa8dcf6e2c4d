// The last frame a LabSession hands out is the run's end state, the one its report describes: in CloudSim's
// model the migrations still in flight after the last periodic step (t = 86,100.1 s on the PlanetLab day)
// complete before the end, so the end state is not that step's frame. Without a frame for it the app's
// figures stopped at 0d 23:55 while the report said 1d 00:00 with other figures.
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { LabSession } from '../../engine/api/lab-session'
import type { Frame } from '../../engine/api/lab-api'
import { nodeScenarioCatalog } from '../../engine/platform/node/catalog'
import { runToEnd } from '../../engine/run'
import { ROOT, planetLabModel } from '../helpers'

const catalog = nodeScenarioCatalog(join(ROOT, 'scenarios'))

async function framesToEnd(lab: LabSession, steps: number): Promise<Frame[]> {
  const frames: Frame[] = []
  for (;;) {
    const r = await lab.advance({ steps })
    frames.push(...r.frames)
    if (r.done) return frames
  }
}

describe('the last frame of a run', () => {
  it('is the report’s end state in CloudSim’s model (the PlanetLab day, LR-MMT-1.2)', async () => {
    const lab = new LabSession(catalog)
    await lab.open({ builtin: 'planetlab-cloudsim' })
    const frames = await framesToEnd(lab, 100)
    const report = await lab.report()
    // the report is exactly the CLI's (the end frame is a view: nothing in the run changed)
    const cli = await runToEnd(planetLabModel())
    expect({ ...report, wallMs: 0 }).toEqual({ ...cli, wallMs: 0 })
    // 287 periodic steps at 300.1 s + k·300 s, the last at 86,100.1 s, then the end at 86,400 s
    expect(frames).toHaveLength(288)
    const periodic = frames.at(-2)!
    expect(periodic.time).toBeCloseTo(86100.1, 6)
    const end = frames.at(-1)!
    expect(end.time).toBe(86400)
    expect(end.time).toBe(report.simulatedSeconds)
    expect(end.step).toBe(288)
    expect(end.energyKWh).toBe(report.energyKWh)
    expect(end.activeHosts).toBe(report.activeHosts)
    expect(end.slatah).toBe(report.slatah)
    expect(end.migrations).toBe(report.migrations)
    // the migrations that completed after the last periodic step changed the figures (the example)
    expect(end.energyKWh).toBeGreaterThan(periodic.energyKWh)
    expect(end.activeHosts).not.toBe(periodic.activeHosts)
    expect(end.migrationsStarted).toBe(0)
    expect((await lab.placement()).time).toBe(86400)
  })

  it('is the report’s end state in the lab’s model', async () => {
    const lab = new LabSession(catalog)
    await lab.open({ builtin: 'ha-drill' })
    const frames = await framesToEnd(lab, 50)
    const report = await lab.report()
    const end = frames.at(-1)!
    expect(end.time).toBe(report.simulatedSeconds)
    expect(end.energyKWh).toBe(report.energyKWh)
    expect(end.activeHosts).toBe(report.activeHosts)
    expect(end.slatah).toBe(report.slatah)
    expect(end.migrations).toBe(report.migrations)
  })
})
