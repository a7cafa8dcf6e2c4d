// The class of bug of issue 14, as properties over a thousand generated and mutated scenarios and flag sets
// (fast-check, seeded: a failure prints the case and reproduces). For every case:
//   - `validate` and `run --until <one step>` agree: what validate accepts, a run accepts, and what it
//     refuses, the run refuses with the same message (a run-only flag may still be refused by the run);
//   - no stack trace reaches the user, and the exit code is 0 or 2 (1 is a failure while running);
//   - every exit-2 message begins with the file or the flag it is about;
//   - a run either finishes (one step, reported as one JSON object) or is refused before its first step.
// Most cases run in this process through the CLI's own `main` (fast); a sample runs as real processes,
// where exit codes and stderr are the user's.
import { spawnSync } from 'node:child_process'
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { parse as parseYaml, stringify } from 'yaml'
import { describe, expect, it } from 'vitest'
import { main } from '../../cli/main'
import { bufferIo } from '../../cli/io'
import { CONLAB_BIN, ROOT } from '../helpers'

const SEED = 14
const dir = mkdtempSync(join(tmpdir(), 'conlab-property-'))

// A small trace day (12 PlanetLab files), a trace folder with a sub-folder, a read-only report file.
const traces = join(dir, 'traces', '20110303')
mkdirSync(traces, { recursive: true })
const day = join(ROOT, 'scenarios', 'traces', 'planetlab', '20110303')
for (const f of readdirSync(day).sort().slice(0, 12)) copyFileSync(join(day, f), join(traces, f))
const nested = join(dir, 'nested')
mkdirSync(join(nested, 'sub'), { recursive: true })
copyFileSync(join(traces, readdirSync(traces)[0]!), join(nested, 'a'))
const readOnly = join(dir, 'read-only.json')
writeFileSync(readOnly, '{}\n')
chmodSync(readOnly, 0o444)

/** A value no field accepts, or one at the edge of a limit. */
const JUNK = fc.constantFrom<unknown>(
  -1,
  0,
  1.5,
  1e12,
  2 ** 53,
  'abc',
  '',
  null,
  true,
  [],
  {},
  '4294967296m',
  '256GiB/s',
  '1e99',
  -0.5,
)
/** Mostly one of `valid`, rarely one of `bad` (values near a limit) or junk: a generated scenario has a bad value in about one case of three. */
function some<T>(valid: readonly T[], bad: readonly unknown[] = [], badWeight = 2): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 500, arbitrary: fc.constantFrom(...valid) },
    ...(bad.length ? [{ weight: badWeight, arbitrary: fc.constantFrom(...bad) }] : []),
    { weight: 1, arbitrary: JUNK },
  )
}
function someInt(min: number, max: number, bad: readonly unknown[] = []): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 500, arbitrary: fc.integer({ min, max }) },
    { weight: 2, arbitrary: fc.constantFrom(...bad, -1) },
    {
      weight: 1,
      arbitrary: JUNK,
    },
  )
}
const fraction = fc.oneof(
  { weight: 500, arbitrary: fc.double({ min: 0, max: 1, noNaN: true }) },
  { weight: 1, arbitrary: JUNK },
)

