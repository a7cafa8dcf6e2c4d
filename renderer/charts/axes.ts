// Axis ticks and labels for simulated time.
import { formatClock } from '../../engine/api/units'

const HOUR = 3600

/** Runs shorter than this get ticks at round minutes or seconds. */
const SHORT_RUN = 2 * HOUR
const SHORT_STEPS = [10, 15, 30, 60, 120, 300, 600, 900, 1800]

/** Ticks at a round number of hours (round seconds or minutes in runs under 2 h), at most 8 steps across. */
export function timeTicks(durationSeconds: number): number[] {
  const hours = durationSeconds / HOUR
  const short = durationSeconds < SHORT_RUN ? SHORT_STEPS.find((s) => durationSeconds / s <= 8) : undefined
  const step =
    short ?? ([1, 2, 3, 4, 6, 12, 24, 48, 72, 168].find((s) => hours / s <= 8) ?? Math.ceil(hours / 8)) * HOUR
  const ticks: number[] = []
  for (let t = 0; t <= durationSeconds + 1e-6; t += step) ticks.push(t)
  return ticks
}

export function timeTick(seconds: number): string {
  if (Math.abs(seconds - Math.round(seconds / HOUR) * HOUR) > 1e-6) {
    const m = Math.floor(seconds / 60)
    const s = Math.round(seconds - m * 60)
    return s === 0 ? `${m}m` : m > 0 ? `${m}m${s}s` : `${s}s`
  }
  const h = Math.round(seconds / HOUR)
  return h % 24 === 0 && h > 0 ? `${h / 24}d` : `${h % 24}h`
}

export function timeLabel(seconds: unknown): string {
  return typeof seconds === 'number' ? formatClock(seconds) : String(seconds)
}

/** Round steps for a clock axis, seconds: each tick a whole multiple, so no two ticks read the same. */
const CLOCK_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400]

/**
 * A clock axis over [min, max]: ticks at multiples of the smallest round step that gives at most `maxTicks`,
 * labelled "hh:mm" (the day in front past the first), with seconds when the step is under a minute — so no
 * two ticks read the same.
 */
export function clockAxis(min: number, max: number, maxTicks = 6): { ticks: number[]; format: (t: number) => string } {
  const span = Math.max(0, max - min)
  const step =
    CLOCK_STEPS.find((s) => Math.floor(max / s) - Math.ceil(min / s) + 1 <= maxTicks) ??
    Math.ceil(span / maxTicks / 86400) * 86400
  const ticks: number[] = []
  for (let k = Math.ceil(min / step); k * step <= max + 1e-9; k++) ticks.push(k * step)
  return { ticks, format: step < 60 ? clockTickSeconds : clockTick }
}

/** A tick of a clock axis: "hh:mm", or "1d hh:mm" past the first day. */
export function clockTick(seconds: number): string {
  const clock = formatClock(seconds)
  return clock.startsWith('0d ') ? clock.slice(3) : clock
}

/** A tick of a clock axis stepped in seconds: "hh:mm:ss". */
function clockTickSeconds(seconds: number): string {
  return `${clockTick(seconds)}:${String(Math.floor(seconds % 60)).padStart(2, '0')}`
}

/** Round spans for an axis of time ago (a detector's history), seconds. */
const AGO_STEPS = [60, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400]

/** Ticks for an axis of time ago, from −span to 0 (now), at most `maxTicks`. */
export function agoTicks(spanSeconds: number, maxTicks = 5): number[] {
  const step = AGO_STEPS.find((s) => Math.floor(spanSeconds / s) + 1 <= maxTicks) ?? Math.ceil(spanSeconds / maxTicks)
  const ticks: number[] = []
  for (let t = -Math.floor(spanSeconds / step) * step; t <= 0; t += step) ticks.push(t)
  return ticks
}

/** How long ago, with its unit: "now", "−45 s", "−25 min", "−2 h", "−1.5 h", "−2 d". */
export function agoTick(seconds: unknown): string {
  if (typeof seconds !== 'number') return String(seconds)
  const s = Math.abs(seconds)
  if (s < 1e-9) return 'now'
  const num = (x: number) => (Number.isInteger(Math.round(x * 10) / 10) ? String(Math.round(x)) : x.toFixed(1))
  if (s < 60) return `−${num(s)} s`
  if (s < 3600) return `−${num(s / 60)} min`
  if (s < 2 * 86400) return `−${num(s / 3600)} h`
  return `−${num(s / 86400)} d`
}

/** A tooltip's label for time ago: "now", "25 min ago". */
export function agoLabel(seconds: unknown): string {
  const tick = agoTick(seconds)
  return tick === 'now' || typeof seconds !== 'number' ? tick : `${tick.slice(1)} ago`
}

/** About five round ticks from lo to a round number at or above hi (steps of 1, 2 or 5 × 10^k). */
export function niceTicks(lo: number, hi: number, integer = false, count = 5): number[] {
  const span = hi - lo
  if (!(span > 0)) return [lo]
  const raw = span / count
  const mag = 10 ** Math.floor(Math.log10(raw))
  let step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag
  if (integer) step = Math.max(1, Math.ceil(step))
  const ticks: number[] = []
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)))
  if (ticks[ticks.length - 1]! < hi - step * 1e-9) ticks.push(Number((ticks[ticks.length - 1]! + step).toPrecision(12)))
  return ticks
}

/** A value axis: fixed bounds, or a lower bound and a rule for the upper one from the data's maximum. */
export interface ValueAxis {
  domain?: [number, number] | [number, (max: number) => number]
  format: (v: number) => string
  width: number
  /** whole numbers only (counts) */
  integer?: boolean
}

/** An axis's bounds and ticks for data whose largest value is `max`: fixed, or up to a round tick at or past it. */
export function valueScale(axis: ValueAxis, max: number): { lo: number; hi: number; ticks: number[] } {
  const [lo, upper] = axis.domain ?? [0, (m: number) => m]
  if (typeof upper === 'number') {
    const ticks = niceTicks(lo, upper, axis.integer).filter((t) => t <= upper + 1e-9)
    return { lo, hi: upper, ticks }
  }
  const hi = upper(max)
  // an empty or flat series still gets an axis from lo upwards
  const ticks = niceTicks(lo, hi > lo ? hi : lo + 1, axis.integer)
  return { lo, hi: ticks[ticks.length - 1]!, ticks }
}
