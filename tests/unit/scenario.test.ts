// Scenario files: validation with compiler-style messages (file, JSON path, line, expected vs found),
// defaults, durations, references between sections, and trace errors with file:line.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseScenario } from '../../engine/scenario/load'
import { parseDuration, formatDuration } from '../../engine/scenario/duration'
import { LabInputError } from '../../engine/scenario/diagnostics'
import { openScenario } from '../../engine/scenario/open'
import { nodeFiles } from '../../engine/platform/node/files'
import { scenarioJsonSchema } from '../../engine/scenario/schema'

const VALID = `name: small
mode: lab
duration: 2h
hostTypes:
  h1: { cores: 4, mipsPerCore: 2000, ramMB: 8192, nicMbps: 1000, power: [50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 150] }
hosts:
  - { type: h1, count: 3 }
vmTypes:
  v1: { vcpus: 1, mips: 1000, ramMB: 1024 }
vms:
  - { type: v1, count: 4, workload: { kind: constant, level: 0.5 } }
`

function problems(text: string, file = 'scenarios/x.yaml'): string[] {
  try {
    parseScenario(text, file)
  } catch (e) {
    expect(e).toBeInstanceOf(LabInputError)
    return (e as LabInputError).message.split('\n')
  }
  throw new Error('expected the scenario to be refused')
}

describe('scenario validation', () => {
  it('accepts a valid scenario and fills in defaults', () => {
    const { scenario } = parseScenario(VALID, 'small.yaml')
    expect(scenario.duration).toBe(7200)
    expect(scenario.interval).toBe(300)
    expect(scenario.seed).toBe(1)
    expect(scenario.hostTypes.h1!.bootSeconds).toBe(200) // Gandhi et al.'s server setup time (docs/validation.md, defaults)
    expect(scenario.vmTypes.v1!.bwMbps).toBe(100)
  })

  it('accepts JSON as well as YAML', () => {
    const { scenario } = parseScenario(JSON.stringify(parseScenario(VALID, 'a.yaml').scenario), 'a.json')
    expect(scenario.name).toBe('small')
  })

  it('names the file, line, JSON path, what was expected and what was found', () => {
    const lines = problems(VALID.replace('cores: 4', 'cores: "4"'))
    expect(lines).toEqual(['scenarios/x.yaml:5:9: hostTypes.h1.cores: expected a number, found "4" (a string)'])
  })

  it('refuses unknown keys', () => {
    expect(problems(`${VALID}bogus: 1\n`)).toEqual(['scenarios/x.yaml:12:1: bogus: unknown key "bogus"'])
    expect(problems(VALID.replace('vcpus: 1,', 'vcpus: 1, vcpu: 2,'))[0]).toMatch(
      /vmTypes\.v1\.vcpu: unknown key "vcpu"/,
    )
  })

  it('reports every problem at once', () => {
    const lines = problems(VALID.replace('duration: 2h', 'duration: soon').replace('count: 3', 'count: 0'))
    expect(lines).toHaveLength(2)
    expect(lines[0]).toMatch(/:3:1: duration: expected a duration such as 300, "5m", "24h" or "7d", found "soon"/)
    expect(lines[1]).toMatch(/hosts\[0\]\.count: expected a number ≥ 1, found 0 \(a number\)/)
  })

  it('checks list lengths, enums and workload kinds', () => {
    expect(
      problems(VALID.replace('power: [50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 150]', 'power: [50, 60]'))[0],
    ).toMatch(/hostTypes\.h1\.power: expected a list of exactly 11 values, found a list of 2/)
    expect(problems(VALID.replace('mode: lab', 'mode: fast'))[0]).toMatch(
      /mode: expected one of "cloudsim", "lab", found "fast"/,
    )
    expect(problems(VALID.replace('kind: constant', 'kind: sine'))[0]).toMatch(
      /vms\[0\]\.workload\.kind: expected one of the workload kinds \(planetlab, constant, diurnal, random-walk, bursty\), found "sine"/,
    )
  })

  it('checks references between sections', () => {
    expect(problems(VALID.replace('{ type: h1, count: 3 }', '{ type: h9, count: 3 }'))[0]).toMatch(
      /:7:7: hosts\[0\]\.type: expected one of the hostTypes \(h1\), found "h9"/,
    )
    expect(problems(VALID.replace('count: 4, ', ''))[0]).toMatch(
      /vms\[0\]\.count: expected a VM count for a "constant" workload/,
    )
  })

  it('refuses text that is not YAML', () => {
    expect(problems('name: [unclosed', 'bad.yaml')[0]).toMatch(/^bad\.yaml:\d+:\d+: not valid YAML\/JSON/)
    expect(problems('- just\n- a list\n', 'list.yaml')[0]).toMatch(
      /expected a scenario object at the top level, found a list of 2/,
    )
  })

  it('reports a missing scenario file', () => {
    expect(() => openScenario('/nonexistent/scenario.yaml', nodeFiles)).toThrow(
      /\/nonexistent\/scenario\.yaml: no such scenario file/,
    )
  })
})