const hostType = fc.record(
  {
    cores: someInt(1, 16, [0, 100000]),
    mipsPerCore: some([2500, 3000], [1000]),
    ramMB: some([4096, 16384, 65536], [2 ** 40]),
    nicMbps: some([1000, 10000]),
    power: some([[90, 100, 110, 120, 130, 140, 150, 160, 170, 180, 190]], [[1, 2, 3]]),
    bootSeconds: some([0, 30, '2m']),
  },
  { requiredKeys: ['cores', 'mipsPerCore', 'ramMB', 'nicMbps', 'power'] },
)
const vmType = fc.record(
  {
    vcpus: someInt(1, 4, [64]),
    mips: some([250, 500, 1000, 2500], [5000]),
    ramMB: some([256, 512, 1024, 2048], [200000]),
  },
  { requiredKeys: ['vcpus', 'mips', 'ramMB'] },
)
const workload = fc.oneof(
  fc.record({ kind: fc.constant('constant'), level: fraction }),
  fc.record({ kind: fc.constant('diurnal'), mean: fraction, amplitude: fraction }),
  fc.record({ kind: fc.constant('random-walk'), start: fraction, step: fraction }),
  fc.record({ kind: fc.constant('bursty'), base: fraction, burst: fraction, probability: fraction }),
  fc.record({ kind: fc.constant('planetlab'), dir: some([traces], [nested, join(dir, 'none')]) }),
)
const vmGroup = fc.record(
  {
    type: some(['v1', 'v2'], ['v9']),
    count: someInt(1, 6, [0, 300000]),
    workload,
    pageWrites: fc.record(
      {
        pattern: some(['uniform', 'hot-cold', 'sequential']),
        rate: some(['1MiB/s', '8MiB/s', '64MiB/s', '1GiB/s'], ['100GiB/s', '0MiB/s']),
        hotSet: some(['16MiB', '128MiB'], ['64GiB', 0]),
        hotFraction: fraction,
      },
      { requiredKeys: [] },
    ),
    content: fc.record({ zero: some([0, 0.3, 0.5]), image: some([0, 0.2, 0.4], [0.9]) }, { requiredKeys: [] }),
    cpuWeight: someInt(1, 10000, [0, 10001]),
    cpuCap: some([0.25, 0.5, 1, 2], [0.0001]),
    haPriority: some(['high', 'medium', 'low', 'disabled']),
  },
  { requiredKeys: ['type', 'count', 'workload'] },
)
const at = (...valid: unknown[]) => some(valid, ['7s', '99d'])
const id = (max: number) => someInt(0, max, [99])
const event = fc.oneof(
  fc.record({ at: at('1m', '5m', '10m', 600), migrate: fc.record({ vm: id(8), to: id(4) }) }),
  fc.record({ at: at('1m', '5m', '10m', 0), failHost: fc.record({ host: id(4) }) }),
  fc.record({ at: at('5m', '20m'), repairHost: fc.record({ host: id(4) }) }),
  fc.record({ at: at('1m', '5m'), snapshot: fc.record({ vm: id(4), name: fc.constantFrom('a', 'b') }) }),
  fc.record({ at: at('5m', '10m'), revert: fc.record({ vm: id(4), snapshot: fc.constantFrom('a', 'c') }) }),
  fc.record({ at: at('1m', '5m'), balloon: fc.record({ vm: id(4), target: some(['auto', '256MiB'], ['64GiB', 0]) }) }),
  fc.record({ at: at('1m', '5m'), cancelMigration: fc.record({ vm: id(4) }) }),
)
const generated = fc
  .record(
    {
      name: fc.constant('generated'),
      mode: fc.oneof({ weight: 9, arbitrary: fc.constant('lab') }, { weight: 1, arbitrary: some(['cloudsim']) }),
      seed: someInt(0, 2 ** 32 - 1, [2 ** 32]),
      duration: some(['1h', '30m', '6h', 3600], ['4294967296m', '400d']),
      interval: some(['1m', '5m', 60, '10s'], ['1ms', '2h']),
      policy: some(
        ['none', 'npa', 'dvfs', 'thr-mmt-0.8', 'lr-mmt-1.2', 'mad-mc-2.5', 'iqr-rs-1.5', 'lrr-mu'],
        ['lr-xx'],
      ),
      hostTypes: fc.record({ h1: hostType, h2: hostType }),
      hosts: fc.array(fc.record({ type: some(['h1', 'h2'], ['h9']), count: someInt(1, 8, [0, 10 ** 7]) }), {
        minLength: 1,
        maxLength: 2,
      }),
      vmTypes: fc.record({ v1: vmType, v2: vmType }),
      vms: fc.array(vmGroup, { minLength: 1, maxLength: 3 }),
      migration: fc.record(
        {
          model: some(['cloudsim', 'precopy', 'postcopy', 'hybrid']),
          maxBandwidth: some(['32MiB/s', '128MiB/s', '1GiB/s'], [0]),
          autoConverge: fc.boolean(),
          timeout: some(['30s', '2m']),
        },
        { requiredKeys: [] },
      ),
      memory: fc.record(
        {
          // 4 KiB pages are valid but slow to fill a test with (millions of pages): rarely
          pageSize: some(['64KiB', '2MiB', '1MiB'], ['4KiB', '3KiB', '2GiB']),
          ksm: fc.record({ mode: some(['off', 'on', 'mom']) }, { requiredKeys: [] }),
          ballooning: some(['off', 'auto']),
          images: fc.boolean(),
        },
        { requiredKeys: [] },
      ),
      admission: fc.record(
        {
          cpuAllocationRatio: some([1, 4, 16]),
          ramAllocationRatio: some([1, 1.5]),
          reservedHostMemory: some([0, '512MiB'], ['64GiB']),
          reservedHostCpus: someInt(0, 2, [16]),
        },
        { requiredKeys: [] },
      ),
      ha: fc.record(
        { mtbf: some(['2h', '1d']), reserveHosts: someInt(0, 2), detection: some([15, '1m']) },
        { requiredKeys: [] },
      ),
      events: fc.array(event, { maxLength: 3 }),
    },
    { requiredKeys: ['name', 'mode', 'duration', 'hostTypes', 'hosts', 'vmTypes', 'vms'] },
  )
  .map((s) => {
    // the cloudsim mode replays traces: its generated scenarios mostly have them
    if (s.mode === 'cloudsim')
      for (const g of s.vms as { workload: unknown }[]) g.workload = { kind: 'planetlab', dir: traces }
    return s
  })

