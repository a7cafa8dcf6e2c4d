// Checkpoint files on Node: saved atomically (temporary file beside the target, every byte written, flushed,
// renamed over the target, directory flushed), so a failed save leaves the previous file as it was; loaded with
// full verification (engine/checkpoint/format.ts), every failure a CheckpointError naming the file.
//
// Why not writeFileAtomic from ./atomic-write.ts: it calls writeSync once and ignores the count it returns. A
// short write (a full disk can return one before it fails) would be flushed and renamed over the previous
// checkpoint, a truncated file replacing a good one; and its temporary name (pid + milliseconds) is shared by
// worker threads saving in the same millisecond. This file does the same steps with those two fixed; once
// atomic-write.ts has them, this can call it again.
import * as nodeFs from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { threadId } from 'node:worker_threads'
import { decodeState, encodeState } from '../../checkpoint/codec'
import { CheckpointError, decodeSections } from '../../checkpoint/format'

/** The file-system calls a save makes; tests pass a faulty one to check that a failed save loses nothing. */
export type CheckpointFs = Pick<
  typeof nodeFs,
  'openSync' | 'writeSync' | 'fsyncSync' | 'closeSync' | 'renameSync' | 'rmSync' | 'readFileSync'
>

export interface SaveResult {
  path: string
  /** size of the file written */
  bytes: number
  /** milliseconds spent encoding and writing */
  encodeMs: number
  writeMs: number
}

export interface LoadResult {
  value: unknown
  /** size of the file read */
  bytes: number
  readMs: number
  decodeMs: number
}

export interface SectionListing {
  name: string
  kind: number
  /** byte offset of the payload in the file */
  offset: number
  /** payload bytes */
  size: number
}

let saves = 0

function ioError(path: string, action: string, e: unknown): CheckpointError {
  const err = e as NodeJS.ErrnoException
  const found = err.code ? `${err.code}: ${err.message}` : String(e)
  return new CheckpointError(
    'io',
    path,
    'file',
    `to ${action} the file`,
    found,
    `could not ${action} the checkpoint: ${found}`,
  )
}

/** Writes bytes to `path` so that readers see the old file or the new one, never a torn one. */
export function writeBytesAtomic(path: string, data: Uint8Array, fs: CheckpointFs = nodeFs): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${threadId}.${++saves}.tmp`)
  let fd: number | undefined
  try {
    fd = fs.openSync(tmp, 'w')
    for (let at = 0; at < data.length;) {
      const n = fs.writeSync(fd, data, at, data.length - at)
      if (n <= 0) throw new Error(`write returned ${n} with ${data.length - at} bytes left`)
      at += n
    }
    fs.fsyncSync(fd)
    fs.closeSync(fd)
    fd = undefined
    fs.renameSync(tmp, path)
  } catch (e) {
    if (fd !== undefined) {
      try {
        fs.closeSync(fd)
      } catch {
        // already failing: the first error is the one to report
      }
    }
    fs.rmSync(tmp, { force: true })
    throw e
  }
  // The rename is durable once the directory is flushed; a failure here does not undo the save.
  try {
    const dir = fs.openSync(dirname(path), 'r')
    try {
      fs.fsyncSync(dir)
    } finally {
      fs.closeSync(dir)
    }
  } catch {
    // some platforms cannot fsync a directory
  }
}

/** Saves a state tree as a checkpoint file, atomically. The previous file stays intact if anything fails. */
export function saveCheckpoint(path: string, value: unknown, fs: CheckpointFs = nodeFs): SaveResult {
  const t0 = performance.now()
  const bytes = encodeState(value, path)
  const t1 = performance.now()
  try {
    writeBytesAtomic(path, bytes, fs)
  } catch (e) {
    throw ioError(path, 'save', e)
  }
  return { path, bytes: bytes.length, encodeMs: t1 - t0, writeMs: performance.now() - t1 }
}

function readBytes(path: string, fs: CheckpointFs): Uint8Array {
  try {
    return fs.readFileSync(path)
  } catch (e) {
    throw ioError(path, 'read', e)
  }
}

/** Loads a checkpoint file, verifying magic, version, lengths and every checksum before decoding. */
export function loadCheckpoint(path: string, fs: CheckpointFs = nodeFs): LoadResult {
  const t0 = performance.now()
  const bytes = readBytes(path, fs)
  const t1 = performance.now()
  const value = decodeState(bytes, path)
  return { value, bytes: bytes.length, readMs: t1 - t0, decodeMs: performance.now() - t1 }
}

/** The sections of a checkpoint file (verified), for listings: name, kind, payload size. */
export function listCheckpointSections(
  path: string,
  fs: CheckpointFs = nodeFs,
): { version: number; bytes: number; sections: SectionListing[] } {
  const file = decodeSections(readBytes(path, fs), path)
  return {
    version: file.version,
    bytes: file.bytes,
    sections: file.sections.map(({ name, kind, offset, payload }) => ({ name, kind, offset, size: payload.length })),
  }
}
