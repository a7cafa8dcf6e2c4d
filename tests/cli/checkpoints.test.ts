// Whole-lab checkpoints from the command line, in real processes: `run --checkpoint-every`, `resume` in a new
// process with another number of workers, `branch`, `snapshots`, and files that are damaged or foreign.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { CONLAB_BIN, PLANETLAB_SCENARIO, ROOT } from '../helpers'

function conlab(...args: string[]) {
  const r = spawnSync(process.execPath, [CONLAB_BIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

describe('conlab run --checkpoint-every, resume, branch', () => {
  const dir = mkdtempSync(join(tmpdir(), 'conlab-ckpt-'))
  const scenario = join(ROOT, 'scenarios', 'ha-drill.yaml')
  const full = conlab('run', scenario, '--checkpoint-every', '3h', '--checkpoint-dir', dir, '--json')
  const files = readdirSync(dir).sort()

  it('writes checkpoints named to sort by simulated time, and still prints the final report', () => {
    expect(full.code).toBe(0)
    expect(files).toEqual([
      'ha-drill-t0000010800.ckpt',
      'ha-drill-t0000021600.ckpt',
      'ha-drill-t0000032400.ckpt',
      'ha-drill-t0000043200.ckpt',
    ])
    expect(full.stderr).toMatch(/checkpoint 0d 03:00:00\.0 → .*ha-drill-t0000010800\.ckpt \(\d+\.\d MiB, \d+ ms\)/)
    const report = JSON.parse(full.stdout) as { stateHash: string }
    const plain = JSON.parse(conlab('run', scenario, '--json').stdout) as { stateHash: string }
    expect(report.stateHash).toBe(plain.stateHash)
  })

  it('resumes in a new process, with another number of workers, to the same state bit for bit', () => {
    const expected = (JSON.parse(full.stdout) as { stateHash: string; energyKWh: number }).stateHash
    for (const [file, workers] of [
      ['ha-drill-t0000010800.ckpt', '2'],
      ['ha-drill-t0000021600.ckpt', '0'],
    ] as const) {
      const r = conlab('resume', join(dir, file), '--workers', workers, '--json')
      expect(r.code, r.stderr).toBe(0)
      const report = JSON.parse(r.stdout) as { stateHash: string; resumedFrom: { time: number }; ha: unknown }
      expect(report.stateHash).toBe(expected)
      expect(report.resumedFrom.time).toBe(Number(file.slice(10, 20)))
      expect(report.ha).toEqual((JSON.parse(full.stdout) as { ha: unknown }).ha)
    }
  })

  it('branches with other policies and puts the branches side by side', () => {
    const r = conlab('branch', join(dir, files[0]!), '--policy', 'thr-mmt-0.8,none', '--json')
    expect(r.code, r.stderr).toBe(0)
    const reports = JSON.parse(r.stdout) as { policy: string; stateHash: string; migrations: number }[]
    expect(reports.map((x) => x.policy)).toEqual(['lr-mmt-1.2', 'thr-mmt-0.8', 'none'])
    expect(reports[0]!.stateHash).toBe((JSON.parse(full.stdout) as { stateHash: string }).stateHash)
    expect(reports[2]!.migrations).toBeLessThan(reports[0]!.migrations)
    const table = conlab('branch', join(dir, files[0]!), '--policy', 'none')
    expect(table.stdout).toMatch(/^Branches of "HA drill/)
    expect(table.stdout).toMatch(/lr-mmt-1\.2 \(as checkpointed\)\s+\d+\.\d\d/)
    expect(table.stdout).toMatch(/\nnone\s+\d+\.\d\d/)
  })

  it('refuses a damaged, truncated or foreign file, saying which and why', () => {
    const good = readFileSync(join(dir, files[0]!))
    const flipped = Uint8Array.from(good)
    flipped[Math.floor(good.length / 2)]! ^= 0x10
    writeFileSync(join(dir, 'flipped.ckpt'), flipped)
    writeFileSync(join(dir, 'cut.ckpt'), good.subarray(0, good.length - 100))
    const f = conlab('resume', join(dir, 'flipped.ckpt'))
    expect(f.code).toBe(2)
    expect(f.stderr).toMatch(/flipped\.ckpt: .*checksum .*failed/)
    const t = conlab('resume', join(dir, 'cut.ckpt'))
    expect(t.code).toBe(2)
    expect(t.stderr).toMatch(/cut\.ckpt: truncated: expected \d+ bytes of /)
    const y = conlab('resume', scenario)
    expect(y.code).toBe(2)
    expect(y.stderr).toMatch(/ha-drill\.yaml: not a Consolidation Lab checkpoint/)
    expect(f.stdout + t.stdout + y.stdout).toBe('')
  })

  it('refuses checkpoints of the CloudSim-compatible mode', () => {
    const r = conlab('run', PLANETLAB_SCENARIO, '--checkpoint-every', '1h', '--checkpoint-dir', dir)
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/checkpoints need a lab-mode scenario/)
  })
})

describe('conlab snapshots', () => {
  it('lists the VM snapshot trees of a checkpoint, with "You are here"', () => {
    const dir = mkdtempSync(join(tmpdir(), 'conlab-snap-'))
    const scenario = join(ROOT, 'tests', 'fixtures', 'snapshots.yaml')
    expect(conlab('run', scenario, '--checkpoint-every', '45m', '--checkpoint-dir', dir, '--json').code).toBe(0)
    const r = conlab('snapshots', join(dir, 'snapshots-t0000002700.ckpt'))
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/VM 0: 3 snapshots, \d+\.\d+ GiB/)
    expect(r.stdout).toMatch(/base/)
    expect(r.stdout).toMatch(/change/)
    expect(r.stdout).toMatch(/retry.*\n.*You are here|You are here/)
    const json = JSON.parse(conlab('snapshots', join(dir, 'snapshots-t0000002700.ckpt'), '--json').stdout) as {
      vm: number
      snapshots: { name: string; childNodes: { name: string }[] }[]
    }[]
    expect(json[0]!.snapshots[0]!.name).toBe('base')
    expect(json[0]!.snapshots[0]!.childNodes.map((c) => c.name)).toEqual(['change', 'retry'])
  })
})