/** Shipped scenarios small enough to run a step of often (the PlanetLab one on the 12-trace day). */
const SHIPPED = [
  'scenarios/ha-drill.yaml',
  'scenarios/memory-overcommit.yaml',
  'scenarios/migration-hot-working-set.yaml',
  'tests/fixtures/snapshots.yaml',
  'tests/fixtures/cpu-weights.yaml',
  'tests/fixtures/ha-priority.yaml',
  'scenarios/planetlab-cloudsim.yaml',
].map((f) => {
  const s = parseYaml(readFileSync(join(ROOT, f), 'utf8')) as Record<string, unknown>
  if (f.includes('planetlab')) {
    ;(s.vms as { workload: { dir: string } }[])[0]!.workload.dir = traces
    s.hosts = [{ type: ['ml110-g4', 'ml110-g5'], count: 8 }]
  }
  return s
})

type Tree = Record<string, unknown> | unknown[]

/** Every path to a value in a scenario object. */
function paths(value: unknown, at: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [at]
  const keys = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value)
  return [at, ...keys.flatMap((k) => paths((value as Record<string | number, unknown>)[k], [...at, k]))]
}

interface Mutation {
  pick: number
  op: 'delete' | 'junk' | 'scale' | 'unknown-key'
  junk: unknown
  factor: number
}
const mutation = fc.record({
  pick: fc.nat(),
  op: fc.constantFrom<Mutation['op']>('delete', 'junk', 'scale', 'unknown-key'),
  junk: JUNK,
  factor: fc.constantFrom(0, -1, 1000, 1e6, 0.001),
})

function mutate(scenario: Record<string, unknown>, mutations: Mutation[]): Record<string, unknown> {
  const s = structuredClone(scenario)
  for (const m of mutations) {
    const all = paths(s).filter((p) => p.length > 0)
    const p = all[m.pick % all.length]!
    const parent = p.slice(0, -1).reduce<unknown>((o, k) => (o as Tree)[k as never], s) as Tree
    const key = p[p.length - 1]!
    const old = (parent as Record<string | number, unknown>)[key]
    if (m.op === 'delete') {
      if (Array.isArray(parent)) parent.splice(key as number, 1)
      else delete parent[key as string]
    } else if (m.op === 'junk') (parent as Record<string | number, unknown>)[key] = m.junk
    else if (m.op === 'scale' && typeof old === 'number')
      (parent as Record<string | number, unknown>)[key] = old * m.factor
    else if (m.op === 'unknown-key' && !Array.isArray(parent)) parent[`${String(key)}x`] = old
  }
  return s
}

/** Text-level damage: a cut, stray bytes, an undefined alias. */
const textDamage = fc.oneof(
  { weight: 9, arbitrary: fc.constant(null) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constantFrom('cut', 'bytes', 'alias', 'tab'),
      at: fc.double({ min: 0, max: 1, noNaN: true }),
      bytes: fc.constantFrom('\u0000\u0001', '\uFFFD', ': : [', '{', '*a', '\t'),
    }),
  },
)

