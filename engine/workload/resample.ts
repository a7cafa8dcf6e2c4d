// Resampling a VM's readings onto the scenario's grid: bin k covers [start + k·interval, start + (k+1)·interval)
// of the trace's clock, and its value is the mean of the readings stamped within it (each metric on its
// own: a reading that lacks a metric does not count for that metric). A bin without readings is a gap,
// filled by the `gaps` rule: `hold` repeats the last bin that had a reading (bins before the first one take
// the first one's value), `zero` leaves it at 0 (no demand: the VM idles). The sums and counts grow with
// the bins, so memory is proportional to the VM's steps, never to the readings read.

export type GapRule = 'hold' | 'zero'

export class Resampler {
  private sums: Float64Array
  private counts: Int32Array
  private capacity: number
  /** bins seen so far (the highest bin with a reading + 1), or the fixed count */
  private used = 0

  constructor(
    readonly start: number,
    readonly interval: number,
    /** metrics per reading */
    readonly width: number,
    /** the number of bins, or undefined for as many as the readings reach */
    readonly bins: number | undefined,
  ) {
    this.capacity = bins ?? 256
    this.sums = new Float64Array(this.capacity * width)
    this.counts = new Int32Array(this.capacity * width)
    if (bins !== undefined) this.used = bins
  }

  /**
   * Adds a reading at `time` (NaN values are absent metrics). Returns −1 before the window, 1 past its end
   * (nothing added), 0 when added.
   */
  add(time: number, values: ArrayLike<number>): -1 | 0 | 1 {
    const k = Math.floor((time - this.start) / this.interval)
    if (k < 0) return -1
    if (this.bins !== undefined) {
      if (k >= this.bins) return 1
    } else if (k >= this.capacity) this.grow(k + 1)
    if (k >= this.used) this.used = k + 1
    const w = this.width
    for (let m = 0; m < w; m++) {
      const x = values[m]!
      if (x !== x) continue
      this.sums[k * w + m] = this.sums[k * w + m]! + x
      this.counts[k * w + m] = this.counts[k * w + m]! + 1
    }
    return 0
  }

  private grow(need: number): void {
    let c = this.capacity
    while (c < need) c *= 2
    const sums = new Float64Array(c * this.width)
    sums.set(this.sums)
    const counts = new Int32Array(c * this.width)
    counts.set(this.counts)
    this.sums = sums
    this.counts = counts
    this.capacity = c
  }

  /** Bins so far (the fixed count, or up to the last reading). */
  get length(): number {
    return this.used
  }

  /** Whether metric m has any reading. */
  has(m: number): boolean {
    for (let k = 0; k < this.used; k++) if (this.counts[k * this.width + m]! > 0) return true
    return false
  }

  /** Bins of metric m without a reading. */
  gaps(m: number): number {
    let n = 0
    for (let k = 0; k < this.used; k++) if (this.counts[k * this.width + m] === 0) n++
    return n
  }

  /** Metric m's series over the bins, gaps filled by `rule` (all zeros when it has no reading at all). */
  series(m: number, rule: GapRule): Float64Array {
    const n = this.used
    const w = this.width
    const out = new Float64Array(n)
    let last = Number.NaN
    let firstFilled = -1
    for (let k = 0; k < n; k++) {
      const c = this.counts[k * w + m]!
      if (c > 0) {
        last = this.sums[k * w + m]! / c
        if (firstFilled < 0) firstFilled = k
        out[k] = last
      } else if (rule === 'hold' && last === last) out[k] = last
    }
    if (rule === 'hold' && firstFilled > 0) out.fill(out[firstFilled]!, 0, firstFilled)
    return out
  }
}
