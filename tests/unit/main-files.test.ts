// Files the desktop app reads and writes: scenario files from the open dialog, reports from the save
// dialog (the engine's serializers, written atomically). The report comes from a real LabSession.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunReport } from '../../engine/api/lab-api'
import { LabSession } from '../../engine/api/lab-session'
import { nodeScenarioCatalog } from '../../engine/platform/node/catalog'
import { parsePortRequest } from '../../main/bridge-contract'
import { defaultReportFileName, saveReportFile, serializeReport, withExtension } from '../../main/report-file'
import { MAX_SCENARIO_BYTES, readScenarioFile } from '../../main/scenario-file'
import { saveOrdersFile } from '../../main/orders-file'
import { ordersFileName } from '../../engine/api/report-format'
import { PLANETLAB_SCENARIO, ROOT } from '../helpers'

let dir: string
let report: RunReport

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'conlab-main-'))
  const lab = new LabSession(nodeScenarioCatalog(join(ROOT, 'scenarios')), 'electron')
  await lab.open({ builtin: 'planetlab-cloudsim' })
  await lab.advance({ steps: 12 })
  report = await lab.report()
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('reports', () => {
  it('serialize as the JSON of `conlab run --json` and the engine CSV', () => {
    expect(JSON.parse(serializeReport(report, 'json'))).toEqual(report)
    const [head, row] = serializeReport(report, 'csv').trim().split('\n')
    expect(head).toMatch(/^scenario,mode,policy,seed,hosts,vms,simulatedSeconds,energyKWh,migrations/)
    expect(row).toContain(String(report.energyKWh))
  })
  it('are written atomically with the format extension, leaving no temporary files', () => {
    const written = saveReportFile(join(dir, 'run'), report, 'json')
    expect(written).toBe(join(dir, 'run.json'))
    expect(JSON.parse(readFileSync(written, 'utf8'))).toEqual(report)
    writeFileSync(join(dir, 'old.csv'), 'old')
    saveReportFile(join(dir, 'old.csv'), report, 'csv')
    expect(readFileSync(join(dir, 'old.csv'), 'utf8')).toMatch(/^scenario,/)
    expect(readdirSync(dir).sort()).toEqual(['old.csv', 'run.json'])
  })
  it('get a descriptive default name', () => {
    expect(defaultReportFileName(report, 'csv')).toBe('planetlab-2011-03-03-cloudsim-setup-lr-mmt-1.2-1h.csv')
    expect(withExtension('/a/b.JSON', 'json')).toBe('/a/b.JSON')
    expect(withExtension('/a/b', 'csv')).toBe('/a/b.csv')
  })
})

describe('order logs', () => {
  it('are written atomically as the lab exports them, as YAML, under a name that says what they replay', async () => {
    const lab = new LabSession(nodeScenarioCatalog(join(ROOT, 'scenarios')), 'electron')
    const info = await lab.open({ builtin: 'maintenance-and-affinity' })
    await lab.advance({ steps: 1 })
    await lab.order({ maintenance: { host: 2, enter: true } })
    await lab.advance({ steps: 1 })
    const orders = await lab.exportOrders()
    expect(orders.orders).toEqual([{ time: 60, action: { maintenance: { host: 2, enter: true } } }])
    const sub = mkdtempSync(join(dir, 'orders-'))
    const events = saveOrdersFile(join(sub, 'drill'), orders, 'events')
    expect(events).toBe(join(sub, 'drill.yaml'))
    expect(readFileSync(events, 'utf8')).toBe(orders.events)
    expect(orders.events).toBe('events:\n  - {"at":60,"maintenance":{"host":2,"enter":true}}\n')
    const scenario = saveOrdersFile(join(sub, 'replay.yml'), orders, 'scenario')
    expect(readFileSync(scenario, 'utf8')).toBe(orders.scenario)
    expect(readdirSync(sub).sort()).toEqual(['drill.yaml', 'replay.yml'])
    expect(ordersFileName(info, 'events')).toMatch(/^maintenance-and-affinity-.*-lr-mmt-1\.2-orders\.yaml$/)
    expect(ordersFileName(info, 'scenario')).toMatch(/-lr-mmt-1\.2-replay\.yaml$/)
  })
})

describe('scenario files', () => {
  it('are read with their full path, so relative trace folders resolve', () => {
    const file = readScenarioFile(PLANETLAB_SCENARIO)
    expect(file.fileName).toBe(PLANETLAB_SCENARIO)
    expect(file.text).toMatch(/^# CloudSim 3\.0\.3/)
  })
  it('refuses files too large to be a scenario', () => {
    const big = join(dir, 'big.yaml')
    writeFileSync(big, Buffer.alloc(MAX_SCENARIO_BYTES + 1, 0x20))
    expect(() => readScenarioFile(big)).toThrow(/expected a scenario file of at most 4 MB/)
  })
})

describe('port requests from the page', () => {
  it('accept a known kind with a nonce, nothing else', () => {
    const nonce = '0b6f2a4e-8c1d-4f7a-9e3b-5d2c1a0f9e8d'
    expect(parsePortRequest({ kind: 'lab', nonce })).toEqual({ kind: 'lab', nonce })
    expect(parsePortRequest({ kind: 'shell', nonce })).toBeUndefined()
    expect(parsePortRequest({ kind: 'lab', nonce: 'short' })).toBeUndefined()
    expect(parsePortRequest({ kind: 'lab', nonce: `${nonce}<script>` })).toBeUndefined()
    expect(parsePortRequest('lab')).toBeUndefined()
    expect(parsePortRequest(null)).toBeUndefined()
  })
})
