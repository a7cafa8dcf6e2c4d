// The state codec: a tree of plain data (objects, arrays, strings, numbers, booleans, null, undefined and typed
// arrays) to checkpoint sections and back, identically. The tree's shape goes into one section, "state", in a
// small tagged binary encoding (doubles as their 8 bytes, so -0, ±Infinity and NaN survive); every typed array
// gets a section of its own, named by its path in the tree (`vms[3].memory.tokens`), holding its raw
// little-endian bytes, copied in bulk both ways. A damaged file then names the array that was hit.

import { CheckpointError, decodeSections, encodeSections, type Section } from './format'

/** Section kind of the tree's shape. */
export const KIND_TREE = 1
/** Section kind of a typed array: KIND_TYPED_ARRAY + the element type's code (see TYPED_ARRAYS). */
export const KIND_TYPED_ARRAY = 0x10

export type TypedArrayValue =
  | Float64Array
  | Float32Array
  | Int32Array
  | Uint32Array
  | Int16Array
  | Uint16Array
  | Int8Array
  | Uint8Array
  | Uint8ClampedArray
  | BigInt64Array
  | BigUint64Array

/** What the codec stores. Interfaces of plain data fit too: encodeState takes `unknown` and checks at run time. */
export type StateValue =
  | undefined
  | null
  | boolean
  | number
  | string
  | TypedArrayValue
  | readonly StateValue[]
  | { readonly [key: string]: StateValue }

interface TypedArrayType {
  name: string
  bytes: number
  make(buffer: ArrayBuffer, length: number): TypedArrayValue
}

/** Element type codes; the order is part of the format. */
const TYPED_ARRAYS: readonly TypedArrayType[] = [
  { name: 'Float64Array', bytes: 8, make: (b, n) => new Float64Array(b, 0, n) },
  { name: 'Float32Array', bytes: 4, make: (b, n) => new Float32Array(b, 0, n) },
  { name: 'Int32Array', bytes: 4, make: (b, n) => new Int32Array(b, 0, n) },
  { name: 'Uint32Array', bytes: 4, make: (b, n) => new Uint32Array(b, 0, n) },
  { name: 'Int16Array', bytes: 2, make: (b, n) => new Int16Array(b, 0, n) },
  { name: 'Uint16Array', bytes: 2, make: (b, n) => new Uint16Array(b, 0, n) },
  { name: 'Int8Array', bytes: 1, make: (b, n) => new Int8Array(b, 0, n) },
  { name: 'Uint8Array', bytes: 1, make: (b, n) => new Uint8Array(b, 0, n) },
  { name: 'Uint8ClampedArray', bytes: 1, make: (b, n) => new Uint8ClampedArray(b, 0, n) },
  { name: 'BigInt64Array', bytes: 8, make: (b, n) => new BigInt64Array(b, 0, n) },
  { name: 'BigUint64Array', bytes: 8, make: (b, n) => new BigUint64Array(b, 0, n) },
]

function typedArrayCode(value: ArrayBufferView): number {
  // A Node Buffer is a Uint8Array subclass: it is stored, and comes back, as a Uint8Array.
  if (value instanceof Float64Array) return 0
  if (value instanceof Float32Array) return 1
  if (value instanceof Int32Array) return 2
  if (value instanceof Uint32Array) return 3
  if (value instanceof Int16Array) return 4
  if (value instanceof Uint16Array) return 5
  if (value instanceof Int8Array) return 6
  if (value instanceof Uint8ClampedArray) return 8
  if (value instanceof Uint8Array) return 7
  if (value instanceof BigInt64Array) return 9
  if (value instanceof BigUint64Array) return 10
  return -1
}

const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1

/** Reverses the byte order of each element in place (only on big-endian machines). */
function swapBytes(bytes: Uint8Array, size: number): void {
  for (let i = 0; i < bytes.length; i += size) bytes.subarray(i, i + size).reverse()
}

const Tag = {
  Undefined: 0,
  Null: 1,
  False: 2,
  True: 3,
  /** int32 */
  Int: 4,
  /** float64 */
  Double: 5,
  /** u32 byte length + UTF-8 */
  String: 6,
  /** u32 length + UTF-16 code units (strings with lone surrogates, which UTF-8 cannot hold) */
  String16: 7,
  /** u32 length + items */
  Array: 8,
  /** u32 count + (key, value) pairs, keys as String/String16 */
  Object: 9,
  /** u8 element type + u32 section index */
  TypedArray: 10,
  /** u8 element type + u32 byte length + the bytes: a small typed array kept in the tree */
  InlineTypedArray: 11,
} as const

