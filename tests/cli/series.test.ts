// `conlab run --series FILE.csv`: one row per simulated step whose totals agree with the report (the last
// row's energy is the report's energyKWh, the migrations started add up to its migrations, demand and
// grants give its overall SLA violation), in both modes; the app's session gives the same series.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { LabSession } from '../../engine/api/lab-session'
import { nodeScenarioCatalog } from '../../engine/platform/node/catalog'
import { seriesToCsv } from '../../engine/api/report-format'
import type { Frame } from '../../engine/api/lab-api'
import { CONLAB_BIN, PLANETLAB_SCENARIO, ROOT } from '../helpers'

const HEADER =
  'time,demandMips,grantedMips,activeHosts,powerW,energyKWh,migrationsStarted,migrationsInFlight,slaShortfall'
const LAB_HEADER = `${HEADER},memoryUsedBytes,ksmSavedBytes,balloonBytes,swappedBytes`

interface Report {
  energyKWh: number
  migrations: number
  overallSla: number
  simulatedSeconds: number
  activeHosts: number
  memory?: { final: { ksmSavedGiB: number; balloonGiB: number; hostSwappedGiB: number } }
}

function run(...args: string[]): { report: Report; text: string; rows: number[][] } {
  const file = join(mkdtempSync(join(tmpdir(), 'conlab-series-')), 'series.csv')
  const r = spawnSync(process.execPath, [CONLAB_BIN, 'run', ...args, '--series', file, '--json'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 300_000,
  })
  expect(r.stderr).toBe('')
  expect(r.status).toBe(0)
  const text = readFileSync(file, 'utf8')
  const rows = text
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(',').map(Number))
  return { report: JSON.parse(r.stdout) as Report, text, rows }
}

const col = (header: string, name: string) => header.split(',').indexOf(name)
const sum = (rows: number[][], c: number) => rows.reduce((a, r) => a + r[c]!, 0)

