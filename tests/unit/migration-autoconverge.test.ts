// A writable working set larger than bandwidth × downtime-limit: no convergence without auto-converge
// (diagnosed, cancelled at the timeout), convergence with it through QEMU's throttle steps (QEMU's cpu-throttle.c).
import { describe, expect, it } from 'vitest'
import { MemoryImage, imageToken } from '../../engine/memory/image'
import { PageWriter, type PageWriteSpec } from '../../engine/workload/page-writes'
import { GiB, LiveMigration, MiB, driveMigration, type MigrationParams } from '../../engine/migration'

function makeVm(bytes: number, pageSize: number, spec: PageWriteSpec, seed = 1) {
  const image = new MemoryImage(0, bytes, pageSize)
  for (let i = 0; i < image.pageCount; i++) image.setToken(i, imageToken(0, i))
  return { image, writer: PageWriter.forVm(seed, 0, spec, image) }
}

// 1 GiB guest rewriting a 256 MiB hot set at 200 MiB/s: the set re-dirtied during a pass is ~160 MiB, far
// above the 38.4 MiB that 128 MiB/s × 300 ms allows
const HOT: PageWriteSpec = { pattern: 'hot-cold', bytesPerSecond: 200 * MiB, hotBytes: 256 * MiB, hotFraction: 0.95 }

function run(params: Partial<MigrationParams>, spec = HOT, bytes = 1 * GiB, pageSize = 4096) {
  const vm = makeVm(bytes, pageSize, spec)
  const m = new LiveMigration(vm.image, vm.writer, params)
  const t0 = performance.now()
  const { slices } = driveMigration(m, { dt: 1, bandwidth: 128 * MiB })
  return { m, vm, info: m.info(), slices, ms: performance.now() - t0 }
}

describe('auto-converge', () => {
  it('without it the migration never converges: diagnosed with the numbers, cancelled at the timeout', () => {
    const { m, info, ms } = run({})
    expect(info.status).toBe('cancelled')
    expect(info.lab.timeout).toBe(150) // 150 s per GiB
    expect(info['total-time']).toBeCloseTo(150_000, 6)
    expect(m.vmLocation).toBe('source')
    expect(info.lab['throttle-steps']).toEqual([])
    // QEMU would go on forever: the dirty set keeps coming back
    expect(info.lab.rounds).toBeGreaterThan(50)
    const stalled = m.history().find((e) => e.kind === 'not-converging')
    expect(stalled).toBeDefined()
    expect(stalled!.time).toBeLessThan(40)
    expect(info.lab.reason).toMatch(
      /^not converged after 150\.0 s \(timeout 150 s\): the dirty set is back to \d+\.\d MiB/,
    )
    expect(info.lab.reason).toMatch(/above the switch-over threshold 38\.4 MiB = 128\.0 MiB\/s × downtime-limit 300 ms/)
    expect(info.lab.reason).toMatch(
      /it writes 200\.0 MiB\/s, repeats included\) while 128\.0 MiB\/s are sent \(λ = \d\.\d\d\)/,
    )
    expect(info.lab.reason).toMatch(/auto-converge off/)
    console.log(`no auto-converge (${ms.toFixed(0)} ms): ${info.lab.reason}`)
  })

  it("converges with it, through QEMU's throttle steps 20, 30, 40 …", () => {
    const { m, info, slices, ms } = run({ autoConverge: true })
    expect(info.status).toBe('completed')
    const steps = info.lab['throttle-steps']
    expect(steps).toEqual([20, 30, 40])
    // each step needs two "high" periods of more than 1 s each
    const times = info.lab['throttle-times']
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThan(2)
    // the guest lost throttle × time and wrote proportionally less while throttled
    const lost = slices.reduce((s, x) => s + x.throttledSeconds, 0)
    expect(lost).toBeGreaterThan(0)
    expect(info.lab['throttle-lost-seconds']).toBeCloseTo(lost, 9)
    const throttleEvents = m.history().filter((e) => e.kind === 'throttle')
    expect(throttleEvents.map((e) => e.throttle)).toEqual(steps)
    console.log(
      `auto-converge (${ms.toFixed(0)} ms): steps ${steps.join(' → ')} % at ${times.map((t) => t.toFixed(1)).join(', ')} s; ` +
        `completed in ${(info['total-time'] / 1000).toFixed(1)} s, downtime ${info.downtime!.toFixed(0)} ms, ` +
        `${info.lab['throttle-lost-seconds'].toFixed(1)} s of guest time lost to the throttle`,
    )
  })

  it('a guest that dirties memory much faster than it can be sent is throttled all the way: 20 … 90, 99', () => {
    // 2 GiB in 64 KiB pages, 2 GiB/s of writes into a 512 MiB hot set
    const spec: PageWriteSpec = {
      pattern: 'hot-cold',
      bytesPerSecond: 2048 * MiB,
      hotBytes: 512 * MiB,
      hotFraction: 0.99,
    }
    const { info, ms } = run({ autoConverge: true }, spec, 2 * GiB, 65536)
    expect(info.status).toBe('completed')
    expect(info.lab['throttle-steps']).toEqual([20, 30, 40, 50, 60, 70, 80, 90, 99])
    console.log(
      `max throttle (${ms.toFixed(0)} ms): ${info.lab['throttle-steps'].join(' → ')}; ${(info['total-time'] / 1000).toFixed(1)} s`,
    )
  })

  it('honours cpu-throttle-initial / -increment / max-cpu-throttle and reports the percentage while active', () => {
    const spec: PageWriteSpec = {
      pattern: 'hot-cold',
      bytesPerSecond: 2048 * MiB,
      hotBytes: 512 * MiB,
      hotFraction: 0.99,
    }
    const vm = makeVm(2 * GiB, 65536, spec)
    const m = new LiveMigration(vm.image, vm.writer, {
      autoConverge: true,
      cpuThrottleInitial: 30,
      cpuThrottleIncrement: 25,
      maxCpuThrottle: 95,
    })
    let seen = 0
    while (!m.isFinished()) {
      m.advance(1, 128 * MiB)
      const p = m.info()['cpu-throttle-percentage']
      if (p !== undefined) seen = p
    }
    // every trigger is recorded; at the maximum the trigger keeps firing without raising it
    const steps = m.info().lab['throttle-steps']
    expect(steps.slice(0, 4)).toEqual([30, 55, 80, 95])
    expect(steps.slice(4).every((x) => x === 95)).toBe(true)
    expect(seen).toBe(95)
    expect(m.info()['cpu-throttle-percentage']).toBeUndefined() // stops with the migration
  })

  it('tailslow increments by what brings the dirty rate to the threshold, at most the increment', () => {
    const { info } = run({ autoConverge: true, cpuThrottleTailslow: true })
    const steps = info.lab['throttle-steps']
    expect(steps[0]).toBe(20)
    for (let i = 1; i < steps.length; i++) {
      expect(steps[i]! - steps[i - 1]!).toBeGreaterThan(0)
      expect(steps[i]! - steps[i - 1]!).toBeLessThanOrEqual(10)
    }
  })
})
