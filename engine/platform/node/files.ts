// FileSource over the Node file system (CLI, tests, Electron main).
import { closeSync, openSync, readFileSync, readSync, readdirSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import type { FileSource } from '../files'

export const nodeFiles: FileSource = {
  readText: (path) => readFileSync(path, 'utf8'),
  listDir: (path) => readdirSync(path),
  resolve: (fromFile, relative) => resolve(dirname(fromFile), relative),
  join: (dir, name) => join(dir, name),
  readChunks,
}

/** 1 MiB at a time; the file closes when the reader stops, early or at the end. */
function* readChunks(path: string): Generator<string> {
  const fd = openSync(path, 'r')
  try {
    const buffer = Buffer.allocUnsafe(1 << 20)
    const decoder = new TextDecoder('utf-8')
    for (;;) {
      const n = readSync(fd, buffer, 0, buffer.length, null)
      if (n === 0) break
      yield decoder.decode(buffer.subarray(0, n), { stream: true })
    }
    const rest = decoder.decode()
    if (rest) yield rest
  } finally {
    closeSync(fd)
  }
}
