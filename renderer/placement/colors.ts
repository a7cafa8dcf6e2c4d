// The utilization colour ramp of the placement map and its legend: calm teal when idle, amber when busy,
// red when saturated. A 101-entry table so drawing 20,000 blocks does no colour maths.
const STOPS: [number, [number, number, number]][] = [
  [0, [188, 226, 216]],
  [0.4, [94, 183, 160]],
  [0.7, [242, 177, 52]],
  [0.9, [226, 106, 60]],
  [1, [196, 40, 40]],
]

function interpolate(u: number): [number, number, number] {
  for (let i = 1; i < STOPS.length; i++) {
    const [t1, c1] = STOPS[i]!
    const [t0, c0] = STOPS[i - 1]!
    if (u <= t1) {
      const f = (u - t0) / (t1 - t0)
      return c0.map((a, k) => Math.round(a + (c1[k]! - a) * f)) as [number, number, number]
    }
  }
  return [196, 40, 40]
}

/** The ramp at 0 %, 1 %, …, 100 % as [r, g, b]. */
export const RAMP_RGB: [number, number, number][] = Array.from({ length: 101 }, (_, i) => interpolate(i / 100))

/** The ramp as CSS colours (the legend). */
export const RAMP: string[] = RAMP_RGB.map(([r, g, b]) => `rgb(${r}, ${g}, ${b})`)

export function utilizationColor(fraction: number): string {
  const i = Math.round(Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0)) * 100)
  return RAMP[i]!
}
