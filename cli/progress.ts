// A progress line on stderr while a run plays (only on a terminal): steps, simulated time, ETA.
import { formatDuration } from '../engine/scenario/duration'

export class Progress {
  private readonly started = performance.now()
  private lastDraw = 0
  private readonly enabled: boolean

  constructor(
    private readonly label: string,
    private readonly totalSeconds: number,
    stream: NodeJS.WriteStream = process.stderr,
  ) {
    this.enabled = stream.isTTY === true
    this.stream = stream
  }

  private readonly stream: NodeJS.WriteStream

  update(simulatedSeconds: number): void {
    if (!this.enabled) return
    const now = performance.now()
    if (now - this.lastDraw < 80) return
    this.lastDraw = now
    const fraction = Math.min(1, simulatedSeconds / this.totalSeconds)
    const width = 24
    const filled = Math.round(fraction * width)
    const elapsed = (now - this.started) / 1000
    const eta = fraction > 0 ? elapsed * (1 / fraction - 1) : Number.NaN
    const line = `${this.label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${formatDuration(simulatedSeconds)} of ${formatDuration(this.totalSeconds)} simulated · ETA ${Number.isFinite(eta) ? `${eta.toFixed(1)} s` : '…'}`
    this.stream.write(`\r${line.slice(0, (this.stream.columns || 120) - 1)}\u001b[K`)
  }

  /** Clears the line so another message can be written; the next update redraws it. */
  clear(): void {
    if (this.enabled) this.stream.write('\r\u001b[K')
    this.lastDraw = 0
  }

  done(): void {
    this.clear()
  }
}
