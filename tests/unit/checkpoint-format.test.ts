// The checkpoint file format and state codec: bit-exact round trips, and every kind of damaged or foreign
// file refused with a message that says which part failed and why.
import { describe, expect, it } from 'vitest'
import { KIND_TREE, decodeState, encodeState, stateToSections } from '../../engine/checkpoint/codec'
import { crc32, crc32Combine } from '../../engine/checkpoint/crc32'
import {
  CheckpointError,
  FORMAT_VERSION,
  HEADER_BYTES,
  SECTION_HEADER_BYTES,
  decodeSections,
  encodeSections,
} from '../../engine/checkpoint/format'
import { MemoryImage } from '../../engine/memory/image'

/** Deep equality that tells -0 from 0, compares NaN to NaN, and compares typed arrays byte for byte. */
function expectBitExact(actual: unknown, expected: unknown, path = 'value'): void {
  if (ArrayBuffer.isView(expected)) {
    expect(ArrayBuffer.isView(actual), path).toBe(true)
    const a = actual as ArrayBufferView
    expect(a.constructor.name, path).toBe(expected.constructor === Buffer ? 'Uint8Array' : expected.constructor.name)
    expect(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), path).toEqual(
      new Uint8Array(expected.buffer, expected.byteOffset, expected.byteLength),
    )
    return
  }
  if (Array.isArray(expected)) {
    expect(Array.isArray(actual), path).toBe(true)
    const a = actual as unknown[]
    expect(a.length, path).toBe(expected.length)
    expected.forEach((x, i) => expectBitExact(a[i], x, `${path}[${i}]`))
    return
  }
  if (typeof expected === 'object' && expected !== null) {
    expect(typeof actual === 'object' && actual !== null, path).toBe(true)
    const a = actual as Record<string, unknown>
    expect(Object.keys(a), path).toEqual(Object.keys(expected))
    for (const [k, v] of Object.entries(expected)) expectBitExact(a[k], v, `${path}.${k}`)
    return
  }
  expect(Object.is(actual, expected), `${path}: ${String(actual)} is ${String(expected)}`).toBe(true)
}

function roundTrip(value: unknown): unknown {
  return decodeState(encodeState(value))
}

/** The error a decode throws (fails the test if it does not throw one). */
function refusal(bytes: Uint8Array, file = 'lab.clck'): CheckpointError {
  try {
    decodeState(bytes, file)
  } catch (e) {
    expect(e).toBeInstanceOf(CheckpointError)
    return e as CheckpointError
  }
  throw new Error('the damaged file was accepted')
}

/** A small file with a shape section and three typed-array sections (arrays above the inline size). */
function sampleFile(): Uint8Array {
  return encodeState({
    name: 'lab',
    time: 3600.5,
    vms: [
      {
        tokens: Float64Array.from({ length: 200 }, (_, i) => i + 0.5),
        dirty: Uint32Array.from({ length: 300 }, (_, i) => (i * 2654435761) >>> 0),
        cursor: Int32Array.of(1, 2, 3),
      },
    ],
    bytes: Uint8Array.from({ length: 1500 }, (_, i) => i & 0xff),
  })
}

function sectionStarts(bytes: Uint8Array): { header: number; payload: number; name: string; length: number }[] {
  return decodeSections(bytes).sections.map((s) => ({
    header: s.offset - SECTION_HEADER_BYTES - ((new TextEncoder().encode(s.name).length + 7) & ~7),
    payload: s.offset,
    name: s.name,
    length: s.payload.length,
  }))
}

function flip(bytes: Uint8Array, at: number, bit = 0): Uint8Array {
  const copy = bytes.slice()
  copy[at]! ^= 1 << bit
  return copy
}

describe('CRC-32', () => {
  it('is the IEEE CRC-32 (zlib, PNG) and combines like zlib', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926)
    expect(crc32(new Uint8Array(0))).toBe(0)
    const data = Uint8Array.from({ length: 10_007 }, (_, i) => (i * 2654435761) >>> 13)
    for (const cut of [0, 1, 3, 8, 4999, 10_006, 10_007]) {
      const a = crc32(data.subarray(0, cut))
      const b = crc32(data.subarray(cut))
      expect(crc32Combine(a, b, data.length - cut)).toBe(crc32(data))
      expect(crc32(data, a, cut)).toBe(crc32(data))
    }
    // unaligned views take the byte path and agree
    expect(crc32(data.subarray(3, 5000))).toBe(crc32(data.slice(3, 5000)))
  })
})

