// The `conlab` command as users and outside checks call it: a real process, real files.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { CONLAB_BIN, PLANETLAB_SCENARIO, ROOT } from '../helpers'

function conlab(...args: string[]) {
  const r = spawnSync(process.execPath, [CONLAB_BIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

const REQUIRED_KEYS = [
  'mode',
  'policy',
  'seed',
  'hosts',
  'vms',
  'simulatedSeconds',
  'energyKWh',
  'migrations',
  'slatah',
  'pdm',
  'slav',
  'esv',
  'hostShutdowns',
  'stateHash',
  'wallMs',
]

describe('conlab run', () => {
  it('prints exactly one JSON object with the documented keys', () => {
    const r = conlab('run', PLANETLAB_SCENARIO, '--policy', 'dvfs', '--json')
    expect(r.code).toBe(0)
    const lines = r.stdout.trim().split('\n')
    expect(lines).toHaveLength(1)
    const report = JSON.parse(lines[0]!) as Record<string, unknown>
    for (const key of REQUIRED_KEYS) expect(report).toHaveProperty(key)
    expect(report.mode).toBe('cloudsim')
    expect(report.policy).toBe('dvfs')
    expect(report.hosts).toBe(800)
    expect(report.vms).toBe(1052)
    expect(report.simulatedSeconds).toBe(86400)
    expect(report.energyKWh).toBeCloseTo(802.754492, 5)
    expect(report.stateHash).toMatch(/^[0-9a-f]{16}$/)
  })

  it('prints a summary table that says which model ran', () => {
    const r = conlab('run', PLANETLAB_SCENARIO, '--policy', 'npa')
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/mode\s+cloudsim \(CloudSim 3\.0\.3 model/)
    expect(r.stdout).toMatch(/energy\s+2410\.80 kWh/)
  })

  it('writes reports as JSON, CSV or Markdown by extension', () => {
    const dir = mkdtempSync(join(tmpdir(), 'conlab-out-'))
    for (const ext of ['json', 'csv', 'md']) {
      const file = join(dir, `report.${ext}`)
      const r = conlab('run', PLANETLAB_SCENARIO, '--policy', 'dvfs', '--out', file)
      expect(r.code).toBe(0)
      const text = readFileSync(file, 'utf8')
      if (ext === 'json') expect((JSON.parse(text) as { policy: string }).policy).toBe('dvfs')
      if (ext === 'csv') expect(text.split('\n')[0]).toMatch(/^scenario,mode,policy,seed,hosts,vms/)
      if (ext === 'md') expect(text).toMatch(/\| dvfs \| 802\.75 \|/)
    }
    const bad = conlab('run', PLANETLAB_SCENARIO, '--policy', 'dvfs', '--out', join(dir, 'report.xlsx'))
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/--out \S+report\.xlsx: expected a file ending in \.json, \.csv or \.md/)
  })

  it('refuses bad input with exit code 2 and a message, no stack trace', () => {
    const dir = mkdtempSync(join(tmpdir(), 'conlab-bad-'))
    const file = join(dir, 'bad.yaml')
    writeFileSync(file, readFileSync(PLANETLAB_SCENARIO, 'utf8').replace('cores: 2', 'cores: two'))
    const r = conlab('run', file)
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(
      /bad\.yaml:\d+:\d+: hostTypes\.ml110-g4\.cores: expected a number, found "two" \(a string\)/,
    )
    expect(r.stderr).not.toMatch(/\n\s+at /)
    const debug = conlab('run', file, '--debug')
    expect(debug.code).toBe(2)
    expect(debug.stderr).toMatch(/\n\s+at /)
  })

  it('says where a lab run spent its time when CONLAB_TIMING is set', () => {
    const r = spawnSync(
      process.execPath,
      [CONLAB_BIN, 'run', join(ROOT, 'scenarios', 'planetlab-lab.yaml'), '--until', '2h', '--workers', '2', '--json'],
      { cwd: ROOT, encoding: 'utf8', timeout: 120_000, env: { ...process.env, CONLAB_TIMING: '1' } },
    )
    expect(r.status).toBe(0)
    expect(r.stderr).toMatch(
      /timing: start \d+\.\d\d s, steps \d+\.\d\d s: coordinator \d+\.\d\d s, waiting for shards \d+\.\d\d s \(their work \d+\.\d\d s, the slowest shard's \d+\.\d\d s\)/,
    )
  })

  it('refuses unknown policies, flags and commands with exit code 2', () => {
    const policy = conlab('run', PLANETLAB_SCENARIO, '--policy', 'lr-xyz-1.2')
    expect(policy.code).toBe(2)
    expect(policy.stderr).toMatch(/unknown VM selection "xyz"/)
    const flag = conlab('run', PLANETLAB_SCENARIO, '--fast')
    expect(flag.code).toBe(2)
    expect(flag.stderr).toMatch(/--fast/)
    expect(conlab('frobnicate').code).toBe(2)
    expect(conlab('run').code).toBe(2)
    const seed = conlab('run', PLANETLAB_SCENARIO, '--seed', '-3')
    expect(seed.code).toBe(2)
  })
})

describe('conlab validate, schema, compare', () => {
  it('validates a scenario without running it', () => {
    const r = conlab('validate', PLANETLAB_SCENARIO)
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(
      /ok — "PlanetLab 2011-03-03, CloudSim setup", cloudsim mode, 800 hosts, 1052 VMs, 1052 traces/,
    )
  })

  it('prints the JSON Schema', () => {
    const r = conlab('schema')
    expect(r.code).toBe(0)
    const schema = JSON.parse(r.stdout) as { $schema: string; title: string }
    expect(schema.$schema).toMatch(/json-schema\.org/)
    expect(schema.title).toBe('Consolidation Lab scenario')
  })

  it('compares policies in one table', () => {
    const r = conlab('compare', PLANETLAB_SCENARIO, '--policies', 'npa,dvfs', '--json')
    expect(r.code).toBe(0)
    const reports = JSON.parse(r.stdout) as { policy: string; energyKWh: number }[]
    expect(reports.map((x) => x.policy)).toEqual(['npa', 'dvfs'])
    const table = conlab(
      'compare',
      PLANETLAB_SCENARIO,
      '--policies',
      'npa,dvfs',
      '--reference',
      join(ROOT, 'tests', 'fixtures', 'cloudsim-reference.json'),
    )
    expect(table.code).toBe(0)
    expect(table.stdout).toMatch(/\| dvfs \| 802\.75 \| 802\.75 \| 0\.000 % \|/)
  })
})
