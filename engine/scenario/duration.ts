// Durations in scenario files: a number of seconds, or a string such as "300s", "5m", "24h", "7d", "1h30m".

const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 }
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g
const WHOLE = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/

/** Seconds for a duration string, or undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  const compact = text.replace(/\s+/g, '')
  if (/^\d+(?:\.\d+)?$/.test(compact)) return Number(compact)
  if (!WHOLE.test(compact)) return undefined
  let seconds = 0
  for (const [, value, unit] of compact.matchAll(PART)) seconds += Number(value) * (UNIT_SECONDS[unit ?? 's'] ?? 1)
  return seconds
}

/** A short human form: 86400 → "24h", 90 → "1m30s". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return String(seconds)
  if (seconds === 0) return '0s'
  if (seconds < 1) return `${Math.round(seconds * 1000)}ms`
  let rest = Math.round(seconds)
  const parts: string[] = []
  for (const [unit, size] of [
    ['d', 86400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    if (rest >= size) {
      const n = Math.floor(rest / size)
      parts.push(`${n}${unit}`)
      rest -= n * size
    }
  }
  return parts.join('') || '0s'
}
