// Checkpoint files as the desktop app writes and reads them (File ▸ Save / Load Checkpoint…): the lab's bytes,
// verified before the write and written atomically — a damaged checkpoint never reaches the disk and a failed
// save leaves the previous file as it was — and read back into a LabSession that continues from them.
import * as fs from 'node:fs'
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LabSession } from '../../engine/api/lab-session'
import type { CheckpointFile } from '../../engine/api/lab-api'
import { nodeScenarioCatalog } from '../../engine/platform/node/catalog'
import {
  CHECKPOINT_FILE_FILTERS,
  readCheckpointBytes,
  saveCheckpointBytes,
  withCheckpointExtension,
} from '../../engine/platform/node/app-checkpoint-files'
import { loadCheckpoint } from '../../engine/platform/node/checkpoint-files'
import { asLabCheckpoint } from '../../engine/checkpoint/lab-checkpoint'
import { ROOT } from '../helpers'

let dir: string
let lab: LabSession
let file: CheckpointFile

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'conlab-app-ckpt-'))
  lab = new LabSession(nodeScenarioCatalog(join(ROOT, 'scenarios')), 'electron')
  await lab.open({ builtin: 'memory-overcommit' })
  await lab.advance({ untilSeconds: 1800 })
  file = await lab.checkpoint('half an hour')
})
afterAll(async () => {
  await lab.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('checkpoint files of the desktop app', () => {
  it('are saved with the .ckpt extension, readable by the CLI’s loader', () => {
    expect(withCheckpointExtension('/a/b')).toBe('/a/b.ckpt')
    expect(withCheckpointExtension('/a/b.CKPT')).toBe('/a/b.CKPT')
    expect(CHECKPOINT_FILE_FILTERS[0]!.extensions).toEqual(['ckpt'])
    const path = saveCheckpointBytes(join(dir, 'half'), file.bytes)
    expect(path).toBe(join(dir, 'half.ckpt'))
    // byte for byte (a deep equality over millions of elements would take minutes)
    const written = readFileSync(path)
    expect(written.length).toBe(file.bytes.length)
    expect(Buffer.compare(written, Buffer.from(file.bytes.buffer, file.bytes.byteOffset, file.bytes.length))).toBe(0)
    // `conlab resume` / `branch` / `snapshots` read it
    const c = asLabCheckpoint(loadCheckpoint(path).value, path)
    expect(c.time).toBe(1800)
    expect(c.scenario.name).toBe('One host overcommitted 1.5× in RAM, KSM and auto-balloon')
    expect(readdirSync(dir)).toEqual(['half.ckpt'])
  })

  it('refuse to write damaged bytes and keep the previous file when a write fails', () => {
    const path = join(dir, 'keep.ckpt')
    writeFileSync(path, 'the previous file')
    const damaged = file.bytes.slice()
    damaged[damaged.length - 40]! ^= 0xff
    expect(() => saveCheckpointBytes(path, damaged)).toThrow(/^.*keep\.ckpt: /)
    const failing = {
      ...fs,
      fsyncSync: () => {
        throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' })
      },
    }
    expect(() => saveCheckpointBytes(path, file.bytes, failing)).toThrow(
      /keep\.ckpt: could not save the checkpoint: ENOSPC: no space left on device/,
    )
    expect(readFileSync(path, 'utf8')).toBe('the previous file')
    expect(readdirSync(dir).sort()).toEqual(['half.ckpt', 'keep.ckpt'])
  })

  it('are read back and continued: the same state as the run that went on', async () => {
    await lab.advance({ untilSeconds: 3600 })
    const expected = (await lab.report()).stateHash
    const other = new LabSession(nodeScenarioCatalog(join(ROOT, 'scenarios')), 'electron')
    try {
      const path = join(dir, 'half.ckpt')
      const r = await other.restoreCheckpoint(readCheckpointBytes(path), { fileName: path })
      expect(r.checkpoint).toMatchObject({ name: path, time: 1800, sizeBytes: file.sizeBytes })
      expect(r.scenario).toEqual({ builtin: 'memory-overcommit' })
      expect(r.frames).toHaveLength(30)
      await other.advance({ untilSeconds: 3600 })
      const report = await other.report()
      expect(report.stateHash).toBe(expected)
      expect(report.memory!.timeline.length).toBeGreaterThan(0)
    } finally {
      await other.close()
    }
  })
})
