// FileSource over the Node file system (CLI, tests, Electron main). Reads are bounded: a file is read
// at most up to its limit (so /dev/zero or a huge file is refused at once, not after filling memory),
// a folder where a file was expected and binary data are refused with a message naming the path.
import { closeSync, fstatSync, openSync, readSync, readdirSync, type Stats } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { DEFAULT_MAX_TEXT_BYTES, type FileSource } from '../files'
import { LabInputError, formatBytes } from '../../scenario/diagnostics'

/** What a file-system entry is, in words for a message. */
export function describeEntry(stat: Stats): string {
  if (stat.isDirectory()) return 'a folder'
  if (stat.isCharacterDevice()) return 'a character device'
  if (stat.isBlockDevice()) return 'a block device'
  if (stat.isFIFO()) return 'a pipe'
  if (stat.isSocket()) return 'a socket'
  return 'a file'
}

function refuse(path: string, message: string): LabInputError {
  return new LabInputError([{ file: path, message }])
}

function openError(path: string, e: unknown, what: string): LabInputError {
  const code = (e as NodeJS.ErrnoException).code
  if (code === 'ENOENT') return refuse(path, `no such ${what}`)
  if (code === 'EACCES' || code === 'EPERM') return refuse(path, `cannot read the ${what}: permission denied`)
  if (code === 'ENOTDIR') return refuse(path, `no such ${what} (a part of the path is not a folder)`)
  return refuse(path, `cannot read the ${what} (${code ?? (e as Error).message})`)
}

/** Files up to this size (every trace file, every scenario) are read with one read and one that finds the end. */
const SMALL_FILE_BYTES = 64 * 1024
let smallFileBuffer: Buffer | undefined

/** Reads into `data` from `length` until it is full or the file ends; returns the new length. */
function readInto(fd: number, data: Buffer, length: number, path: string, what: string): number {
  for (;;) {
    if (length === data.length) return length
    let n: number
    try {
      n = readSync(fd, data, length, data.length - length, null)
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EISDIR') throw refuse(path, `expected a ${what}, found a folder`)
      throw openError(path, e, what)
    }
    if (n === 0) return length
    length += n
  }
}

/**
 * The bytes of a file, refusing a folder and anything longer than `maxBytes` — without reading more than
 * `maxBytes + 1` bytes, so devices and pipes that never end are refused too. `what` names the file in
 * messages ("scenario file", "trace file"). A small file costs open, two reads and close: a folder is found
 * by its read failing, and a file's size is asked only when it fills the small-file buffer.
 */
export function readBoundedBytes(path: string, maxBytes: number, what = 'file'): Buffer {
  let fd: number
  try {
    fd = openSync(path, 'r')
  } catch (e) {
    throw openError(path, e, what)
  }
  try {
    const small = (smallFileBuffer ??= Buffer.allocUnsafe(SMALL_FILE_BYTES)).subarray(
      0,
      Math.min(SMALL_FILE_BYTES, maxBytes + 1),
    )
    let length = readInto(fd, small, 0, path, what)
    if (length < small.length) return Buffer.from(small.subarray(0, length))
    const stat = fstatSync(fd)
    if (stat.isFile() && stat.size > maxBytes)
      throw refuse(path, `expected a ${what} of at most ${formatBytes(maxBytes)}, found ${formatBytes(stat.size)}`)
    let data = small
    while (length === data.length && length <= maxBytes) {
      const grown = Buffer.allocUnsafe(
        Math.min(maxBytes + 1, Math.max(data.length * 2, stat.isFile() ? stat.size + 1 : 0)),
      )
      data.copy(grown, 0, 0, length)
      data = grown
      length = readInto(fd, data, length, path, what)
    }
    if (length > maxBytes)
      throw refuse(
        path,
        `expected a ${what} of at most ${formatBytes(maxBytes)}, found more (${describeEntry(stat)} that goes on past the limit)`,
      )
    return data.subarray(0, length)
  } finally {
    closeSync(fd)
  }
}

/** One decoder for every file: a decode without `stream` starts afresh. */
const utf8 = new TextDecoder('utf-8', { fatal: true })

/** UTF-8 text, or a refusal that says the file holds binary data (never the bytes themselves). */
export function decodeText(bytes: Uint8Array, path: string, what = 'file'): string {
  const nul = bytes.indexOf(0)
  if (nul >= 0) throw refuse(path, `expected a ${what} of text, found binary data (a NUL byte at offset ${nul})`)
  try {
    return utf8.decode(bytes)
  } catch {
    throw refuse(path, `expected a ${what} of text, found binary data (bytes that are not UTF-8)`)
  }
}

/**
 * path.join for a name without separators (a name listDir gave): the folder is normalized once and the
 * names appended, as path.join would; anything else goes to path.join.
 */
let joinedDir: string | undefined
let joinedPrefix = ''
function joinName(dir: string, name: string): string {
  if (name === '' || name === '.' || name === '..' || /[\\/]/.test(name)) return join(dir, name)
  if (dir !== joinedDir) {
    joinedPrefix = join(dir, '_').slice(0, -1)
    joinedDir = dir
  }
  return joinedPrefix + name
}

export const nodeFiles: FileSource = {
  readText: (path, { maxBytes = DEFAULT_MAX_TEXT_BYTES, what = 'file' } = {}) =>
    decodeText(readBoundedBytes(path, maxBytes, what), path, what),
  readBytes: (path, { maxBytes = DEFAULT_MAX_TEXT_BYTES, what = 'file' } = {}) =>
    readBoundedBytes(path, maxBytes, what),
  listDir: (path) => readdirSync(path),
  resolve: (fromFile, relative) => resolve(dirname(fromFile), relative),
  join: joinName,
  readChunks,
}

/** 1 MiB at a time; the file closes when the reader stops, early or at the end. */
function* readChunks(path: string): Generator<string> {
  let fd: number
  try {
    fd = openSync(path, 'r')
  } catch (e) {
    throw openError(path, e, 'trace file')
  }
  try {
    if (fstatSync(fd).isDirectory()) throw refuse(path, 'expected a trace file, found a folder')
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
