// Golden tests: engine/math against values produced by the real commons-math3 library (see
// tests/fixtures/commons-math/README.md). Every number is compared by its IEEE-754 bit pattern.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import {
  OlsRegression,
  RegressionInputError,
  SimpleRegression,
  SingularMatrixError,
  countNonZeroBeginning,
  iqr,
  leaveOneOutRSquared,
  loessEstimates,
  mad,
  median,
  olsRSquared,
  percentile,
  trimZeroTail,
} from '../../engine/math'

interface JavaError {
  throws: string
  iae: boolean
}
type Outcome<T> = T | JavaError

interface StatsCase {
  values: string
  percentiles: string
  median: string
  mad: string
  iqr: Outcome<string>
  countNonZeroBeginning: number
  trimZeroTail: string
}
interface TrimCase {
  values: string
  countNonZeroBeginning: number
  trimZeroTail: string
}
interface SimpleRegressionCase {
  x: string
  y: string
  slope: string
  intercept: string
  regress: Outcome<string>
}
interface LoessCase {
  y: string
  out: Outcome<string>
}
interface OlsResult {
  rsq: string
  ssr: string
  ssto: string
  beta?: string
}
interface OlsCase {
  y: string
  x: string[]
  out: Outcome<OlsResult>
}
interface McCase {
  data: string[]
  out: Outcome<OlsResult>[]
}
interface Golden {
  meta: { commonsMath3: string; illegalArgumentException: Record<string, boolean> }
  stats: StatsCase[]
  trim: TrimCase[]
  simpleRegression: SimpleRegressionCase[]
  loess: LoessCase[]
  ols: OlsCase[]
  mc: McCase[]
}

const golden = JSON.parse(
  readFileSync(new URL('../fixtures/commons-math/golden.json', import.meta.url), 'utf8'),
) as Golden

const f64 = new Float64Array(1)
const u64 = new BigUint64Array(f64.buffer)

/** IEEE-754 bit pattern as 16 hex digits (what the Java side printed with Double.doubleToRawLongBits). */
function bits(x: number): string {
  f64[0] = x
  return (u64[0] as bigint).toString(16).padStart(16, '0')
}

function numbers(s: string): number[] {
  return s === '' ? [] : s.split(' ').map(Number)
}

function hexList(s: string): string[] {
  return s === '' ? [] : s.split(' ')
}

function isError<T>(o: Outcome<T>): o is JavaError {
  return typeof o === 'object' && o !== null && 'throws' in o
}

/** Runs fn; returns the bit patterns it produced or the error it threw. */
function attempt(fn: () => number[]): string[] | Error {
  try {
    return fn().map(bits)
  } catch (e) {
    return e as Error
  }
}

/** Compares an outcome with Java's; pushes a description of any difference. */
function check(label: string, got: string[] | Error, want: Outcome<string[]>, problems: string[]): void {
  if (isError(want)) {
    if (!(got instanceof Error)) {
      problems.push(`${label}: expected ${want.throws}, got ${got.join(' ')}`)
    } else if (want.iae !== got instanceof RegressionInputError) {
      problems.push(`${label}: Java threw ${want.throws} (IAE ${want.iae}), TS threw ${got.name}: ${got.message}`)
    } else if (got instanceof RegressionInputError && got.javaException !== want.throws) {
      problems.push(`${label}: Java threw ${want.throws}, TS stands for ${got.javaException}`)
    } else if (want.throws === 'SingularMatrixException' && !(got instanceof SingularMatrixError)) {
      problems.push(`${label}: expected a SingularMatrixError, got ${got.name}`)
    }
    return
  }
  if (got instanceof Error) {
    problems.push(`${label}: threw ${got.name}: ${got.message}, expected ${want.join(' ')}`)
  } else if (got.join(' ') !== want.join(' ')) {
    problems.push(`${label}: got ${got.join(' ')}, expected ${want.join(' ')}`)
  }
}

function olsWanted(out: Outcome<OlsResult>, withBeta: boolean): Outcome<string[]> {
  if (isError(out)) return out
  return [out.rsq, out.ssr, out.ssto, ...(withBeta && out.beta !== undefined ? hexList(out.beta) : [])]
}

