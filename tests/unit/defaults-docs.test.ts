// docs/validation.md's table of defaults and the scenario schema say the same: each default in the doc,
// given to the schema as a setting, parses to what the schema fills in by itself; the derived defaults
// (boot energy, concurrent migrations by NIC) come out of the model as the doc states them.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseScenario } from '../../engine/scenario/load'
import { buildClusterModel } from '../../engine/model/cluster-model'
import { nodeFiles } from '../../engine/platform/node/files'
import { ROOT } from '../helpers'

const SCENARIO = `
name: defaults
mode: lab
duration: 1h
hostTypes:
  slow: { cores: 2, mipsPerCore: 1000, ramMB: 4096, nicMbps: 1000, power: [10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110] }
  fast: { cores: 2, mipsPerCore: 1000, ramMB: 4096, nicMbps: 10000, power: [10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 120] }
hosts: [{ type: slow, count: 1 }, { type: fast, count: 1 }]
vmTypes:
  v: { vcpus: 1, mips: 500, ramMB: 512 }
vms:
  - { type: v, count: 1, workload: { kind: constant, level: 0.5 } }
`

function rows(): { setting: string; value: string }[] {
  const doc = readFileSync(join(ROOT, 'docs', 'validation.md'), 'utf8')
  const table = doc.slice(doc.indexOf('## Defaults and where they come from'))
  return table
    .split('\n')
    .filter((l) => l.startsWith('| `'))
    .map((l) => {
      const [setting, value] = l.split('|').slice(1, 3).map((c) => c.trim())
      return { setting: setting!.replace(/`/g, ''), value: value! }
    })
}

function at(o: unknown, path: string): unknown {
  return path.split('.').reduce((x, k) => (x as Record<string, unknown>)[k], o)
}

describe('docs/validation.md, defaults', () => {
  const plain = rows().filter((r) => r.value.startsWith('`'))

  it('lists every default it names, and each setting once', () => {
    expect(rows().length).toBeGreaterThanOrEqual(25)
    expect(new Set(rows().map((r) => r.setting)).size).toBe(rows().length)
  })

  it.each(plain.map((r) => [r.setting, r.value] as const))('%s = %s, as the schema has it', (setting, value) => {
    const text = value.replace(/`/g, '')
    const path = setting.replace('hostTypes.*.', 'hostTypes.slow.')
    const byDefault = at(parseScenario(SCENARIO, 'defaults.yaml').scenario, path)
    const asDocumented = at(parseScenario(SCENARIO, 'defaults.yaml', [`${path}=${text}`]).scenario, path)
    expect(byDefault).toBeDefined()
    expect(byDefault).toBe(asDocumented)
  })

  it('derives boot energy and concurrent migrations as documented', () => {
    const { scenario } = parseScenario(SCENARIO, 'defaults.yaml')
    const model = buildClusterModel(scenario, join(ROOT, 'defaults.yaml'), nodeFiles, {})
    const [slow, fast] = model.hostTypes
    // bootSeconds × the power table's 100 % figure
    expect(slow!.bootEnergyJ).toBe(200 * 110)
    expect(fast!.bootEnergyJ).toBe(200 * 120)
    // 4 below 10 GbE, 8 from 10 GbE
    expect([slow!.maxMigrations, fast!.maxMigrations]).toEqual([4, 8])
    const doc = rows()
    expect(doc.find((r) => r.setting === 'hostTypes.*.bootEnergyJ')!.value).toBe(
      "bootSeconds × the power table's 100 % figure",
    )
    expect(doc.find((r) => r.setting === 'migration.maxConcurrentPerHost')!.value).toBe('4 below 10 GbE, 8 from 10 GbE')
  })
})
