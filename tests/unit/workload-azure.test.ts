// Azure Public Dataset V1 CPU readings: the model's demand against the raw tables, computed here — the
// mean of the averages over all VMs and steps, each VM's series — on the week shipped with
// scenarios/azure-v1.yaml, on the raw-format fixtures, and on the whole sample when ../shared/data is there.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openScenario } from '../../engine/scenario/open'
import { parseScenario } from '../../engine/scenario/load'
import { buildClusterModel } from '../../engine/model/cluster-model'
import { nodeFiles } from '../../engine/platform/node/files'
import type { FileSource } from '../../engine/platform/files'
import { ROOT } from '../helpers'
import {
  FIXTURES,
  SHARED_DATA,
  SMALL_CLUSTER,
  csvRows,
  demandMips,
  hasShared,
  mean,
  modelOf,
} from '../workload-reference'

/** Per VM column, its CPU % per step, from a wide table (step, one column per VM). */
function wide(file: string, steps: number): { ids: string[]; pct: number[][] } {
  const rows = csvRows(file)
  const ids = rows[0]!.slice(1)
  const pct = ids.map((_, c) => rows.slice(1, steps + 1).map((r) => Number(r[c + 1])))
  return { ids, pct }
}

const sample = (model: ReturnType<typeof modelOf>, v: number, k: number) =>
  model.traces.samples[model.vmTrace[v]! * model.traces.slots + k]!

describe('the Azure week shipped with scenarios/azure-v1.yaml', () => {
  const model = openScenario(join(ROOT, 'scenarios', 'azure-v1.yaml'), nodeFiles)
  const folder = join(ROOT, 'scenarios', 'traces', 'azure-v1')
  const tables = [
    wide(join(folder, 'microsoft_avg_24vms_week1.csv'), 2016),
    wide(join(folder, 'periodic_avg_18vms_week1.csv'), 2016),
  ]

  it("replays each VM's average CPU of each 5-minute step, as a fraction of its type", () => {
    expect(model.traces.names).toEqual([...tables[0]!.ids, ...tables[1]!.ids])
    let v = 0
    for (const t of tables)
      for (const series of t.pct) {
        for (let k = 0; k < 2016; k++) expect(sample(model, v, k)).toBeCloseTo(series[k]! / 100, 12)
        v++
      }
  })

  it('gives the mean of the averages over all VMs and the week', () => {
    const all = tables.flatMap((t) => t.pct.flat())
    const modelAll = Array.from({ length: model.vmCount }, (_, v) =>
      Array.from({ length: 2016 }, (_, k) => sample(model, v, k)),
    ).flat()
    expect(mean(modelAll) * 100).toBeCloseTo(mean(all), 9)
    expect(model.traces.sources!.map((s) => [s.kind, s.vms, s.from, s.to, s.memory])).toEqual([
      ['azure', 24, 0, 604800, false],
      ['azure', 18, 0, 604800, false],
    ])
  })

  it('takes a window after the start', () => {
    const later = openScenario(join(ROOT, 'scenarios', 'azure-v1.yaml'), nodeFiles, {
      set: ['vms[1].workload.from=2d', 'duration=1d'],
    })
    const t = tables[1]!
    for (let i = 0; i < t.ids.length; i++)
      for (const k of [0, 144, 287]) expect(sample(later, 24 + i, k)).toBeCloseTo(t.pct[i]![576 + k]! / 100, 12)
  })
})

