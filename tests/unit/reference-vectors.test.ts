// The standards the engine implements, checked against outside references: FNV-1a 64 (the state hash)
// against the published test vectors and a BigInt transcription of its definition; CRC-32 (checkpoint
// sections) against the check value of the CRC catalogue and against node:zlib's crc32 on random buffers.
import { crc32 as zlibCrc32 } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { StateHasher } from '../../engine/hash'
import { crc32, crc32Combine, crcHex } from '../../engine/checkpoint/crc32'

/** mulberry32: random test bytes from a generator independent of the engine's */
function randomBytes(seed: number, length: number): Uint8Array {
  let x = seed
  const out = new Uint8Array(length)
  for (let i = 0; i < length; i++) {
    let t = (x = (x + 0x6d2b79f5) | 0)
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    out[i] = (t ^ (t >>> 14)) >>> 24
  }
  return out
}

const ascii = (s: string) => new TextEncoder().encode(s)

describe('FNV-1a 64 (StateHasher)', () => {
  // Noll's FNV test suite (http://www.isthe.com/chongo/tech/comp/fnv/) and draft-eastlake-fnv
  it('gives the published test vectors', () => {
    expect(new StateHasher().hex()).toBe('cbf29ce484222325')
    expect(new StateHasher().bytes(ascii('a')).hex()).toBe('af63dc4c8601ec8c')
    expect(new StateHasher().bytes(ascii('foobar')).hex()).toBe('85944171f73967e8')
  })

  it('equals its definition (xor a byte, multiply by 2^40 + 2^8 + 0xb3 mod 2^64) on random buffers', () => {
    const reference = (bytes: Uint8Array) => {
      let h = 0xcbf29ce484222325n
      for (const b of bytes) h = ((h ^ BigInt(b)) * 0x100000001b3n) & 0xffffffffffffffffn
      return h.toString(16).padStart(16, '0')
    }
    for (let k = 0; k < 40; k++) {
      const data = randomBytes(k + 1, 1 + ((k * 977) % 3000))
      expect(new StateHasher().bytes(data).hex()).toBe(reference(data))
      // in pieces and from typed arrays at any offset: the bytes in memory order
      const cut = (k * 131) % data.length
      const pieces = new StateHasher().bytes(data.subarray(0, cut)).bytes(new DataView(data.buffer, cut))
      expect(pieces.hex()).toBe(reference(data))
    }
  })

  it('hashes numbers as their IEEE 754 bytes and text as UTF-16 code units, low byte first', () => {
    const f = new Float64Array([Math.PI])
    expect(new StateHasher().number(Math.PI).hex()).toBe(new StateHasher().bytes(f).hex())
    expect(new StateHasher().text('aé').hex()).toBe(new StateHasher().bytes(Uint8Array.of(0x61, 0, 0xe9, 0)).hex())
    // streaming: text in pieces is the text joined (workloadBinding hashes the VMs' names joined)
    expect(new StateHasher().text('vm-1').text('é').text('').text('micro').hex()).toBe(
      new StateHasher().text('vm-1émicro').hex(),
    )
  })
})

describe('CRC-32 (IEEE 802.3, as zlib)', () => {
  it('gives the check value of the CRC catalogue', () => {
    // CRC-32/ISO-HDLC: crc("123456789") = 0xCBF43926 (https://reveng.sourceforge.io/crc-catalogue/)
    expect(crcHex(crc32(ascii('123456789')))).toBe('0xcbf43926')
  })

  it('equals node:zlib crc32 on random buffers, lengths and alignments', () => {
    for (let k = 0; k < 200; k++) {
      const length = k < 20 ? k : Math.floor(((k * 7919) % 70_000) * (k % 3 ? 1 : 0.01))
      const offset = k % 11
      const whole = randomBytes(1000 + k, length + offset)
      const data = whole.subarray(offset)
      expect(crc32(data), `length ${length}, offset ${offset}`).toBe(zlibCrc32(data))
      // continued from a previous CRC, and over a range of the buffer
      const start = Math.floor(length / 3)
      const prior = zlibCrc32(data.subarray(0, start))
      expect(crc32(data, prior, start)).toBe(zlibCrc32(data.subarray(start), prior))
      const end = Math.max(start, length - (k % 5))
      expect(crc32(data, 0, start, end)).toBe(zlibCrc32(data.subarray(start, end)))
    }
  })

  it('combines two CRCs as zlib computes the CRC of the concatenation', () => {
    for (let k = 0; k < 50; k++) {
      const a = randomBytes(5000 + k, (k * 389) % 4000)
      const b = randomBytes(9000 + k, (k * 2999) % 20_000)
      const both = new Uint8Array(a.length + b.length)
      both.set(a)
      both.set(b, a.length)
      expect(crc32Combine(zlibCrc32(a), zlibCrc32(b), b.length)).toBe(zlibCrc32(both))
    }
  })
})
