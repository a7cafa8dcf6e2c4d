// Writing a file so that readers see either the old content or the new one, never a torn file: a
// temporary file beside it (named per process, thread and call), every byte written and flushed, a
// rename over the target, then the folder flushed so the rename itself survives a crash. A failed save
// leaves the previous file as it was and no temporary file behind; a file replaced keeps its permissions.
// Only a process killed outright (SIGKILL, a crash) leaves a temporary file: removeStaleTempFiles clears
// those of dead processes.
import * as nodeFs from 'node:fs'
import { basename, dirname, join } from 'node:path'

/** The file-system calls a save makes; tests pass a faulty one to check that a failed save loses nothing. */
export type AtomicWriteFs = Pick<
  typeof nodeFs,
  'openSync' | 'writeSync' | 'fsyncSync' | 'closeSync' | 'renameSync' | 'rmSync' | 'statSync' | 'fchmodSync'
>

let saves = 0

/** This thread's id. node:worker_threads loads at the first save, not with this module: a CLI run that
 * starts no thread and saves nothing never loads it. */
function threadId(): number {
  return process.getBuiltinModule('node:worker_threads').threadId
}

/** `.<name>.<pid>.<thread>.<n>.tmp`: the temporary file of a save in progress. */
export const TEMP_FILE_NAME = /^\..+\.(\d+)\.\d+\.\d+\.tmp$/

export function writeFileAtomic(path: string, data: string | Uint8Array, fs: AtomicWriteFs = nodeFs): void {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${threadId()}.${++saves}.tmp`)
  const mode = fs.statSync(path, { throwIfNoEntry: false })?.mode
  let fd: number | undefined
  try {
    fd = fs.openSync(tmp, 'w')
    if (mode !== undefined) fs.fchmodSync(fd, mode & 0o7777)
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

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Removes the temporary files of saves whose process is gone (killed mid-write) from `dir`; returns their
 * names. Those of live processes — another run saving into the same folder — are left alone.
 */
export function removeStaleTempFiles(
  dir: string,
  fs: Pick<typeof nodeFs, 'readdirSync' | 'rmSync'> = nodeFs,
): string[] {
  const removed: string[] = []
  for (const name of fs.readdirSync(dir)) {
    const m = TEMP_FILE_NAME.exec(name)
    if (!m) continue
    const pid = Number(m[1])
    if (pid !== process.pid && alive(pid)) continue
    fs.rmSync(join(dir, name), { force: true })
    removed.push(name)
  }
  return removed
}