describe('state codec', () => {
  it('round-trips every kind of value bit-exactly', () => {
    const nanPayload = new Float64Array(1)
    new DataView(nanPayload.buffer).setBigUint64(0, 0x7ff8_dead_beef_0001n, true)
    const value = {
      nothing: null,
      missing: undefined,
      yes: true,
      no: false,
      numbers: [0, -0, 1, -1, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, 2 ** 53, -(2 ** 53 + 2), 0.1, 1e-310, 5e-324],
      specials: [NaN, Infinity, -Infinity, Number.MAX_VALUE, Number.MIN_VALUE, -Number.MAX_VALUE],
      strings: ['', 'plain', 'ünïcödé ✓ 🖥️', 'lone \ud800 surrogate', '\u0000nul', 'x'.repeat(10_000)],
      empty: { array: [], object: {}, f64: new Float64Array(0), u8: new Uint8Array(0) },
      typed: {
        f64: Float64Array.of(0, -0, NaN, Infinity, -Infinity, 1.5, 2 ** 53 + 2),
        f32: Float32Array.of(0, -0, NaN, 1.25, -Infinity),
        i32: Int32Array.of(-(2 ** 31), -1, 0, 2 ** 31 - 1),
        u32: Uint32Array.of(0, 1, 0xffffffff),
        i16: Int16Array.of(-32768, 0, 32767),
        u16: Uint16Array.of(0, 65535),
        i8: Int8Array.of(-128, 0, 127),
        u8: Uint8Array.of(0, 255),
        clamped: Uint8ClampedArray.of(0, 128, 255),
        big: BigInt64Array.of(-(2n ** 63n), 0n, 2n ** 63n - 1n),
        ubig: BigUint64Array.of(0n, 2n ** 64n - 1n),
        nanPayload,
      },
      nested: [[[[{ deep: [1, [2, [3, { f: Float64Array.of(4) }]]] }]]]],
      'key with spaces': 1,
      __proto__key: { ['__proto__']: 5 },
      '': 'empty key',
    }
    Object.defineProperty(value.__proto__key, '__proto__', { value: 5, enumerable: true })
    const back = roundTrip(value) as typeof value
    expectBitExact(back, value)
    // A NaN inside a typed array keeps its payload (raw bytes); a plain number NaN is just NaN.
    expect(new DataView((back.typed.nanPayload as Float64Array).buffer).getBigUint64(0, true)).toBe(
      0x7ff8_dead_beef_0001n,
    )
    expect(Object.getPrototypeOf(back.__proto__key)).toBe(Object.prototype)
    expect(Object.keys(back)).toContain('missing')
  })

  it('round-trips top-level scalars and arrays', () => {
    for (const v of [null, undefined, 0, -0, NaN, 'x', true, [], [undefined, null], Float64Array.of(-0)]) {
      expectBitExact(roundTrip(v), v)
    }
  })

  it('stores typed arrays as their own bytes: views of a larger buffer, Node Buffers, fresh aligned copies back', () => {
    const big = Float64Array.from({ length: 100 }, (_, i) => i)
    const view = big.subarray(10, 13)
    const buf = Buffer.from([9, 8, 7])
    const back = roundTrip({ view, buf, odd: new Uint8Array(new ArrayBuffer(11), 3, 5) }) as Record<string, Uint8Array>
    expect(Array.from(back.view as unknown as Float64Array)).toEqual([10, 11, 12])
    expect(back.view!.buffer.byteLength).toBe(24)
    expect(back.buf).toBeInstanceOf(Uint8Array)
    expect(Buffer.isBuffer(back.buf)).toBe(false)
    expect(Array.from(back.buf!)).toEqual([9, 8, 7])
    expect(back.odd!.length).toBe(5)
  })

  it('gives each typed array a section named by its path, and the shape a section of its own', () => {
    const sections = stateToSections({
      vms: [{ memory: { tokens: new Float64Array(400) } }],
      'a b': new Int8Array(1500),
      small: Int32Array.of(1, 2, 3),
    })
    expect(sections.map((s) => s.name)).toEqual(['state', 'vms[0].memory.tokens', '["a b"]'])
    expect(sections[0]!.kind).toBe(KIND_TREE)
    expect(sections[1]!.payload.byteLength).toBe(3200)
  })

  it('keeps typed arrays of at most 1 KiB inside the shape section, exactly', () => {
    const small = {
      cursor: Int32Array.of(-1, 2, 3),
      bits: Uint32Array.of(0xffffffff),
      f: Float64Array.of(-0, NaN, 1.5),
    }
    const sections = stateToSections(small)
    expect(sections.map((s) => s.name)).toEqual(['state'])
    const back = roundTrip(small) as typeof small
    expect(back.cursor).toEqual(small.cursor)
    expect(back.bits).toEqual(small.bits)
    expect(Object.is(back.f[0], -0)).toBe(true)
    expect(Number.isNaN(back.f[1])).toBe(true)
    expect(stateToSections({ edge: new Uint8Array(1024) })).toHaveLength(1)
    expect(stateToSections({ edge: new Uint8Array(1025) })).toHaveLength(2)
  })

  it('keeps a memory image state exact', () => {
    const m = new MemoryImage(7, 300 * 4096, 4096)
    m.startLogging()
    for (let i = 0; i < 300; i += 7) m.write(i)
    const back = MemoryImage.fromState(roundTrip(m.state()) as ReturnType<MemoryImage['state']>)
    expectBitExact(back.state(), m.state())
  })

  it('refuses what is not plain data, naming where it is', () => {
    const cases: [unknown, RegExp][] = [
      [{ a: { f: () => 1 } }, /cannot store a\.f: expected plain data, found a function/],
      [{ img: new MemoryImage(0, 4096, 4096) }, /cannot store img: .*found a MemoryImage/],
      [{ when: new Date(0) }, /cannot store when: .*a Date/],
      [{ m: new Map() }, /a Map/],
      [[1, Symbol('s')], /cannot store \[1\]: expected plain data, found a symbol/],
      [{ n: 1n }, /found a bigint/],
      [{ v: new DataView(new ArrayBuffer(4)) }, /cannot store v: expected a typed array, found a DataView/],
    ]
    for (const [value, message] of cases) {
      expect(() => encodeState(value, 'lab.clck')).toThrow(message)
    }
    const cyclic: Record<string, unknown> = { a: [] }
    ;(cyclic.a as unknown[]).push(cyclic)
    const e = (() => {
      try {
        encodeState(cyclic, 'lab.clck')
      } catch (err) {
        return err as CheckpointError
      }
    })()
    expect(e).toBeInstanceOf(CheckpointError)
    expect(e!.problem).toBe('unencodable')
    expect(e!.what).toBe('a[0]')
    expect(e!.message).toMatch(/^lab\.clck: cannot store a\[0\]: expected a tree, found a cycle/)
  })

  it('stores a value reachable twice (not a cycle) twice', () => {
    const shared = Float64Array.of(1, 2)
    const back = roundTrip({ a: shared, b: shared, c: [shared] }) as { a: Float64Array; b: Float64Array }
    expect(back.a).toEqual(shared)
    expect(back.a).not.toBe(back.b)
  })
})

