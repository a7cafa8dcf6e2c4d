// Shared test helpers: the repository's paths, the shared data folder when it is present, and a cluster
// model for the PlanetLab scenario.
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { openScenario } from '../engine/scenario/open'
import { nodeFiles } from '../engine/platform/node/files'
import type { ModelOverrides } from '../engine/model/cluster-model'

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
export const PLANETLAB_SCENARIO = join(ROOT, 'scenarios', 'planetlab-cloudsim.yaml')
/** The `conlab` command: the package's bin */
export const CONLAB_BIN = join(ROOT, 'cli', 'bin', 'conlab.cjs')
/** ../shared beside the checkout (CI and developer machines have it; a bare clone may not). */
export const SHARED = join(ROOT, '..', 'shared')
export const SHARED_PLANETLAB = join(SHARED, 'data', 'planetlab')
export const hasSharedData = existsSync(SHARED_PLANETLAB)

export interface ReferenceRun {
  vms: number
  energyKWh: number
  migrations: number
  slatah: number
  pdm: number
  slav: number
  overallSla: number
  hostShutdowns: number
  simSeconds: number
  peakRssMB: number
}

export function cloudSimReference(): Record<string, Record<string, ReferenceRun>> {
  const json = JSON.parse(readFileSync(join(ROOT, 'tests', 'fixtures', 'cloudsim-reference.json'), 'utf8')) as {
    runs: Record<string, Record<string, ReferenceRun>>
  }
  return json.runs
}

export function planetLabModel(overrides: ModelOverrides = {}) {
  return openScenario(PLANETLAB_SCENARIO, nodeFiles, overrides)
}

export function relativeError(actual: number, expected: number): number {
  return expected === 0 ? Math.abs(actual) : Math.abs(actual - expected) / Math.abs(expected)
}

/** mulberry32: test inputs in [0, 1) from a generator independent of the engine's */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
