// PlanetLab CPU traces (CloudSim's power examples workload): one file per VM, 288 integer percentages,
// one per 5 minutes. Read as CloudSim does: divided by 100 into 289 slots, the last slot repeating the 288th.
import { LabInputError, type Diagnostic } from '../scenario/diagnostics'
import { byteOrder, type FileSource } from '../platform/files'
import type { TraceSourceReport } from './trace-import'

export const PLANETLAB_SAMPLES = 288
/** PlanetLab traces hold one sample per 5 minutes. */
export const PLANETLAB_INTERVAL = 300
/** CloudSim's array length: one extra slot that repeats the last sample. */
export const PLANETLAB_SLOTS = PLANETLAB_SAMPLES + 1

export interface TracePool {
  /** names[i] is the file (or, for a file of many VMs, the VM id) of trace i */
  names: string[]
  /** samples[i * slots + k] = utilization fraction of trace i at sample k */
  samples: Float64Array
  slots: number
  /** seconds between samples (PlanetLab: 300; imported traces: the scenario's interval) */
  interval: number
  /** memory[i * slots + k] = trace i's memory demand in bytes at sample k (NaN: the trace has none) */
  memory?: Float64Array
  /** imported traces (not PlanetLab): what the report says about each source */
  sources?: TraceSourceReport[]
}

const NEWLINE = 10
const DIGIT_0 = 48
const DIGIT_9 = 57

/** Parses one trace file's text into `into` at `offset`; returns diagnostics instead of throwing. */
export function parsePlanetLabTrace(text: string, file: string, into: Float64Array, offset: number): Diagnostic[] {
  if (parseWellFormed(new TextEncoder().encode(text), into, offset)) return []
  return parseGeneral(text, file, into, offset)
}

/**
 * The common case in one pass over the bytes, without decoding or splitting: 288 lines of 1–3 ASCII digits
 * (at most 100), each ended by a newline (the 288th may end the file). Returns false on anything else,
 * and parseGeneral then decides (and words the diagnostic). Values equal Number(line) exactly.
 */
function parseWellFormed(bytes: Uint8Array, into: Float64Array, offset: number): boolean {
  const n = bytes.length
  let pos = 0
  for (let k = 0; k < PLANETLAB_SAMPLES; k++) {
    let value = 0
    let digits = 0
    let c = pos < n ? bytes[pos]! : NEWLINE
    while (c >= DIGIT_0 && c <= DIGIT_9) {
      value = value * 10 + (c - DIGIT_0)
      digits++
      c = ++pos < n ? bytes[pos]! : NEWLINE
    }
    if (c !== NEWLINE || digits === 0 || digits > 3 || value > 100) return false
    pos++
    into[offset + k] = value / 100.0
  }
  into[offset + PLANETLAB_SAMPLES] = into[offset + PLANETLAB_SAMPLES - 1] as number
  return true
}

/** Any text: lines trimmed, signs allowed; the first problem becomes the diagnostic. */
function parseGeneral(text: string, file: string, into: Float64Array, offset: number): Diagnostic[] {
  const lines = text.split('\n')
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop()
  if (lines.length < PLANETLAB_SAMPLES) {
    return [
      {
        file,
        line: lines.length + 1,
        message: `expected ${PLANETLAB_SAMPLES} lines of integer percentages, found ${lines.length}`,
      },
    ]
  }
  for (let k = 0; k < PLANETLAB_SAMPLES; k++) {
    const raw = (lines[k] as string).trim()
    if (!/^-?\d+$/.test(raw)) return [{ file, line: k + 1, message: `expected an integer percentage, found "${raw}"` }]
    const value = Number(raw)
    if (value < 0 || value > 100)
      return [{ file, line: k + 1, message: `expected a percentage within 0..100, found ${value}` }]
    into[offset + k] = value / 100.0
  }
  into[offset + PLANETLAB_SAMPLES] = into[offset + PLANETLAB_SAMPLES - 1] as number
  return []
}

/** Loads the first `count` traces of a folder (all when undefined), in byte-wise name order or listing order. */
export function loadPlanetLabFolder(
  files: FileSource,
  dir: string,
  order: 'sorted' | 'listed',
  count: number | undefined,
  where: { file: string; path: string },
): TracePool {
  let names: string[]
  try {
    names = files.listDir(dir).filter((n) => !n.startsWith('.') && n !== 'README.md')
  } catch {
    throw new LabInputError([
      {
        file: where.file,
        path: where.path,
        message: `expected a folder of PlanetLab trace files, found no folder "${dir}"`,
      },
    ])
  }
  if (order === 'sorted') names.sort(byteOrder)
  if (names.length === 0) {
    throw new LabInputError([
      {
        file: where.file,
        path: where.path,
        message: `expected PlanetLab trace files in "${dir}", found an empty folder`,
      },
    ])
  }
  if (count !== undefined) {
    if (count > names.length) {
      throw new LabInputError([
        {
          file: where.file,
          path: where.path,
          message: `expected at least ${count} trace files in "${dir}", found ${names.length}`,
        },
      ])
    }
    names = names.slice(0, count)
  }
  const samples = new Float64Array(names.length * PLANETLAB_SLOTS)
  const problems: Diagnostic[] = []
  names.forEach((name, i) => {
    const path = files.join(dir, name)
    const offset = i * PLANETLAB_SLOTS
    // the bytes where the platform reads them (Node): a well-formed file is never decoded
    const bytes = files.readBytes?.(path)
    if (bytes === undefined || !parseWellFormed(bytes, samples, offset))
      problems.push(...parsePlanetLabTrace(files.readText(path), path, samples, offset))
  })
  if (problems.length > 0) throw new LabInputError(problems.slice(0, 20))
  return { names, samples, slots: PLANETLAB_SLOTS, interval: PLANETLAB_INTERVAL }
}

/**
 * CloudSim's UtilizationModelPlanetLabInMemory.getUtilization(t): the sample itself at multiples of the
 * interval, otherwise linear interpolation between the two neighbouring samples.
 */
export function planetLabUtilization(samples: Float64Array, offset: number, time: number, interval: number): number {
  if (isMultipleOf(time, interval))
    return samples[offset + Math.trunc(Math.trunc(time) / Math.trunc(interval))] as number
  const t1 = Math.floor(time / interval)
  const t2 = Math.ceil(time / interval)
  const u1 = samples[offset + t1] as number
  const u2 = samples[offset + t2] as number
  const delta = (u2 - u1) / ((t2 - t1) * interval)
  return u1 + delta * (time - t1 * interval)
}

/**
 * Java's `a % b == 0` for doubles (an exact remainder): only possible when a / b is (nearly) an integer, so
 * the slow remainder runs only then.
 */
export function isMultipleOf(a: number, b: number): boolean {
  const q = a / b
  return Math.abs(q - Math.round(q)) < 1e-6 && a % b === 0
}