describe('file format', () => {
  it('lays out header, 8-aligned sections and an end marker', () => {
    const bytes = sampleFile()
    expect(Array.from(bytes.subarray(0, 12), (b) => String.fromCharCode(b)).join('')).toBe('\x89CONLAB CKPT')
    const view = new DataView(bytes.buffer, bytes.byteOffset)
    expect(view.getUint32(16, true)).toBe(FORMAT_VERSION)
    expect(view.getUint32(24, true)).toBe(4)
    expect(bytes.length % 8).toBe(0)
    const file = decodeSections(bytes)
    expect(file.sections.map((s) => s.name)).toEqual(['state', 'vms[0].tokens', 'vms[0].dirty', 'bytes'])
    for (const s of file.sections) expect(s.offset % 8).toBe(0)
    expect(new TextDecoder().decode(bytes.subarray(bytes.length - 32, bytes.length - 24))).toBe('CKPT-END')
    expect(new DataView(bytes.buffer).getUint32(bytes.length - 4, true)).toBe(crc32(bytes.subarray(0, -4)))
  })

  it('encodes nothing at all into a valid file', () => {
    expect(decodeSections(encodeSections([])).sections).toEqual([])
  })

  it('refuses a truncated file at every length, naming the part that is cut', () => {
    const bytes = sampleFile()
    const [, tokens] = sectionStarts(bytes)
    for (let n = 1; n < bytes.length; n++) {
      const e = refusal(bytes.subarray(0, n))
      expect(e.problem, `cut at ${n}`).toBe('truncated')
      expect(e.message).toMatch(/^lab\.clck: truncated: expected \d+ bytes of .*, found \d+/)
    }
    expect(refusal(bytes.subarray(0, 20)).message).toBe(
      'lab.clck: truncated: expected 32 bytes of the file header, found 20',
    )
    // cut inside the payload of the tokens section
    const cut = refusal(bytes.subarray(0, tokens!.payload + 12))
    expect(cut.message).toBe(
      'lab.clck: truncated: expected 1600 bytes of section "vms[0].tokens", found 12 (section #2 of 4)',
    )
    expect([cut.what, cut.expected, cut.found]).toEqual(['section "vms[0].tokens"', '1600 bytes', '12 bytes'])
    // cut right at a section boundary: the next section's header is missing
    expect(refusal(bytes.subarray(0, tokens!.header)).message).toMatch(
      /truncated: expected 24 bytes of the header of section #2 of 4 at byte \d+, found 0/,
    )
    // cut before the end marker
    expect(refusal(bytes.subarray(0, bytes.length - 32)).message).toMatch(
      /truncated: expected 32 bytes of the end marker at byte \d+, found 0/,
    )
  })

  it('refuses a bit flipped in any section, naming the section whose checksum failed', () => {
    const bytes = sampleFile()
    for (const s of sectionStarts(bytes)) {
      const e = refusal(flip(bytes, s.payload + Math.floor(s.length / 2), 5))
      expect(e.problem).toBe('checksum')
      expect(e.what).toBe(`section "${s.name}"`)
      expect(e.message).toMatch(
        new RegExp(`^lab\\.clck: checksum of section "${s.name.replace(/[[\].]/g, '\\$&')}" failed`),
      )
      // and in its header
      const h = refusal(flip(bytes, s.header + 9, 2))
      expect(h.problem).toBe('checksum')
      expect(h.message).toMatch(/the header of section #\d of 4 \(at byte \d+\) is damaged: its checksum failed/)
    }
  })

  it('refuses a bit flipped in the file header, the padding or the end marker', () => {
    const bytes = sampleFile()
    const version = refusal(flip(bytes, 16, 1))
    expect(version.problem).toBe('checksum')
    expect(version.what).toBe('header')
    expect(version.message).toMatch(/^lab\.clck: the file header is damaged: its checksum failed \(expected CRC-32 0x/)
    expect(refusal(flip(bytes, 24)).what).toBe('header')
    expect(refusal(flip(bytes, 3)).problem).toBe('foreign') // in the magic
    // the zero padding after the 3-byte "bytes" payload is part of the section's checksummed body
    const last = sectionStarts(bytes).at(-1)!
    expect(refusal(flip(bytes, last.payload + 5)).message).toMatch(/checksum of section "bytes" failed/)
    // the end marker's own count and the whole-file checksum
    expect(refusal(flip(bytes, bytes.length - 24)).message).toMatch(
      /the end marker at byte \d+ is damaged: expected 4 sections, found 5 sections/,
    )
    expect(refusal(flip(bytes, bytes.length - 1, 7)).message).toMatch(/whole-file checksum failed/)
    expect(refusal(flip(bytes, bytes.length - 8)).message).toMatch(/whole-file checksum failed/) // reserved field
  })

  it('refuses every single-bit flip anywhere in the file', () => {
    const bytes = sampleFile()
    for (let at = 0; at < bytes.length; at++) {
      for (let bit = 0; bit < 8; bit++) {
        expect(() => decodeState(flip(bytes, at, bit)), `byte ${at} bit ${bit}`).toThrow(CheckpointError)
      }
    }
  })

  it('refuses a foreign file', () => {
    for (const foreign of [
      new TextEncoder().encode('{"scenario": "planetlab"}'),
      Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0),
      new Uint8Array(0),
    ]) {
      const e = refusal(foreign)
      expect(e.problem).toBe('foreign')
      expect(e.message).toMatch(/^lab\.clck: not a Consolidation Lab checkpoint: expected a file starting/)
    }
    expect(refusal(new TextEncoder().encode('{"scenario": 1}')).found).toBe(
      '15 bytes starting "{"scenar" (7b 22 73 63 65 6e 61 72 …)',
    )
  })

  it('refuses a file written by a newer format version', () => {
    const bytes = sampleFile()
    const view = new DataView(bytes.buffer, bytes.byteOffset)
    view.setUint32(16, 3, true)
    view.setUint32(28, crc32(bytes, 0, 0, 28), true)
    const e = refusal(bytes)
    expect(e.problem).toBe('version')
    expect(e.message).toBe(
      'lab.clck: written by format version 3, this lab reads up to 1: open it with a newer Consolidation Lab',
    )
    expect([e.file, e.what, e.expected, e.found]).toEqual([
      'lab.clck',
      'header',
      'format version ≤ 1',
      'format version 3',
    ])
  })

  it('refuses extra data after the end marker', () => {
    const bytes = sampleFile()
    const longer = new Uint8Array(bytes.length + 3)
    longer.set(bytes)
    expect(refusal(longer).message).toMatch(/expected \d+ bytes, found \d+: 3 bytes of extra data after the end marker/)
  })

  it('refuses sections that pass their checksums but do not fit the codec', () => {
    const bytes = encodeSections([{ name: 'other', kind: 99, payload: new Uint8Array(3) }])
    expect(refusal(bytes).message).toMatch(/first section is malformed: expected the state tree/)
    const orphan = encodeSections([
      ...stateToSections({ a: 1 }),
      { name: 'extra', kind: 0x10, payload: new Uint8Array(8) },
    ])
    expect(refusal(orphan).message).toMatch(
      /section "extra" is malformed: expected a part of the state, found an orphan/,
    )
  })

  it('keeps section headers small: a file of one empty tree', () => {
    expect(encodeState(null).length).toBe(HEADER_BYTES + SECTION_HEADER_BYTES + 8 + 8 + 32)
  })
})
