// A screen for the LR over-load test of the lab's plan. The LR prediction is linear in the history:
// with y_i the i-th newest of the 10 values and X the extrapolation point (the horizon),
//   prediction = Σ w_i y_i = S / 10 + k(X) · T,   S = Σ y_i,  T = Σ (4.5 − i) y_i,  k(X) = (X − 5.5) / 82.5,
// so a host's prediction is Σ over its VMs of (VM MIPS / host MIPS) · (S_v / 10 + k T_v), whatever the
// horizon. Each VM's S, T and Σ|y_i| are summed from its 10 newest values as float32 in a compact window
// (`windowSums`) by the shard that steps the VM, which keeps the window and sends the sums with the VM's
// row into the step tables (step-columns.ts; the screen's per-VM table is one of them); the screen gathers
// those of a host's VMs (and the largest RAM and history length among them, which fix the horizon and
// whether LR applies) during the step's pass over the VMs, and extends them by one VM in O(1). A restored plan sums them from its histories with the same code.
//
// It is only a screen: its sums are rounded differently from the detector's (float32 values, another
// association), so it decides only when it is clear of the bound by far more than any such difference
// (a relative 2^-24 per value, bounded through Σ |w_i| |y_i| ≤ (1/10 + 4.5 |k|) Σ |y_i|); otherwise the
// plan sums exactly as the detector does. Decisions are therefore exactly the exact sum's, as long as the
// screen holds its windows' sums. It is a pure cache all the same: every value is a function of the plan's
// state (histories, members), computed by one piece of code (`windowSums`, then in VM id order), so a
// restored plan recomputes it bit for bit (tests/lab/lr-screen.test.ts holds the shards' sums to that).
import { HISTORY_LENGTH, LR_POINTS } from '../policies/detectors'

/** What the screen reads of the plan. */
export interface LrScreenSource {
  readonly members: number[][]
  readonly capacity: Float64Array
  readonly vmCap: Float64Array
  readonly vmRam: Float64Array
  readonly vmTrim: Int32Array
  readonly hist: Float64Array
  readonly histHead: Int32Array
}
/** the window: LR_POINTS float32 values per VM, the i-th newest at (histHead + i) mod LR_POINTS */
export const LR_WINDOW = 10
if (LR_POINTS !== LR_WINDOW || HISTORY_LENGTH % LR_WINDOW !== 0)
  throw new Error('index-lr: the screen is written for LR over 10 points')
/**
 * T's coefficients (4.5 − i) by window slot, for each position of the newest value: ROTATED[n · W + slot]
 * multiplies the value in `slot` when the newest is in slot n. Slots past a short history hold zeros.
 */
const ROTATED = Float64Array.from({ length: LR_WINDOW * LR_WINDOW }, (_, k) => {
  const newest = Math.floor(k / LR_WINDOW)
  const i = (k - newest * LR_WINDOW - newest + LR_WINDOW) % LR_WINDOW
  return (LR_WINDOW - 1) / 2 - i
})
/**
 * S, T and Σ |y_i| of a window (`recent[at .. at + W)`, the newest value in slot `newest`) into out[0..2],
 * in pairs: a screen need not sum in the detector's order, only always in the same one.
 */
export function windowSums(recent: Float32Array, at: number, newest: number, out: Float64Array): void {
  const c = newest * LR_WINDOW
  const b = at
  const r = recent
  const R = ROTATED
  const y0 = r[b]!
  const y1 = r[b + 1]!
  const y2 = r[b + 2]!
  const y3 = r[b + 3]!
  const y4 = r[b + 4]!
  const y5 = r[b + 5]!
  const y6 = r[b + 6]!
  const y7 = r[b + 7]!
  const y8 = r[b + 8]!
  const y9 = r[b + 9]!
  out[0] = y0 + y1 + (y2 + y3) + (y4 + y5) + (y6 + y7) + (y8 + y9)
  out[1] =
    R[c]! * y0 +
    R[c + 1]! * y1 +
    (R[c + 2]! * y2 + R[c + 3]! * y3) +
    (R[c + 4]! * y4 + R[c + 5]! * y5) +
    (R[c + 6]! * y6 + R[c + 7]! * y7) +
    (R[c + 8]! * y8 + R[c + 9]! * y9)
  out[2] =
    Math.abs(y0) +
    Math.abs(y1) +
    (Math.abs(y2) + Math.abs(y3)) +
    (Math.abs(y4) + Math.abs(y5)) +
    (Math.abs(y6) + Math.abs(y7)) +
    (Math.abs(y8) + Math.abs(y9))
}

