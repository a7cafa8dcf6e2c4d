// Post-copy and hybrid migration, cancel, and host failures (QEMU's ram.c and docs/devel/migration/postcopy.rst).
import { describe, expect, it } from 'vitest'
import { MemoryImage, imageToken } from '../../engine/memory/image'
import { PageWriter, type PageWriteSpec } from '../../engine/workload/page-writes'
import { GiB, LiveMigration, MiB, driveMigration, type MigrationParams } from '../../engine/migration'

function makeVm(bytes: number, spec: PageWriteSpec, seed = 1) {
  const image = new MemoryImage(0, bytes, 4096)
  for (let i = 0; i < image.pageCount; i++) image.setToken(i, imageToken(0, i))
  return { image, writer: PageWriter.forVm(seed, 0, spec, image) }
}

const BUSY: PageWriteSpec = { pattern: 'hot-cold', bytesPerSecond: 200 * MiB, hotBytes: 256 * MiB, hotFraction: 0.95 }
const start = (params: Partial<MigrationParams>, spec = BUSY, bytes = 1 * GiB) => {
  const vm = makeVm(bytes, spec)
  return { vm, m: new LiveMigration(vm.image, vm.writer, params) }
}

describe('post-copy', () => {
  it('runs the guest on the destination at once, pulls touched pages on faults, pushes the rest, completes', () => {
    const { m } = start({ mode: 'postcopy' })
    m.advance(0.1, 128 * MiB) // setup
    const s = m.advance(0.1, 128 * MiB)
    expect(m.phase).toEqual({ kind: 'postcopy' })
    expect(m.info().status).toBe('postcopy-active')
    expect(m.vmLocation).toBe('destination')
    expect(s.events.map((e) => e.kind)).toContain('postcopy-start')
    const { slices } = driveMigration(m, { dt: 1, bandwidth: 128 * MiB })
    const info = m.info()
    expect(info.status).toBe('completed')
    // downtime: device state (256 KiB at 128 MiB/s ≈ 2 ms) + resume (20 ms): no RAM
    expect(info.downtime).toBeCloseTo(2 + 20, 0)
    expect(info.ram['downtime-bytes']).toBe(256 * 1024)
    // every page crossed exactly once (requested or pushed)
    expect(info.ram.normal).toBe(262144)
    expect(info.ram['postcopy-requests']).toBeGreaterThan(1000)
    expect(info.ram['postcopy-bytes']).toBe(262144 * 4104)
    // 1 GiB at 128 MiB/s ≈ 8 s
    expect(info['total-time'] / 1000).toBeGreaterThan(8)
    expect(info['total-time'] / 1000).toBeLessThan(8.5)
    // each fault blocked the vCPU for the request round trip + the page's transfer
    const perFault = 0.001 + 4104 / (128 * MiB)
    expect(info['postcopy-blocktime']! / 1000).toBeCloseTo(info.ram['postcopy-requests'] * perFault, 6)
    const stalled = slices.reduce((a, x) => a + x.stallSeconds, s.stallSeconds)
    expect(stalled).toBeGreaterThan(1)
    expect(info.lab['fault-stall-seconds']).toBeCloseTo(stalled, 9)
    console.log(
      `post-copy: ${(info['total-time'] / 1000).toFixed(2)} s, downtime ${info.downtime!.toFixed(1)} ms, ` +
        `${info.ram['postcopy-requests']} faults, ${stalled.toFixed(2)} s of guest time blocked`,
    )
  })

  it('a fault blocks one vCPU: the guest loses latency / vcpus per fault', () => {
    const one = start({ mode: 'postcopy' })
    const four = start({ mode: 'postcopy', vcpus: 4 })
    driveMigration(one.m, { dt: 1, bandwidth: 128 * MiB })
    driveMigration(four.m, { dt: 1, bandwidth: 128 * MiB })
    const a = one.m.info()
    const b = four.m.info()
    expect(b.ram['postcopy-requests']).toBeGreaterThan(a.ram['postcopy-requests'])
    expect(b.lab['fault-stall-seconds'] / b.ram['postcopy-requests']).toBeCloseTo(
      a.lab['fault-stall-seconds'] / a.ram['postcopy-requests'] / 4,
      6,
    )
  })

  it('faults cost the configured latency and starve a busy guest', () => {
    const cheap = start({ mode: 'postcopy', postcopyFaultLatency: 0 })
    const dear = start({ mode: 'postcopy', postcopyFaultLatency: 0.005 })
    driveMigration(cheap.m, { dt: 1, bandwidth: 128 * MiB })
    driveMigration(dear.m, { dt: 1, bandwidth: 128 * MiB })
    expect(dear.m.info().lab['fault-stall-seconds']).toBeGreaterThan(cheap.m.info().lab['fault-stall-seconds'] * 5)
    // blocked vCPUs write less
    expect(dear.vm.writer.written).toBeLessThan(cheap.vm.writer.written)
  })

  it('the VM is lost if either host fails before post-copy finishes', () => {
    for (const which of ['source', 'destination'] as const) {
      const { m } = start({ mode: 'postcopy' })
      m.advance(2, 128 * MiB)
      expect(m.phase.kind).toBe('postcopy')
      const event = m.hostFailed(which)
      expect(event).toMatchObject({ kind: 'failed', vmLost: true })
      expect(m.phase).toMatchObject({ kind: 'failed', vmLost: true })
      expect(m.vmLocation).toBe('lost')
      const info = m.info()
      expect(info.status).toBe('failed')
      expect(info['error-desc']).toMatch(new RegExp(`${which} host failed during post-copy`))
      expect(info.lab.vmLost).toBe(true)
      expect(m.hostFailed('source')).toBeUndefined() // already over
      // a lost VM runs no more
      expect(m.advance(1, 128 * MiB).runFraction).toBe(0)
      // and post-copy cannot be cancelled
      expect(m.cancel()).toBe(false)
    }
  })

  it('hybrid: pre-copy first, post-copy after N rounds', () => {
    const { m } = start({ mode: 'hybrid', postcopyAfterRounds: 2 })
    driveMigration(m, { dt: 1, bandwidth: 128 * MiB })
    const info = m.info()
    expect(info.status).toBe('completed')
    expect(info.lab.rounds).toBe(2)
    expect(info.ram['precopy-bytes']).toBeGreaterThan(1 * GiB)
    expect(info.ram['postcopy-bytes']).toBeGreaterThan(0)
    expect(info.ram['postcopy-requests']).toBeGreaterThan(0)
    const kinds = m.history().map((e) => e.kind)
    expect(kinds.filter((k) => k === 'postcopy-start')).toHaveLength(2) // the switch, then the guest running
    // the same guest never converges in pure pre-copy (see migration-autoconverge): hybrid finishes in seconds
    expect(info['total-time'] / 1000).toBeLessThan(20)
  })

  it('a non-converging pre-copy can be switched to post-copy by the timeout or by the operator', () => {
    const timed = start({ timeoutAction: 'postcopy', completionTimeout: 30 })
    driveMigration(timed.m, { dt: 1, bandwidth: 128 * MiB })
    expect(timed.m.info().status).toBe('completed')
    const last = timed.m
      .history()
      .filter((e) => e.kind === 'not-converging')
      .at(-1)!
    expect(last.message).toMatch(/^not converged after 30\.0 s \(timeout 30 s\): .* switching to post-copy$/)
    expect(last.time).toBeCloseTo(30, 6)
    const manual = start({})
    manual.m.advance(12, 128 * MiB)
    expect(manual.m.startPostcopy()).toBe(true)
    driveMigration(manual.m, { dt: 1, bandwidth: 128 * MiB })
    expect(manual.m.info().status).toBe('completed')
    expect(manual.m.info().ram['postcopy-bytes']).toBeGreaterThan(0)
  })
})

