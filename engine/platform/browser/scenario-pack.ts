// The built-in scenarios and their trace folders packed into one binary asset for the browser build.
// PlanetLab traces are lists of integer percentages, so each stores as one byte per line (1052 traces ×
// 288 lines ≈ 300 KB instead of 4 MB of text). Any file that does not round-trip exactly through that
// encoding (other formats, leading zeros, values > 255, CRLF) is stored as text, so `readText` always
// returns the file's original text and the unchanged engine parses exactly what it parses on Node.
//
// Layout: "CLPK" | u32 LE index length | index JSON (UTF-8) | byte area (folder by folder, file by file).
// Pure TypeScript: encoded at build time under Node (the Vite plugin), decoded in the browser worker.

const MAGIC = [0x43, 0x4c, 0x50, 0x4b] // "CLPK"
export const PACK_VERSION = 2

/** One file to pack, its path relative to the repository root with "/" separators. */
export interface PackFile {
  path: string
  text: string
}

interface PackFolder {
  dir: string
  /** file names in listing order */
  names: string[]
  /** per file: number of byte-packed lines, or −1 when the file is stored as text */
  lines: number[]
  /** per file: 1 when the text ends with "\n" */
  eol: number[]
}

interface PackIndex {
  version: number
  folders: PackFolder[]
  /** text-stored files, by path */
  texts: Record<string, string>
}

export interface ScenarioPack {
  /** every file, folder by folder in listing order */
  paths: string[]
  readText(path: string): string
}

/** The lines of a file that is a list of small canonical integers, or undefined if it is anything else. */
function asByteLines(text: string): { values: number[]; eol: boolean } | undefined {
  const eol = text.endsWith('\n')
  const body = eol ? text.slice(0, -1) : text
  if (body === '') return undefined
  const values: number[] = []
  for (const line of body.split('\n')) {
    if (!/^(0|[1-9]\d{0,2})$/.test(line)) return undefined
    const v = Number(line)
    if (v > 255) return undefined
    values.push(v)
  }
  return { values, eol }
}

function splitPath(path: string): [string, string] {
  const i = path.lastIndexOf('/')
  return i < 0 ? ['', path] : [path.slice(0, i), path.slice(i + 1)]
}

const joinPath = (dir: string, name: string) => (dir === '' ? name : `${dir}/${name}`)

export function encodeScenarioPack(files: PackFile[]): Uint8Array {
  const byFolder = new Map<string, PackFile[]>()
  for (const f of files) {
    const [dir] = splitPath(f.path)
    const list = byFolder.get(dir)
    if (list) list.push(f)
    else byFolder.set(dir, [f])
  }
  const index: PackIndex = { version: PACK_VERSION, folders: [], texts: {} }
  const chunks: number[][] = []
  for (const [dir, list] of byFolder) {
    const folder: PackFolder = { dir, names: [], lines: [], eol: [] }
    for (const f of list) {
      folder.names.push(splitPath(f.path)[1])
      const packed = asByteLines(f.text)
      folder.lines.push(packed ? packed.values.length : -1)
      folder.eol.push(packed?.eol ? 1 : 0)
      if (packed) chunks.push(packed.values)
      else index.texts[f.path] = f.text
    }
    index.folders.push(folder)
  }
  const bytes = chunks.reduce((n, c) => n + c.length, 0)
  const json = new TextEncoder().encode(JSON.stringify(index))
  const out = new Uint8Array(8 + json.length + bytes)
  out.set(MAGIC, 0)
  new DataView(out.buffer).setUint32(4, json.length, true)
  out.set(json, 8)
  let at = 8 + json.length
  for (const c of chunks) {
    out.set(c, at)
    at += c.length
  }
  return out
}

export function decodeScenarioPack(data: Uint8Array): ScenarioPack {
  if (data.length < 8 || MAGIC.some((b, i) => data[i] !== b)) throw new Error('scenario pack: not a CLPK file')
  const jsonLength = new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(4, true)
  const index = JSON.parse(new TextDecoder().decode(data.subarray(8, 8 + jsonLength))) as PackIndex
  if (index.version !== PACK_VERSION)
    throw new Error(`scenario pack: expected version ${PACK_VERSION}, found ${index.version}`)
  const where = new Map<string, { offset: number; lines: number; eol: boolean }>()
  const paths: string[] = []
  let offset = 8 + jsonLength
  for (const folder of index.folders) {
    folder.names.forEach((name, i) => {
      const path = joinPath(folder.dir, name)
      paths.push(path)
      const lines = folder.lines[i]!
      if (lines < 0) return
      where.set(path, { offset, lines, eol: folder.eol[i] === 1 })
      offset += lines
    })
  }
  if (offset !== data.length) throw new Error(`scenario pack: expected ${offset} bytes, found ${data.length}`)
  return {
    paths,
    readText(path) {
      const text = index.texts[path]
      if (text !== undefined) return text
      const at = where.get(path)
      if (!at) throw new Error(`ENOENT: no bundled file "${path}"`)
      const parts = new Array<string>(at.lines)
      for (let k = 0; k < at.lines; k++) parts[k] = String(data[at.offset + k])
      return parts.join('\n') + (at.eol ? '\n' : '')
    },
  }
}