/** A VM's window from its history ring (`hist[base ..]`, newest at `head`): into[at + (head + i) mod W]. */
export function windowFromHistory(
  hist: Float64Array,
  base: number,
  head: number,
  into: Float32Array,
  at: number,
): void {
  for (let i = 0; i < LR_WINDOW; i++) into[at + ((head + i) % LR_WINDOW)] = hist[base + ((head + i) % HISTORY_LENGTH)]!
}

/** per host, gathered: Σ over members of MIPS × S, × T, × Σ|y_i|; largest member RAM; trimmed history length */
const GATHERED = 5
const EMPTY_RAM = -2147483648

/** Screen verdicts. */
export const SCREEN_OVER = 1
export const SCREEN_UNDER = 0
export const SCREEN_UNSURE = -1

/**
 * Far beyond the screen's error: float32 values are within 2^-24 ≈ 6e-8 of the history (relative), and
 * both sums' float64 roundings are within (members + 20) ulps, all bounded by the magnitude
 * Σ (VM MIPS / host MIPS) Σ |w_i| |y_i|.
 */
const RELATIVE_MARGIN = 1e-6
const ABSOLUTE_MARGIN = 1e-12

export class LrScreen {
  /** per VM: S, T and Σ |y_i| of its window (windowSums), as its shard sent them or a restore summed them */
  private readonly vmSum: Float64Array
  /** per host: whether its screen holds */
  private readonly valid: Uint8Array
  /** per host: GATHERED values */
  private readonly sums: Float64Array
  /** one VM's S, T and Σ|y_i| (vmSums) */
  private readonly vm = new Float64Array(3)
  private sorted: Int32Array = new Int32Array(64)
  /** the scheduling interval (NaN: the screen has not been asked for yet, and host sums are not kept) */
  private interval = Number.NaN

  constructor(
    private readonly plan: LrScreenSource,
    hostCount: number,
    vmCount: number,
    /** the table to keep the per-VM sums in (3 per VM), when the step's outputs land there */
    vmSum?: Float64Array,
  ) {
    this.vmSum = vmSum ?? new Float64Array(vmCount * 3)
    this.valid = new Uint8Array(hostCount)
    this.sums = new Float64Array(hostCount * GATHERED)
    this.invalidateAll()
  }

  /** Host h's members changed. */
  invalidateHost(h: number): void {
    this.valid[h] = 0
  }

  /** The histories were replaced (a restore): every VM's sums are summed from them, no host screen holds. */
  invalidateAll(): void {
    this.valid.fill(0)
    const { hist, histHead } = this.plan
    const window = new Float32Array(LR_WINDOW)
    for (let v = 0; v < this.vmSum.length / 3; v++) {
      windowFromHistory(hist, v * HISTORY_LENGTH, histHead[v]!, window, 0)
      windowSums(window, 0, histHead[v]! % LR_WINDOW, this.vm)
      this.vmSum.set(this.vm, v * 3)
    }
  }

  /** VM v's S, T and Σ |y_i| as the screen holds them. */
  sumsOf(v: number): [number, number, number] {
    return [this.vmSum[v * 3]!, this.vmSum[v * 3 + 1]!, this.vmSum[v * 3 + 2]!]
  }

  /** A step's pass over the VMs is starting: host values are gathered afresh. */
  stepStarted(): void {
    this.valid.fill(0)
    if (!this.active) return
    const sums = this.sums
    for (let at = 0; at < sums.length; at += GATHERED) {
      sums[at] = 0
      sums[at + 1] = 0
      sums[at + 2] = 0
      sums[at + 3] = EMPTY_RAM
      sums[at + 4] = 1
    }
  }

  /** The step's pass is over: every host's screen holds (until its members change). */
  stepDone(): void {
    if (this.active) this.valid.fill(1)
  }

  /** Whether host sums are kept (the screen has been asked for once). */
  get active(): boolean {
    return !Number.isNaN(this.interval)
  }

