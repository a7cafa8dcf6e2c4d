// The Node FileSource: bounded reads that take open, two reads and close for a small file, and grow for a
// larger one; the refusals name the path; `join` is path.join; PlanetLab traces read as bytes give what
// the text reader gives, value for value and diagnostic for diagnostic.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { nodeFiles, readBoundedBytes } from '../../engine/platform/node/files'
import type { FileSource } from '../../engine/platform/files'
import { loadPlanetLabFolder } from '../../engine/workload/planetlab'
import { LabInputError } from '../../engine/scenario/diagnostics'
import { ROOT } from '../helpers'

const DAY = join(ROOT, 'scenarios', 'traces', 'planetlab', '20110303')
let dir: string

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'conlab-files-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** The message of the LabInputError `f` throws. */
function refusal(f: () => unknown): string {
  try {
    f()
  } catch (e) {
    if (e instanceof LabInputError) return e.message
    throw e
  }
  throw new Error('expected a refusal')
}

/** Bytes 0..size-1 of a repeating pattern, so a misplaced chunk shows. */
function pattern(size: number): Buffer {
  const b = Buffer.alloc(size)
  for (let i = 0; i < size; i++) b[i] = 32 + ((i * 7) % 90)
  return b
}

describe('readBoundedBytes', () => {
  it('reads files of every size around the small-file buffer (64 KiB) byte for byte', () => {
    for (const size of [0, 1, 864, 65535, 65536, 65537, 200_000]) {
      const file = join(dir, `f${size}`)
      writeFileSync(file, pattern(size))
      const bytes = readBoundedBytes(file, 1024 ** 2)
      expect(bytes.length).toBe(size)
      expect(Buffer.compare(bytes, pattern(size))).toBe(0)
    }
  })

  it('returns bytes a later read does not overwrite', () => {
    writeFileSync(join(dir, 'a'), 'first')
    writeFileSync(join(dir, 'b'), 'second')
    const a = readBoundedBytes(join(dir, 'a'), 100)
    readBoundedBytes(join(dir, 'b'), 100)
    expect(a.toString()).toBe('first')
  })

  it('takes a file of exactly maxBytes and refuses one byte more with the file size', () => {
    for (const max of [10, 70_000]) {
      const file = join(dir, `max${max}`)
      writeFileSync(file, pattern(max))
      expect(readBoundedBytes(file, max).length).toBe(max)
      writeFileSync(file, pattern(max + 1))
      expect(refusal(() => readBoundedBytes(file, max, 'scenario file'))).toMatch(
        new RegExp(`^${file}: expected a scenario file of at most .+, found .+$`),
      )
    }
  })

  it('refuses a device that never ends after maxBytes + 1 bytes, a folder and a missing file', () => {
    expect(refusal(() => readBoundedBytes('/dev/zero', 100_000, 'trace file'))).toMatch(
      /^\/dev\/zero: expected a trace file of at most .+, found more \(a character device that goes on past the limit\)$/,
    )
    expect(refusal(() => readBoundedBytes(dir, 100))).toBe(`${dir}: expected a file, found a folder`)
    expect(refusal(() => readBoundedBytes(join(dir, 'missing'), 100))).toBe(`${join(dir, 'missing')}: no such file`)
  })
})

describe('nodeFiles', () => {
  it('joins as path.join, for plain names and for anything else', () => {
    for (const d of ['', '.', '..', '/', 'a', 'a/', 'a//b/', '/x/./y', 'a/..', dir])
      for (const name of ['n', 'n.txt', '...', '', '.', '..', 'b/c', '../up', 'x\\y'])
        expect(nodeFiles.join(d, name)).toBe(join(d, name))
  })

  it('decodes UTF-8 text and refuses binary data', () => {
    writeFileSync(join(dir, 'utf8.txt'), 'µs ≥ 1 …')
    expect(nodeFiles.readText(join(dir, 'utf8.txt'))).toBe('µs ≥ 1 …')
    writeFileSync(join(dir, 'latin1.txt'), Buffer.from([0x61, 0xe9, 0x62]))
    expect(refusal(() => nodeFiles.readText(join(dir, 'latin1.txt')))).toMatch(/bytes that are not UTF-8\)$/)
  })
})

describe('PlanetLab traces read as bytes', () => {
  // the same files through a FileSource without readBytes: the text reader
  const textOnly: FileSource = {
    readText: (p, o) => nodeFiles.readText(p, o),
    listDir: (p) => nodeFiles.listDir(p),
    resolve: (f, r) => nodeFiles.resolve(f, r),
    join: (d, n) => nodeFiles.join(d, n),
  }
  const where = { file: 'scenario.yaml', path: 'vms[0].workload.dir' }

  it('give the samples the text reader gives, bit for bit', () => {
    const bytes = loadPlanetLabFolder(nodeFiles, DAY, 'sorted', undefined, where)
    const text = loadPlanetLabFolder(textOnly, DAY, 'sorted', undefined, where)
    expect(bytes.names).toEqual(text.names)
    expect(bytes.samples.length).toBe(1052 * 289)
    expect(Buffer.compare(Buffer.from(bytes.samples.buffer), Buffer.from(text.samples.buffer))).toBe(0)
    // the first file's first line, by hand: 24 % → 0.24
    const first = readFileSync(join(DAY, bytes.names[0]!), 'utf8').split('\n')
    expect(bytes.samples[0]).toBe(Number(first[0]) / 100)
    expect(bytes.samples[288]).toBe(Number(first[287]) / 100)
  })

  it('fall back to the text reader for what is not 288 plain lines: CRLF, signs and bad lines', () => {
    const folder = join(dir, 'traces')
    mkdirSync(folder)
    const lines = readFileSync(join(DAY, readdirSync(DAY).sort()[0]!), 'utf8')
      .trimEnd()
      .split('\n')
    writeFileSync(join(folder, 'a-crlf'), `${lines.join('\r\n')}\r\n`)
    writeFileSync(join(folder, 'b-padded'), lines.map((l) => ` ${l} `).join('\n'))
    const pool = loadPlanetLabFolder(nodeFiles, folder, 'sorted', undefined, where)
    expect(pool.samples[0]).toBe(Number(lines[0]) / 100)
    expect(pool.samples[289 + 287]).toBe(Number(lines[287]) / 100)
    writeFileSync(join(folder, 'c-bad'), `${[...lines.slice(0, 10), '1x', ...lines.slice(11)].join('\n')}\n`)
    const message = refusal(() => loadPlanetLabFolder(nodeFiles, folder, 'sorted', undefined, where))
    expect(message).toBe(refusal(() => loadPlanetLabFolder(textOnly, folder, 'sorted', undefined, where)))
    expect(message).toBe(`${join(folder, 'c-bad')}:11: expected an integer percentage, found "1x"`)
    writeFileSync(join(folder, 'c-bad'), Buffer.from([0x31, 0x00, 0x0a]))
    expect(refusal(() => loadPlanetLabFolder(nodeFiles, folder, 'sorted', undefined, where))).toMatch(
      /c-bad: expected a file of text, found binary data \(a NUL byte at offset 1\)$/,
    )
  })
})
