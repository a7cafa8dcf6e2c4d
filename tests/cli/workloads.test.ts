// `conlab import` and trace workloads from the command line, as real processes: the folder and snippet an
// import writes replay as a scenario; bad trace rows exit with code 2 and file:line:column.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { CONLAB_BIN } from '../helpers'
import { FIXTURES } from '../workload-reference'

function conlab(cwd: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [CONLAB_BIN, ...args], { cwd, encoding: 'utf8', timeout: 120_000 })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

const CLUSTER = `name: imported
mode: lab
policy: lr-mmt-1.2
hostTypes:
  h: { cores: 32, mipsPerCore: 3000, ramMB: 65536, nicMbps: 10000, power: [100, 110, 120, 130, 140, 150, 160, 170, 180, 190, 200] }
hosts:
  - { type: h, count: 2 }
`

describe('conlab import', () => {
  it('writes a trace folder and the scenario lines that replay it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'conlab-import-'))
    const r = conlab(
      dir,
      'import',
      'bitbrains',
      join(FIXTURES, 'bitbrains-rnd-2013-07-16'),
      '--from',
      '2013-07-16T00:00:00Z',
      '--to',
      '2013-07-17T00:00:00Z',
      '--out',
      'bb-day',
    )
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(
      /^bb-day: 2 VMs × 288 rows of 300 s \(0 bad rows skipped\); replay it with bb-day\/scenario\.yaml/,
    )
    for (const f of ['trace.json', '1.csv', '20.csv', 'README.md', 'scenario.yaml'])
      expect(existsSync(join(dir, 'bb-day', f))).toBe(true)
    expect(readFileSync(join(dir, 'bb-day', 'README.md'), 'utf8')).toMatch(/Shen, V\. van Beek, A\. Iosup/)
    const snippet = readFileSync(join(dir, 'bb-day', 'scenario.yaml'), 'utf8')
    expect(snippet).toMatch(/workload: \{ kind: csv, dir: "bb-day" \}/)
    writeFileSync(join(dir, 'day.yaml'), CLUSTER + snippet)
    const run = conlab(dir, 'run', 'day.yaml', '--json')
    expect(run.code).toBe(0)
    const report = JSON.parse(run.stdout) as {
      vms: number
      simulatedSeconds: number
      workload: { sources: { kind: string; from: string }[] }
    }
    expect(report.vms).toBe(2)
    expect(report.simulatedSeconds).toBe(86400)
    expect(report.workload.sources[0]).toMatchObject({ kind: 'csv', from: '2013-07-16T00:00:00Z' })
  })

  it('maps a CSV with --set, and skips bad rows with --skip-bad-rows', () => {
    const dir = mkdtempSync(join(tmpdir(), 'conlab-import-'))
    writeFileSync(join(dir, 'mon.csv'), 'ts;host;load\n0;a;50\n60;a;x\n120;a;70\n0;b;10\n')
    const args = [
      'import',
      'csv',
      'mon.csv',
      '--out',
      'mon',
      '--set',
      'separator=";"',
      '--set',
      'columns={time: ts, id: host, cpu: load}',
      '--set',
      'units.cpu=percent',
    ]
    const bad = conlab(dir, ...args)
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(
      /mon\.csv:3:6: column 3 \(load\): expected a number ≥ 0, found "x" \(set workload\.badRows: skip/,
    )
    expect(bad.stderr).not.toMatch(/\n\s+at /)
    const ok = conlab(dir, ...args, '--skip-bad-rows')
    expect(ok.code).toBe(0)
    expect(ok.stdout).toMatch(/^mon: 2 VMs × 1 rows of 300 s \(1 bad rows skipped\)/)
    expect(readFileSync(join(dir, 'mon', 'a.csv'), 'utf8')).toBe('time,cpu\n0,0.6\n')
  })

  it('refuses what it cannot read, with exit code 2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'conlab-import-'))
    expect(conlab(dir, 'import', 'google', 'x', '--out', 'o').stderr).toMatch(
      /expected a kind of bitbrains, azure, alibaba, csv, found "google"/,
    )
    expect(conlab(dir, 'import', 'azure', 'nowhere.csv', '--out', 'o').code).toBe(2)
    expect(conlab(dir, 'import', 'alibaba', join(FIXTURES, 'alibaba-2018', 'machine_usage.csv')).stderr).toMatch(
      /expected --out DIR/,
    )
  })
})

describe('conlab run with a bad trace', () => {
  it('exits with code 2 and names the file, line and column', () => {
    const dir = mkdtempSync(join(tmpdir(), 'conlab-bad-trace-'))
    const lines = readFileSync(join(FIXTURES, 'bitbrains-rnd-2013-07-16', '20.csv'), 'utf8').split('\n')
    const f = lines[9]!.split(';\t')
    f[6] = '12,5'
    lines[9] = f.join(';\t')
    writeFileSync(join(dir, '20.csv'), lines.join('\n'))
    writeFileSync(
      join(dir, 's.yaml'),
      `${CLUSTER}duration: 1h
vmTypes:
  v: { vcpus: 1, mips: 2600, ramMB: 4096 }
vms:
  - type: v
    workload: { kind: bitbrains, dir: ., from: "2013-07-16T00:00:00Z" }
`,
    )
    const r = conlab(dir, 'run', 's.yaml')
    expect(r.code).toBe(2)
    const column = f.slice(0, 6).join(';\t').length + 3
    expect(r.stderr).toBe(
      `${join(dir, '20.csv')}:10:${column}: column 7 (Memory usage [KB]): expected a number ≥ 0, found "12,5" (set vms[0].workload.badRows: skip to skip such rows and count them)\n`,
    )
    const skipped = conlab(dir, 'run', 's.yaml', '--set', 'vms[0].workload.badRows=skip', '--json')
    expect(skipped.code).toBe(0)
    const report = JSON.parse(skipped.stdout) as {
      workload: { sources: { skippedRows: number; firstSkipped: string }[] }
    }
    expect(report.workload.sources[0]!.skippedRows).toBe(1)
    expect(report.workload.sources[0]!.firstSkipped).toContain(`20.csv:10:${column}:`)
  })
})
