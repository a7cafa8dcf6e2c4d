// Progress of a run on stderr: on a terminal a line that redraws itself (steps, simulated time, ETA); with
// --progress and no terminal (a log, CI) a plain line at most every LOG_EVERY_MS, and one at the end.
import { formatDuration } from '../engine/scenario/duration'
import type { Io } from './io'

/** How often a --progress line is written when stderr is not a terminal. */
export const LOG_EVERY_MS = 2000
const REDRAW_EVERY_MS = 80

export class Progress {
  private readonly started = performance.now()
  private lastDraw = Number.NEGATIVE_INFINITY
  private readonly mode: 'redraw' | 'lines' | 'off'
  private last = 0

  constructor(
    private readonly label: string,
    private readonly totalSeconds: number,
    private readonly io: Io,
    /** --progress: lines even when stderr is not a terminal */
    forced = false,
  ) {
    this.mode = io.errIsTTY ? 'redraw' : forced ? 'lines' : 'off'
  }

  private text(simulatedSeconds: number, now: number): string {
    const fraction = Math.min(1, simulatedSeconds / this.totalSeconds)
    const elapsed = (now - this.started) / 1000
    const eta = fraction > 0 ? elapsed * (1 / fraction - 1) : Number.NaN
    return `${formatDuration(simulatedSeconds)} of ${formatDuration(this.totalSeconds)} simulated (${(fraction * 100).toFixed(0)} %), ${elapsed.toFixed(1)} s, ETA ${Number.isFinite(eta) ? `${eta.toFixed(1)} s` : '…'}`
  }

  update(simulatedSeconds: number): void {
    if (this.mode === 'off') return
    this.last = simulatedSeconds
    const now = performance.now()
    if (now - this.lastDraw < (this.mode === 'redraw' ? REDRAW_EVERY_MS : LOG_EVERY_MS)) return
    this.lastDraw = now
    if (this.mode === 'lines') {
      this.io.err(`${this.label}: ${this.text(simulatedSeconds, now)}\n`)
      return
    }
    const fraction = Math.min(1, simulatedSeconds / this.totalSeconds)
    const width = 24
    const filled = Math.round(fraction * width)
    const line = `${this.label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${this.text(simulatedSeconds, now)}`
    this.io.err(`\r${line.slice(0, (this.io.errColumns || 120) - 1)}\u001b[K`)
  }

  /** Clears the line so another message can be written; the next update redraws it. */
  clear(): void {
    if (this.mode === 'redraw') {
      this.io.err('\r\u001b[K')
      this.lastDraw = Number.NEGATIVE_INFINITY
    }
  }

  /** The run ended at `simulatedSeconds` (the report's end, which may lie past the last step's frame). */
  done(simulatedSeconds = this.last): void {
    if (this.mode === 'lines') this.io.err(`${this.label}: done, ${this.text(simulatedSeconds, performance.now())}\n`)
    this.clear()
  }
}