function damage(text: string, d: { kind: string; at: number; bytes: string } | null): string {
  if (!d) return text
  const i = Math.floor(d.at * text.length)
  if (d.kind === 'cut') return text.slice(0, i)
  if (d.kind === 'alias') return text.replace(/^duration: .*$/m, 'duration: *a')
  return `${text.slice(0, i)}${d.bytes}${text.slice(i)}`
}

const scenarioFlags = fc.record(
  {
    policy: fc.constantFrom('none', 'dvfs', 'thr-mmt-0.8', 'mad-mc', 'lr-mmt-1.2', 'lr-xyz-1.2'),
    seed: fc.oneof(
      { weight: 8, arbitrary: fc.constantFrom('7', '0', '4294967295', '123') },
      { weight: 1, arbitrary: fc.constantFrom('-1', '1e20', '2^53', '4294967297', 'abc') },
    ),
    set: fc.array(
      some(
        ['migration.autoConverge=true', 'vms[0].count=3', 'vms[0].pageWrites.rate=64MiB/s', 'duration=2h', 'seed=9'],
        [
          'vms[0].pageWrites.rate=256GiB/s',
          'foo.bar=3',
          'vms[9].type=x',
          'interval=0',
          'mode=cloudsim',
          'seed=-1',
          'hosts[0].count=1e9',
          'memory.pageSize=4KiB',
          'noequals',
        ],
        40,
      ).map(String),
      { maxLength: 2 },
    ),
    traces: fc.oneof(
      { weight: 4, arbitrary: fc.constant(undefined) },
      { weight: 1, arbitrary: fc.constantFrom(traces, nested, join(dir, 'missing-day'), readOnly) },
    ),
  },
  { requiredKeys: [] },
)
const runFlags = fc.record(
  {
    workers: fc.constantFrom('0', '0', '0', '-1', 'abc', '999', '1'),
    out: fc.constantFrom('report.json', 'report.md', 'report.csv', 'report.xlsx', '/etc/passwd/x.json', readOnly),
    checkpoint: fc.constantFrom('1m', '5m', '10m', '7s', 'abc', '30d'),
    events: fc.boolean(),
    progress: fc.boolean(),
  },
  { requiredKeys: [] },
)

const testCase = fc.record({
  source: fc.oneof(
    { weight: 6, arbitrary: generated.map((s) => ({ scenario: s, from: 'generated' })) },
    {
      weight: 4,
      arbitrary: fc
        .tuple(fc.nat(SHIPPED.length - 1), fc.array(mutation, { minLength: 1, maxLength: 3 }))
        .map(([i, ms]) => ({ scenario: mutate(SHIPPED[i]!, ms), from: `shipped ${i}` })),
    },
  ),
  json: fc.boolean(),
  damage: textDamage,
  scenarioFlags: fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight: 2, arbitrary: scenarioFlags }),
  runFlags: fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight: 2, arbitrary: runFlags }),
})
type Case = typeof testCase extends fc.Arbitrary<infer T> ? T : never

let cases = 0
function write(c: Case): { file: string; until: string } {
  const file = join(dir, `case-${++cases}.${c.json ? 'json' : 'yaml'}`)
  const text = c.json ? JSON.stringify(c.source.scenario, null, 1) : stringify(c.source.scenario)
  writeFileSync(file, damage(text, c.damage))
  const interval = c.source.scenario.interval
  const until = typeof interval === 'string' || typeof interval === 'number' ? String(interval) : '5m'
  return { file, until: /^\d+(\.\d+)?[smhd]?$/.test(until) && until !== '0' ? until : '5m' }
}

