// Input errors in the style of a compiler: where (file, JSON path or file:line), what was expected, what was found.

export interface Diagnostic {
  file: string
  /** JSON path inside the file, e.g. `hostTypes.g4.power[3]`; empty for the whole document. */
  path?: string
  line?: number
  column?: number
  message: string
}

/** Problems a message lists before it only counts the rest (a binary file or a broken trace folder has thousands). */
export const MAX_LISTED_DIAGNOSTICS = 20
/** Characters of one problem's line: a found value is quoted, never dumped. */
const MAX_DIAGNOSTIC_CHARS = 400

/** Bad input: the lab refuses it with every problem it found, and keeps running. */
export class LabInputError extends Error {
  readonly diagnostics: Diagnostic[]
  constructor(diagnostics: Diagnostic[]) {
    const listed = diagnostics.slice(0, MAX_LISTED_DIAGNOSTICS).map(formatDiagnostic)
    const more = diagnostics.length - listed.length
    super([...listed, ...(more > 0 ? [`… and ${more} more problem${more > 1 ? 's' : ''}`] : [])].join('\n'))
    this.name = 'LabInputError'
    this.diagnostics = diagnostics
  }
}

/** One line of plain text: control characters escaped (as JSON writes them), long lines cut. */
export function printable(text: string, max = MAX_DIAGNOSTIC_CHARS): string {
  // eslint-disable-next-line no-control-regex
  const escaped = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) =>
    c === '\t' ? ' ' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  )
  return escaped.length > max ? `${escaped.slice(0, max - 1)}…` : escaped
}

export function formatDiagnostic(d: Diagnostic): string {
  const where = d.line !== undefined ? `${d.file}:${d.line}${d.column !== undefined ? `:${d.column}` : ''}` : d.file
  return printable(`${where}: ${d.path ? `${d.path}: ` : ''}${d.message}`)
}

export function jsonPath(path: readonly PropertyKey[]): string {
  let out = ''
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`
    else if (typeof key === 'string' && /^[A-Za-z_$][\w$-]*$/.test(key)) out += out ? `.${key}` : key
    else out += `[${JSON.stringify(String(key))}]`
  }
  return out
}

/** How a value found in the input is shown in a message: `"2" (a string)`, `nothing`, `a list of 3`. */
export function describeFound(value: unknown): string {
  if (value === undefined) return 'nothing'
  if (value === null) return 'null'
  if (Array.isArray(value)) return `a list of ${value.length}`
  if (typeof value === 'string') return `"${value.length > 40 ? `${value.slice(0, 37)}...` : value}" (a string)`
  if (typeof value === 'object') return 'an object'
  return `${typeof value === 'number' || typeof value === 'boolean' ? String(value) : typeof value} (a ${typeof value})`
}

/** A size in binary units for messages: 4 MiB, 1.5 GiB. */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return unit === 0 ? `${bytes} bytes` : `${Number.isInteger(value) ? value : value.toFixed(1)} ${units[unit]}`
}
