// The report's files: the engine's serializers, which the browser download, the desktop save and
// `conlab run --out` all write, checked against a CSV written by hand from RFC 4180. (Formatting:
// api-units.test.ts; the charts' thinning and axes: renderer-charts.test.ts; the event-log filter:
// renderer-exports.test.ts.)
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { RunReport } from '../../engine/api/lab-api'
import { reportFileName, reportToCsv, reportToJson } from '../../renderer/export/report-file'
import { saveReportFile, serializeReport } from '../../main/report-file'
import { reportsToCsv } from '../../engine/report'
import { writeReports } from '../../cli/outputs'

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
