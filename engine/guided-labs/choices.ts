// What a trainee may choose in a guided lab, and the check of a set of choices — a submission's, or the
// lab's own solution: settings within `allowed.settings`, orders of the allowed kinds given at the start of
// a step before the end and in time order, hints the lab has. Each refusal is a diagnostic at the entry.
import { parse as parseYaml } from 'yaml'
import type { Diagnostic } from '../scenario/diagnostics'
import { formatDuration } from '../scenario/duration'
import type { AllowedSetting, LabFile, OrderEntry } from './schema'

/** `migration.maxBandwidth`, `vms[0].haPriority`, `vms[*].haPriority` → its keys (`*` for any key or index). */
export function pathKeys(path: string): (string | number)[] {
  return [...path.matchAll(/\[(\d+|\*)\]|\["((?:[^"\\]|\\.)*)"\]|([^.[\]]+)/g)].map((m) =>
    m[1] !== undefined ? (m[1] === '*' ? '*' : Number(m[1])) : m[2] !== undefined ? m[2] : m[3]!,
  )
}

interface ZodLike {
  def: {
    type: string
    innerType?: ZodLike
    in?: ZodLike
    element?: ZodLike
    valueType?: ZodLike
    options?: ZodLike[]
    shape?: Record<string, ZodLike>
  }
  shape?: Record<string, ZodLike>
}

/** Whether a path names a place in a zod schema (through defaults, optionals, pipes, unions, lists, records). */
export function schemaHas(schema: unknown, keys: readonly (string | number)[]): boolean {
  const node = schema as ZodLike
  const d = node.def
  if (['default', 'prefault', 'optional', 'nullable', 'readonly', 'nonoptional', 'catch'].includes(d.type))
    return schemaHas(d.innerType, keys)
  if (d.type === 'pipe') return schemaHas(d.in, keys)
  if (d.type === 'union') return (d.options ?? []).some((o) => schemaHas(o, keys))
  if (keys.length === 0) return true
  const [key, ...rest] = keys
  if (d.type === 'object') {
    const child = node.shape?.[String(key)]
    return child !== undefined && schemaHas(child, rest)
  }
  if (d.type === 'array') return (key === '*' || typeof key === 'number') && schemaHas(d.element, rest)
  if (d.type === 'record') return typeof key === 'string' && schemaHas(d.valueType, rest)
  return false
}

function splitSetting(setting: string): { keys: (string | number)[]; value: string } | undefined {
  const eq = setting.indexOf('=')
  if (eq <= 0) return undefined
  return { keys: pathKeys(setting.slice(0, eq).trim()), value: setting.slice(eq + 1) }
}

/** The allowed entry a `path=value` setting falls under, or undefined. */
export function allowedBy(allowed: readonly AllowedSetting[], setting: string): AllowedSetting | undefined {
  const s = splitSetting(setting)
  if (!s) return undefined
  return allowed.find((a) => {
    const pattern = pathKeys(typeof a === 'string' ? a : a.path)
    const under =
      s.keys.length >= pattern.length && pattern.every((k, i) => k === '*' || String(k) === String(s.keys[i]))
    if (!under || typeof a === 'string' || a.values === undefined) return under
    if (s.keys.length !== pattern.length) return false
    let value: unknown
    try {
      value = parseYaml(s.value)
    } catch {
      return false
    }
    return a.values.some((v) => JSON.stringify(v) === JSON.stringify(value))
  })
}

/** The allowed settings in words: `policy (none, lr-mmt-1.2)`, `migration.autoConverge`. */
export function allowedWords(allowed: readonly AllowedSetting[]): string {
  return allowed.length
    ? allowed
        .map((a) =>
          typeof a === 'string' ? a : `${a.path}${a.values ? ` (${a.values.map((v) => String(v)).join(', ')})` : ''}`,
        )
        .join(', ')
    : 'none'
}

/** The kind of an order entry (its one key besides `at`). */
export function orderKind(entry: OrderEntry | Record<string, unknown>): string {
  return Object.keys(entry).find((k) => k !== 'at')!
}

/** What the check of choices reads of a lab (a GuidedLab has it). */
export interface ChoiceRules {
  spec: Pick<LabFile, 'allowed' | 'hints'>
  durationSeconds: number
  intervalSeconds: number
}

export interface Choices {
  settings: readonly string[]
  orders: readonly OrderEntry[]
  hintsUsed: readonly string[]
}

/**
 * The refusals of a set of choices against the lab (empty: acceptable). `at(path, message)` places a problem
 * (path within the choices: ['settings', 2], ['orders', 0, 'at']…).
 */
export function checkChoices(
  lab: ChoiceRules,
  choices: Choices,
  at: (path: (string | number)[], message: string) => Diagnostic,
): Diagnostic[] {
  const { allowed, hints } = lab.spec
  const problems: Diagnostic[] = []
  choices.settings.forEach((setting, i) => {
    if (!splitSetting(setting))
      problems.push(at(['settings', i], `expected path=value such as migration.autoConverge=true, found "${setting}"`))
    else if (!allowedBy(allowed.settings, setting))
      problems.push(
        at(
          ['settings', i],
          `"${setting}" is not a setting this lab lets the trainee change (allowed: ${allowedWords(allowed.settings)})`,
        ),
      )
  })
  const end = lab.durationSeconds
  const interval = lab.intervalSeconds
  let last = 0
  choices.orders.forEach((o, i) => {
    const kind = orderKind(o)
    if (!allowed.orders.includes(kind))
      problems.push(
        at(
          ['orders', i, kind],
          `this lab does not let the trainee give ${kind} orders (allowed: ${allowed.orders.join(', ') || 'none'})`,
        ),
      )
    const q = o.at / interval
    if (!(o.at >= 0 && o.at < end - 1e-9 && Math.abs(q - Math.round(q)) < 1e-9))
      problems.push(
        at(
          ['orders', i, 'at'],
          `expected the start of a step (a multiple of ${formatDuration(interval)}) before the end of the run (${formatDuration(end)}), found ${formatDuration(o.at)}`,
        ),
      )
    else if (o.at < last)
      problems.push(
        at(
          ['orders', i, 'at'],
          `expected orders in the order they were given (time ${formatDuration(last)} or later), found ${formatDuration(o.at)}`,
        ),
      )
    else last = o.at
  })
  choices.hintsUsed.forEach((h, i) => {
    if (!hints.some((x) => x.id === h))
      problems.push(
        at(
          ['hintsUsed', i],
          `expected one of the lab's hints (${hints.map((x) => x.id).join(', ') || 'none'}), found "${h}"`,
        ),
      )
  })
  return problems
}
