// One VM's readings as an importer streams them: the time order check (a reading may repeat the last
// time — the first of the repeats counts — but never go back), its resampled bins, the size it reports.
import type { Diagnostic } from '../scenario/diagnostics'
import { Resampler, type GapRule } from './resample'
import { noReadings, type TraceVm, type TraceVmSize, type TraceWindow } from './trace-source'

/** metric 0 is CPU, 1 memory, 2… the disk and network columns */
export const CPU = 0
export const MEMORY = 1

export class VmReadings {
  readonly bins: Resampler
  private last = Number.NEGATIVE_INFINITY
  /** the window's end has been passed: later readings are not needed */
  done = false
  readonly size: TraceVmSize = {}

  constructor(
    readonly id: string,
    window: TraceWindow,
    interval: number,
    /** CPU, memory and the io columns */
    width: number,
  ) {
    this.bins = new Resampler(window.from, interval, width, window.bins)
  }

  /**
   * A reading at `time`: undefined when it is fine, else why it is out of order (the caller reports it as a
   * bad row). A repeated time is a duplicate: `add` then ignores the reading.
   */
  order(time: number): string | undefined {
    if (time < this.last)
      return `expected a time at or after the previous reading's (${this.last}), found ${time}: timestamps must not go back`
    return undefined
  }

  /** Adds a reading in order; returns false once past the window's end. */
  add(time: number, values: ArrayLike<number>): boolean {
    if (time === this.last) return true
    this.last = time
    if (this.bins.add(time, values) === 1) this.done = true
    return !this.done
  }

  /** Largest size seen (a VM's provisioned size may grow within a trace). */
  noteSize(vcpus: number, mhzPerCore: number, memoryBytes: number): void {
    const s = this.size
    if (vcpus > 0 && !(vcpus <= (s.vcpus ?? 0))) s.vcpus = vcpus
    if (mhzPerCore > 0 && !(mhzPerCore <= (s.mhzPerCore ?? 0))) s.mhzPerCore = mhzPerCore
    if (memoryBytes > 0 && !(memoryBytes <= (s.memoryBytes ?? 0))) s.memoryBytes = memoryBytes
  }

  /** The VM's resampled series; a VM with no CPU reading in the window is refused under `hold`. */
  finish(rule: GapRule, memory: boolean, io: number, source: string, window: TraceWindow, absolute: boolean): TraceVm {
    const b = this.bins
    if (!b.has(CPU) && (rule === 'hold' || b.length === 0)) throw noReadings(source, this.id, window, absolute)
    return {
      id: this.id,
      cpu: b.series(CPU, rule),
      ...(memory ? { memory: b.series(MEMORY, rule) } : {}),
      io: Array.from({ length: io }, (_, m) => b.series(2 + m, rule)),
      size: this.size,
      gapBins: b.gaps(CPU),
    }
  }
}

/** A bad field's diagnostic: file, line, its column, and which field it is. */
export function fieldProblem(file: string, line: number, column: number, field: string, message: string): Diagnostic {
  return { file, line, column, message: `${field}: ${message}` }
}
