// Writing a file so that readers see either the old content or the new one, never a torn file: a
// temporary file beside it (named per process, thread and call), every byte written and flushed, a
// rename over the target, then the folder flushed so the rename itself survives a crash. A failed save
// leaves the previous file as it was and no temporary file behind.
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { threadId } from 'node:worker_threads'

let counter = 0

export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data
  const dir = dirname(path)
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${threadId}.${counter++}.tmp`)
  let fd: number | undefined
  try {
    fd = openSync(tmp, 'w')
    // writeSync may write fewer bytes than asked (a filling disk): loop until all are written
    for (let at = 0; at < bytes.length;) at += writeSync(fd, bytes, at, bytes.length - at)
    fsyncSync(fd)
    closeSync(fd)
    fd = undefined
    renameSync(tmp, path)
  } catch (e) {
    if (fd !== undefined) closeSync(fd)
    rmSync(tmp, { force: true })
    throw e
  }
  syncFolder(dir)
}

function syncFolder(dir: string): void {
  let fd: number | undefined
  try {
    fd = openSync(dir, 'r')
    fsyncSync(fd)
  } catch {
    // some platforms cannot open or flush a folder; the rename has happened either way
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}
