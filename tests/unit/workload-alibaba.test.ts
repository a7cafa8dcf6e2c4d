// Alibaba cluster-trace-v2018 machine usage: each machine's CPU and memory as the model replays them
// against the raw rows, computed here (5-minute means of the irregular readings, each machine's peak
// memory) — on the extract shipped with the tests, the 8 days shipped with scenarios/alibaba-2018.yaml and
// the whole sample when ../shared/data is there.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openScenario } from '../../engine/scenario/open'
import { nodeFiles } from '../../engine/platform/node/files'
import { ROOT } from '../helpers'
import {
  FIXTURES,
  SHARED_DATA,
  SMALL_CLUSTER,
  binMeans,
  csvRows,
  hasShared,
  mean,
  memoryBytes,
  modelOf,
  type Reading,
} from '../workload-reference'

const RAM = 4096 * 2 ** 20

const parsed = new Map<string, string[][]>()

/** One machine's rows: [time, cpu %, memory %]. */
function machine(file: string, id: string): Reading[] {
  if (!parsed.has(file)) parsed.set(file, csvRows(file))
  return parsed
    .get(file)!
    .filter((r) => r[0] === id)
    .map((r) => [Number(r[1]), Number(r[2]), Number(r[3])])
}

const cpuFraction = (model: ReturnType<typeof modelOf>, v: number, k: number) =>
  model.traces.samples[model.vmTrace[v]! * model.traces.slots + k]!

function scenario(file: string, duration: string, extra = '') {
  return modelOf(`name: ali
${SMALL_CLUSTER}
duration: ${duration}
vms:
  - type: v
    workload: { kind: alibaba, file: ${JSON.stringify(file)}${extra} }
`)
}

describe('alibaba machine usage (extract: m_1933 and m_1934, one day)', () => {
  const FILE = join(FIXTURES, 'alibaba-2018', 'machine_usage.csv')
  const model = scenario(FILE, '1d')

  it("replays each machine's 5-minute mean CPU and memory, memory as a share of the VM's RAM", () => {
    expect(model.traces.names).toEqual(['m_1933', 'm_1934'])
    for (const [v, id] of ['m_1933', 'm_1934'].entries()) {
      const bins = binMeans(machine(FILE, id), 0, 300, 288)
      for (let k = 0; k < 288; k++) {
        expect(cpuFraction(model, v, k)).toBeCloseTo(bins[k]![0]! / 100, 12)
        expect(memoryBytes(model, v, k)).toBeCloseTo((bins[k]![1]! / 100) * RAM, 3)
      }
      // the machine's peak memory, the highest 5-minute mean
      const peak = Math.max(...Array.from({ length: 288 }, (_, k) => memoryBytes(model, v, k)))
      expect(peak).toBeCloseTo((Math.max(...bins.map((b) => b[1]!)) / 100) * RAM, 3)
    }
    const source = model.traces.sources![0]!
    expect(Object.keys(source.io!.totals)).toEqual(['netIn', 'netOut', 'diskIo'])
  })

  it('chooses machines by id or count, and reads -1 in the disk column as not measured', () => {
    expect(scenario(FILE, '1d', ', vms: [m_1934]').traces.names).toEqual(['m_1934'])
    const dir = mkdtempSync(join(tmpdir(), 'conlab-alibaba-'))
    writeFileSync(join(dir, 'usage.csv'), 'm_1,0,50,80,,,10,20,-1\nm_1,10,60,82,,,10,20,4\nm_2,0,5,60,,,1,2,3\n')
    const m = scenario(join(dir, 'usage.csv'), '5m')
    expect(m.traces.names).toEqual(['m_1', 'm_2'])
    expect(cpuFraction(m, 0, 0)).toBeCloseTo(0.55, 12)
    expect(m.traces.sources![0]!.io!.totals.diskIo).toBe(4 + 3)
    const one = modelOf(`name: ali
${SMALL_CLUSTER}
duration: 5m
vms:
  - type: v
    count: 1
    workload: { kind: alibaba, file: ${JSON.stringify(join(dir, 'usage.csv'))} }
`)
    expect(one.traces.names).toEqual(['m_1'])
  })
})

