// Checkpoint files on disk: saved atomically (a failed save leaves the previous file as it was, and no
// temporary file behind), loaded with full verification, errors naming the file.
import * as fs from 'node:fs'
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { CheckpointError } from '../../engine/checkpoint/format'
import {
  type CheckpointFs,
  listCheckpointSections,
  loadCheckpoint,
  saveCheckpoint,
} from '../../engine/platform/node/checkpoint-files'

let dir = ''
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'conlab-ckpt-'))
})
afterEach(() => {
  rmSync(dir, { recursive: true, force: true })
})

const first = { time: 60, tokens: Float64Array.from({ length: 200 }, (_, i) => i), name: 'first' }
const second = { time: 120, tokens: new Float64Array(50_000).fill(7), name: 'second' }

function caught(f: () => unknown): CheckpointError {
  try {
    f()
  } catch (e) {
    expect(e).toBeInstanceOf(CheckpointError)
    return e as CheckpointError
  }
  throw new Error('expected a CheckpointError')
}

/** The real file system with a fault injected into one call. */
function faulty(overrides: Partial<CheckpointFs>): CheckpointFs {
  return {
    openSync: fs.openSync,
    writeSync: fs.writeSync,
    fsyncSync: fs.fsyncSync,
    closeSync: fs.closeSync,
    renameSync: fs.renameSync,
    rmSync: fs.rmSync,
    readFileSync: fs.readFileSync,
    statSync: fs.statSync,
    fchmodSync: fs.fchmodSync,
    ...overrides,
  }
}

function enospc(): Error {
  return Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })
}

