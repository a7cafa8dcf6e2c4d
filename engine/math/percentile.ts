// Bit-exact port of commons-math3 3.0 DescriptiveStatistics.getPercentile(p) with the default Percentile
// estimator, and of the CloudSim 3.0.3 MathUtil helpers built on it (median, mad, iqr, countNonZeroBeginning,
// trimZeroTail) that the MAD and IQR overload detectors use. Inputs are never modified; scratch space is kept at
// module level so the hot helpers do not allocate.
//
// Inputs are expected to be free of NaN (commons-math 3.0 selects order statistics by a quickselect whose result
// with NaN depends on the pivoting) and, for the percentile family, of -0 (which of two equal zeros it returns is
// equally an artefact of the pivoting). Utilization histories have neither.
import { RegressionInputError } from './ols'

let bufA = new Float64Array(64)
let bufB = new Float64Array(64)

function scratchA(n: number): Float64Array {
  if (bufA.length < n) bufA = new Float64Array(Math.max(n, bufA.length * 2))
  return bufA
}

function scratchB(n: number): Float64Array {
  if (bufB.length < n) bufB = new Float64Array(Math.max(n, bufB.length * 2))
  return bufB
}

/**
 * a < b in Java's Double.compare order, the one Arrays.sort(double[]) uses: -0 before +0, NaN after everything.
 * The plain comparison decides for ordinary values; the rest only runs for equal values or NaN.
 */
function javaLess(a: number, b: number): boolean {
  if (a < b) return true
  if (a === b) return a === 0 && Object.is(a, -0) && !Object.is(b, -0)
  return b !== b && a === a
}

/** Sorts buf[0, n) ascending in Java's total order without allocating for the small sizes histories have. */
function sortPrefix(buf: Float64Array, n: number): void {
  if (n > 48) {
    buf.subarray(0, n).sort() // typed-array sort: numeric, -0 before +0, NaN last — the same order
    return
  }
  for (let j = 1; j < n; j++) {
    const saved = buf[j] as number
    let i = j - 1
    while (i >= 0 && javaLess(saved, buf[i] as number)) {
      buf[i + 1] = buf[i] as number
      i--
    }
    buf[i + 1] = saved
  }
}

/** The legacy (3.0) estimate on the first n values of `values`; `p` already validated. */
function estimate(values: ArrayLike<number>, n: number, p: number): number {
  if (n === 0) return Number.NaN
  if (n === 1) return values[0] as number
  if (Number.isNaN(p)) throw new RangeError('percentile: p is NaN')
  const work = scratchA(n)
  for (let i = 0; i < n; i++) work[i] = values[i] as number
  sortPrefix(work, n)
  const pos = (p * (n + 1)) / 100
  const fpos = Math.floor(pos)
  const intPos = fpos | 0
  const dif = pos - fpos
  if (pos < 1) return work[0] as number
  if (pos >= n) return work[n - 1] as number
  const lower = work[intPos - 1] as number
  const upper = work[intPos] as number
  return lower + dif * (upper - lower)
}

function checkQuantile(p: number): void {
  if (p > 100 || p <= 0) {
    throw new RegressionInputError(`percentile ${p} is out of range (0, 100]`, 'out-of-range')
  }
}

/**
 * DescriptiveStatistics.getPercentile(p) over `values` (commons-math3 3.0 Percentile): NaN for no values, the
 * value itself for one, otherwise pos = p * (n + 1) / 100 on the sorted values: below 1 the minimum, from n on the
 * maximum, else lower + (pos - floor(pos)) * (upper - lower).
 *
 * Throws RegressionInputError ('out-of-range', Java's OutOfRangeException) unless 0 < p <= 100; a NaN `p` gives a
 * RangeError (Java fails with ArrayIndexOutOfBoundsException).
 *
 * Note: commons-math3 3.3+ (EstimationType.LEGACY) computes pos as (p / 100) * (n + 1), which differs in the last
 * bit for some p; this follows 3.0, the version CloudSim 3.0.3 ships with. p = 50 is identical in both.
 */
export function percentile(values: ArrayLike<number>, p: number): number {
  checkQuantile(p)
  return estimate(values, values.length, p)
}

/** MathUtil.median: getPercentile(50). NaN for an empty input. */
export function median(values: ArrayLike<number>): number {
  return estimate(values, values.length, 50)
}

/**
 * CloudSim MathUtil.mad: the median of |median - x| (computed as Math.abs(median - data[i])); 0 for no data.
 */
export function mad(data: ArrayLike<number>): number {
  const n = data.length
  if (n === 0) return 0
  const med = estimate(data, n, 50)
  const dev = scratchB(n)
  for (let i = 0; i < n; i++) dev[i] = Math.abs(med - (data[i] as number))
  return estimate(dev, n, 50)
}

/**
 * CloudSim MathUtil.iqr: sort, then data[q3] - data[q1] with q1 = round(0.25 (n + 1)) - 1 and
 * q3 = round(0.75 (n + 1)) - 1 (Java Math.round; the arguments are exact quarters, rounded half up).
 *
 * CloudSim sorts the caller's array in place; this sorts a private copy. With fewer than 2 values CloudSim fails
 * with ArrayIndexOutOfBoundsException (not an IllegalArgumentException), mirrored here by a RangeError.
 */
export function iqr(data: ArrayLike<number>): number {
  const n = data.length
  if (n < 2) throw new RangeError(`iqr needs at least 2 values, got ${n}`)
  const work = scratchA(n)
  for (let i = 0; i < n; i++) work[i] = data[i] as number
  sortPrefix(work, n)
  const q1 = Math.round(0.25 * (n + 1)) - 1
  const q3 = Math.round(0.75 * (n + 1)) - 1
  return (work[q3] as number) - (work[q1] as number)
}

/**
 * CloudSim MathUtil.countNonZeroBeginning: the index just past the last non-zero value — except that an array of
 * zeros (or an empty one) counts 1, CloudSim's quirk. NaN counts as non-zero, -0 as zero.
 */
export function countNonZeroBeginning(data: ArrayLike<number>): number {
  let i = data.length - 1
  while (i >= 0) {
    if (data[i--] !== 0) break
  }
  return i + 2
}

/**
 * CloudSim MathUtil.trimZeroTail: Arrays.copyOfRange(data, 0, countNonZeroBeginning(data)) as a new Float64Array.
 * An all-zero input trims to [0] (length 1), and an empty one pads to [0], as in Java.
 */
export function trimZeroTail(data: ArrayLike<number>): Float64Array {
  const count = countNonZeroBeginning(data)
  const out = new Float64Array(count)
  const copied = Math.min(count, data.length)
  for (let i = 0; i < copied; i++) out[i] = data[i] as number
  return out
}
