// Bit-exact port of commons-math3 3.0 SimpleRegression (model with intercept): the incremental updating formulas of
// addData, getSlope, getIntercept and regress().getParameterEstimates(), plus CloudSim 3.0.3's
// MathUtil.getLoessParameterEstimates built on them (the LR / LRR overload detectors).
import { RegressionInputError } from './ols'

/** 10 * Double.MIN_VALUE: below this |sumXX| getSlope reports NaN ("not enough variation in x"). */
const SLOPE_EPSILON = 10 * Number.MIN_VALUE
/** Precision.SAFE_MIN = 2^-1022: regress() estimates a slope only when |sumXX| exceeds it. */
const SAFE_MIN = 2 ** -1022

/** commons-math3 SimpleRegression with an intercept (the default constructor). */
export class SimpleRegression {
  private sumX = 0
  /** Total variation in x (sum of squared deviations from xbar). */
  private sumXX = 0
  private sumY = 0
  private sumYY = 0
  private sumXY = 0
  private n = 0
  private xbar = 0
  private ybar = 0

  /** Adds the observation (x, y) with the Chan–Golub–LeVeque updating formulas, in commons-math's order. */
  addData(x: number, y: number): void {
    const n = this.n
    if (n === 0) {
      this.xbar = x
      this.ybar = y
    } else {
      const fact1 = 1.0 + n
      const fact2 = n / (1.0 + n)
      const dx = x - this.xbar
      const dy = y - this.ybar
      this.sumXX += dx * dx * fact2
      this.sumYY += dy * dy * fact2
      this.sumXY += dx * dy * fact2
      this.xbar += dx / fact1
      this.ybar += dy / fact1
    }
    this.sumX += x
    this.sumY += y
    this.n = n + 1
  }

  /** Forgets all observations (commons-math leaves xbar/ybar alone; the next addData overwrites them). */
  clear(): void {
    this.sumX = 0
    this.sumXX = 0
    this.sumY = 0
    this.sumYY = 0
    this.sumXY = 0
    this.n = 0
  }

  getN(): number {
    return this.n
  }

  /** sumXY / sumXX; NaN with fewer than 2 observations or |sumXX| < 10 * Double.MIN_VALUE. */
  getSlope(): number {
    if (this.n < 2) return Number.NaN
    if (Math.abs(this.sumXX) < SLOPE_EPSILON) return Number.NaN
    return this.sumXY / this.sumXX
  }

  /** (sumY - slope * sumX) / n; NaN whenever the slope is. */
  getIntercept(): number {
    return (this.sumY - this.getSlope() * this.sumX) / this.n
  }

  /**
   * regress().getParameterEstimates(): [intercept, slope]. With |sumXX| <= Precision.SAFE_MIN (or NaN) the model
   * degenerates to [sumY / n, NaN]. Throws RegressionInputError ('no-data', Java's NoDataException) below 3
   * observations.
   */
  regress(): [number, number] {
    const out: [number, number] = [0, 0]
    this.regressInto(out)
    return out
  }

  /** regress() writing into `out` (no allocation). */
  regressInto(out: [number, number]): [number, number] {
    if (this.n < 3) throw new RegressionInputError('not enough data (fewer than 3 points) for a regression', 'no-data')
    if (Math.abs(this.sumXX) > SAFE_MIN) {
      out[0] = this.getIntercept()
      out[1] = this.getSlope()
    } else {
      out[0] = this.sumY / this.n
      out[1] = Number.NaN
    }
    return out
  }
}

const loess = new SimpleRegression()

/**
 * CloudSim 3.0.3 MathUtil.getLoessParameterEstimates(y): x = 1..n and an unweighted SimpleRegression (CloudSim's
 * tricube weights are all positive for n >= 3, so its weighted branch never runs), returning
 * regress().getParameterEstimates() = [intercept, slope]. Pass `out` to avoid allocating the result.
 *
 * For n < 3 CloudSim throws ArrayIndexOutOfBoundsException while building the tricube weights, before
 * commons-math is reached. That is not an IllegalArgumentException (CloudSim's LR policy would not catch it), so
 * this throws a RangeError rather than a RegressionInputError.
 */
export function loessEstimates(y: ArrayLike<number>, out: [number, number] = [0, 0]): [number, number] {
  const n = y.length
  if (n < 3) throw new RangeError(`loess estimates need at least 3 points, got ${n}`)
  loess.clear()
  for (let i = 0; i < n; i++) loess.addData(i + 1, y[i] as number)
  return loess.regressInto(out)
}
