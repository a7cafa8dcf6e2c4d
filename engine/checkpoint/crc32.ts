// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320: the CRC of zlib, PNG and gzip), slicing-by-8, plus
// zlib's crc32_combine so the whole-file checksum is derived from the section checksums without a second
// pass over the payloads. Isomorphic: plain typed arrays only.

const POLY = 0xedb88320

/** 8 tables of 256 entries: TABLE[k * 256 + b] is the CRC of byte b followed by k zero bytes. */
const TABLE = new Int32Array(8 * 256)
for (let b = 0; b < 256; b++) {
  let c = b
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1
  TABLE[b] = c
}
for (let b = 0; b < 256; b++) {
  let c = TABLE[b]!
  for (let k = 1; k < 8; k++) {
    c = TABLE[c & 0xff]! ^ (c >>> 8)
    TABLE[k * 256 + b] = c
  }
}

const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1

/**
 * Continues a CRC-32 over `bytes[start, end)`. Start with `crc = 0` (the CRC of nothing); the result of one call
 * is the `crc` of the next, so `crc32(ab) === crc32(b, crc32(a))`.
 */
export function crc32(bytes: Uint8Array, crc = 0, start = 0, end = bytes.length): number {
  const t = TABLE
  let c = ~crc
  let i = start
  // Bytes until the position is 4-aligned in the buffer, then 8 bytes per step read as two 32-bit words.
  while (i < end && (bytes.byteOffset + i) & 3) c = t[(c ^ bytes[i++]!) & 0xff]! ^ (c >>> 8)
  const words = (end - i) >>> 3
  if (words > 0 && LITTLE_ENDIAN) {
    const w = new Int32Array(bytes.buffer, bytes.byteOffset + i, words * 2)
    for (let j = 0; j < w.length; j += 2) {
      const a = c ^ w[j]!
      const b = w[j + 1]!
      c =
        t[0x700 + (a & 0xff)]! ^
        t[0x600 + ((a >>> 8) & 0xff)]! ^
        t[0x500 + ((a >>> 16) & 0xff)]! ^
        t[0x400 + (a >>> 24)]! ^
        t[0x300 + (b & 0xff)]! ^
        t[0x200 + ((b >>> 8) & 0xff)]! ^
        t[0x100 + ((b >>> 16) & 0xff)]! ^
        t[b >>> 24]!
    }
    i += words * 8
  }
  while (i < end) c = t[(c ^ bytes[i++]!) & 0xff]! ^ (c >>> 8)
  return ~c >>> 0
}

// crc32_combine (zlib 1.2.12+): multiplication of polynomials modulo the CRC polynomial.
function multModP(a: number, b: number): number {
  let m = 0x80000000
  let p = 0
  for (;;) {
    if (a & m) {
      p ^= b
      if ((a & (m - 1)) === 0) break
    }
    m >>>= 1
    b = b & 1 ? (b >>> 1) ^ POLY : b >>> 1
  }
  return p >>> 0
}

/** X2N[k] = x^(2^k) mod p(x) */
const X2N = new Uint32Array(32)
{
  let p = 0x40000000 // x^1
  X2N[0] = p
  for (let k = 1; k < 32; k++) X2N[k] = p = multModP(p, p)
}

/** x^(n · 2^k) mod p(x) */
function x2nModP(n: number, k: number): number {
  let p = 0x80000000 // x^0
  while (n > 0) {
    if (n % 2 === 1) p = multModP(X2N[k & 31]!, p)
    n = Math.floor(n / 2)
    k++
  }
  return p
}

/** x^(8·length) mod p(x) for recent lengths: a checkpoint has many sections of the same size. */
const shiftCache = new Map<number, number>()

/** The CRC-32 of A‖B from crc32(A), crc32(B) and B's length (up to 2^53 bytes). */
export function crc32Combine(crcA: number, crcB: number, lengthB: number): number {
  if (lengthB === 0) return crcA >>> 0
  let shift = shiftCache.get(lengthB)
  if (shift === undefined) {
    if (shiftCache.size >= 1024) shiftCache.clear()
    shift = x2nModP(lengthB, 3)
    shiftCache.set(lengthB, shift)
  }
  return (multModP(shift, crcA >>> 0) ^ crcB) >>> 0
}

export function crcHex(crc: number): string {
  return `0x${(crc >>> 0).toString(16).padStart(8, '0')}`
}
