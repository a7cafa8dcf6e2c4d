// The checkpoint file format: a header, named sections each with its own checksums, an end marker with a
// whole-file checksum. Isomorphic (Uint8Array in, Uint8Array out); docs/checkpoints.md draws the layout.
//
//   header (32 B)       magic "\x89CONLAB CKPT\r\n\x1a\n" (16) · u32 version · u32 flags (0) · u32 section count
//                       · u32 CRC-32 of the 28 bytes before it
//   section (24 B + body, repeated)
//                       u32 kind · u32 name length · u64 payload length (lo, hi) · u32 CRC-32 of the body
//                       · u32 CRC-32 of the 20 header bytes before it
//                       body: name (UTF-8) zero-padded to 8 · payload zero-padded to 8
//   end marker (32 B)   "CKPT-END" · u32 section count · u32 0 · u64 file length · u32 0
//                       · u32 CRC-32 of every byte of the file before it
//
// All integers are little-endian; every payload starts 8-byte aligned in the file. The first 32 bytes keep
// this meaning in every future version, so any version can tell a newer file from a damaged one.

import { crc32, crc32Combine, crcHex } from './crc32'

/** The newest format version this lab reads and the one it writes. */
export const FORMAT_VERSION = 1
export const MAGIC = Uint8Array.of(0x89, ...Array.from('CONLAB CKPT', (c) => c.charCodeAt(0)), 0x0d, 0x0a, 0x1a, 0x0a)
export const END_MAGIC = Uint8Array.from('CKPT-END', (c) => c.charCodeAt(0))
export const HEADER_BYTES = 32
export const SECTION_HEADER_BYTES = 24
export const END_BYTES = 32
export const MAX_NAME_BYTES = 1024

/** What went wrong with a checkpoint. */
export type CheckpointProblem =
  /** not a checkpoint file at all */
  | 'foreign'
  /** written by a newer lab */
  | 'version'
  /** the file ends early */
  | 'truncated'
  /** a checksum does not match: bits changed on disk or in transit */
  | 'checksum'
  /** checksums pass but the content makes no sense (written by a broken or foreign writer) */
  | 'malformed'
  /** a value that cannot be stored (a function, a class instance, a cycle, …) */
  | 'unencodable'
  /** the file could not be read or written */
  | 'io'

/** A checkpoint refused: which file, which part of it, what was expected and what was found. */
export class CheckpointError extends Error {
  constructor(
    readonly problem: CheckpointProblem,
    /** the file (a path, or a description such as `snapshot "base" of VM 3`) */
    readonly file: string,
    /** the part of the file: `header`, `section "vms[3].tokens"`, `end marker`, a path in the state, … */
    readonly what: string,
    readonly expected: string,
    readonly found: string,
    detail: string,
  ) {
    super(`${file}: ${detail}`)
    this.name = 'CheckpointError'
  }
}

export interface Section {
  name: string
  /** what the payload holds (see codec.ts for the kinds it writes) */
  kind: number
  payload: Uint8Array
}

export interface DecodedSection extends Section {
  /** byte offset of the payload in the file */
  offset: number
}

export interface DecodedFile {
  version: number
  /** payloads are views into the decoded bytes, not copies */
  sections: DecodedSection[]
  bytes: number
}

/** Rounds up to a multiple of 8 (arithmetic, not bit operations: lengths may pass 2^31). */
const pad8 = (n: number): number => Math.ceil(n / 8) * 8
const textEncoder = new TextEncoder()
const textDecoder = new TextDecoder('utf-8', { fatal: false })

function putU64(view: DataView, at: number, value: number): void {
  view.setUint32(at, value >>> 0, true)
  view.setUint32(at + 4, Math.floor(value / 2 ** 32), true)
}

function getU64(view: DataView, at: number): number {
  return view.getUint32(at, true) + view.getUint32(at + 4, true) * 2 ** 32
}

