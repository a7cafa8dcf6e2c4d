// Writing a file so that readers see either the old content or the new one, never a torn file: a
// temporary file beside it (named per process, thread and call), every byte written and flushed, a
// rename over the target, then the folder flushed so the rename itself survives a crash. A failed save
// leaves the previous file as it was and no temporary file behind.
import * as nodeFs from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { threadId } from 'node:worker_threads'

/** The file-system calls a save makes; tests pass a faulty one to check that a failed save loses nothing. */
export type AtomicWriteFs = Pick<
  typeof nodeFs,
  'openSync' | 'writeSync' | 'fsyncSync' | 'closeSync' | 'renameSync' | 'rmSync'
>

let saves = 0

export function writeFileAtomic(path: string, data: string | Uint8Array, fs: AtomicWriteFs = nodeFs): void {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${threadId}.${++saves}.tmp`)
  let fd: number | undefined
  try {
    fd = fs.openSync(tmp, 'w')
    // writeSync may write fewer bytes than asked (a filling disk): loop until all are written
    for (let at = 0; at < bytes.length;) {
      const n = fs.writeSync(fd, bytes, at, bytes.length - at)
      if (n <= 0) throw new Error(`write returned ${n} with ${bytes.length - at} bytes left`)
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
  // The rename is durable once the folder is flushed; a failure here does not undo the save.
  try {
    const dir = fs.openSync(dirname(path), 'r')
    try {
      fs.fsyncSync(dir)
    } finally {
      fs.closeSync(dir)
    }
  } catch {
    // some platforms cannot open or flush a folder
  }
}
