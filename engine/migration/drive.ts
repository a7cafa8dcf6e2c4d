// Drives one migration on its own (tests, a single-migration scenario, the benchmark): constant or
// per-slice bandwidth and guest activity, fixed slices, until it ends or a time limit.
import type { LiveMigration, MigrationSlice } from './migration'

export interface DriveOptions {
  /** slice length, s (the lab's scheduling interval) */
  dt: number
  /** B/s for each slice: a number, or a function of the slice's start time (s since the start) */
  bandwidth: number | ((t: number) => number)
  /** guest activity for each slice (default 1) */
  activity?: number | ((t: number) => number)
  /** stop driving after this many seconds even if it has not ended (default 1e6) */
  maxSeconds?: number
}

export interface DriveResult {
  slices: MigrationSlice[]
  /** seconds driven */
  seconds: number
}

export function driveMigration(m: LiveMigration, o: DriveOptions): DriveResult {
  const slices: MigrationSlice[] = []
  const max = o.maxSeconds ?? 1e6
  let t = 0
  while (!m.isFinished() && t < max) {
    const bw = typeof o.bandwidth === 'number' ? o.bandwidth : o.bandwidth(t)
    const act = o.activity === undefined ? 1 : typeof o.activity === 'number' ? o.activity : o.activity(t)
    slices.push(m.advance(o.dt, bw, act))
    t += o.dt
  }
  return { slices, seconds: t }
}
