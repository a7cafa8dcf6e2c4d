// The report's files: the engine's serializers, which the browser download, the desktop save and
// `conlab run --out` all write. (Formatting: api-units.test.ts; the charts' thinning and axes:
// renderer-charts.test.ts; the event-log filter: renderer-exports.test.ts.)
import type { RunReport } from '../../engine/api/lab-api'
import { describe, expect, it } from 'vitest'
import { reportFileName, reportToCsv, reportToJson } from '../../renderer/export/report-file'
import { serializeReport } from '../../main/report-file'
import { reportsToCsv } from '../../engine/report'

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
  it('writes the same bytes as the desktop save and `conlab run --out`', () => {
    expect(reportToCsv(report)).toBe(serializeReport(report, 'csv'))
    expect(reportToCsv(report)).toBe(reportsToCsv([report]))
    expect(reportToJson(report)).toBe(serializeReport(report, 'json'))
    const { migrationModel: _, ...withoutModel } = report
    expect(reportToCsv(withoutModel).split('\n')[1]!.endsWith(',118,')).toBe(true)
  })
  it('names files after scenario, policy and hours', () => {
    expect(reportFileName(report, 'csv')).toBe('planetlab-2011-03-03-cloudsim-setup-lr-mmt-1.2-6h.csv')
  })
})
