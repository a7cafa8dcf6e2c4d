// Display helpers: clock and number formatting, the chart point cap, the event-log filter and the
// report's files (the engine's serializers: the browser download and the desktop save write the same).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { LabEvent, RunReport } from '../../engine/api/lab-api'
import {
  formatBytes,
  formatClock,
  formatDuration,
  formatKWh,
  formatMB,
  formatPercent,
  formatSeconds,
  formatWatts,
} from '../../renderer/format'
import { MAX_CHART_POINTS, pickPoints } from '../../renderer/charts/points'
import { timeTick, timeTicks } from '../../renderer/charts/axes'
import { filterEvents } from '../../renderer/state/event-filter'
import { reportFileName, reportToCsv, reportToJson } from '../../renderer/export/report-file'
import { saveReportFile, serializeReport } from '../../main/report-file'
import { reportsToCsv } from '../../engine/report'
import { writeReports } from '../../cli/output'

describe('formatting', () => {
  it('shows the simulated clock as d hh:mm', () => {
    expect(formatClock(0)).toBe('0d 00:00')
    expect(formatClock(21600.1)).toBe('0d 06:00')
    expect(formatClock(86400 + 3 * 3600 + 25 * 60 + 59)).toBe('1d 03:25')
    expect(formatClock(-5)).toBe('0d 00:00')
    expect(formatClock(79.812, true)).toBe('0d 00:01:19.8')
    expect(formatClock(86400 + 3605, true)).toBe('1d 01:00:05.0')
  })
  it('formats units', () => {
    expect(formatKWh(47.74210128854534)).toBe('47.74 kWh')
    expect(formatWatts(8268.03)).toBe('8268 W')
    expect(formatWatts(70_100)).toBe('70.10 kW')
    expect(formatPercent(0.0615, 2)).toBe('6.15 %')
    expect(formatMB(870)).toBe('870 MB')
    expect(formatMB(4096)).toBe('4.00 GB')
    expect(formatSeconds(42)).toBe('42 s')
    expect(formatSeconds(5400)).toBe('1.50 h')
    expect(formatDuration(0.312)).toBe('312 ms')
    expect(formatDuration(19.812)).toBe('19.8 s')
    expect(formatDuration(600)).toBe('10.0 min')
    expect(formatBytes(2.46 * 2 ** 30)).toBe('2.46 GiB')
    expect(formatBytes(37.1 * 2 ** 20)).toBe('37.1 MiB')
    expect(formatBytes(512)).toBe('512 B')
  })
  it('ticks the time axis at round hours', () => {
    expect(timeTicks(86400)).toEqual([0, 3, 6, 9, 12, 15, 18, 21, 24].map((h) => h * 3600))
    expect(timeTicks(6 * 3600)).toEqual([0, 1, 2, 3, 4, 5, 6].map((h) => h * 3600))
    expect(timeTick(0)).toBe('0h')
    expect(timeTick(86400)).toBe('1d')
  })
  it('ticks short runs at round seconds or minutes', () => {
    expect(timeTicks(300)).toEqual([0, 60, 120, 180, 240, 300])
    expect(timeTicks(180)).toEqual([0, 30, 60, 90, 120, 150, 180])
    expect(timeTicks(3600)).toEqual([0, 600, 1200, 1800, 2400, 3000, 3600])
    expect(timeTick(90)).toBe('1m30s')
    expect(timeTick(30)).toBe('30s')
    expect(timeTick(600)).toBe('10m')
    expect(timeTick(3600)).toBe('1h')
  })
})

describe('chart points', () => {
  it('keep short series whole', () => {
    const frames = Array.from({ length: 288 }, (_, i) => ({ i }))
    expect(pickPoints(frames)).toBe(frames)
  })
  it('thin long series to whole frames, keeping the first and the latest', () => {
    const frames = Array.from({ length: 2016 * 5 + 3 }, (_, i) => ({ i }))
    const picked = pickPoints(frames)
    expect(picked.length).toBeLessThanOrEqual(MAX_CHART_POINTS + 1)
    expect(picked[0]).toBe(frames[0])
    expect(picked.at(-1)).toBe(frames.at(-1))
    for (const p of picked) expect(frames[p.i]).toBe(p)
    for (let k = 1; k < picked.length; k++) expect(picked[k]!.i).toBeGreaterThan(picked[k - 1]!.i)
  })
})

describe('event filter', () => {
  const events: LabEvent[] = [
    { time: 300, kind: 'host-on', host: 3, message: 'a' },
    { time: 300, kind: 'migration-start', vm: 9, host: 3, targetHost: 5, message: 'b' },
    { time: 600, kind: 'overload', host: 5, message: 'c' },
    { time: 600, kind: 'migration-end', vm: 9, host: 5, message: 'd' },
  ]
  it('shows the newest first, without hidden kinds, up to the visible count', () => {
    expect([...filterEvents(events, 4, new Set(), undefined)]).toEqual([3, 2, 1, 0])
    expect([...filterEvents(events, 4, new Set(['migration-end']), undefined)]).toEqual([2, 1, 0])
    expect([...filterEvents(events, 2, new Set(), undefined)]).toEqual([1, 0])
  })
  it('narrows to the selected host (as source or target) or VM', () => {
    expect([...filterEvents(events, 4, new Set(), { kind: 'host', host: 5 })]).toEqual([3, 2, 1])
    expect([...filterEvents(events, 4, new Set(), { kind: 'vm', vm: 9 })]).toEqual([3, 1])
  })
  it('filters a long log: every shown event once, newest first', () => {
    const many: LabEvent[] = Array.from({ length: 30_000 }, (_, i) => ({
      time: i,
      kind: i % 3 ? 'migration-start' : 'host-off',
      host: i % 800,
      message: '',
    }))
    const shown = filterEvents(many, many.length, new Set(['host-off']), undefined)
    expect(shown.length).toBe(20_000)
    expect(shown[0]).toBe(29_999)
    expect(shown.at(-1)).toBe(1)
    for (let k = 1; k < shown.length; k++) expect(shown[k - 1]! - shown[k]!).toBe(shown[k - 1]! % 3 === 1 ? 2 : 1)
    // the first `count` events only: those the log has received so far
    expect([...filterEvents(many, 7, new Set(['host-off']), { kind: 'host', host: 5 })]).toEqual([5])
  })
})