describe('cancel and host failures during pre-copy', () => {
  it('destination failure aborts: the VM keeps running on the source', () => {
    const { m, vm } = start({})
    m.advance(5, 128 * MiB)
    expect(m.phase.kind).toBe('precopy')
    expect(m.hostFailed('destination')).toMatchObject({ kind: 'failed', vmLost: false })
    expect(m.vmLocation).toBe('source')
    expect(m.info()['error-desc']).toMatch(
      /destination host failed: migration aborted, the VM keeps running on the source/,
    )
    // dirty logging is off again: the VM is back to normal
    expect(vm.image.logging).toBe(false)
    expect(m.advance(1, 128 * MiB).runFraction).toBe(1)
  })

  it('destination failure during the stop-and-copy also leaves the VM on the source', () => {
    const { m } = start({}, { pattern: 'uniform', bytesPerSecond: 1 * MiB }, 256 * MiB)
    let guard = 0
    while (m.phase.kind !== 'stop-and-copy' && guard++ < 100_000) m.advance(0.001, 128 * MiB)
    expect(m.phase).toEqual({ kind: 'stop-and-copy', switchTo: 'completed' })
    expect(m.hostFailed('destination')).toMatchObject({ kind: 'failed', vmLost: false })
    expect(m.vmLocation).toBe('source')
  })

  it('source failure loses the VM', () => {
    const { m } = start({})
    m.advance(5, 128 * MiB)
    expect(m.hostFailed('source')).toMatchObject({ kind: 'failed', vmLost: true })
    expect(m.vmLocation).toBe('lost')
  })

  it('cancel keeps the VM on the source and stops the throttle', () => {
    const { m } = start({ autoConverge: true })
    m.advance(15, 128 * MiB)
    expect(m.throttlePercentage).toBeGreaterThan(0)
    expect(m.cancel('operator changed their mind')).toBe(true)
    expect(m.phase).toEqual({ kind: 'cancelled', reason: 'operator changed their mind' })
    expect(m.throttlePercentage).toBe(0)
    expect(m.vmLocation).toBe('source')
    expect(m.cancel()).toBe(false)
  })
})
