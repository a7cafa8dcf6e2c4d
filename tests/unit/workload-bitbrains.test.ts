// Bitbrains GWA-T-12 traces: the demand the model replays equals what the raw files say, computed here
// independently (tests/workload-reference.ts) — each VM's CPU in MHz per 5 minutes and its memory, its size
// — on the extract shipped with the tests, on the week shipped with scenarios/bitbrains-rnd.yaml, and on
// the whole Rnd sample when ../shared/data is beside the checkout.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openScenario } from '../../engine/scenario/open'
import { nodeFiles } from '../../engine/platform/node/files'
import type { FileSource } from '../../engine/platform/files'
import { ROOT } from '../helpers'
import {
  FIXTURES,
  SHARED_DATA,
  SMALL_CLUSTER,
  binMeans,
  bitbrainsReadings,
  csvRows,
  demandMips,
  hasShared,
  mean,
  memoryBytes,
  modelOf,
} from '../workload-reference'
import { readTrace } from '../../engine/workload/trace-import'
import { parseScenario } from '../../engine/scenario/load'
import type { TraceWorkload } from '../../engine/scenario/schema'

const EXTRACT = join(FIXTURES, 'bitbrains-rnd-2013-07-16')
const DAY = Date.UTC(2013, 6, 16) / 1000
const KB = 1024

