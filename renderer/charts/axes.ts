// Axis ticks and labels for simulated time.
import { formatClock } from '../format'

const HOUR = 3600

/** Ticks at a round number of hours, about six across the run. */
export function timeTicks(durationSeconds: number): number[] {
  const hours = durationSeconds / HOUR
  const step = [1, 2, 3, 4, 6, 12, 24, 48, 72, 168].find((s) => hours / s <= 8) ?? Math.ceil(hours / 8)
  const ticks: number[] = []
  for (let t = 0; t <= durationSeconds + 1e-6; t += step * HOUR) ticks.push(t)
  return ticks
}

export function timeTick(seconds: number): string {
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