/**
 * Typed arrays up to this size live in the tree section itself: a section per small array (a cursor, a
 * short bitmap) would cost more in headers, names and checksums than the bytes it holds.
 */
const INLINE_BYTES = 1024

const MAX_DEPTH = 1000
const textEncoder = new TextEncoder()
const textDecoder = new TextDecoder('utf-8', { fatal: true })

/** A growable little-endian byte writer. */
class Writer {
  bytes = new Uint8Array(1024)
  view = new DataView(this.bytes.buffer)
  length = 0

  private reserve(n: number): void {
    if (this.length + n <= this.bytes.length) return
    let capacity = this.bytes.length * 2
    while (capacity < this.length + n) capacity *= 2
    const next = new Uint8Array(capacity)
    next.set(this.bytes.subarray(0, this.length))
    this.bytes = next
    this.view = new DataView(next.buffer)
  }

  u8(x: number): void {
    this.reserve(1)
    this.bytes[this.length++] = x
  }

  u32(x: number): void {
    this.reserve(4)
    this.view.setUint32(this.length, x, true)
    this.length += 4
  }

  i32(x: number): void {
    this.reserve(4)
    this.view.setInt32(this.length, x, true)
    this.length += 4
  }

  f64(x: number): void {
    this.reserve(8)
    this.view.setFloat64(this.length, x, true)
    this.length += 8
  }

  raw(bytes: Uint8Array): void {
    this.reserve(bytes.length)
    this.bytes.set(bytes, this.length)
    this.length += bytes.length
  }

  string(s: string): void {
    if (s.isWellFormed()) {
      // UTF-8 takes at most 3 bytes per UTF-16 code unit.
      this.reserve(5 + s.length * 3)
      this.bytes[this.length] = Tag.String
      const { written } = textEncoder.encodeInto(s, this.bytes.subarray(this.length + 5))
      this.view.setUint32(this.length + 1, written, true)
      this.length += 5 + written
    } else {
      this.u8(Tag.String16)
      this.u32(s.length)
      this.reserve(s.length * 2)
      for (let i = 0; i < s.length; i++) this.view.setUint16(this.length + 2 * i, s.charCodeAt(i), true)
      this.length += s.length * 2
    }
  }
}

/**
 * A path in the state tree (`vms[3].memory.tokens`), for section names and messages. Kept as a chain of
 * keys and spelled out only when a name or a message needs it: most values never do.
 */
interface Path {
  parent: Path | null
  key: string | number
}

function pathText(p: Path | null): string {
  if (!p) return ''
  const head = pathText(p.parent)
  const key = p.key
  if (typeof key === 'number') return `${head}[${key}]`
  if (/^[A-Za-z_$][\w$]*$/.test(key)) return head ? `${head}.${key}` : key
  return `${head}[${JSON.stringify(key)}]`
}

function sectionName(path: string): string {
  const name = path || '(root)'
  // Names are for people reading errors; keep them within the format's limit (UTF-8 ≤ 3 bytes per unit).
  return name.length <= 300 ? name : `${name.slice(0, 148)}…${name.slice(-148)}`
}

function describeValue(value: unknown): string {
  if (typeof value === 'function') return 'a function'
  if (typeof value === 'symbol') return 'a symbol'
  if (typeof value === 'bigint') return 'a bigint'
  if (typeof value === 'object' && value !== null) {
    const ctor = (Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null)?.constructor?.name
    return ctor ? `a ${ctor}` : 'an object'
  }
  return typeof value
}

/**
 * Turns a state tree into sections: "state" (the shape) first, then one per typed array. Typed arrays are not
 * copied here: their sections are views of the arrays' bytes (copied once, in bulk, into the file).
 */