  /** The step's pass, VM by VM in id order: the VM is gathered into its planned host's values. */
  vmStepped(v: number, host: number): void {
    const P = this.plan
    if (host < 0 || !this.active) return
    const cap = P.vmCap[v]!
    const vm = this.vmSum
    const sums = this.sums
    const at = host * GATHERED
    sums[at] = sums[at]! + cap * vm[v * 3]!
    sums[at + 1] = sums[at + 1]! + cap * vm[v * 3 + 1]!
    sums[at + 2] = sums[at + 2]! + cap * vm[v * 3 + 2]!
    if (P.vmRam[v]! > sums[at + 3]!) sums[at + 3] = P.vmRam[v]!
    if (P.vmTrim[v]! > sums[at + 4]!) sums[at + 4] = P.vmTrim[v]!
  }

  /** Host h's trimmed history length (the longest member's; 1 when none), once `ensure(h)` ran. */
  lengthOf(h: number): number {
    return this.sums[h * GATHERED + 4]!
  }

  /** Host h's largest member RAM (−2³¹ when none), once `ensure(h)` ran. */
  maxRamOf(h: number): number {
    return this.sums[h * GATHERED + 3]!
  }

  /** VM v's S, T and Σ |y_i| into `vm`. */
  private vmSums(v: number): void {
    const at = v * 3
    this.vm[0] = this.vmSum[at]!
    this.vm[1] = this.vmSum[at + 1]!
    this.vm[2] = this.vmSum[at + 2]!
  }

  /** Host h's screen, computed now if it is not kept: the same sums as the step's pass, in VM id order. */
  ensure(h: number, interval: number): void {
    if (interval !== this.interval) {
      this.valid.fill(0)
      this.interval = interval
    }
    if (this.valid[h]) return
    const P = this.plan
    const members = P.members[h]!
    let length = 1
    let maxRam = EMPTY_RAM
    for (let k = 0; k < members.length; k++) {
      const v = members[k]!
      if (P.vmRam[v]! > maxRam) maxRam = P.vmRam[v]!
      if (P.vmTrim[v]! > length) length = P.vmTrim[v]!
    }
    if (this.sorted.length < members.length) this.sorted = new Int32Array(members.length * 2)
    const sorted = this.sorted.subarray(0, members.length)
    sorted.set(members)
    sorted.sort()
    let s = 0
    let t = 0
    let abs = 0
    for (let k = 0; k < sorted.length; k++) {
      const v = sorted[k]!
      this.vmSums(v)
      const cap = P.vmCap[v]!
      s += cap * this.vm[0]!
      t += cap * this.vm[1]!
      abs += cap * this.vm[2]!
    }
    const at = h * GATHERED
    this.sums[at] = s
    this.sums[at + 1] = t
    this.sums[at + 2] = abs
    this.sums[at + 3] = maxRam
    this.sums[at + 4] = length
    this.valid[h] = 1
  }

  /**
   * The screen's verdict on host h (+ VM `plus` when ≥ 0) predicted at `horizon`, once `ensure(h)` ran:
   * SCREEN_OVER / SCREEN_UNDER when certain, SCREEN_UNSURE when only the exact sum can tell.
   */
  verdict(h: number, plus: number, horizon: number, safety: number): number {
    const at = h * GATHERED
    let s = this.sums[at]!
    let t = this.sums[at + 1]!
    let abs = this.sums[at + 2]!
    if (plus >= 0) {
      this.vmSums(plus)
      const cap = this.plan.vmCap[plus]!
      s += cap * this.vm[0]!
      t += cap * this.vm[1]!
      abs += cap * this.vm[2]!
    }
    const k = (horizon - 5.5) / 82.5
    const hostMips = this.plan.capacity[h]!
    const predicted = (s / LR_WINDOW + k * t) / hostMips
    // Σ |w_i| |y_i| ≤ (1/10 + 4.5 |k|) Σ |y_i|
    const magnitude = ((1 / LR_WINDOW + ((LR_WINDOW - 1) / 2) * (k < 0 ? -k : k)) * abs) / hostMips
    const margin = (magnitude * RELATIVE_MARGIN + ABSOLUTE_MARGIN) * safety
    const x = predicted * safety
    if (x >= 1 + margin) return SCREEN_OVER
    if (x <= 1 - margin) return SCREEN_UNDER
    return SCREEN_UNSURE
  }
}
