// Whole-lab checkpoint files for the desktop app: the lab hands over a checkpoint as the bytes of its file
// (LabApi.checkpoint, the format of engine/checkpoint); they are verified before the write (every section's
// checksum: nothing damaged reaches the disk) and written atomically (./atomic-write.ts, the writer of
// ./checkpoint-files.ts), so a failed save leaves the previous file as it was. Loading reads the bytes; the
// lab verifies and decodes them (LabApi.restoreCheckpoint), naming the file in anything it refuses.
import * as nodeFs from 'node:fs'
import { extname } from 'node:path'
import { CheckpointError, decodeSections } from '../../checkpoint/format'
import { writeFileAtomic, type AtomicWriteFs } from './atomic-write'
import { checkCheckpointFile } from './checkpoint-files'

export const CHECKPOINT_EXTENSION = 'ckpt'
export const CHECKPOINT_FILE_FILTERS = [
  { name: 'Lab checkpoints', extensions: [CHECKPOINT_EXTENSION] },
  { name: 'All files', extensions: ['*'] },
]
export { MAX_CHECKPOINT_BYTES } from './checkpoint-files'

/** Ensures the path ends in .ckpt (a save dialog may return a bare name). */
export function withCheckpointExtension(path: string): string {
  return extname(path).toLowerCase() === `.${CHECKPOINT_EXTENSION}` ? path : `${path}.${CHECKPOINT_EXTENSION}`
}

/** Verifies the bytes are a whole checkpoint file, then writes them atomically; returns the path written. */
export function saveCheckpointBytes(path: string, bytes: Uint8Array, fs: AtomicWriteFs = nodeFs): string {
  const target = withCheckpointExtension(path)
  decodeSections(bytes, target)
  try {
    writeFileAtomic(target, bytes, fs)
  } catch (e) {
    const err = e as NodeJS.ErrnoException
    const found = err.code ? `${err.code}: ${err.message}` : String(e)
    throw new CheckpointError(
      'io',
      target,
      'file',
      'to save the file',
      found,
      `could not save the checkpoint: ${found}`,
    )
  }
  return target
}

/**
 * Reads a checkpoint file's bytes (the lab verifies them when it restores); a folder, a device or a file
 * over MAX_CHECKPOINT_BYTES is refused before reading.
 */
export function readCheckpointBytes(path: string): Uint8Array {
  checkCheckpointFile(path)
  const b = nodeFs.readFileSync(path)
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength)
}