/** Writes sections into one checkpoint file image. */
export function encodeSections(sections: readonly Section[]): Uint8Array {
  const names = sections.map((s) => {
    const name = textEncoder.encode(s.name)
    if (name.length > MAX_NAME_BYTES) throw new RangeError(`section name longer than ${MAX_NAME_BYTES} bytes`)
    if (!Number.isInteger(s.kind) || s.kind < 0 || s.kind > 0xffffffff) throw new RangeError(`bad kind ${s.kind}`)
    return name
  })
  let size = HEADER_BYTES + END_BYTES
  for (let i = 0; i < sections.length; i++) {
    size += SECTION_HEADER_BYTES + pad8(names[i]!.length) + pad8(sections[i]!.payload.byteLength)
  }
  if (size > Number.MAX_SAFE_INTEGER) throw new RangeError('checkpoint too large')
  const out = new Uint8Array(size)
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength)

  out.set(MAGIC, 0)
  view.setUint32(16, FORMAT_VERSION, true)
  view.setUint32(20, 0, true)
  view.setUint32(24, sections.length, true)
  view.setUint32(28, crc32(out, 0, 0, 28), true)
  let fileCrc = crc32(out, 0, 0, HEADER_BYTES)

  let at = HEADER_BYTES
  for (let i = 0; i < sections.length; i++) {
    const s = sections[i]!
    const name = names[i]!
    const body = at + SECTION_HEADER_BYTES
    const payloadAt = body + pad8(name.length)
    const bodyEnd = payloadAt + pad8(s.payload.byteLength)
    out.set(name, body)
    out.set(s.payload, payloadAt)
    const bodyCrc = crc32(out, 0, body, bodyEnd)
    view.setUint32(at, s.kind, true)
    view.setUint32(at + 4, name.length, true)
    putU64(view, at + 8, s.payload.byteLength)
    view.setUint32(at + 16, bodyCrc, true)
    view.setUint32(at + 20, crc32(out, 0, at, at + 20), true)
    fileCrc = crc32(out, fileCrc, at, body)
    fileCrc = crc32Combine(fileCrc, bodyCrc, bodyEnd - body)
    at = bodyEnd
  }

  out.set(END_MAGIC, at)
  view.setUint32(at + 8, sections.length, true)
  putU64(view, at + 16, size)
  fileCrc = crc32(out, fileCrc, at, at + 28)
  view.setUint32(at + 28, fileCrc, true)
  return out
}