describe('bitbrains traces (extract of 2013-07-16, VMs 1 and 20)', () => {
  const model = modelOf(`name: bb
${SMALL_CLUSTER}
duration: 1d
vms:
  - type: v
    workload: { kind: bitbrains, dir: ${JSON.stringify(EXTRACT)}, from: "2013-07-16T00:00:00Z" }
`)

  it('replays each VM at its traced size, CPU in MHz and memory as the file says, bin by bin', () => {
    expect(model.traces.names).toEqual(['1', '20'])
    for (const [v, id] of [
      [0, '1'],
      [1, '20'],
    ] as const) {
      const readings = bitbrainsReadings(join(EXTRACT, `${id}.csv`))
      const bins = binMeans(readings, DAY, 300, 288)
      const type = model.vmTypes[model.vmType[v]!]!
      const inDay = readings.filter(([t]) => t >= DAY && t < DAY + 86400)
      expect(type.vcpus).toBe(Math.max(...inDay.map((r) => r[3]!)))
      expect(type.ramMB).toBe(Math.ceil(Math.max(...inDay.map((r) => r[5]!)) / 1024))
      for (let k = 0; k < 288; k++) {
        expect(demandMips(model, v, k)).toBeCloseTo(bins[k]![0]!, 6)
        expect(memoryBytes(model, v, k)).toBeCloseTo(bins[k]![1]! * KB, 3)
      }
      // each VM's mean CPU usage in MHz over the day, as the independent binning says
      const modelMean = mean(Array.from({ length: 288 }, (_, k) => demandMips(model, v, k)))
      expect(modelMean).toBeCloseTo(mean(bins.map((b) => b[0]!)), 6)
    }
  })

  it('reports gaps and the disk and network columns it keeps for the report', () => {
    const source = model.traces.sources![0]!
    expect(source).toMatchObject({
      kind: 'bitbrains',
      vms: 2,
      from: '2013-07-16T00:00:00Z',
      to: '2013-07-17T00:00:00Z',
    })
    expect(source.memory).toBe(true)
    expect(source.skippedRows).toBe(0)
    // VM 1's readings stop for a while that day: the bins without one are filled (and counted)
    const vm1 = binMeans(bitbrainsReadings(join(EXTRACT, '1.csv')), DAY, 300, 288)
    expect(vm1.length).toBe(288)
    const empty = (id: string) => {
      const seen = new Set(
        bitbrainsReadings(join(EXTRACT, `${id}.csv`))
          .filter(([t]) => t >= DAY && t < DAY + 86400)
          .map(([t]) => Math.floor((t - DAY) / 300)),
      )
      return 288 - seen.size
    }
    expect(source.gapBins).toBe(empty('1') + empty('20'))
    expect(source.gapBins).toBeGreaterThan(100)
    expect(Object.keys(source.io!.totals)).toEqual(['diskRead', 'diskWrite', 'netIn', 'netOut'])
    expect(source.io!.unit).toBe('KB/s')
  })

  it('scales, chooses VMs, and holds or zeroes the gaps as asked', () => {
    const scaled = modelOf(`name: bb
${SMALL_CLUSTER}
duration: 1d
vms:
  - type: v
    count: 1
    workload: { kind: bitbrains, dir: ${JSON.stringify(EXTRACT)}, from: "2013-07-16T00:00:00Z", vms: [20], cpuScale: 2, memoryScale: 0.5 }
`)
    expect(scaled.traces.names).toEqual(['20'])
    const bins = binMeans(bitbrainsReadings(join(EXTRACT, '20.csv')), DAY, 300, 288)
    // twice its CPU
    // is clipped to its capacity (1 vCPU of 2600 MHz) where it exceeds it, and counted
    const capacity = 2600
    let clipped = 0
    for (let k = 0; k < 288; k++) {
      expect(demandMips(scaled, 0, k)).toBeCloseTo(Math.min(capacity, 2 * bins[k]![0]!), 6)
      expect(memoryBytes(scaled, 0, k)).toBeCloseTo(0.5 * bins[k]![1]! * KB, 3)
      if (2 * bins[k]![0]! > capacity) clipped++
    }
    expect(clipped).toBeGreaterThan(0)
    expect(scaled.traces.sources![0]!.clippedSamples).toBe(clipped)
    const zero = modelOf(`name: bb
${SMALL_CLUSTER}
duration: 1d
vms:
  - type: v
    workload: { kind: bitbrains, dir: ${JSON.stringify(EXTRACT)}, from: "2013-07-16T00:00:00Z", vms: ["1"], gaps: zero }
`)
    const seen = new Set(bitbrainsReadings(join(EXTRACT, '1.csv')).map(([t]) => Math.floor((t - DAY) / 300)))
    for (let k = 0; k < 288; k++) if (!seen.has(k)) expect(demandMips(zero, 0, k)).toBe(0)
  })

  it('sizes the VMs from their type when asked', () => {
    const typed = modelOf(`name: bb
${SMALL_CLUSTER}
duration: 1d
vms:
  - type: v
    workload: { kind: bitbrains, dir: ${JSON.stringify(EXTRACT)}, from: "2013-07-16T00:00:00Z", sizes: type }
`)
    expect(typed.vmTypes.map((t) => t.id)).toEqual(['v'])
    const bins = binMeans(bitbrainsReadings(join(EXTRACT, '1.csv')), DAY, 300, 288)
    // MHz against the type's 2 × 2500 MIPS: the same MHz as long as they fit
    expect(demandMips(typed, 0, 10)).toBeCloseTo(bins[10]![0]!, 6)
  })

  it('streams the files through the platform, never reading one whole', () => {
    let bytes = 0
    const counting: FileSource = {
      ...nodeFiles,
      readText: () => {
        throw new Error('a trace must be streamed, not read whole')
      },
      *readChunks(path) {
        for (const chunk of nodeFiles.readChunks!(path)) {
          bytes += chunk.length
          yield chunk
        }
      },
    }
    const { scenario } = parseScenario(
      `name: bb
${SMALL_CLUSTER}
duration: 1h
vms:
  - type: v
    workload: { kind: bitbrains, dir: ${JSON.stringify(EXTRACT)}, from: "2013-07-16T00:00:00Z" }
`,
      join(ROOT, 'tests', 'inline.yaml'),
    )
    const data = readTrace({
      files: counting,
      scenarioFile: 'inline.yaml',
      path: 'vms[0].workload',
      workload: scenario.vms[0]!.workload as TraceWorkload,
      interval: 300,
      duration: 3600,
    })
    expect(data.bins).toBe(12)
    expect(bytes).toBeGreaterThan(0)
  })
})