describe('report export', () => {
  const report: RunReport = {
    scenario: 'PlanetLab 2011-03-03, CloudSim setup',
    mode: 'cloudsim',
    policy: 'lr-mmt-1.2',
    seed: 1,
    hosts: 800,
    vms: 1052,
    simulatedSeconds: 21600.1,
    energyKWh: 47.74210128854534,
    migrations: 8088,
    slatah: 0.0615,
    pdm: 0.00084,
    slav: 5.2e-5,
    esv: 0.00248,
    hostShutdowns: 1771,
    stateHash: '0ef98a2aad0a7a42',
    wallMs: 310,
    overallSla: 0.0016,
    averageSla: 0.0999,
    activeHosts: 118,
    vmsRemovedForZeroDemand: 477,
    workload: {
      traceOrder: 'planetlab-sorted',
      traces: 1052,
      bindingDigest: '1458a4691f0d5a71',
      vmsPerType: { small: 263, micro: 263 },
    },
    migrationModel: 'cloudsim',
  }
  it('writes JSON as the report itself', () => {
    expect(JSON.parse(reportToJson(report))).toEqual(report)
  })
  it("writes the engine's CSV: one header row, one row, text quoted", () => {
    const [head, row, rest] = reportToCsv(report).split('\n')
    expect(rest).toBe('')
    expect(head).toBe(
      'scenario,mode,policy,seed,hosts,vms,simulatedSeconds,energyKWh,migrations,slatah,pdm,slav,esv,overallSla,hostShutdowns,stateHash,wallMs,activeHosts,migrationModel',
    )
    expect(row).toBe(
      '"PlanetLab 2011-03-03, CloudSim setup",cloudsim,lr-mmt-1.2,1,800,1052,21600.1,47.74210128854534,8088,0.0615,0.00084,0.000052,0.00248,0.0016,1771,0ef98a2aad0a7a42,310,118,cloudsim',
    )
  })
  it('writes the CSV a spreadsheet reads: the same text from the browser download, the desktop save and --out', () => {
    // a lab run without a migration model, text that needs quoting (a comma, quotes, a line break)
    const lab: RunReport = {
      ...report,
      scenario: 'Drill "B", night\nshift',
      mode: 'lab',
      policy: 'thr-mmt-0.8',
      seed: 4294967295,
      hosts: 3,
      vms: 12,
      simulatedSeconds: 7200,
      energyKWh: 1.5,
      migrations: 0,
      slatah: 0,
      pdm: 0,
      slav: 0,
      esv: 0,
      overallSla: 1e-7,
      hostShutdowns: 2,
      stateHash: '00000000000000ff',
      wallMs: 12.5,
      activeHosts: 1,
      migrationModel: undefined,
    }
    // written by hand from RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled;
    // an absent value is an empty field; numbers as JavaScript prints them
    const header =
      'scenario,mode,policy,seed,hosts,vms,simulatedSeconds,energyKWh,migrations,slatah,pdm,slav,esv,overallSla,hostShutdowns,stateHash,wallMs,activeHosts,migrationModel\n'
    const labRow =
      '"Drill ""B"", night\nshift",lab,thr-mmt-0.8,4294967295,3,12,7200,1.5,0,0,0,0,0,1e-7,2,00000000000000ff,12.5,1,\n'
    const cloudsimRow =
      '"PlanetLab 2011-03-03, CloudSim setup",cloudsim,lr-mmt-1.2,1,800,1052,21600.1,47.74210128854534,8088,0.0615,0.00084,0.000052,0.00248,0.0016,1771,0ef98a2aad0a7a42,310,118,cloudsim\n'
    expect(reportToCsv(lab)).toBe(header + labRow)
    expect(serializeReport(lab, 'csv')).toBe(header + labRow)
    expect(reportsToCsv([report, lab])).toBe(header + cloudsimRow + labRow)
    const dir = mkdtempSync(join(tmpdir(), 'conlab-report-'))
    try {
      const saved = saveReportFile(join(dir, 'drill'), lab, 'csv')
      expect(saved).toBe(join(dir, 'drill.csv'))
      expect(readFileSync(saved, 'utf8')).toBe(header + labRow)
      writeReports(join(dir, 'out.csv'), [report, lab])
      expect(readFileSync(join(dir, 'out.csv'), 'utf8')).toBe(header + cloudsimRow + labRow)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
  it('names files after scenario, policy and hours', () => {
    expect(reportFileName(report, 'csv')).toBe('planetlab-2011-03-03-cloudsim-setup-lr-mmt-1.2-6h.csv')
  })
})
