// Input errors in the style of a compiler: where (file, JSON path or file:line), what was expected, what was found.

export interface Diagnostic {
  file: string
  /** JSON path inside the file, e.g. `hostTypes.g4.power[3]`; empty for the whole document. */
  path?: string
  line?: number
  column?: number
  message: string
}

/** Bad input: the lab refuses it with every problem it found, and keeps running. */
export class LabInputError extends Error {
  readonly diagnostics: Diagnostic[]
  constructor(diagnostics: Diagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join('\n'))
    this.name = 'LabInputError'
    this.diagnostics = diagnostics
  }
}

export function formatDiagnostic(d: Diagnostic): string {
  const where = d.line !== undefined ? `${d.file}:${d.line}${d.column !== undefined ? `:${d.column}` : ''}` : d.file
  return `${where}: ${d.path ? `${d.path}: ` : ''}${d.message}`
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