/** How the first bytes of a foreign file look: `"PK\x03\x04…" (hex 50 4b 03 04 …)`. */
function describeStart(bytes: Uint8Array): string {
  if (bytes.length === 0) return 'an empty file'
  const head = bytes.subarray(0, 8)
  const text = Array.from(head, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('')
  const hex = Array.from(head, (b) => b.toString(16).padStart(2, '0')).join(' ')
  return `${bytes.length} bytes starting "${text}" (${hex}${bytes.length > 8 ? ' …' : ''})`
}

const quote = (name: string): string => JSON.stringify(name)

/**
 * Reads a checkpoint file image, verifying everything (magic, version, every checksum, every length). Throws
 * a CheckpointError that names `file`, the part and what was expected and found. Payloads are views into `bytes`.
 */
export function decodeSections(bytes: Uint8Array, file = 'checkpoint'): DecodedFile {
  function fail(problem: CheckpointProblem, what: string, expected: string, found: string, detail: string): never {
    throw new CheckpointError(problem, file, what, expected, found, detail)
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const size = bytes.length

  // Header: the magic decides whether this is a checkpoint at all.
  const magicSeen = Math.min(size, MAGIC.length)
  let magicOk = true
  for (let i = 0; i < magicSeen; i++) if (bytes[i] !== MAGIC[i]) magicOk = false
  if (!magicOk || size === 0) {
    fail(
      'foreign',
      'header',
      'a Consolidation Lab checkpoint',
      describeStart(bytes),
      `not a Consolidation Lab checkpoint: expected a file starting "\\x89CONLAB CKPT", found ${describeStart(bytes)}`,
    )
  }
  if (size < HEADER_BYTES) {
    fail(
      'truncated',
      'header',
      `${HEADER_BYTES} bytes`,
      `${size} bytes`,
      `truncated: expected ${HEADER_BYTES} bytes of the file header, found ${size}`,
    )
  }
  const headerCrc = view.getUint32(28, true)
  const headerActual = crc32(bytes, 0, 0, 28)
  if (headerCrc !== headerActual) {
    fail(
      'checksum',
      'header',
      crcHex(headerCrc),
      crcHex(headerActual),
      `the file header is damaged: its checksum failed (expected CRC-32 ${crcHex(headerCrc)}, found ${crcHex(headerActual)})`,
    )
  }
  const version = view.getUint32(16, true)
  if (version > FORMAT_VERSION) {
    fail(
      'version',
      'header',
      `format version ≤ ${FORMAT_VERSION}`,
      `format version ${version}`,
      `written by format version ${version}, this lab reads up to ${FORMAT_VERSION}: open it with a newer Consolidation Lab`,
    )
  }
  if (version === 0) {
    fail('malformed', 'header', 'format version ≥ 1', 'format version 0', 'format version 0 does not exist')
  }
  const flags = view.getUint32(20, true)
  if (flags !== 0) {
    fail(
      'malformed',
      'header',
      'flags 0',
      `flags 0x${flags.toString(16)}`,
      `header flags 0x${flags.toString(16)} are not defined in format version ${version}`,
    )
  }
  const count = view.getUint32(24, true)
  let fileCrc = crc32(bytes, 0, 0, HEADER_BYTES)

  const sections: DecodedSection[] = []
  let at = HEADER_BYTES
  for (let i = 0; i < count; i++) {
    const label = `section #${i + 1} of ${count}`
    if (size - at < SECTION_HEADER_BYTES) {
      fail(
        'truncated',
        `header of ${label}`,
        `${SECTION_HEADER_BYTES} bytes`,
        `${size - at} bytes`,
        `truncated: expected ${SECTION_HEADER_BYTES} bytes of the header of ${label} at byte ${at}, found ${size - at}`,
      )
    }
    const storedHeaderCrc = view.getUint32(at + 20, true)
    const actualHeaderCrc = crc32(bytes, 0, at, at + 20)
    if (storedHeaderCrc !== actualHeaderCrc) {
      fail(
        'checksum',
        `header of ${label}`,
        crcHex(storedHeaderCrc),
        crcHex(actualHeaderCrc),
        `the header of ${label} (at byte ${at}) is damaged: its checksum failed (expected CRC-32 ${crcHex(storedHeaderCrc)}, found ${crcHex(actualHeaderCrc)})`,
      )
    }
    const kind = view.getUint32(at, true)
    const nameLength = view.getUint32(at + 4, true)
    const payloadLength = getU64(view, at + 8)
    const bodyCrc = view.getUint32(at + 16, true)
    if (nameLength > MAX_NAME_BYTES) {
      fail(
        'malformed',
        `header of ${label}`,
        `a name of at most ${MAX_NAME_BYTES} bytes`,
        `${nameLength} bytes`,
        `${label} declares a name of ${nameLength} bytes, at most ${MAX_NAME_BYTES} are allowed`,
      )
    }
    const body = at + SECTION_HEADER_BYTES
    const payloadAt = body + pad8(nameLength)
    const bodyEnd = payloadAt + pad8(payloadLength)
    const nameAvailable = Math.max(0, Math.min(nameLength, size - body))
    const name = textDecoder.decode(bytes.subarray(body, body + nameAvailable))
    const shown = nameAvailable === nameLength ? `section ${quote(name)}` : label
    if (bodyEnd > size) {
      const found = Math.max(0, Math.min(payloadLength, size - payloadAt))
      fail(
        'truncated',
        shown,
        `${payloadLength} bytes`,
        `${found} bytes`,
        `truncated: expected ${payloadLength} bytes of ${shown}, found ${found}` +
          (nameAvailable === nameLength ? ` (${label})` : ''),
      )
    }
    const actualBodyCrc = crc32(bytes, 0, body, bodyEnd)
    if (actualBodyCrc !== bodyCrc) {
      fail(
        'checksum',
        shown,
        crcHex(bodyCrc),
        crcHex(actualBodyCrc),
        `checksum of ${shown} failed (${label}, ${payloadLength} bytes at byte ${payloadAt}): expected CRC-32 ${crcHex(bodyCrc)}, found ${crcHex(actualBodyCrc)}`,
      )
    }
    fileCrc = crc32(bytes, fileCrc, at, body)
    fileCrc = crc32Combine(fileCrc, actualBodyCrc, bodyEnd - body)
    sections.push({ name, kind, payload: bytes.subarray(payloadAt, payloadAt + payloadLength), offset: payloadAt })
    at = bodyEnd
  }

  if (size - at < END_BYTES) {
    fail(
      'truncated',
      'end marker',
      `${END_BYTES} bytes`,
      `${size - at} bytes`,
      `truncated: expected ${END_BYTES} bytes of the end marker at byte ${at}, found ${size - at}`,
    )
  }
  const endSeen = textDecoder.decode(bytes.subarray(at, at + 8))
  let endOk = true
  for (let i = 0; i < END_MAGIC.length; i++) if (bytes[at + i] !== END_MAGIC[i]) endOk = false
  const endCount = view.getUint32(at + 8, true)
  const declaredSize = getU64(view, at + 16)
  if (!endOk || endCount !== count || declaredSize !== at + END_BYTES) {
    const [expected, found] = !endOk
      ? ['"CKPT-END"', quote(endSeen)]
      : endCount !== count
        ? [`${count} sections`, `${endCount} sections`]
        : [`${at + END_BYTES} bytes`, `${declaredSize} bytes`]
    fail(
      'malformed',
      'end marker',
      expected,
      found,
      `the end marker at byte ${at} is damaged: expected ${expected}, found ${found}`,
    )
  }
  if (size > at + END_BYTES) {
    fail(
      'malformed',
      'file',
      `${at + END_BYTES} bytes`,
      `${size} bytes`,
      `expected ${at + END_BYTES} bytes, found ${size}: ${size - at - END_BYTES} bytes of extra data after the end marker`,
    )
  }
  fileCrc = crc32(bytes, fileCrc, at, at + 28)
  const storedFileCrc = view.getUint32(at + 28, true)
  if (storedFileCrc !== fileCrc) {
    fail(
      'checksum',
      'file',
      crcHex(storedFileCrc),
      crcHex(fileCrc),
      `whole-file checksum failed (expected CRC-32 ${crcHex(storedFileCrc)}, found ${crcHex(fileCrc)}): bytes outside the sections' payloads changed`,
    )
  }
  return { version, sections, bytes: size }
}
