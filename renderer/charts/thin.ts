// Thinning a long series for a chart that is only so many pixels wide: the points are cut into buckets of
// consecutive points (frames are evenly spaced in time, so equal counts are equal spans), and each bucket keeps
// its lowest and its highest point, in time order, plus the series' first and last. Peaks survive — a week's
// single interval with 40 migrations still shows — where picking every n-th point would step over them. Every
// drawn point is one of the engine's, never an average.

/** Indices of the points to draw: at most 2 × buckets + 2, ascending. */
export function thinIndices(count: number, value: (i: number) => number, buckets: number): number[] {
  const n = Math.max(1, Math.floor(buckets))
  if (count <= 2 * n + 2) return Array.from({ length: count }, (_, i) => i)
  const out: number[] = [0]
  for (let b = 0; b < n; b++) {
    const start = Math.floor((b * count) / n)
    const end = Math.floor(((b + 1) * count) / n)
    let lo = start
    let hi = start
    let loV = value(start)
    let hiV = loV
    for (let i = start + 1; i < end; i++) {
      const v = value(i)
      if (v < loV) {
        lo = i
        loV = v
      }
      if (v > hiV) {
        hi = i
        hiV = v
      }
    }
    const first = Math.min(lo, hi)
    const second = Math.max(lo, hi)
    if (first !== out[out.length - 1]) out.push(first)
    if (second !== first) out.push(second)
  }
  if (out[out.length - 1] !== count - 1) out.push(count - 1)
  return out
}
