// Figures the importer tests expect, computed here from the raw files in the plainest way, independently of
// engine/workload: split the text, keep the readings the dataset's rules keep, put each in the 5-minute
// bin its time falls in, average each bin, fill empty bins by holding the last value (the first value
// before it), and take means and peaks.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseScenario } from '../engine/scenario/load'
import { buildClusterModel, type ClusterModel } from '../engine/model/cluster-model'
import { nodeFiles } from '../engine/platform/node/files'
import { ROOT, SHARED } from './helpers'
import { existsSync } from 'node:fs'

export const SHARED_DATA = join(SHARED, 'data')
export const hasShared = (name: string) => existsSync(join(SHARED_DATA, name))
export const FIXTURES = join(ROOT, 'tests', 'fixtures', 'workloads')

/** A reading: time (s) and its values. */
export type Reading = [number, ...number[]]

/** Per bin the mean of each value of the readings in it; empty bins hold the last value (leading: the first). */
export function binMeans(readings: Reading[], from: number, interval: number, bins: number): number[][] {
  const width = readings[0]!.length - 1
  const sums = Array.from({ length: bins }, () => new Array<number>(width).fill(0))
  const counts = new Array<number>(bins).fill(0)
  for (const [t, ...values] of readings) {
    const k = Math.floor((t - from) / interval)
    if (k < 0 || k >= bins) continue
    counts[k]!++
    values.forEach((x, m) => (sums[k]![m]! += x))
  }
  const out: number[][] = []
  let last: number[] | undefined
  for (let k = 0; k < bins; k++) {
    if (counts[k]! > 0) last = sums[k]!.map((s) => s / counts[k]!)
    out.push(last ?? [])
  }
  const first = out.find((r) => r.length > 0)!
  return out.map((r) => (r.length > 0 ? r : first))
}

export const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length

/** Bitbrains rows: [time, cpu MHz, memory KB, cores, capacity MHz, memory capacity KB], 0-core rows and repeats dropped. */
export function bitbrainsReadings(file: string): Reading[] {
  const out: Reading[] = []
  let last = -1
  for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
    if (line.trim() === '') continue
    const f = line.split(';\t').map(Number)
    if (f[1] === 0 || f[0] === last) continue
    last = f[0]!
    out.push([f[0]!, f[3]!, f[6]!, f[1]!, f[2]!, f[5]!])
  }
  return out
}

/** A CSV as rows of strings (header included). */
export function csvRows(file: string, separator = ','): string[][] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => l.split(separator))
}

/** A scenario from text, as if it were the file `tests/<name>.yaml`. */
export function modelOf(yaml: string, name = 'inline'): ClusterModel {
  const file = join(ROOT, 'tests', `${name}.yaml`)
  return buildClusterModel(parseScenario(yaml, file).scenario, file, nodeFiles)
}

/** VM v's CPU demand in MIPS at sample k, as the lab asks its shard for it. */
export function demandMips(model: ClusterModel, v: number, k: number): number {
  const t = model.vmTypes[model.vmType[v]!]!
  return model.traces.samples[model.vmTrace[v]! * model.traces.slots + k]! * t.vcpus * t.mips
}

export function memoryBytes(model: ClusterModel, v: number, k: number): number {
  return model.traces.memory![model.vmTrace[v]! * model.traces.slots + k]!
}

/** Host and VM type lines for inline scenarios. */
export const SMALL_CLUSTER = `
mode: lab
interval: 5m
hostTypes:
  h: { cores: 64, mipsPerCore: 3000, ramMB: 262144, nicMbps: 10000, power: [100, 110, 120, 130, 140, 150, 160, 170, 180, 190, 200] }
hosts:
  - { type: h, count: 4 }
vmTypes:
  v: { vcpus: 2, mips: 2500, ramMB: 4096 }
`
