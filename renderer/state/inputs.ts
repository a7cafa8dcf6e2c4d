// What the trainee types into the controls (seed, pause time, a branch's settings), read and checked before
// anything goes to the lab, and errors — the page's own or the lab's — in the shape shown next to the control
// that caused them: the message saying what was expected and what was found, the line of the scenario it
// points at, and how many more there are. The control keeps the text so it can be corrected.
import { formatClock } from '../../engine/api/units'

/** The range of `seed` in the scenario schema (a 32-bit unsigned integer). */
export const SEED_MAX = 2 ** 32 - 1

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string }

/** An error shown next to a control. */
export interface FieldError {
  /** the first problem: where, what was expected, what was found */
  message: string
  /** the scenario line it points at, when the page has the scenario's text */
  excerpt?: { line: number; column?: number; text: string }
  /** how many more problems the lab found */
  others: number
}

function quoted(text: string): string {
  return `"${text.length > 40 ? `${text.slice(0, 37)}...` : text}"`
}

export function parseSeed(text: string): Parsed<number> {
  const t = text.trim()
  const n = Number(t)
  if (!/^\d+$/.test(t) || !Number.isSafeInteger(n) || n > SEED_MAX)
    return { ok: false, error: `seed: expected a whole number from 0 to ${SEED_MAX}, found ${quoted(text)}` }
  return { ok: true, value: n }
}

/**
 * "Pause at" in simulated hours: empty for no pause, else a time after `now` and not past the run's end
 * (seconds come back).
 */
export function parsePauseAt(text: string, nowSeconds: number, durationSeconds: number): Parsed<number | undefined> {
  const t = text.trim()
  if (t === '') return { ok: true, value: undefined }
  const hours = /^\d*\.?\d+$/.test(t) ? Number(t) : Number.NaN
  const seconds = hours * 3600
  if (!(seconds > nowSeconds && seconds <= durationSeconds))
    return {
      ok: false,
      error: `pause at: expected hours after now (${formatClock(nowSeconds)}) and up to the end (${formatClock(durationSeconds)}, ${durationSeconds / 3600} h), found ${quoted(text)}`,
    }
  return { ok: true, value: seconds }
}

/** `a=b c=d` or one per line: the settings a branch adds (as `conlab branch --set` takes them). */
export function parseSettings(text: string): Parsed<string[]> {
  const words = text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean)
  const bad = words.find((w) => w.indexOf('=') <= 0)
  if (bad !== undefined)
    return {
      ok: false,
      error: `settings: expected path=value (e.g. migration.autoConverge=true), found ${quoted(bad)}`,
    }
  return { ok: true, value: words }
}

const LOCATED = /^(.*?):(\d+)(?::(\d+))?: /
const EXCERPT = 80

/**
 * One of the lab's errors (one problem a line, `file:line:column: path: message`, as the lab reports bad
 * input) for display next to a control: the earliest problem in the file — follow-on problems of a parser
 * come after the one that caused them — with the line it points at, and the count of the others.
 */
export function summarizeError(message: string, scenarioText?: string): FieldError {
  const lines = message.split('\n').filter((l) => l.trim() !== '')
  if (lines.length === 0) return { message, others: 0 }
  let best = 0
  let bestAt: [number, number] | undefined
  lines.forEach((l, i) => {
    const m = LOCATED.exec(l)
    if (!m) return
    const at: [number, number] = [Number(m[2]), Number(m[3] ?? 0)]
    if (!bestAt || at[0] < bestAt[0] || (at[0] === bestAt[0] && at[1] < bestAt[1])) {
      best = i
      bestAt = at
    }
  })
  const first = lines[best]!
  const error: FieldError = { message: first, others: lines.length - 1 }
  const source = bestAt && scenarioText?.split(/\r?\n/)[bestAt[0] - 1]
  if (bestAt && source !== undefined) {
    const column = bestAt[1] || undefined
    // a long line is cut around the column it points at
    const start = column && column > EXCERPT - 10 ? column - (EXCERPT - 10) : 0
    const cut = source.slice(start, start + EXCERPT)
    error.excerpt = {
      line: bestAt[0],
      ...(column ? { column: column - start + (start > 0 ? 1 : 0) } : {}),
      text: `${start > 0 ? '…' : ''}${cut}${source.length > start + EXCERPT ? '…' : ''}`,
    }
  }
  return error
}

/** A rule's selector as typed, "3, 4, web" → [3, 4, 'web']: VM or host ids and/or group names. */
export function parseSelector(text: string): (number | string)[] {
  return text
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((t) => (/^\d+$/.test(t) ? Number(t) : t))
}