describe('conlab run --series', () => {
  it('lab mode: a row per 5-minute step, totals as the report says, memory columns', () => {
    // the shipped hosts with 48 GiB instead of 8: no memory pressure, but LR-MMT consolidates (migrations)
    const { report, text, rows } = run(
      join(ROOT, 'scenarios', 'bitbrains-rnd.yaml'),
      ...['--set', 'duration=1d', '--set', 'hostTypes.server.ramMB=49152', '--set', 'admission.ramAllocationRatio=1.5'],
    )
    expect(text.split('\n')[0]).toBe(LAB_HEADER)
    const c = (name: string) => col(LAB_HEADER, name)
    expect(rows).toHaveLength(288)
    rows.forEach((r, k) => expect(r[c('time')]).toBe((k + 1) * 300))
    expect(rows.at(-1)![c('energyKWh')]).toBe(report.energyKWh)
    expect(sum(rows, c('migrationsStarted'))).toBe(report.migrations)
    expect(report.migrations).toBeGreaterThan(0)
    // the steps' demand and grants give the run's overall SLA violation (Σ (demand − granted) / Σ demand)
    const demand = sum(rows, c('demandMips'))
    expect((demand - sum(rows, c('grantedMips'))) / demand).toBeCloseTo(report.overallSla, 12)
    for (const r of rows) {
      expect(r[c('slaShortfall')]).toBeCloseTo((r[c('demandMips')]! - r[c('grantedMips')]!) / r[c('demandMips')]!, 12)
      expect(r[c('migrationsInFlight')]).toBeGreaterThanOrEqual(0)
    }
    expect(rows.at(-1)![c('activeHosts')]).toBe(report.activeHosts)
    // energy so far: each step adds its power over 300 s
    for (let k = 1; k < rows.length; k++)
      expect(rows[k]![c('energyKWh')]! - rows[k - 1]![c('energyKWh')]!).toBeCloseTo(
        (rows[k]![c('powerW')]! * 300) / 3.6e6,
        9,
      )
  })

  it("lab mode: the memory columns end as the report's memory section has it, balloons and KSM at work", () => {
    const { report, rows } = run(join(ROOT, 'scenarios', 'bitbrains-rnd.yaml'), '--set', 'duration=1d')
    const c = (name: string) => col(LAB_HEADER, name)
    const last = rows.at(-1)!
    const GiB = 2 ** 30
    expect(last[c('ksmSavedBytes')]! / GiB).toBeCloseTo(report.memory!.final.ksmSavedGiB, 9)
    expect(last[c('balloonBytes')]! / GiB).toBeCloseTo(report.memory!.final.balloonGiB, 9)
    expect(last[c('swappedBytes')]! / GiB).toBeCloseTo(report.memory!.final.hostSwappedGiB, 9)
    expect(Math.max(...rows.map((r) => r[c('balloonBytes')]!))).toBeGreaterThan(0)
    expect(Math.max(...rows.map((r) => r[c('ksmSavedBytes')]!))).toBeGreaterThan(0)
  })

  it('cloudsim mode: a row per periodic step and one at the end, totals as the report says', () => {
    const { report, text, rows } = run(PLANETLAB_SCENARIO, '--policy', 'lr-mmt-1.2')
    expect(text.split('\n')[0]).toBe(HEADER)
    const c = (name: string) => col(HEADER, name)
    // CloudSim's steps at 300.1 s, 600.1 s, … (its 0.1 s submission delay), then the run's end
    expect(rows).toHaveLength(288)
    expect(rows[0]![c('time')]).toBe(300.1)
    expect(rows.at(-2)![c('time')]).toBe(86100.1)
    expect(rows.at(-1)![c('time')]).toBe(86400)
    expect(rows.at(-1)![c('energyKWh')]).toBe(report.energyKWh)
    expect(sum(rows, c('migrationsStarted'))).toBe(report.migrations)
    expect(report.migrations).toBeGreaterThan(20000)
    for (const r of rows) expect(r[c('grantedMips')]).toBeLessThanOrEqual(r[c('demandMips')]! + 1e-6)
  })

  it('is the same whatever the number of worker threads', () => {
    const a = run(join(ROOT, 'scenarios', 'azure-v1.yaml'), '--set', 'duration=1d', '--workers', '0')
    const b = run(join(ROOT, 'scenarios', 'azure-v1.yaml'), '--set', 'duration=1d', '--workers', '2')
    expect(b.text).toBe(a.text)
  })

  it("is what the app's report export offers (the session's frames)", async () => {
    const lab = new LabSession(nodeScenarioCatalog(join(ROOT, 'scenarios')), 'node')
    await lab.open({ builtin: 'bitbrains-rnd', set: ['duration=6h'] })
    const frames: Frame[] = []
    for (;;) {
      const r = await lab.advance({ steps: 100 })
      frames.push(...r.frames)
      if (r.done) break
    }
    const cli = run(join(ROOT, 'scenarios', 'bitbrains-rnd.yaml'), '--set', 'duration=6h')
    expect(seriesToCsv(frames, 'lab')).toBe(cli.text)
    const cloud = new LabSession(nodeScenarioCatalog(join(ROOT, 'scenarios')), 'node')
    await cloud.open({ builtin: 'planetlab-cloudsim', policy: 'thr-mmt-0.8' })
    const cloudFrames: Frame[] = []
    for (;;) {
      const r = await cloud.advance({ steps: 100 })
      cloudFrames.push(...r.frames)
      if (r.done) break
    }
    expect(seriesToCsv(cloudFrames, 'cloudsim')).toBe(run(PLANETLAB_SCENARIO, '--policy', 'thr-mmt-0.8').text)
  })

  it('refuses a file that is not .csv', () => {
    const r = spawnSync(process.execPath, [CONLAB_BIN, 'run', PLANETLAB_SCENARIO, '--series', 'x.json'], {
      cwd: ROOT,
      encoding: 'utf8',
    })
    expect(r.status).toBe(2)
    expect(r.stderr).toMatch(/--series x\.json: expected a file ending in \.csv/)
  })
})
