// Reading delimited text files a line at a time, streamed through the platform's FileSource, and the
// diagnostics a bad field gets: the file, the line, the column (a field's first character) and the field.
import type { FileSource } from '../platform/files'
import { LabInputError, type Diagnostic } from '../scenario/diagnostics'

/**
 * Each line of a file without its line ending ("\n" or "\r\n"), a leading byte-order mark dropped. A file
 * that cannot be opened throws `missing()` when given (a diagnostic naming the scenario's option).
 */
export function* textLines(files: FileSource, path: string, missing?: () => Error): Generator<string> {
  let chunks: Iterator<string>
  let next: IteratorResult<string>
  try {
    chunks = (files.readChunks ? files.readChunks(path) : [files.readText(path)])[Symbol.iterator]()
    next = chunks.next()
  } catch (e) {
    throw missing ? missing() : e
  }
  let carry = ''
  let first = true
  try {
    for (; !next.done; next = chunks.next()) {
      let text = carry + next.value
      if (first && text.charCodeAt(0) === 0xfeff) text = text.slice(1)
      first = false
      let at = 0
      for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', at)) {
        yield nl > at && text.charCodeAt(nl - 1) === 13 ? text.slice(at, nl - 1) : text.slice(at, nl)
        at = nl + 1
      }
      carry = text.slice(at)
    }
  } finally {
    chunks.return?.()
  }
  if (carry !== '') yield carry.endsWith('\r') ? carry.slice(0, -1) : carry
}

/** One line split at a separator, with where each field starts (1-based character columns). */
export class SplitLine {
  fields: string[] = []
  private starts: number[] = []
  text = ''
  line = 0

  constructor(readonly separator: string) {}

  set(text: string, line: number): this {
    this.text = text
    this.line = line
    this.fields = text.split(this.separator)
    const starts = this.starts
    starts.length = this.fields.length
    let at = 1
    for (let i = 0; i < this.fields.length; i++) {
      starts[i] = at
      at += this.fields[i]!.length + this.separator.length
    }
    return this
  }

  /** Where field `field` starts; a field the line lacks would start just past its end. */
  column(field: number): number {
    return field < this.fields.length ? this.starts[field]! : this.text.length + 1
  }
}

/** What the separators of a line suggest it is separated by (for "wrong separator" messages). */
export function guessSeparator(text: string): string | undefined {
  const candidates: [string, string][] = [
    [';\t', '";<TAB>"'],
    ['\t', '"<TAB>"'],
    [';', '";"'],
    [',', '","'],
  ]
  let best: string | undefined
  let most = 0
  for (const [sep, name] of candidates) {
    const n = text.split(sep).length - 1
    if (n > most) {
      most = n
      best = name
    }
  }
  return best
}

export function describeSeparator(separator: string): string {
  return `"${separator.replace(/\t/g, '<TAB>')}"`
}

/**
 * Bad rows of a trace: an error naming the file, line and column (the default), or — with
 * `badRows: skip` — skipped and counted, the first one kept for the report.
 */
export class RowProblems {
  skipped = 0
  first: Diagnostic | undefined

  constructor(
    private readonly skip: boolean,
    /** where the option is set, for the hint in the error */
    private readonly optionPath: string,
  ) {}

  /** Reports a bad row: throws unless bad rows are skipped; returns so the caller skips the row. */
  bad(d: Diagnostic): void {
    if (!this.skip) {
      throw new LabInputError([
        { ...d, message: `${d.message} (set ${this.optionPath}: skip to skip such rows and count them)` },
      ])
    }
    this.skipped++
    this.first ??= d
  }
}

/** A field as a finite number, or NaN when it is not one (an empty field is not a number). */
export function numberField(text: string): number {
  if (text.length === 0) return Number.NaN
  const x = Number(text)
  return Number.isFinite(x) && text.trim().length > 0 ? x : Number.NaN
}

export function quoteFound(text: string): string {
  return `"${text.length > 40 ? `${text.slice(0, 37)}...` : text}"`
}
