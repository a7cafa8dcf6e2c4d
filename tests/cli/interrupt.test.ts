// Ctrl-C (SIGINT) or SIGTERM while a run saves checkpoints: the run stops between two steps, never in the
// middle of writing a file, so no temporary file remains and every checkpoint in the folder loads. The
// moments are drawn at random (seeded) after the first checkpoint; the run saves a 9.6 MiB checkpoint
// every step, so most of its time is spent writing one. A temporary file left by a process killed outright (SIGKILL) is removed the
// next time a run writes checkpoints into that folder.
import { spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CONLAB_BIN, ROOT } from '../helpers'
import { loadLabCheckpoint } from '../../cli/checkpoints'

const SCENARIO = join(ROOT, 'scenarios', 'planetlab-lab.yaml')

/** Runs conlab; with `stopAfterMs`, sends `signal` that long after the first checkpoint is saved. */
function run(args: string[], stopAfterMs?: number, signal: NodeJS.Signals = 'SIGINT') {
  return new Promise<{ code: number | null; stderr: string }>((done) => {
    const child = spawn(process.execPath, [CONLAB_BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    let timer: NodeJS.Timeout | undefined
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString()
      if (stopAfterMs !== undefined && timer === undefined && stderr.includes('checkpoint '))
        timer = setTimeout(() => child.kill(signal), stopAfterMs)
    })
    child.on('exit', (code) => {
      clearTimeout(timer)
      done({ code, stderr })
    })
  })
}

function checkpointing(dir: string): string[] {
  return [
    SCENARIO,
    '--set',
    'migration.model=precopy',
    '--checkpoint-every',
    '5m',
    '--checkpoint-dir',
    dir,
    '--workers',
    '0',
  ]
}

describe('interrupting a run that saves checkpoints', () => {
  it('leaves no temporary file and only checkpoints that load, whenever the signal comes', async () => {
    const moments = fc.sample(
      fc.record({
        ms: fc.integer({ min: 600, max: 2600 }),
        signal: fc.constantFrom<NodeJS.Signals>('SIGINT', 'SIGTERM'),
      }),
      { numRuns: 6, seed: 9 },
    )
    let stopped = 0
    for (const { ms, signal } of moments) {
      const dir = mkdtempSync(join(tmpdir(), 'conlab-interrupt-'))
      const r = await run(['run', ...checkpointing(dir)], ms, signal)
      const names = readdirSync(dir)
      expect(
        names.filter((n) => !n.endsWith('.ckpt')),
        `after ${signal} at ${ms} ms`,
      ).toEqual([])
      for (const n of names) expect(loadLabCheckpoint(join(dir, n)).format).toBe('conlab.checkpoint')
      if (r.code !== 0) {
        expect(r.code).toBe(signal === 'SIGINT' ? 130 : 143)
        expect(r.stderr).toMatch(new RegExp(`conlab run: stopped by ${signal}\\n$`))
        stopped++
      }
    }
    expect(stopped).toBeGreaterThan(3)
  }, 120_000)

  it('removes the temporary files of dead processes from the folder it writes, and no one else’s', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'conlab-stale-'))
    // pid 2^22 + 1 is above Linux's largest pid: that process cannot exist
    const dead = `.ha-drill-t0000010800.ckpt.${2 ** 22 + 1}.0.1.tmp`
    const live = `.ha-drill-t0000010800.ckpt.${process.pid}.0.1.tmp`
    writeFileSync(join(dir, dead), 'half a checkpoint')
    writeFileSync(join(dir, live), 'a save in progress')
    writeFileSync(join(dir, 'notes.tmp'), 'not ours')
    const r = await run([
      'run',
      join(ROOT, 'scenarios', 'ha-drill.yaml'),
      '--until',
      '3h',
      '--checkpoint-every',
      '3h',
      '--checkpoint-dir',
      dir,
    ])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toMatch(/^conlab: removed 1 temporary file of an interrupted save from /)
    expect(readdirSync(dir).sort()).toEqual([live, 'ha-drill-t0000010800.ckpt', 'notes.tmp'].sort())
  })
})