/** Only the first value (R²) of an expected outcome. */
function rSquaredOnly(want: Outcome<string[]>): Outcome<string[]> {
  return isError(want) ? want : want.slice(0, 1)
}

function transpose(rows: number[][], m: number): number[][] {
  return Array.from({ length: m }, (_, r) => rows.map((row) => row[r] as number))
}

describe('commons-math3 golden values', () => {
  it('come from the expected library build', () => {
    expect(golden.meta.commonsMath3).toMatch(/^3\.6\.1/)
    // Everything commons-math throws at us is an IllegalArgumentException, hence one RegressionInputError.
    for (const [name, iae] of Object.entries(golden.meta.illegalArgumentException)) {
      expect(iae, name).toBe(!name.startsWith('java.lang.'))
    }
  })

  it('percentile, median, mad, iqr, countNonZeroBeginning and trimZeroTail match bit for bit', () => {
    const problems: string[] = []
    let evaluations = 0
    for (const [n, c] of golden.stats.entries()) {
      const values = numbers(c.values)
      const copy = Float64Array.from(values)
      for (const pair of hexList(c.percentiles)) {
        const [p, want] = pair.split(':') as [string, string]
        check(
          `stats[${n}] percentile(${p})`,
          attempt(() => [percentile(values, Number(p))]),
          [want],
          problems,
        )
        evaluations++
      }
      check(
        `stats[${n}] median`,
        attempt(() => [median(values)]),
        [c.median],
        problems,
      )
      check(
        `stats[${n}] mad`,
        attempt(() => [mad(values)]),
        [c.mad],
        problems,
      )
      check(
        `stats[${n}] iqr`,
        attempt(() => [iqr(values)]),
        isError(c.iqr) ? c.iqr : [c.iqr],
        problems,
      )
      // the typed-array path must agree with the plain-array path
      check(
        `stats[${n}] iqr(Float64Array)`,
        attempt(() => [iqr(copy)]),
        isError(c.iqr) ? c.iqr : [c.iqr],
        problems,
      )
      check(
        `stats[${n}] mad(Float64Array)`,
        attempt(() => [mad(copy)]),
        [c.mad],
        problems,
      )
      if (countNonZeroBeginning(values) !== c.countNonZeroBeginning) problems.push(`stats[${n}] countNonZeroBeginning`)
      check(
        `stats[${n}] trimZeroTail`,
        attempt(() => Array.from(trimZeroTail(values))),
        hexList(c.trimZeroTail),
        problems,
      )
      expect(Array.from(copy), 'inputs are not modified').toEqual(values)
    }
    expect(problems).toEqual([])
    expect(golden.stats.length).toBeGreaterThanOrEqual(60)
    expect(evaluations).toBeGreaterThanOrEqual(800)
  })

  it("countNonZeroBeginning and trimZeroTail keep CloudSim's quirks (empty, all-zero, NaN, -0)", () => {
    const problems: string[] = []
    for (const [n, c] of golden.trim.entries()) {
      const values = numbers(c.values)
      if (countNonZeroBeginning(values) !== c.countNonZeroBeginning) problems.push(`trim[${n}] count`)
      check(
        `trim[${n}] trimZeroTail`,
        attempt(() => Array.from(trimZeroTail(values))),
        hexList(c.trimZeroTail),
        problems,
      )
    }
    expect(problems).toEqual([])
  })

  it('SimpleRegression slope, intercept and regress() match bit for bit', () => {
    const problems: string[] = []
    for (const [n, c] of golden.simpleRegression.entries()) {
      const x = numbers(c.x)
      const y = numbers(c.y)
      const reg = new SimpleRegression()
      for (let i = 0; i < x.length; i++) reg.addData(x[i] as number, y[i] as number)
      check(
        `simpleRegression[${n}] slope`,
        attempt(() => [reg.getSlope()]),
        [c.slope],
        problems,
      )
      check(
        `simpleRegression[${n}] intercept`,
        attempt(() => [reg.getIntercept()]),
        [c.intercept],
        problems,
      )
      const want = isError(c.regress) ? c.regress : hexList(c.regress)
      check(
        `simpleRegression[${n}] regress`,
        attempt(() => reg.regress()),
        want,
        problems,
      )
    }
    expect(problems).toEqual([])
    expect(golden.simpleRegression.length).toBeGreaterThanOrEqual(60)
  })

  it('loessEstimates matches MathUtil.getLoessParameterEstimates bit for bit', () => {
    const problems: string[] = []
    const out: [number, number] = [0, 0]
    for (const [n, c] of golden.loess.entries()) {
      const y = numbers(c.y)
      const want = isError(c.out) ? c.out : hexList(c.out)
      check(
        `loess[${n}]`,
        attempt(() => loessEstimates(y)),
        want,
        problems,
      )
      check(
        `loess[${n}] (Float64Array, out)`,
        attempt(() => loessEstimates(Float64Array.from(y), out)),
        want,
        problems,
      )
    }
    expect(problems).toEqual([])
    expect(golden.loess.filter((c) => numbers(c.y).length === 10).length).toBeGreaterThanOrEqual(100)
  })

  it('OLS R², SSR, SSTO and beta match OLSMultipleLinearRegression bit for bit', () => {
    const problems: string[] = []
    const reg = new OlsRegression()
    for (const [n, c] of golden.ols.entries()) {
      const y = numbers(c.y)
      const x = c.x.map(numbers)
      check(
        `ols[${n}] olsRSquared`,
        attempt(() => [olsRSquared(y, x)]),
        rSquaredOnly(olsWanted(c.out, false)),
        problems,
      )
      const full = attempt(() => {
        reg.newSampleData(y, x)
        return [
          reg.calculateRSquared(),
          reg.calculateResidualSumOfSquares(),
          reg.calculateTotalSumOfSquares(),
          ...reg.calculateBeta(),
        ]
      })
      check(`ols[${n}] OlsRegression`, full, olsWanted(c.out, true), problems)
    }
    expect(problems).toEqual([])
    expect(golden.ols.length).toBeGreaterThanOrEqual(70)
  })

  it("reproduces CloudSim's Maximum Correlation regressions bit for bit", () => {
    const problems: string[] = []
    const reg = new OlsRegression()
    let regressions = 0
    for (const [n, c] of golden.mc.entries()) {
      const data = c.data.map(numbers)
      const m = (data[0] as number[]).length
      for (const [i, out] of c.out.entries()) {
        regressions++
        const label = `mc[${n}] vm ${i}`
        const want = olsWanted(out, false)
        check(
          `${label} leaveOneOutRSquared`,
          attempt(() => [leaveOneOutRSquared(data, i)]),
          rSquaredOnly(want),
          problems,
        )
        const others = data.filter((_, j) => j !== i)
        const viaTranspose = attempt(() => [olsRSquared(data[i] as number[], transpose(others, m))])
        check(`${label} olsRSquared(transposed)`, viaTranspose, rSquaredOnly(want), problems)
        const viaClass = attempt(() => {
          reg.newSampleDataLeaveOneOut(data, i)
          return [reg.calculateRSquared(), reg.calculateResidualSumOfSquares(), reg.calculateTotalSumOfSquares()]
        })
        check(`${label} newSampleDataLeaveOneOut`, viaClass, want, problems)
        const viaColumns = attempt(() => {
          reg.newSampleDataColumns(data[i] as number[], others)
          return [reg.calculateRSquared(), reg.calculateResidualSumOfSquares(), reg.calculateTotalSumOfSquares()]
        })
        check(`${label} newSampleDataColumns`, viaColumns, want, problems)
      }
    }
    expect(problems).toEqual([])
    expect(regressions).toBeGreaterThanOrEqual(250)
  })
})

