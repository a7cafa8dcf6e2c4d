// Live migration inside the lab model, end to end from the scenario files: the pre-copy acceptance
// scenario against the analytic model, a hot working set with and without auto-converge, cancel, and the
// PlanetLab day with pre-copy (identical results in worker threads, real query-migrate statistics).
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openScenario } from '../../engine/scenario/open'
import { nodeFiles } from '../../engine/platform/node/files'
import { runToEnd } from '../../engine/run'
import { workerShards } from '../../engine/platform/node/shard-workers'
import { precopyPassModel, MiB } from '../../engine/migration'
import type { LabEvent } from '../../engine/api/lab-api'
import { ROOT, relativeError } from '../helpers'

const scenario = (name: string) => join(ROOT, 'scenarios', name)

async function run(file: string, set: string[] = [], shards = 1) {
  const events: LabEvent[] = []
  const model = openScenario(file, nodeFiles, { set })
  const report = await runToEnd(model, {
    onEvent: (e) => events.push(e),
    shards,
    shardFactory: shards > 1 ? workerShards() : undefined,
  })
  return { model, report, events, detail: report.migrationsDetail ?? [] }
}

describe('migration-precopy-uniform.yaml against the analytic pre-copy model', () => {
  it('rounds, total time and downtime within 2 % (page-collision correction)', async () => {
    const { model, report, detail } = await run(scenario('migration-precopy-uniform.yaml'))
    expect(report.mode).toBe('lab')
    expect(report.migrationModel).toBe('precopy')
    expect(detail).toHaveLength(1)
    const m = detail[0]!
    expect(m.start).toBe(60)
    expect(m.location).toBe('destination')
    const info = m.info!
    const analytic = precopyPassModel({
      pageCount: (model.vmTypes[0]!.ramMB * MiB) / model.pageSize,
      pageSize: model.pageSize,
      bandwidth: model.migration.maxBandwidth,
      writeBytesPerSecond: model.groups[0]!.pageWrites.rate,
      downtimeLimit: model.migration.downtimeLimit,
    })
    expect(analytic.converges).toBe(true)
    expect(info.lab.rounds).toBe(analytic.rounds)
    expect(relativeError(info['total-time'] / 1000, analytic.totalTime)).toBeLessThan(0.02)
    expect(relativeError(m.end - m.start, analytic.totalTime)).toBeLessThan(0.02)
    expect(relativeError(info.downtime! / 1000, analytic.downtime)).toBeLessThan(0.02)
    expect(relativeError(info.ram.transferred, analytic.transferred)).toBeLessThan(0.02)
    // every page was non-zero: nothing went as a zero page
    expect(info.ram.duplicate).toBe(0)
    // the guest lost exactly its downtime (no setup, no resume cost, no throttling)
    expect(info.lab['guest-lost-seconds']).toBeCloseTo(info.downtime! / 1000, 9)
    expect(report.pdm).toBeGreaterThan(0)
  })
})

describe('migration-hot-working-set.yaml: a writable working set above bandwidth × downtime', () => {
  it('never converges without auto-converge: diagnosed while it runs, cancelled at the 120 s timeout', async () => {
    const { report, detail, events } = await run(scenario('migration-hot-working-set.yaml'))
    const m = detail[0]!
    expect(m.location).toBe('source')
    expect(m.info!.status).toBe('cancelled')
    expect(m.end - m.start).toBeCloseTo(120, 6)
    expect(m.info!.lab['throttle-steps']).toEqual([])
    expect(m.info!.lab.reason).toMatch(/not converged after 120\.0 s \(timeout 120 s\)/)
    expect(m.info!.lab.reason).toMatch(/above the switch-over threshold 38\.4 MiB/)
    expect(m.info!.lab.reason).toMatch(/auto-converge off/)
    // the diagnosis reached the event log long before the timeout
    const diagnosed = events.find((e) => e.kind === 'warning' && /not converging/.test(e.message))
    expect(diagnosed).toBeDefined()
    expect(diagnosed!.time).toBeLessThan(m.start + 60)
    expect(events.some((e) => e.vm === 0 && /stays on host 0/.test(e.message))).toBe(true)
    expect(report.migrationStats).toMatchObject({ completed: 0, calledOff: 1, lost: 0 })
  })

  it("converges with auto-converge through QEMU's throttle steps, and the guest pays for it", async () => {
    const off = await run(scenario('migration-hot-working-set.yaml'))
    const on = await run(scenario('migration-hot-working-set.yaml'), ['migration.autoConverge=true'])
    const m = on.detail[0]!
    expect(m.location).toBe('destination')
    const steps = m.info!.lab['throttle-steps']
    expect(steps.slice(0, 3)).toEqual([20, 30, 40].slice(0, steps.length))
    expect(steps.length).toBeGreaterThanOrEqual(1)
    for (let i = 1; i < steps.length; i++) expect(steps[i]! - steps[i - 1]!).toBe(10)
    expect(m.info!.lab['throttle-lost-seconds']).toBeGreaterThan(0)
    expect(on.events.filter((e) => /guest throttled to/.test(e.message)).length).toBe(steps.length)
    // throttling shows in what the VM lost: PDM above the run without it
    expect(on.report.pdm).toBeGreaterThan(off.report.pdm)
    expect(on.report.overallSla).toBeGreaterThan(0)
  })
})

describe('scheduled cancel', () => {
  it('a migration called off during pre-copy leaves the VM on its source', async () => {
    const { detail, events } = await run(scenario('migration-precopy-uniform.yaml'), [
      'events=[{at: 60s, migrate: {vm: 0, to: 1}}, {at: 80s, cancelMigration: {vm: 0}}]',
    ])
    const m = detail[0]!
    expect(m.location).toBe('source')
    expect(m.info!.status).toBe('cancelled')
    expect(m.end).toBe(80)
    expect(events.some((e) => /stays on host 0/.test(e.message))).toBe(true)
  })
})

describe('the PlanetLab day in lab mode with pre-copy', () => {
  it('real pre-copy statistics for every migration; identical results with worker threads', async () => {
    const file = join(ROOT, 'scenarios', 'planetlab-lab.yaml')
    const inThread = await run(file, ['migration.model=precopy'])
    const r = inThread.report
    expect(r.migrationModel).toBe('precopy')
    expect(r.migrations).toBeGreaterThan(100)
    const done = inThread.detail.filter((d) => d.location === 'destination')
    expect(done.length).toBeGreaterThan(0.9 * inThread.detail.length)
    for (const d of done) {
      expect(d.info!.status).toBe('completed')
      expect(d.info!.ram.transferred).toBeGreaterThan(0)
      expect(d.info!.downtime).toBeGreaterThan(0)
    }
    // PDM in lab mode is what the VMs really lost (downtime, setup): small, positive
    expect(r.pdm).toBeGreaterThan(0)
    expect(r.pdm).toBeLessThan(0.01)
    const workers = await run(file, ['migration.model=precopy'], 2)
    expect(workers.report.stateHash).toBe(r.stateHash)
    expect(workers.report.energyKWh).toBe(r.energyKWh)
    expect(workers.report.migrationsDetail).toEqual(inThread.report.migrationsDetail)
  })
})
