// Any CSV with a column mapping, and the lab's own trace folder: the resampling rule worked by hand on
// small files (mean of the readings in each interval, gaps held or zeroed), windows, VM choice, units,
// and a trace folder that reads back what it was made from.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { nodeFiles } from '../../engine/platform/node/files'
import { readTrace } from '../../engine/workload/trace-import'
import { traceFolder } from '../../engine/workload/trace-folder'
import { workloadSchema, type TraceWorkload } from '../../engine/scenario/schema'
import { FIXTURES, SMALL_CLUSTER, demandMips, memoryBytes, modelOf } from '../workload-reference'

const MiB = 2 ** 20
const sample = (model: ReturnType<typeof modelOf>, v: number, k: number) =>
  model.traces.samples[model.vmTrace[v]! * model.traces.slots + k]!

function expectClose(actual: number[], expected: number[]): void {
  expect(actual).toHaveLength(expected.length)
  actual.forEach((x, i) => expect(x).toBeCloseTo(expected[i]!, 12))
}

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'conlab-csv-'))
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text)
  return dir
}

// Two VMs in one file, ISO times, CPU in percent, memory in MiB, a disk column. VM a's readings start at
// 00:00:10 (the trace's start: the earliest reading), VM b's at 00:01:00.
const EXPORT = `timestamp,host,cpu_pct,mem_mib,disk_kbps
2024-03-01T00:00:10Z,a,50,1024,10
2024-03-01T00:01:00Z,b,10,512,1
2024-03-01T00:02:00Z,a,70,2048,30
2024-03-01T00:07:00Z,a,20,1536,0
2024-03-01T00:07:00Z,b,30,512,3
2024-03-01T00:16:00Z,a,40,1024,0
2024-03-01T00:16:00Z,b,20,256,5
`
const MAPPING = `columns: { time: timestamp, id: host, cpu: cpu_pct, memory: mem_mib, diskRead: disk_kbps }, units: { time: iso, cpu: percent, memory: mib, io: KB/s }`

function exportModel(dir: string, extra = '', duration = '20m') {
  return modelOf(`name: csv
${SMALL_CLUSTER}
duration: ${duration}
vms:
  - type: v
    workload: { kind: csv, file: ${JSON.stringify(join(dir, 'export.csv'))}, ${MAPPING}${extra} }
`)
}