function argv(c: Case, file: string, until: string): { validate: string[]; run: string[]; runOnly: string[] } {
  const s: string[] = []
  const f = c.scenarioFlags
  if (f?.policy) s.push('--policy', f.policy)
  if (f?.seed) s.push('--seed', f.seed)
  for (const x of f?.set ?? []) s.push('--set', x)
  if (f?.traces !== undefined) s.push('--traces', f.traces)
  const r: string[] = ['--until', until, '--json']
  const g = c.runFlags
  r.push('--workers', g?.workers ?? '0')
  if (g?.out) r.push('--out', g.out.startsWith('/') ? g.out : join(dir, `out-${cases}-${g.out}`))
  if (g?.checkpoint) r.push('--checkpoint-every', g.checkpoint, '--checkpoint-dir', join(dir, `ckpt-${cases}`))
  if (g?.events) r.push('--events')
  if (g?.progress) r.push('--progress')
  return { validate: ['validate', file, ...s], run: ['run', file, ...s, ...r], runOnly: r }
}

const RUN_ONLY_FLAGS = /^--(until|workers|out|checkpoint-every|checkpoint-dir) /

/** The contract every answer keeps, in-process or as a process. */
function checkAnswer(code: number | null, stderr: string, file: string): void {
  expect([0, 2], stderr).toContain(code)
  expect(stderr).not.toMatch(/\n\s+at |^\s+at /m)
  expect(stderr.includes('\u0000')).toBe(false)
  if (code === 2) {
    const first = stderr.split('\n').find((l) => !l.startsWith('conlab: --'))!
    // the file (the scenario, a trace) or the flag the refusal is about
    expect(first.startsWith(file) || first.startsWith('/') || first.startsWith('--'), stderr).toBe(true)
  }
}

describe('bad input is refused before any work (property, seeded)', () => {
  it('validate and run --until <one step> agree over 1,000 scenarios and flag sets, in this process', async () => {
    const stats = { accepted: 0, refused: 0, refusedByRunFlag: 0 }
    await fc.assert(
      fc.asyncProperty(testCase, async (c) => {
        const { file, until } = write(c)
        const args = argv(c, file, until)
        const v = bufferIo()
        const vCode = await main(args.validate, v)
        checkAnswer(vCode, v.stderr, file)
        const r = bufferIo()
        const rCode = await main(args.run, r)
        checkAnswer(rCode, r.stderr, file)
        const firstRunError = r.stderr.split('\n').find((l) => !l.startsWith('conlab: --'))
        if (vCode === 2) {
          // the run refuses with the same words — or first with one of its own flags (the lab's start is
          // checked after them)
          expect(rCode).toBe(2)
          const same = r.stderr.startsWith(v.stderr) || r.stderr.includes(v.stderr)
          expect(same || RUN_ONLY_FLAGS.test(firstRunError!), `${v.stderr}\n---\n${r.stderr}`).toBe(true)
          stats.refused++
          return
        }
        if (rCode === 2) {
          // only a flag validate does not take may be refused now
          expect(firstRunError, r.stderr).toMatch(RUN_ONLY_FLAGS)
          stats.refusedByRunFlag++
          return
        }
        const report = JSON.parse(r.stdout) as { simulatedSeconds: number }
        expect(r.stdout.trim().split('\n')).toHaveLength(1)
        expect(report.simulatedSeconds).toBeGreaterThan(0)
        stats.accepted++
      }),
      { numRuns: 1000, seed: SEED, endOnFailure: true },
    )
    // the generator reaches all three outcomes, in proportions that make each property bite
    expect(stats.accepted).toBeGreaterThan(100)
    expect(stats.refused).toBeGreaterThan(300)
    expect(stats.refusedByRunFlag).toBeGreaterThan(30)
  }, 300_000)

  it('keeps the exit-code and stack-trace contract as a real process', () => {
    const sample = fc.sample(testCase, { numRuns: 12, seed: SEED + 1 })
    for (const c of sample) {
      const { file, until } = write(c)
      const args = argv(c, file, until)
      for (const a of [args.validate, args.run]) {
        const p = spawnSync(process.execPath, [CONLAB_BIN, ...a], { cwd: dir, encoding: 'utf8', timeout: 60_000 })
        expect(p.signal, `${a.join(' ')} did not finish`).toBeNull()
        checkAnswer(p.status, p.stderr, file)
        if (p.status === 0 && a[0] === 'run') expect(() => JSON.parse(p.stdout) as unknown).not.toThrow()
      }
    }
  }, 300_000)
})
