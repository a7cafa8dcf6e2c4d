// The CLI builds its schemas with zod's JIT off (cli/zod-jitless.ts): every scenario and guided lab parses
// to the same value, key order included, and every refusal reads the same, as with the JIT on.
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { z } from 'zod'
import { ROOT } from '../helpers'

const SCENARIOS = join(ROOT, 'scenarios')
const files = [
  ...readdirSync(SCENARIOS)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => join(SCENARIOS, f)),
  ...readdirSync(join(ROOT, 'tests', 'fixtures'))
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => join(ROOT, 'tests', 'fixtures', f)),
]
const planetlab = readFileSync(join(SCENARIOS, 'planetlab-cloudsim.yaml'), 'utf8')
/** Inputs zod refuses, each in a different way: type, enum, union, bound, unknown key, a refinement. */
const BAD = [
  planetlab.replace('cores: 2', 'cores: "2"'),
  planetlab.replace('arrangement: interleaved', 'arrangement: woven'),
  planetlab.replace('kind: planetlab', 'kind: plantlab'),
  planetlab.replace('count: 800', 'count: 0'),
  planetlab.replace('seed: 1', 'seed: 1\nbogus: true'),
  planetlab.replace('duration: 24h', 'duration: 24 hours'),
  `${planetlab}events: [{ at: 1h, migrate: { vm: -1, to: 2 } }, { at: 1h, pin: { vm: 1 } }]\n`,
]

/** What parseScenario makes of every input: the value as JSON (key order shows), or the refusal. */
async function parseAll(): Promise<string[]> {
  const { parseScenario } = await import('../../engine/scenario/load')
  const { parseLab } = await import('../../engine/guided-labs/lab-file')
  const { nodeFiles } = await import('../../engine/platform/node/files')
  const outcome = (f: () => unknown) => {
    try {
      return JSON.stringify(f())
    } catch (e) {
      return `refused: ${(e as Error).message}`
    }
  }
  const labs = join(SCENARIOS, 'labs')
  return [
    ...files.map((f) => outcome(() => parseScenario(readFileSync(f, 'utf8'), f).scenario)),
    ...BAD.map((text) => outcome(() => parseScenario(text, 'bad.yaml').scenario)),
    ...readdirSync(labs).map((f) =>
      outcome(() => parseLab(f.replace(/\.yaml$/, ''), join(labs, f), readFileSync(join(labs, f), 'utf8'), nodeFiles)),
    ),
  ]
}

afterAll(() => {
  z.config({ jitless: false })
})

describe('zod without its JIT', () => {
  it('parses every scenario and lab, and refuses every bad input, as with it', async () => {
    const jit = await parseAll()
    const built = (await import('../../engine/scenario/schema')).scenarioSchema
    expect(jit.filter((o) => o.startsWith('refused')).length).toBe(BAD.length)
    z.config({ jitless: true })
    vi.resetModules()
    const jitless = await parseAll()
    // the schemas were built again, without the JIT
    expect((await import('../../engine/scenario/schema')).scenarioSchema).not.toBe(built)
    expect(jitless).toEqual(jit)
  })
})
