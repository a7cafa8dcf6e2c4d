// The charts' logic: thinning a long series keeps every pixel column's lowest and highest point (the largest
// value always shows, where an even stride stepped over spikes), clock axes whose ticks never read the same,
// history axes in time ago with their units, value axes at round steps.
import { describe, expect, it } from 'vitest'
import { thinIndices } from '../../renderer/charts/thin'
import { MAX_COLUMNS, axisMaxima, chartRows } from '../../renderer/charts/chart-rows'
import { agoLabel, agoTick, agoTicks, clockAxis, clockTick, niceTicks } from '../../renderer/charts/axes'

/** A week of 5-minute intervals: mostly 0–3 migrations, one interval of 40 at a seeded random place. */
function week(seed: number): { values: number[]; spike: number } {
  // a small LCG (Numerical Recipes' constants): reproducible, no dependency on the engine's streams
  let x = seed >>> 0
  const next = () => (x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 2 ** 32
  const values = Array.from({ length: 2016 }, () => Math.floor(next() * 4))
  const spike = Math.floor(next() * values.length)
  values[spike] = 40
  return { values, spike }
}

describe('thinning a series', () => {
  it('keeps the largest and the smallest value whatever the width', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const { values, spike } = week(seed)
      for (const buckets of [50, 120, 333, 600]) {
        const kept = thinIndices(values.length, (i) => values[i]!, buckets)
        expect(kept).toContain(spike)
        expect(Math.max(...kept.map((i) => values[i]!))).toBe(40)
        expect(Math.min(...kept.map((i) => values[i]!))).toBe(Math.min(...values))
        expect(kept[0]).toBe(0)
        expect(kept.at(-1)).toBe(values.length - 1)
        expect(kept.length).toBeLessThanOrEqual(2 * buckets + 2)
        // ascending, no repeats: the points stay in time order
        for (let k = 1; k < kept.length; k++) expect(kept[k]).toBeGreaterThan(kept[k - 1]!)
      }
    }
  })

  it('keeps each bucket’s extremes, so every bucket’s peak is drawn', () => {
    const values = Array.from({ length: 1000 }, (_, i) => Math.sin(i / 7) * 10 + (i % 97 === 0 ? 50 : 0))
    const buckets = 100
    const kept = new Set(thinIndices(values.length, (i) => values[i]!, buckets))
    for (let b = 0; b < buckets; b++) {
      const slice = values.slice(b * 10, b * 10 + 10)
      const hi = b * 10 + slice.indexOf(Math.max(...slice))
      const lo = b * 10 + slice.indexOf(Math.min(...slice))
      expect(kept.has(hi)).toBe(true)
      expect(kept.has(lo)).toBe(true)
    }
  })

  it('keeps a short series whole', () => {
    expect(thinIndices(5, () => 1, 100)).toEqual([0, 1, 2, 3, 4])
  })
})