export function stateToSections(value: unknown, file = 'checkpoint'): Section[] {
  const w = new Writer()
  const sections: Section[] = [{ name: 'state', kind: KIND_TREE, payload: new Uint8Array(0) }]
  const ancestors = new Set<object>()

  function refuse(at: Path | null, expected: string, found: string): never {
    const where = pathText(at) || '(root)'
    throw new CheckpointError(
      'unencodable',
      file,
      where,
      expected,
      found,
      `cannot store ${where}: expected ${expected}, found ${found}`,
    )
  }

  const put = (v: unknown, path: Path | null, depth: number): void => {
    if (depth > MAX_DEPTH) refuse(path, `at most ${MAX_DEPTH} levels of nesting`, 'more')
    switch (typeof v) {
      case 'undefined':
        w.u8(Tag.Undefined)
        return
      case 'boolean':
        w.u8(v ? Tag.True : Tag.False)
        return
      case 'number':
        if (Number.isInteger(v) && v >= -0x80000000 && v <= 0x7fffffff && !Object.is(v, -0)) {
          w.u8(Tag.Int)
          w.i32(v)
        } else {
          w.u8(Tag.Double)
          w.f64(v)
        }
        return
      case 'string':
        w.string(v)
        return
      case 'object':
        break
      default:
        refuse(path, 'plain data', describeValue(v))
    }
    if (v === null) {
      w.u8(Tag.Null)
      return
    }
    if (ArrayBuffer.isView(v)) {
      const code = typedArrayCode(v)
      if (code < 0) refuse(path, 'a typed array', describeValue(v))
      const type = TYPED_ARRAYS[code]!
      let bytes = new Uint8Array(v.buffer, v.byteOffset, v.byteLength)
      if (!LITTLE_ENDIAN && type.bytes > 1) {
        bytes = bytes.slice()
        swapBytes(bytes, type.bytes)
      }
      if (bytes.length <= INLINE_BYTES) {
        w.u8(Tag.InlineTypedArray)
        w.u8(code)
        w.u32(bytes.length)
        w.raw(bytes)
        return
      }
      w.u8(Tag.TypedArray)
      w.u8(code)
      w.u32(sections.length)
      sections.push({ name: sectionName(pathText(path)), kind: KIND_TYPED_ARRAY + code, payload: bytes })
      return
    }
    if (ancestors.has(v)) refuse(path, 'a tree', 'a cycle: this value contains itself')
    ancestors.add(v)
    if (Array.isArray(v)) {
      w.u8(Tag.Array)
      w.u32(v.length)
      for (let i = 0; i < v.length; i++) put(v[i], { parent: path, key: i }, depth + 1)
    } else {
      const proto = Object.getPrototypeOf(v) as unknown
      if (proto !== Object.prototype && proto !== null) {
        refuse(path, 'a plain object, array or typed array', `${describeValue(v)} (store its plain state instead)`)
      }
      const keys = Object.keys(v)
      w.u8(Tag.Object)
      w.u32(keys.length)
      for (const key of keys) {
        w.string(key)
        put((v as Record<string, unknown>)[key], { parent: path, key }, depth + 1)
      }
    }
    ancestors.delete(v)
  }

  put(value, null, 0)
  sections[0]!.payload = w.bytes.subarray(0, w.length)
  return sections
}