describe('Azure V1 raw readings (vm_cpu_readings, vmtable)', () => {
  const RAW = join(FIXTURES, 'azure-v1-raw')
  const readings = csvRows(join(RAW, 'vm_cpu_readings-file-1-of-125.csv'))

  it('reads min, max or avg of each reading, one VM per id in order of appearance', () => {
    for (const [value, column] of [
      ['avg', 4],
      ['max', 3],
    ] as const) {
      const model = modelOf(`name: az
${SMALL_CLUSTER.replace('count: 4', 'count: 40')}
duration: 5m
vms:
  - type: v
    workload: { kind: azure, file: ${JSON.stringify(join(RAW, 'vm_cpu_readings-file-1-of-125.csv'))}, value: ${value} }
`)
      expect(model.vmCount).toBe(100)
      expect(model.traces.names).toEqual(readings.map((r) => r[1]))
      readings.forEach((r, v) => expect(sample(model, v, 0)).toBeCloseTo(Number(r[column]) / 100, 12))
    }
  })

  it("sizes VMs from the vmtable's cores and memory", () => {
    const dir = mkdtempSync(join(tmpdir(), 'conlab-azure-'))
    const ids = readings.slice(0, 3).map((r) => r[1]!)
    // the fixture's vmtable rows describe other VMs: the same format, with these ids
    writeFileSync(
      join(dir, 'vmtable.csv'),
      [
        `${ids[0]},s,d,0,2591700,99.3,3.4,10.1,Delay-insensitive,4,14`,
        `${ids[2]},s,d,0,1539300,100,6.1,33.9,Interactive,1,1.75`,
        'other,s,d,0,1,1,1,1,Unknown,8,56',
      ].join('\n'),
    )
    const model = modelOf(`name: az
${SMALL_CLUSTER}
duration: 5m
vms:
  - type: v
    count: 3
    workload: { kind: azure, file: ${JSON.stringify(join(RAW, 'vm_cpu_readings-file-1-of-125.csv'))}, vmtable: ${JSON.stringify(join(dir, 'vmtable.csv'))}, sizes: trace }
`)
    const type = (v: number) => model.vmTypes[model.vmType[v]!]!
    expect([type(0).vcpus, type(0).ramMB, type(0).mips]).toEqual([4, 14336, 2500])
    expect([type(1).vcpus, type(1).ramMB]).toEqual([2, 4096]) // not in the vmtable: its type's size
    expect([type(2).vcpus, type(2).ramMB]).toEqual([1, 1792])
  })
})

describe.runIf(hasShared('azure-public-dataset-v1-cpu-sample'))('the Azure V1 sample (../shared/data)', () => {
  const DIR = join(SHARED_DATA, 'azure-public-dataset-v1-cpu-sample')

  it('gives the mean of averages (and of maxima) over all 100 VMs and 8004 steps', () => {
    for (const name of ['microsoft_avg_100.csv', 'microsoft_max_100.csv']) {
      const t = wide(join(DIR, name), 8004)
      const model = modelOf(`name: az
${SMALL_CLUSTER.replace('count: 4', 'count: 100')}
duration: ${8004 * 300}
vms:
  - type: v
    workload: { kind: azure, file: ${JSON.stringify(join(DIR, name))} }
`)
      expect(model.vmCount).toBe(100)
      const modelAll: number[] = []
      for (let v = 0; v < 100; v++) for (let k = 0; k < 8004; k++) modelAll.push(sample(model, v, k))
      expect(mean(modelAll) * 100).toBeCloseTo(mean(t.pct.flat()), 9)
      expect(demandMips(model, 7, 100)).toBeCloseTo((t.pct[7]![100]! / 100) * 5000, 9)
    }
  })

  it('streams: a day of the 7 MB table reads only its first megabyte or so', () => {
    let bytes = 0
    const counting: FileSource = {
      ...nodeFiles,
      *readChunks(path) {
        for (const chunk of nodeFiles.readChunks!(path)) {
          bytes += chunk.length
          yield chunk
        }
      },
    }
    const file = join(DIR, 'microsoft_avg_100.csv')
    const yaml = `name: az
${SMALL_CLUSTER.replace('count: 4', 'count: 100')}
duration: 1d
vms:
  - type: v
    workload: { kind: azure, file: ${JSON.stringify(file)} }
`
    const model = buildClusterModel(
      parseScenario(yaml, join(ROOT, 'tests', 'x.yaml')).scenario,
      join(ROOT, 'tests', 'x.yaml'),
      counting,
    )
    expect(model.vmCount).toBe(100)
    expect(bytes).toBeLessThanOrEqual(2 * 2 ** 20)
    expect(bytes).toBeLessThan(7_374_853 / 3)
  })
})