describe('hand-checked cases', () => {
  it('percentile and median', () => {
    expect(median([1, 2, 3, 4])).toBe(2.5)
    expect(median([3, 1, 2])).toBe(2)
    expect(median([0.5])).toBe(0.5)
    expect(median([])).toBeNaN()
    expect(percentile([1, 2, 3, 4], 25)).toBe(1.25) // pos = 25 · 5 / 100 = 1.25
    expect(percentile([1, 2, 3, 4], 10)).toBe(1) // pos < 1: the minimum
    expect(percentile([1, 2, 3, 4], 90)).toBe(4) // pos = 4.5 >= n: the maximum
    expect(percentile([7], 1)).toBe(7)
    for (const p of [0, -1, 100.5]) {
      expect(() => percentile([1, 2], p)).toThrow(RegressionInputError)
    }
    expect(() => percentile([1, 2], Number.NaN)).toThrow(RangeError)
  })

  it('mad and iqr', () => {
    expect(mad([1, 2, 3, 4, 100])).toBe(1) // median 3, deviations 2 1 0 1 97
    expect(mad([])).toBe(0)
    const data = [4, 1, 3, 2]
    expect(iqr(data)).toBe(3) // q1 = round(1.25) - 1 = 0, q3 = round(3.75) - 1 = 3
    expect(data).toEqual([4, 1, 3, 2])
    expect(iqr([8, 7, 6, 5, 4, 3, 2, 1])).toBe(5) // q1 = round(2.25) - 1 = 1, q3 = round(6.75) - 1 = 6
    expect(iqr([1, 5])).toBe(4) // q1 = round(0.75) - 1 = 0, q3 = round(2.25) - 1 = 1
    expect(() => iqr([1])).toThrow(RangeError)
    expect(() => iqr([1])).not.toThrow(RegressionInputError)
  })

  it('countNonZeroBeginning and trimZeroTail', () => {
    expect(trimZeroTail([0, 0, 0])).toHaveLength(1)
    expect(Array.from(trimZeroTail([0, 0, 0]))).toEqual([0])
    expect(Array.from(trimZeroTail([]))).toEqual([0])
    expect(Array.from(trimZeroTail([1, 0, 2, 0, 0]))).toEqual([1, 0, 2])
    expect(countNonZeroBeginning([1, 0, 2, 0, 0])).toBe(3)
    expect(countNonZeroBeginning([0, 0, 0])).toBe(1)
    expect(countNonZeroBeginning([5])).toBe(1)
  })

  it('SimpleRegression and loessEstimates', () => {
    expect(loessEstimates([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])).toEqual([0, 1])
    const [intercept, slope] = loessEstimates([5, 5, 5, 5])
    expect(slope).toBe(0)
    expect(intercept).toBe(5)
    expect(() => loessEstimates([1, 2])).toThrow(RangeError)

    const reg = new SimpleRegression()
    reg.addData(1, 1)
    reg.addData(1, 2)
    expect(reg.getSlope()).toBeNaN() // no variation in x
    expect(() => reg.regress()).toThrow(RegressionInputError) // n < 3: NoDataException
    reg.addData(1, 3)
    const [b0, b1] = reg.regress() // |sumXX| <= SAFE_MIN: [sumY / n, NaN]
    expect(b0).toBe(2)
    expect(b1).toBeNaN()
  })

  it('OLS validation and singularity', () => {
    // x[0].length + 1 > x.length is rejected: observations must outnumber predictors
    expect(() =>
      olsRSquared(
        [1, 2],
        [
          [1, 2],
          [2, 1],
        ],
      ),
    ).toThrow(RegressionInputError)
    expect(() =>
      olsRSquared(
        [1, 2, 3],
        [
          [1, 2, 3],
          [2, 1, 1],
          [3, 5, 2],
        ],
      ),
    ).toThrow(RegressionInputError)
    expect(
      Number.isNaN(
        olsRSquared(
          [1, 2, 3],
          [
            [1, 2],
            [2, 1],
            [3, 5],
          ],
        ),
      ),
    ).toBe(false) // 3 rows, 2 predictors
    expect(() => olsRSquared([], [])).toThrow(RegressionInputError)
    expect(() => olsRSquared([1, 2], [[1], [2], [3]])).toThrow(RegressionInputError)
    // a zero predictor column makes R[1][1] exactly 0
    const singular = (): number => olsRSquared([2, 1, 2, 5], [[0], [0], [0], [0]])
    expect(singular).toThrow(SingularMatrixError)
    expect(singular).toThrow(RegressionInputError)
    expect(olsRSquared([1, 2, 3, 4], [[1], [2], [3], [4]])).toBeCloseTo(1, 12)
    expect(() => leaveOneOutRSquared([[1, 2, 3]], 0)).toThrow(RegressionInputError) // no other VM
    expect(() => leaveOneOutRSquared([[1, 2, 3]], 1)).toThrow(RangeError)
  })
})
