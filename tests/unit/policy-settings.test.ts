// A preset's parameters from `--set`, on a scenario whose `policy:` is a plain name or a mapping, and what
// `--policy` does to them (docs/policies.md).
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseScenario } from '../../engine/scenario/load'
import { buildClusterModel } from '../../engine/model/cluster-model'
import { nodeFiles } from '../../engine/platform/node/files'

const ROOT = join(__dirname, '..', '..')
const FILE = join(ROOT, 'scenarios', 'planetlab-lab.yaml')
const TEXT = readFileSync(FILE, 'utf8')

function modelOf(text: string, settings: string[], policy?: string) {
  const { scenario } = parseScenario(text, FILE, settings)
  return buildClusterModel(scenario, FILE, nodeFiles, policy ? { policy } : {})
}

describe('policy parameters from --set', () => {
  it('turns a plain preset name into a mapping for its parameter', () => {
    const text = TEXT.replace(/^policy: .*$/m, 'policy: drs-3')
    expect(parseScenario(text, FILE, ['policy.threshold=4']).scenario.policy).toEqual({
      name: 'drs-3',
      threshold: 4,
    })
    // threshold 4 over drs-3's defaults is drs-4
    expect(modelOf(text, ['policy.threshold=4']).policy.name).toBe('drs-4')
  })

  it('sets a parameter beside the name of a mapping', () => {
    const text = TEXT.replace(/^policy: .*$/m, 'policy: { name: cloudstack-balanced, imbalance: 0.5 }')
    expect(parseScenario(text, FILE, ['policy.imbalance=0.8']).scenario.policy).toEqual({
      name: 'cloudstack-balanced',
      imbalance: 0.8,
    })
  })

  it('refuses a parameter of another family, naming it', () => {
    const text = TEXT.replace(/^policy: .*$/m, 'policy: drs-3')
    expect(() => modelOf(text, ['policy.imbalance=0.8'])).toThrow(
      /policy\.imbalance.*not a parameter of the drs presets/,
    )
  })

  it('--policy gives a name with its defaults', () => {
    const text = TEXT.replace(/^policy: .*$/m, 'policy: { name: drs-3, threshold: 4 }')
    expect(modelOf(text, [], 'drs-5').policy.name).toBe('drs-5')
  })
})