describe('the Alibaba days shipped with scenarios/alibaba-2018.yaml', () => {
  const model = openScenario(join(ROOT, 'scenarios', 'alibaba-2018.yaml'), nodeFiles)
  const folder = join(ROOT, 'scenarios', 'traces', 'alibaba-2018-14-machines')
  const ram = 65536 * 2 ** 20

  it("replays each machine's CPU and memory; its peak memory as the folder says", () => {
    expect(model.vmCount).toBe(14)
    for (let v = 0; v < 14; v++) {
      const id = model.traces.names[v]!
      const rows = csvRows(join(folder, `${id}.csv`)).slice(1)
      expect(rows).toHaveLength(2304)
      rows.forEach((r, k) => {
        expect(cpuFraction(model, v, k)).toBeCloseTo(Number(r[1]), 12)
        expect(memoryBytes(model, v, k)).toBeCloseTo(Number(r[2]) * ram, 3)
      })
      const peak = Math.max(...rows.map((r) => Number(r[2])))
      expect(Math.max(...Array.from({ length: 2304 }, (_, k) => memoryBytes(model, v, k)))).toBeCloseTo(peak * ram, 3)
    }
  })
})

describe.runIf(hasShared('alibaba-cluster-trace-v2018-sample'))('the Alibaba v2018 sample (../shared/data)', () => {
  const FILE = join(SHARED_DATA, 'alibaba-cluster-trace-v2018-sample', 'machine_usage.csv')
  const ids = Array.from({ length: 14 }, (_, i) => `m_${1933 + i}`)
  const model = scenario(FILE, '8d', `, vms: [${ids.join(', ')}]`)

  it("gives each machine's peak memory and mean CPU over the 8 days, as computed from the raw rows", () => {
    ids.forEach((id, v) => {
      const bins = binMeans(machine(FILE, id), 0, 300, 2304)
      const memory = Array.from({ length: 2304 }, (_, k) => memoryBytes(model, v, k))
      expect(Math.max(...memory)).toBeCloseTo((Math.max(...bins.map((b) => b[1]!)) / 100) * RAM, 3)
      const cpu = Array.from({ length: 2304 }, (_, k) => cpuFraction(model, v, k))
      expect(mean(cpu)).toBeCloseTo(mean(bins.map((b) => b[0]!)) / 100, 12)
    })
  })

  it('matches the shipped 8 days, which conlab import made from it, within its rounding', () => {
    const shipped = openScenario(join(ROOT, 'scenarios', 'alibaba-2018.yaml'), nodeFiles)
    for (let v = 0; v < 14; v++)
      for (let k = 0; k < 2304; k += 5) {
        expect(Math.abs(cpuFraction(shipped, v, k) - cpuFraction(model, v, k))).toBeLessThanOrEqual(0.00005 + 1e-12)
        expect(Math.abs(memoryBytes(shipped, v, k) / 16 - memoryBytes(model, v, k))).toBeLessThanOrEqual(
          0.00005 * RAM + 1,
        )
      }
  })

  it('holds or zeroes a machine that starts late (m_1932 from t = 386,640 s)', () => {
    const held = scenario(FILE, '8d', ', vms: [m_1932]')
    const zero = scenario(FILE, '8d', ', vms: [m_1932], gaps: zero')
    const first = Math.floor(386640 / 300)
    const bins = binMeans(machine(FILE, 'm_1932'), 0, 300, 2304)
    expect(cpuFraction(held, 0, 0)).toBeCloseTo(bins[first]![0]! / 100, 12)
    expect(cpuFraction(zero, 0, 0)).toBe(0)
    expect(cpuFraction(zero, 0, first)).toBeCloseTo(bins[first]![0]! / 100, 12)
    expect(held.traces.sources![0]!.gapBins).toBeGreaterThanOrEqual(first)
  })
})
