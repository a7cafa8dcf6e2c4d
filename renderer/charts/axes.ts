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

/** A sample's time as "hh:mm" (with the day when past the first). */
export function clockTick(seconds: unknown): string {
  if (typeof seconds !== 'number') return String(seconds)
  const clock = formatClock(seconds)
  return clock.startsWith('0d ') ? clock.slice(3) : clock
}
