// Capping chart points for display: recharts re-renders every point, so long runs are thinned by
// picking whole frames at an even stride (always keeping the first and the latest). Every plotted point
// is still one of the engine's frames, never an average or an interpolation.
export const MAX_CHART_POINTS = 600

export function pickPoints<T>(items: readonly T[], max = MAX_CHART_POINTS): T[] {
  if (items.length <= max) return items as T[]
  const out: T[] = []
  const stride = (items.length - 1) / (max - 1)
  let last = -1
  for (let i = 0; i < max; i++) {
    const k = Math.round(i * stride)
    if (k !== last) out.push(items[k]!)
    last = k
  }
  if (out[out.length - 1] !== items[items.length - 1]) out.push(items[items.length - 1]!)
  return out
}