describe('checkpoint files', () => {
  it('saves and loads a state, reporting sizes', () => {
    const path = join(dir, 'lab.clck')
    const saved = saveCheckpoint(path, first)
    expect(saved.bytes).toBe(readFileSync(path).length)
    const loaded = loadCheckpoint(path)
    expect(loaded.bytes).toBe(saved.bytes)
    expect(loaded.value).toEqual(first)
    expect(readdirSync(dir)).toEqual(['lab.clck'])
    const listing = listCheckpointSections(path)
    expect(listing.sections.map((s) => [s.name, s.size])).toEqual([
      ['state', expect.any(Number)],
      ['tokens', 1600],
    ])
  })

  it('replaces a checkpoint atomically and keeps the previous one when a write fails midway', () => {
    const path = join(dir, 'lab.clck')
    saveCheckpoint(path, first)
    const before = readFileSync(path)
    let calls = 0
    const failing = faulty({
      writeSync: ((fd: number, data: Uint8Array, offset: number, length: number) => {
        // a short write first (as a filling disk gives), then the failure
        if (calls++ === 0) return fs.writeSync(fd, data, offset, Math.min(length, 4096))
        throw enospc()
      }) as CheckpointFs['writeSync'],
    })
    const e = caught(() => saveCheckpoint(path, second, failing))
    expect(e.problem).toBe('io')
    expect(e.file).toBe(path)
    expect(e.message).toBe(`${path}: could not save the checkpoint: ENOSPC: no space left on device, write`)
    expect(readFileSync(path)).toEqual(before)
    expect(loadCheckpoint(path).value).toEqual(first)
    expect(readdirSync(dir)).toEqual(['lab.clck'])
  })

  it('writes every byte even when the system writes a little at a time', () => {
    const path = join(dir, 'lab.clck')
    const dribble = faulty({
      writeSync: ((fd: number, data: Uint8Array, offset: number, length: number) =>
        fs.writeSync(fd, data, offset, Math.min(length, 1000))) as CheckpointFs['writeSync'],
    })
    saveCheckpoint(path, second, dribble)
    expect(loadCheckpoint(path).value).toEqual(second)
  })

  it('keeps the previous checkpoint when the flush or the rename fails', () => {
    const path = join(dir, 'lab.clck')
    saveCheckpoint(path, first)
    const before = readFileSync(path)
    for (const fault of [
      {
        fsyncSync: () => {
          throw Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' })
        },
      },
      {
        renameSync: () => {
          throw Object.assign(new Error('EXDEV: cross-device link not permitted'), { code: 'EXDEV' })
        },
      },
    ] as Partial<CheckpointFs>[]) {
      expect(caught(() => saveCheckpoint(path, second, faulty(fault))).problem).toBe('io')
      expect(readFileSync(path)).toEqual(before)
      expect(readdirSync(dir)).toEqual(['lab.clck'])
    }
  })

  it('keeps the previous checkpoint when the state cannot be encoded', () => {
    const path = join(dir, 'lab.clck')
    saveCheckpoint(path, first)
    const e = caught(() => saveCheckpoint(path, { ...first, bad: new Map() }))
    expect(e.problem).toBe('unencodable')
    expect(e.message).toMatch(new RegExp(`^${path.replace(/[.]/g, '\\.')}: cannot store bad`))
    expect(loadCheckpoint(path).value).toEqual(first)
    expect(readdirSync(dir)).toEqual(['lab.clck'])
  })

  it('reports a save into a folder that vanished, and keeps the checkpoints elsewhere', () => {
    const kept = join(dir, 'kept.clck')
    saveCheckpoint(kept, first)
    const gone = join(dir, 'gone')
    fs.mkdirSync(gone)
    rmSync(gone, { recursive: true })
    const e = caught(() => saveCheckpoint(join(gone, 'lab.clck'), second))
    expect(e.problem).toBe('io')
    expect(e.message).toMatch(/gone\/lab\.clck: could not save the checkpoint: ENOENT/)
    expect(loadCheckpoint(kept).value).toEqual(first)
  })

  it('keeps the previous checkpoint when the folder is read-only', () => {
    const path = join(dir, 'lab.clck')
    saveCheckpoint(path, first)
    const before = readFileSync(path)
    // A read-only folder as the kernel enforces it for a user (root bypasses it, so chmod cannot show it
    // in CI): no entry in it can be created, renamed or removed; its existing files keep their own modes.
    const denied = (syscall: string, p: string) =>
      Object.assign(new Error(`EACCES: permission denied, ${syscall} '${p}'`), {
        code: 'EACCES',
        errno: -13,
        syscall,
        path: p,
      })
    const inFolder = (p: string) => dirname(resolve(p)) === resolve(dir)
    const readOnly = faulty({
      openSync: ((p: string, flags: string, mode?: number) => {
        if (inFolder(p) && /[wa+]/.test(flags) && !fs.existsSync(p)) throw denied('open', p)
        return fs.openSync(p, flags, mode)
      }) as CheckpointFs['openSync'],
      renameSync: ((from: string, to: string) => {
        if (inFolder(from) || inFolder(to)) throw denied('rename', from)
        fs.renameSync(from, to)
      }) as CheckpointFs['renameSync'],
      rmSync: ((p: string, options?: fs.RmOptions) => {
        if (inFolder(p) && fs.existsSync(p)) throw denied('unlink', p)
        fs.rmSync(p, options)
      }) as CheckpointFs['rmSync'],
    })
    const e = caught(() => saveCheckpoint(path, second, readOnly))
    expect(e.problem).toBe('io')
    expect(e.file).toBe(path)
    expect(e.message).toMatch(
      new RegExp(
        `^${path.replace(/[.]/g, '\\.')}: could not save the checkpoint: EACCES: permission denied, open '.*\\.tmp'$`,
      ),
    )
    expect(readFileSync(path)).toEqual(before)
    expect(loadCheckpoint(path, readOnly).value).toEqual(first)
    expect(readdirSync(dir)).toEqual(['lab.clck'])
  })

  it('refuses a missing, truncated, damaged or foreign file, naming it', () => {
    const path = join(dir, 'lab.clck')
    expect(caught(() => loadCheckpoint(path)).message).toMatch(
      new RegExp(`^${path.replace(/[.]/g, '\\.')}: could not read the checkpoint: ENOENT`),
    )
    saveCheckpoint(path, second)
    const good = readFileSync(path)
    const tokensAt = listCheckpointSections(path).sections[1]!.offset
    writeFileSync(path, good.subarray(0, 1000))
    expect(caught(() => loadCheckpoint(path)).message).toBe(
      `${path}: truncated: expected 400000 bytes of section "tokens", found ${1000 - tokensAt} (section #2 of 2)`,
    )
    const flipped = Buffer.from(good)
    flipped[good.length - 1000]! ^= 0x10
    writeFileSync(path, flipped)
    expect(caught(() => loadCheckpoint(path)).message).toMatch(/: checksum of section "tokens" failed/)
    writeFileSync(path, '{"not": "a checkpoint"}')
    expect(caught(() => loadCheckpoint(path)).message).toMatch(/: not a Consolidation Lab checkpoint/)
  })
})