describe('csv traces', () => {
  const dir = folder({ 'export.csv': EXPORT })

  it('averages the readings of each interval from the first reading on, and holds the last one over gaps', () => {
    const model = exportModel(dir)
    expect(model.traces.names).toEqual(['a', 'b'])
    // bins of 300 s from 00:00:10: [00:00:10, 00:05:10) [00:05:10, 00:10:10) [00:10:10, 00:15:10) [00:15:10, 00:20:10)
    // a: (50 + 70) / 2 = 60 %; 20 %; no reading → 20 %; 40 %
    expectClose(
      [0, 1, 2, 3].map((k) => sample(model, 0, k)),
      [0.6, 0.2, 0.2, 0.4],
    )
    expect([0, 1, 2, 3].map((k) => memoryBytes(model, 0, k))).toEqual([1536 * MiB, 1536 * MiB, 1536 * MiB, 1024 * MiB])
    // b: 10 %, 30 %, held 30 %, 20 %
    expectClose(
      [0, 1, 2, 3].map((k) => sample(model, 1, k)),
      [0.1, 0.3, 0.3, 0.2],
    )
    const source = model.traces.sources![0]!
    expect(source).toMatchObject({
      kind: 'csv',
      vms: 2,
      gapBins: 2,
      from: '2024-03-01T00:00:10Z',
      to: '2024-03-01T00:20:10Z',
    })
    // disk: a's bins 20, 0, 0 (held), 0 → mean 5; b's 1, 3, 3, 5 → mean 3
    expect(source.io).toEqual({ unit: 'KB/s', totals: { diskRead: 5 + 3 } })
  })

  it('zeroes gaps when asked; the window starts where from says, and the last interval holds past its end', () => {
    const zero = exportModel(dir, ', gaps: zero')
    expectClose(
      [0, 1, 2, 3].map((k) => sample(zero, 0, k)),
      [0.6, 0.2, 0, 0.4],
    )
    const aligned = exportModel(dir, ', from: "2024-03-01T00:05:00Z", to: 10m', '20m')
    // bins from 00:05:00: a 20 %, [00:10, 00:15) none → 20 %; the window ends 10 min after the trace's start
    // (00:10:10): the run's later intervals repeat its last one
    expect(aligned.traces.sources![0]!.to).toBe('2024-03-01T00:10:10Z')
    expectClose(
      [0, 1, 2, 3].map((k) => sample(aligned, 0, k)),
      [0.2, 0.2, 0.2, 0.2],
    )
  })

  it('chooses VMs by id and count, and scales them', () => {
    const b = exportModel(dir, ', vms: [b], cpuScale: 2, memoryScale: 3')
    expect(b.traces.names).toEqual(['b'])
    expect(sample(b, 0, 1)).toBeCloseTo(0.6, 12)
    expect(memoryBytes(b, 0, 0)).toBe(1536 * MiB)
    const first = modelOf(`name: csv
${SMALL_CLUSTER}
duration: 20m
vms:
  - type: v
    count: 1
    workload: { kind: csv, file: ${JSON.stringify(join(dir, 'export.csv'))}, ${MAPPING} }
`)
    expect(first.traces.names).toEqual(['a'])
  })

  it('reads a folder of one file per VM, columns by number, any separator; MHz and cores as CPU', () => {
    const per = folder({ 'web-1.csv': '0;1250;3\n300;2500;1\n', 'web-2.csv': '0;0;0\n300;5000;2\n', 'notes.txt': 'x' })
    const mhz = modelOf(`name: csv
${SMALL_CLUSTER}
duration: 10m
vms:
  - type: v
    workload: { kind: csv, dir: ${JSON.stringify(per)}, separator: ";", header: false, columns: { time: 1, cpu: 2 }, units: { cpu: mhz } }
`)
    expect(mhz.traces.names).toEqual(['web-1', 'web-2'])
    // the type has 2 vCPUs of 2500 MIPS: 1250 MHz is a quarter of its 5000
    expect([sample(mhz, 0, 0), sample(mhz, 0, 1), sample(mhz, 1, 1)]).toEqual([0.25, 0.5, 1])
    expect(demandMips(mhz, 0, 1)).toBe(2500)
    const cores = modelOf(`name: csv
${SMALL_CLUSTER}
duration: 10m
vms:
  - type: v
    workload: { kind: csv, dir: ${JSON.stringify(per)}, separator: ";", header: false, columns: { time: 1, cpu: 3 }, units: { cpu: cores } }
`)
    expect([sample(cores, 0, 0), sample(cores, 0, 1), sample(cores, 1, 1)]).toEqual([1, 0.5, 1])
  })
})

describe("the lab's trace folder", () => {
  it('reads back what it was made from, at its sizes and with its wall-clock start', () => {
    const workload = workloadSchema.parse({
      kind: 'bitbrains',
      dir: join(FIXTURES, 'bitbrains-rnd-2013-07-16'),
      from: '2013-07-16T00:00:00Z',
      to: '2013-07-17T00:00:00Z',
    }) as TraceWorkload
    const data = readTrace({ files: nodeFiles, scenarioFile: 'test', path: 'w', workload, interval: 300 })
    expect(data.bins).toBe(288)
    const out = mkdtempSync(join(tmpdir(), 'conlab-folder-'))
    const made = join(out, 'bb')
    mkdirSync(made)
    for (const f of traceFolder(data, 'bitbrains-rnd-2013-07-16', 'test data'))
      writeFileSync(join(made, f.name), f.text)
    const original = modelOf(`name: a
${SMALL_CLUSTER}
duration: 1d
vms:
  - type: v
    workload: { kind: bitbrains, dir: ${JSON.stringify(join(FIXTURES, 'bitbrains-rnd-2013-07-16'))}, from: "2013-07-16T00:00:00Z" }
`)
    const again = modelOf(`name: b
${SMALL_CLUSTER}
duration: 12h
vms:
  - type: v
    workload: { kind: csv, dir: ${JSON.stringify(made)}, from: "2013-07-16T06:00:00Z" }
`)
    expect(again.vmTypes.slice(1)).toEqual(original.vmTypes.slice(1))
    expect(again.traces.sources![0]).toMatchObject({
      kind: 'csv',
      from: '2013-07-16T06:00:00Z',
      attribution: 'test data',
    })
    for (let v = 0; v < 2; v++)
      for (let k = 0; k < 144; k++) {
        expect(Math.abs(demandMips(again, v, k) - demandMips(original, v, 72 + k))).toBeLessThanOrEqual(0.005 + 1e-9)
        expect(Math.abs(memoryBytes(again, v, k) - memoryBytes(original, v, 72 + k))).toBeLessThanOrEqual(512)
      }
  })
})
