// Text inside a PNG: iTXt chunks (UTF-8, uncompressed; PNG specification §11.3.4.5) inserted after the image
// header, so an exported chart says what it shows — scenario, policy, seed, simulated time — to any viewer
// that lists a PNG's text, and to tests. The canvas encoder writes none itself.

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]

let crcTable: Uint32Array | undefined

/** CRC-32 (ISO 3309, the polynomial PNG's chunks use). */
export function crc32(bytes: Uint8Array): number {
  const table = (crcTable ??= Uint32Array.from({ length: 256 }, (_, n) => {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    return c >>> 0
  }))
  let c = 0xffffffff
  for (const b of bytes) c = table[(c ^ b) & 0xff]! ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length)
  const view = new DataView(out.buffer)
  view.setUint32(0, data.length)
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i)
  out.set(data, 8)
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)))
  return out
}

/** An iTXt chunk's data: keyword, no compression, no language, the text in UTF-8. */
function itxt(keyword: string, text: string): Uint8Array {
  if (!/^[\x20-\x7e]{1,79}$/.test(keyword))
    throw new RangeError(`PNG text keyword: expected 1–79 ASCII characters, found "${keyword}"`)
  const key = new TextEncoder().encode(keyword)
  const value = new TextEncoder().encode(text)
  // keyword NUL, compression flag 0, method 0, language tag "" NUL, translated keyword "" NUL, text
  const data = new Uint8Array(key.length + 5 + value.length)
  data.set(key, 0)
  data.set(value, key.length + 5)
  return chunk('iTXt', data)
}

/** The PNG with an iTXt chunk per entry after its IHDR chunk. */
export function withPngText(png: Uint8Array, entries: Record<string, string>): Uint8Array {
  if (png.length < 33 || SIGNATURE.some((b, i) => png[i] !== b)) throw new Error('not a PNG file')
  const ihdrEnd = 8 + 12 + new DataView(png.buffer, png.byteOffset).getUint32(8)
  const chunks = Object.entries(entries).map(([k, v]) => itxt(k, v))
  const size = chunks.reduce((a, c) => a + c.length, 0)
  const out = new Uint8Array(png.length + size)
  out.set(png.subarray(0, ihdrEnd), 0)
  let at = ihdrEnd
  for (const c of chunks) {
    out.set(c, at)
    at += c.length
  }
  out.set(png.subarray(ihdrEnd), at)
  return out
}

/** The text of a PNG's iTXt chunks (uncompressed ones), by keyword. */
export function readPngText(png: Uint8Array): Record<string, string> {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength)
  const out: Record<string, string> = {}
  for (let at = 8; at + 12 <= png.length;) {
    const length = view.getUint32(at)
    const type = String.fromCharCode(...png.subarray(at + 4, at + 8))
    if (type === 'iTXt') {
      const data = png.subarray(at + 8, at + 8 + length)
      const nul = data.indexOf(0)
      const keyword = new TextDecoder().decode(data.subarray(0, nul))
      let p = nul + 3 // NUL, compression flag, method
      p = data.indexOf(0, p) + 1 // language tag
      p = data.indexOf(0, p) + 1 // translated keyword
      if (data[nul + 1] === 0) out[keyword] = new TextDecoder().decode(data.subarray(p))
    }
    at += 12 + length
  }
  return out
}
