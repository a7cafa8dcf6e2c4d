// A guided lab's comparators and how its values read, for the engine, `conlab lab` and the app's checklist
// alike. A leaf (it imports nothing), so the page can use it without the lab schema (and zod) it comes with.

export const COMPARATORS = ['below', 'atMost', 'atLeast', 'above', 'equals'] as const
export type Comparator = (typeof COMPARATORS)[number]

export const COMPARATOR_WORDS: Record<Comparator, string> = {
  below: '<',
  atMost: '≤',
  atLeast: '≥',
  above: '>',
  equals: '=',
}

/** A value in a metric's unit: "0.124 kWh", "0.42 %" (a fraction), "280 ms", "3" (a count); null is "—". */
export function formatInUnit(value: number | null, unit: string | undefined): string {
  if (value === null) return '—'
  switch (unit) {
    case 'kWh':
      return `${value.toFixed(3)} kWh`
    case 'fraction':
      return `${(value * 100).toPrecision(3)} %`
    case 'ms':
      return `${value.toFixed(0)} ms`
    case 's':
      return `${value.toFixed(1)} s`
    case 'GiB':
      return `${value.toFixed(2)} GiB`
    default:
      return Number.isInteger(value) ? String(value) : value.toPrecision(4)
  }
}
