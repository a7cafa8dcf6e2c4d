// A cloudsim run whose caller wants only the clock (the CLI's progress) computes no frame: advance() steps
// without the frame's sums over every host and VM. Nothing else about the run may change.
import { describe, expect, it } from 'vitest'
import { CloudSimSimulation, type CloudSimFrame } from '../../engine/cloudsim/simulation'
import { runToEnd, type Frame } from '../../engine/run'
import { planetLabModel } from '../helpers'

const SIX_HOURS = ['duration=6h']

describe('cloudsim steps with and without frames', () => {
  it('advance() then stepFrame() gives the frames step() gives, and the same closing frame', () => {
    const stepped = new CloudSimSimulation(planetLabModel({ set: SIX_HOURS }))
    const advanced = new CloudSimSimulation(planetLabModel({ set: SIX_HOURS }))
    const a: CloudSimFrame[] = []
    const b: CloudSimFrame[] = []
    for (let f = stepped.step(); f; f = stepped.step()) a.push(f)
    // frames asked for on every other step only: the skipped ones must not shift what the next one reports
    let i = 0
    while (advanced.advance()) if (i++ % 2 === 1) b.push(advanced.stepFrame())
    expect(a).toHaveLength(71)
    expect(b).toEqual(a.filter((_, k) => k % 2 === 1))
    expect(a.some((f) => f.migrationsStarted > 0)).toBe(true)
    expect(advanced.closingFrame()).toEqual(stepped.closingFrame())
    expect(advanced.stateHash()).toBe(stepped.stateHash())
  })

  it('runToEnd with only onStep sees every step time and gives the report onFrame gives', async () => {
    const frames: Frame[] = []
    const framedSteps: number[] = []
    // as `run --series` passes it: a callback typed void that returns push's count
    const onFrame: (f: Frame) => void = (f) => frames.push(f)
    const withFrames = await runToEnd(planetLabModel({ set: SIX_HOURS }), {
      onFrame,
      onStep: (t) => void framedSteps.push(t),
    })
    const steps: number[] = []
    const clockOnly = await runToEnd(planetLabModel({ set: SIX_HOURS }), {
      onStep: (t) => new Promise<void>((done) => setImmediate(() => (steps.push(t), done()))),
    })
    // 71 periodic steps at 300.1 s, 600.1 s, …, 21,300.1 s, then the scenario's end with the closing frame
    expect(steps).toHaveLength(72)
    expect(steps[0]).toBeCloseTo(300.1, 9)
    expect(steps.at(-1)).toBe(6 * 3600)
    expect(steps).toEqual(frames.map((f) => f.time))
    expect(framedSteps).toEqual(steps)
    expect({ ...clockOnly, wallMs: 0 }).toEqual({ ...withFrames, wallMs: 0 })
  })

  it('stops after the step at or past untilSeconds without frames too', async () => {
    const steps: number[] = []
    const r = await runToEnd(planetLabModel({ set: SIX_HOURS }), {
      untilSeconds: 3600,
      onStep: (t) => void steps.push(t),
    })
    expect(steps).toHaveLength(12)
    expect(steps.at(-1)).toBeCloseTo(3600.1, 9)
    expect(r.stateHash).not.toBe((await runToEnd(planetLabModel({ set: SIX_HOURS }))).stateHash)
  })
})
