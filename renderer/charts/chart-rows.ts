// The rows a chart hands recharts: the series' values as plain rows `{ t, <series id>: value }`, thinned to
// what the plot's pixel columns can show (thin.ts: each column keeps its lowest and its highest point, so a
// week's single interval with 40 migrations still shows) and never more than MAX_COLUMNS columns, so what
// recharts lays out and draws is bounded whatever the run's length. Every row is one of the lab's points.
import { thinIndices } from './thin'

export interface RowSeries<T> {
  /** the row's key for this series (recharts' dataKey) */
  id: string
  value: (d: T) => number
  /** stacked areas are thinned together, by the top of their stack (their rows must line up) */
  stacked?: boolean
}

export type ChartRow = { t: number } & Record<string, number>

/** Pixel columns a chart keeps at most: past this, a column is more than one pixel wide. */
export const MAX_COLUMNS = 360

/**
 * The rows to draw for a plot `columns` pixels wide: at most (2 × min(columns, MAX_COLUMNS) + 2) per series
 * (one per stack), in time order, each series' lowest and highest point of every column among them.
 */
export function chartRows<T>(
  data: readonly T[],
  time: (d: T) => number,
  series: readonly RowSeries<T>[],
  columns: number,
): ChartRow[] {
  const n = data.length
  const buckets = Math.max(1, Math.min(MAX_COLUMNS, Math.floor(columns)))
  let keep: Uint8Array | undefined
  if (n > 2 * buckets + 2) {
    keep = new Uint8Array(n)
    const values = new Float64Array(n)
    const mark = () => {
      for (const i of thinIndices(n, (k) => values[k]!, buckets)) keep![i] = 1
    }
    let stacks = false
    const stackTop = new Float64Array(n)
    for (const s of series) {
      if (s.stacked) {
        stacks = true
        for (let i = 0; i < n; i++) stackTop[i]! += s.value(data[i]!)
        continue
      }
      for (let i = 0; i < n; i++) values[i] = s.value(data[i]!)
      mark()
    }
    if (stacks) {
      values.set(stackTop)
      mark()
    }
  }
  const rows: ChartRow[] = []
  for (let i = 0; i < n; i++) {
    if (keep && !keep[i]) continue
    const d = data[i]!
    const row = { t: time(d) } as ChartRow
    for (const s of series) row[s.id] = s.value(d)
    rows.push(row)
  }
  return rows
}

/** The largest value on each axis among the rows (stacked series: the top of their stack). */
export function axisMaxima<T>(
  rows: readonly ChartRow[],
  series: readonly (RowSeries<T> & { axis?: 'left' | 'right' })[],
): { left: number; right: number } {
  const max = { left: 0, right: 0 }
  for (const row of rows) {
    let stack = 0
    for (const s of series) {
      const axis = s.axis ?? 'left'
      const v = s.stacked ? (stack += row[s.id]!) : row[s.id]!
      if (v > max[axis]) max[axis] = v
    }
  }
  return max
}
