// Checkpoint files on Node: saved atomically (./atomic-write.ts), so a failed save leaves the previous file as
// it was; loaded with full verification (engine/checkpoint/format.ts), every failure a CheckpointError naming
// the file.
import * as nodeFs from 'node:fs'
import { decodeState, encodeState } from '../../checkpoint/codec'
import { CheckpointError, decodeSections } from '../../checkpoint/format'
import { writeFileAtomic, type AtomicWriteFs } from './atomic-write'
import { describeEntry } from './files'
import { formatBytes } from '../../scenario/diagnostics'

/** The file-system calls a save or load makes; tests pass a faulty one to check that a failed save loses nothing. */
export type CheckpointFs = AtomicWriteFs & Pick<typeof nodeFs, 'readFileSync'>

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

function ioError(path: string, action: string, e: unknown): CheckpointError {
  const err = e as NodeJS.ErrnoException
  // Node's messages already start with the code ("ENOENT: no such file or directory, open '…'")
  const found =
    err.code && !err.message.startsWith(`${err.code}:`) ? `${err.code}: ${err.message}` : String(err.message ?? e)
  return new CheckpointError(
    'io',
    path,
    'file',
    `to ${action} the file`,
    found,
    `could not ${action} the checkpoint: ${found}`,
  )
}

/** Saves a state tree as a checkpoint file, atomically. The previous file stays intact if anything fails. */
export function saveCheckpoint(path: string, value: unknown, fs: CheckpointFs = nodeFs): SaveResult {
  const t0 = performance.now()
  const bytes = encodeState(value, path)
  const t1 = performance.now()
  try {
    writeFileAtomic(path, bytes, fs)
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

/**
 * Refuses what cannot be a checkpoint before reading it: a folder, a device or a pipe (/dev/zero would be
 * read for ever), a file larger than MAX_CHECKPOINT_BYTES.
 */
export function checkCheckpointFile(path: string, fs: Pick<typeof nodeFs, 'statSync'> = nodeFs): void {
  let stat: nodeFs.Stats
  try {
    stat = fs.statSync(path)
  } catch (e) {
    throw ioError(path, 'read', e)
  }
  if (!stat.isFile())
    throw new CheckpointError(
      'io',
      path,
      'file',
      'a checkpoint file',
      describeEntry(stat),
      `expected a checkpoint file, found ${describeEntry(stat)}`,
    )
  if (stat.size > MAX_CHECKPOINT_BYTES)
    throw new CheckpointError(
      'io',
      path,
      'file',
      `a checkpoint of at most ${formatBytes(MAX_CHECKPOINT_BYTES)}`,
      formatBytes(stat.size),
      `expected a checkpoint of at most ${formatBytes(MAX_CHECKPOINT_BYTES)}, found ${formatBytes(stat.size)}`,
    )
}

/** The largest checkpoint the lab reads (scale-10k's are well under). */
export const MAX_CHECKPOINT_BYTES = 2 * 1024 ** 3

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