describe('the rows a chart hands recharts', () => {
  type P = { time: number; a: number; b: number }
  const points = (n: number, f: (i: number) => [number, number]): P[] =>
    Array.from({ length: n }, (_, i) => ({ time: i * 300, a: f(i)[0], b: f(i)[1] }))
  const A = { id: 'a', value: (p: P) => p.a }
  const B = { id: 'b', value: (p: P) => p.b }

  it('keeps each series’ peak, first and last point, in time order, and no more than the columns allow', () => {
    for (let seed = 1; seed <= 10; seed++) {
      const { values, spike } = week(seed)
      // b: the same week's values in another order, its spike somewhere else
      const data = points(values.length, (i) => [values[i]!, values[(i * 5 + seed) % values.length]!])
      for (const columns of [80, 300, 2000]) {
        const rows = chartRows(data, (p) => p.time, [A, B], columns)
        const buckets = Math.min(columns, MAX_COLUMNS)
        expect(rows.length).toBeLessThanOrEqual(2 * (2 * buckets + 2))
        expect(rows.some((r) => r.t === spike * 300 && r.a === 40)).toBe(true)
        expect(Math.max(...rows.map((r) => r.b!))).toBe(40)
        expect(rows[0]!.t).toBe(0)
        expect(rows.at(-1)!.t).toBe((values.length - 1) * 300)
        for (let k = 1; k < rows.length; k++) expect(rows[k]!.t).toBeGreaterThan(rows[k - 1]!.t)
        // every row is one of the data's points, whole
        for (const r of rows) expect(data[r.t / 300]).toEqual({ time: r.t, a: r.a, b: r.b })
      }
    }
  })

  it('keeps a short series whole', () => {
    const data = points(50, (i) => [i, -i])
    expect(chartRows(data, (p) => p.time, [A, B], 400).map((r) => r.t)).toEqual(data.map((p) => p.time))
  })

  it('thins stacked areas together by the top of their stack, whose largest value stays', () => {
    // two VMs' shares; their sum peaks once at 0.9 where neither share is its own maximum
    const data = points(3000, (i) => (i === 1234 ? [0.45, 0.45] : i % 2 ? [0.5, 0.1] : [0.1, 0.3]))
    const stacked = [
      { ...A, stacked: true },
      { ...B, stacked: true },
    ]
    const rows = chartRows(data, (p) => p.time, stacked, 100)
    expect(rows.length).toBeLessThanOrEqual(2 * 100 + 2)
    expect(rows.some((r) => r.t === 1234 * 300)).toBe(true)
    expect(axisMaxima(rows, stacked).left).toBeCloseTo(0.9, 12)
    // unstacked, each series on its own axis
    expect(axisMaxima(rows, [A, { ...B, axis: 'right' as const }])).toEqual({ left: 0.5, right: 0.45 })
  })
})

describe('axes', () => {
  it('puts clock ticks at round steps that never read the same', () => {
    // a host selected at 01:00 and sampled every 5 minutes, then every step of a seconds run
    for (const [from, to] of [
      [3600, 3900],
      [3600, 4500],
      [3600, 3600 + 6 * 3600],
      [60, 70],
      [86_400, 86_400 + 1800],
    ] as const) {
      const { ticks, format } = clockAxis(from, to, 5)
      expect(ticks.length).toBeGreaterThanOrEqual(1)
      expect(ticks.length).toBeLessThanOrEqual(5)
      expect(ticks[0]).toBeGreaterThanOrEqual(from)
      expect(ticks.at(-1)).toBeLessThanOrEqual(to)
      const labels = ticks.map(format)
      expect(new Set(labels).size).toBe(labels.length)
    }
    const minutes = clockAxis(3600, 3900, 5)
    expect(minutes.ticks.map(minutes.format)).toEqual(['01:00', '01:02', '01:04'])
    const seconds = clockAxis(60, 70, 5)
    expect(seconds.ticks.map(seconds.format)).toEqual(['00:01:00', '00:01:05', '00:01:10'])
    expect(clockTick(86_400 + 3600)).toBe('1d 01:00')
  })

  it('labels a history axis in time ago with its unit', () => {
    // 30 intervals of 5 minutes: 145 minutes of history
    const ticks = agoTicks(29 * 300)
    expect(ticks.at(-1)).toBe(0)
    expect(ticks.map(agoTick)).toEqual(['−2 h', '−1.5 h', '−1 h', '−30 min', 'now'])
    expect(agoTicks(29 * 10).map(agoTick)).toEqual(['−4 min', '−3 min', '−2 min', '−1 min', 'now'])
    expect(agoTick(-45)).toBe('−45 s')
    expect(agoTick(-3 * 86400)).toBe('−3 d')
    expect(agoLabel(-1800)).toBe('30 min ago')
    expect(agoLabel(0)).toBe('now')
  })

  it('puts value ticks at round steps from the bottom up to or past the top', () => {
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1])
    expect(niceTicks(0, 73)).toEqual([0, 20, 40, 60, 80])
    expect(niceTicks(0, 3, true)).toEqual([0, 1, 2, 3])
    expect(niceTicks(0, 163.48)).toEqual([0, 50, 100, 150, 200])
  })
})