/** Rebuilds the state tree from sections written by stateToSections. Typed arrays are fresh copies. */
export function sectionsToState(sections: readonly Section[], file = 'checkpoint'): unknown {
  function malformed(what: string, expected: string, found: string): never {
    throw new CheckpointError(
      'malformed',
      file,
      what,
      expected,
      found,
      `${what} is malformed: expected ${expected}, found ${found}`,
    )
  }
  const tree = sections[0]
  if (!tree || tree.kind !== KIND_TREE || tree.name !== 'state') {
    malformed(
      'first section',
      `the state tree (section "state", kind ${KIND_TREE})`,
      tree ? `section ${JSON.stringify(tree.name)} of kind ${tree.kind}` : 'no sections',
    )
  }
  const bytes = tree.payload
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  let at = 0
  const used = new Uint8Array(sections.length)

  const need = (n: number): void => {
    if (at + n > bytes.length) malformed('section "state"', `${n} more bytes at byte ${at}`, 'the end of the section')
  }
  const u32 = (): number => {
    need(4)
    const x = view.getUint32(at, true)
    at += 4
    return x
  }
  const str = (tag: number): string => {
    const n = u32()
    if (tag === Tag.String) {
      need(n)
      let s = ''
      try {
        s = textDecoder.decode(bytes.subarray(at, at + n))
      } catch {
        malformed('section "state"', `UTF-8 text at byte ${at}`, 'invalid UTF-8')
      }
      at += n
      return s
    }
    need(n * 2)
    const units = new Array<string>(n)
    for (let i = 0; i < n; i++) units[i] = String.fromCharCode(view.getUint16(at + 2 * i, true))
    at += n * 2
    return units.join('')
  }

  const get = (depth: number): unknown => {
    if (depth > MAX_DEPTH) malformed('section "state"', `at most ${MAX_DEPTH} levels of nesting`, 'more')
    need(1)
    const tag = bytes[at++]!
    switch (tag) {
      case Tag.Undefined:
        return undefined
      case Tag.Null:
        return null
      case Tag.False:
        return false
      case Tag.True:
        return true
      case Tag.Int: {
        need(4)
        const x = view.getInt32(at, true)
        at += 4
        return x
      }
      case Tag.Double: {
        need(8)
        const x = view.getFloat64(at, true)
        at += 8
        return x
      }
      case Tag.String:
      case Tag.String16:
        return str(tag)
      case Tag.Array: {
        const n = u32()
        if (n > bytes.length - at) malformed('section "state"', `an array of at most ${bytes.length - at}`, `${n}`)
        const out = new Array<unknown>(n)
        for (let i = 0; i < n; i++) out[i] = get(depth + 1)
        return out
      }
      case Tag.Object: {
        const n = u32()
        const out: Record<string, unknown> = {}
        for (let i = 0; i < n; i++) {
          need(1)
          const keyTag = bytes[at++]!
          if (keyTag !== Tag.String && keyTag !== Tag.String16) {
            malformed('section "state"', `a key at byte ${at - 1}`, `tag ${keyTag}`)
          }
          const key = str(keyTag)
          const value = get(depth + 1)
          if (key === '__proto__')
            Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true })
          else out[key] = value
        }
        return out
      }
      case Tag.InlineTypedArray: {
        need(1)
        const code = bytes[at++]!
        const n = u32()
        const type = TYPED_ARRAYS[code]
        if (!type) return malformed('section "state"', 'a typed array type', `type code ${code}`)
        if (n % type.bytes !== 0 || n > INLINE_BYTES)
          malformed('section "state"', `an inline ${type.name} of at most ${INLINE_BYTES} bytes`, `${n} bytes`)
        need(n)
        const buffer = new ArrayBuffer(n)
        const copy = new Uint8Array(buffer)
        copy.set(bytes.subarray(at, at + n))
        at += n
        if (!LITTLE_ENDIAN && type.bytes > 1) swapBytes(copy, type.bytes)
        return type.make(buffer, n / type.bytes)
      }
      case Tag.TypedArray: {
        need(1)
        const code = bytes[at++]!
        const index = u32()
        const type = TYPED_ARRAYS[code]
        const section = sections[index]
        if (!type) return malformed('section "state"', 'a typed array type', `type code ${code}`)
        if (!section || index === 0 || used[index]) {
          return malformed('section "state"', `a reference to an unused section`, `section index ${index}`)
        }
        used[index] = 1
        const sectionLabel = `section ${JSON.stringify(section.name)}`
        if (section.kind !== KIND_TYPED_ARRAY + code) {
          malformed(sectionLabel, `kind ${KIND_TYPED_ARRAY + code} (${type.name})`, `kind ${section.kind}`)
        }
        const payload = section.payload
        if (payload.byteLength % type.bytes !== 0) {
          malformed(sectionLabel, `a multiple of ${type.bytes} bytes (${type.name})`, `${payload.byteLength} bytes`)
        }
        // One bulk copy into a fresh, aligned buffer that the result owns.
        const buffer = new ArrayBuffer(payload.byteLength)
        const copy = new Uint8Array(buffer)
        copy.set(payload)
        if (!LITTLE_ENDIAN && type.bytes > 1) swapBytes(copy, type.bytes)
        return type.make(buffer, payload.byteLength / type.bytes)
      }
      default:
        return malformed('section "state"', `a value tag at byte ${at - 1}`, `tag ${tag}`)
    }
  }

  const value = get(0)
  if (at !== bytes.length) malformed('section "state"', `${bytes.length} bytes of tree`, `${at} bytes used`)
  for (let i = 1; i < sections.length; i++) {
    if (!used[i]) malformed(`section ${JSON.stringify(sections[i]!.name)}`, 'a part of the state', 'an orphan section')
  }
  return value
}

/** A state tree as a complete checkpoint file image (header, sections, checksums). */
export function encodeState(value: unknown, file = 'checkpoint'): Uint8Array {
  return encodeSections(stateToSections(value, file))
}

/** Reads a checkpoint file image back into its state tree, verifying everything first. */
export function decodeState(bytes: Uint8Array, file = 'checkpoint'): unknown {
  return sectionsToState(decodeSections(bytes, file).sections, file)
}