describe('traces', () => {
  function withTraces(files: Record<string, string>): string {
    const dir = mkdtempSync(join(tmpdir(), 'conlab-traces-'))
    mkdirSync(join(dir, 'day'))
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, 'day', name), text)
    const scenario = VALID.replace('mode: lab', 'mode: cloudsim').replace(
      '- { type: v1, count: 4, workload: { kind: constant, level: 0.5 } }',
      '- { type: v1, workload: { kind: planetlab, dir: day } }',
    )
    writeFileSync(join(dir, 'scenario.yaml'), scenario)
    return join(dir, 'scenario.yaml')
  }
  const good = Array.from({ length: 288 }, (_, i) => String(i % 100)).join('\n') + '\n'

  it('reads one VM per trace file, relative to the scenario file', () => {
    const model = openScenario(withTraces({ b: good, a: good }), nodeFiles)
    expect(model.vmCount).toBe(2)
    expect(model.traces.names).toEqual(['a', 'b'])
    expect(model.traces.samples[model.traces.slots + 5]).toBe(0.05)
    // CloudSim's extra slot repeats the last sample
    expect(model.traces.samples[288]).toBe(model.traces.samples[287])
  })

  it('points at the file and line of a bad sample', () => {
    const bad = good.replace(/^7$/m, 'seven')
    expect(() => openScenario(withTraces({ a: bad }), nodeFiles)).toThrow(
      /\/day\/a:8: expected an integer percentage, found "seven"/,
    )
    expect(() => openScenario(withTraces({ a: '1\n2\n' }), nodeFiles)).toThrow(
      /\/day\/a:3: expected 288 lines of integer percentages, found 2/,
    )
  })

  it('says which folder is missing', () => {
    const file = withTraces({ a: good })
    expect(() => openScenario(file, nodeFiles, { traces: '/nope/day' })).toThrow(
      /expected a folder of PlanetLab trace files, found no folder "\/nope\/day"/,
    )
  })
})

describe('durations', () => {
  it.each([
    ['300', 300],
    ['300s', 300],
    ['5m', 300],
    ['24h', 86400],
    ['7d', 604800],
    ['1h30m', 5400],
    ['250ms', 0.25],
  ])('%s is %d s', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds)
  })

  it('refuses other text and formats back', () => {
    expect(parseDuration('soon')).toBeUndefined()
    expect(parseDuration('5 minutes')).toBeUndefined()
    expect(formatDuration(86400)).toBe('1d')
    expect(formatDuration(5400)).toBe('1h30m')
  })
})

describe('JSON Schema for editors', () => {
  it('describes the scenario format, with unknown keys refused', () => {
    const schema = scenarioJsonSchema() as {
      type: string
      properties: Record<string, unknown>
      additionalProperties: boolean
      required: string[]
    }
    expect(schema.type).toBe('object')
    expect(schema.additionalProperties).toBe(false)
    expect(schema.required).toEqual(
      expect.arrayContaining(['name', 'mode', 'duration', 'hostTypes', 'hosts', 'vmTypes', 'vms']),
    )
    expect(Object.keys(schema.properties)).toContain('policy')
  })
})