describe('the Bitbrains week shipped with scenarios/bitbrains-rnd.yaml', () => {
  const model = openScenario(join(ROOT, 'scenarios', 'bitbrains-rnd.yaml'), nodeFiles)
  const folder = join(ROOT, 'scenarios', 'traces', 'bitbrains-rnd-2013-07-w1')
  const manifest = JSON.parse(readFileSync(join(folder, 'trace.json'), 'utf8')) as {
    vms: { id: string; file: string; vcpus: number; mhzPerCore: number; memoryBytes: number }[]
  }

  it('replays every VM of the folder at its size, CPU in MHz and memory in bytes', () => {
    expect(model.vmCount).toBe(24)
    expect(model.traces.names).toEqual(manifest.vms.map((v) => v.id))
    manifest.vms.forEach((vm, v) => {
      const rows = csvRows(join(folder, vm.file))
      expect(rows[0]).toEqual(['time', 'cpu', 'memory', 'diskRead', 'diskWrite', 'netIn', 'netOut'])
      const data = rows.slice(1)
      expect(data).toHaveLength(2016)
      const type = model.vmTypes[model.vmType[v]!]!
      expect(type.vcpus).toBe(vm.vcpus)
      expect(type.mips).toBe(Math.round(vm.mhzPerCore))
      expect(type.ramMB).toBe(Math.ceil(vm.memoryBytes / 2 ** 20))
      data.forEach((r, k) => {
        expect(demandMips(model, v, k)).toBeCloseTo(Number(r[1]), 6)
        expect(memoryBytes(model, v, k)).toBe(Number(r[2]) * KB)
      })
    })
  })
})

describe.runIf(hasShared('bitbrains-gwa-t12-rnd'))('the Bitbrains Rnd sample (../shared/data)', () => {
  const RND = join(SHARED_DATA, 'bitbrains-gwa-t12-rnd')
  const WEEK = Date.UTC(2013, 6, 1) / 1000
  const ids = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25].map(String)
  const model = modelOf(`name: bb
${SMALL_CLUSTER.replace('count: 4', 'count: 12')}
duration: 7d
vms:
  - type: v
    workload: { kind: bitbrains, dir: ${JSON.stringify(join(RND, '2013-7'))}, from: "2013-07-01T00:00:00Z", vms: [${ids.join(', ')}] }
`)

  it("gives each VM's mean CPU usage in MHz over the week, as computed from its raw file", () => {
    ids.forEach((id, v) => {
      const bins = binMeans(bitbrainsReadings(join(RND, '2013-7', `${id}.csv`)), WEEK, 300, 2016)
      const modelMean = mean(Array.from({ length: 2016 }, (_, k) => demandMips(model, v, k)))
      expect(modelMean).toBeCloseTo(mean(bins.map((b) => b[0]!)), 6)
      const peakMemory = Math.max(...Array.from({ length: 2016 }, (_, k) => memoryBytes(model, v, k)))
      expect(peakMemory).toBeCloseTo(Math.max(...bins.map((b) => b[1]!)) * KB, 2)
    })
  })

  it('matches the shipped week, which conlab import made from it, within its rounding', () => {
    const shipped = openScenario(join(ROOT, 'scenarios', 'bitbrains-rnd.yaml'), nodeFiles)
    for (let v = 0; v < 24; v++) {
      for (let k = 0; k < 2016; k += 7) {
        expect(Math.abs(demandMips(shipped, v, k) - demandMips(model, v, k))).toBeLessThan(0.006)
        expect(Math.abs(memoryBytes(shipped, v, k) - memoryBytes(model, v, k))).toBeLessThanOrEqual(512)
      }
    }
  })

  it('reads a folder of month folders as one trace per VM across the months', () => {
    const across = modelOf(`name: bb
${SMALL_CLUSTER}
duration: 2d
vms:
  - type: v
    workload: { kind: bitbrains, dir: ${JSON.stringify(RND)}, from: "2013-07-30T00:00:00Z", vms: [1] }
`)
    // 07-30 22:00 to 07-31 22:00 has no readings (between the July and August files): held
    const july = bitbrainsReadings(join(RND, '2013-7', '1.csv'))
    const august = bitbrainsReadings(join(RND, '2013-8', '1.csv'))
    const from = Date.UTC(2013, 6, 30) / 1000
    const bins = binMeans([...july, ...august], from, 300, 576)
    for (let k = 0; k < 576; k += 5) expect(demandMips(across, 0, k)).toBeCloseTo(bins[k]![0]!, 6)
    expect(across.traces.sources![0]!.gapBins).toBeGreaterThan(250)
  })
})
