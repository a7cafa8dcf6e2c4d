// `conlab recommend <checkpoint>` in a real process: the recommendations waiting at a manual-automation
// checkpoint, the pass the policy would make there, and the report's counts of the run that wrote it.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { CONLAB_BIN, ROOT } from '../helpers'

function conlab(...args: string[]) {
  const r = spawnSync(process.execPath, [CONLAB_BIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

interface Rec {
  id?: number
  kind: string
  vm?: number
  from?: number
  to?: number
  priority: number
  reason: string
  expected: { source?: { host: number }; target?: { host: number }; migration?: { model: string } }
}

describe('conlab recommend', () => {
  const dir = mkdtempSync(join(tmpdir(), 'conlab-recommend-'))
  const scenario = join(ROOT, 'scenarios', 'planetlab-lab.yaml')
  const run = conlab(
    'run',
    scenario,
    '--policy',
    'drs-5',
    '--set',
    'automation=manual',
    '--until',
    '2h',
    '--checkpoint-every',
    '2h',
    '--checkpoint-dir',
    dir,
    '--json',
  )
  const file = join(dir, readdirSync(dir)[0]!)

  it('prints what waits at the checkpoint, and the pass the policy would make there (the same moves)', () => {
    expect(run.code).toBe(0)
    const report = JSON.parse(run.stdout) as { migrations: number; recommendations: Record<string, number> }
    // manual, nothing approved: no migration, recommendations proposed and waiting
    expect(report.migrations).toBe(0)
    expect(report.recommendations.waiting).toBeGreaterThan(0)
    const r = conlab('recommend', file, '--json')
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout) as { time: number; automation: string; waiting: Rec[]; pass: Rec[] }
    expect(out).toMatchObject({ time: 7200, automation: 'manual' })
    expect(out.waiting).toHaveLength(report.recommendations.waiting!)
    for (const w of out.waiting) {
      expect(w.kind).toBe('migrate')
      expect(w.priority).toBeGreaterThanOrEqual(2)
      expect(w.priority).toBeLessThanOrEqual(5)
      expect(w.expected.source!.host).toBe(w.from)
      expect(w.expected.target!.host).toBe(w.to)
      expect(w.expected.migration!.model).toBe('cloudsim')
    }
    // the state is the one the waiting pass was made on: the pass now proposes the same moves, in order
    const key = (x: Rec) => `${x.kind}:${x.vm}:${x.from}:${x.to}`
    expect(out.pass.map(key)).toEqual(out.waiting.map(key))
    // the text form names each with its id, priority, reason and expected effect
    const text = conlab('recommend', file)
    expect(text.code).toBe(0)
    expect(text.stdout).toContain(`waiting for approval (${out.waiting.length})`)
    expect(text.stdout).toMatch(/#\d+ priority [2-5] {2}migrate VM \d+: host \d+ → host \d+/)
    expect(text.stdout).toMatch(/expected: host \d+ [\d.]+ % → [\d.]+ %/)
  })

  it('refuses a missing file with exit 2', () => {
    const r = conlab('recommend', join(dir, 'missing.ckpt'))
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('missing.ckpt')
  })
})
