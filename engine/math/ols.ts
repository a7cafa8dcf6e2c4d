// Bit-exact port of commons-math3 3.0 OLSMultipleLinearRegression (model with intercept) as CloudSim 3.0.3's
// Maximum Correlation (MC) VM selection policy uses it: Householder QRDecomposition (singularity threshold 0), the
// QR least-squares solver behind calculateBeta(), residuals, SSR, SSTO via the SecondMoment update and
// R² = 1 - SSR / SSTO. Every floating-point operation happens in the order commons-math performs it; the only
// functions involved (sqrt, abs) are correctly rounded in both Java and JS, so results match bit for bit.

/** What made commons-math reject a regression input; all of these are IllegalArgumentExceptions in Java. */
export type RegressionErrorKind =
  | 'illegal-argument' // MathIllegalArgumentException (generic)
  | 'dimension-mismatch' // DimensionMismatchException
  | 'no-data' // NoDataException
  | 'insufficient-data' // MathIllegalArgumentException(NOT_ENOUGH_DATA_FOR_NUMBER_OF_PREDICTORS)
  | 'singular-matrix' // SingularMatrixException
  | 'out-of-range' // OutOfRangeException (percentile quantile outside (0, 100])

const JAVA_EXCEPTION: Record<RegressionErrorKind, string> = {
  'illegal-argument': 'MathIllegalArgumentException',
  'dimension-mismatch': 'DimensionMismatchException',
  'no-data': 'NoDataException',
  'insufficient-data': 'MathIllegalArgumentException',
  'singular-matrix': 'SingularMatrixException',
  'out-of-range': 'OutOfRangeException',
}

/**
 * Thrown wherever commons-math3 throws a MathIllegalArgumentException subtype. In commons-math3 3.x every one of
 * them (NoDataException, DimensionMismatchException, SingularMatrixException, OutOfRangeException, …) extends
 * java.lang.IllegalArgumentException, which is what CloudSim's LR and MC policies catch to fall back.
 */
export class RegressionInputError extends Error {
  readonly kind: RegressionErrorKind
  /** Simple name of the commons-math3 exception this stands for. */
  readonly javaException: string

  constructor(message: string, kind: RegressionErrorKind = 'illegal-argument') {
    super(message)
    this.name = 'RegressionInputError'
    this.kind = kind
    this.javaException = JAVA_EXCEPTION[kind]
  }
}

/** commons-math3 SingularMatrixException: some |R[i][i]| <= 0 (threshold 0) in the QR decomposition. */
export class SingularMatrixError extends RegressionInputError {
  constructor() {
    super('matrix is singular', 'singular-matrix')
    this.name = 'SingularMatrixError'
  }
}

/** Row-major view of a design matrix without its intercept column: observation r, predictor c. */
type Cell = (r: number, c: number) => number

/**
 * OLSMultipleLinearRegression with an intercept. Buffers are kept between calls, so reusing one instance does not
 * allocate once it has grown to the largest problem seen.
 */
export class OlsRegression {
  /** Observations (rows of X). */
  private m = 0
  /** Columns of X, the leading column of 1s included. */
  private k = 0
  private loaded = false
  /** X as Array2DRowRealMatrix holds it: row-major, m × k. */
  private xData = new Float64Array(0)
  /** The decomposition in commons-math's packed transposed form: qrt[c * m + r]. */
  private qrt = new Float64Array(0)
  private rDiag = new Float64Array(0)
  private yData = new Float64Array(0)
  /** Solver work vector (the copy of y that the Householder transforms overwrite). */
  private work = new Float64Array(0)
  private beta = new Float64Array(0)

  /**
   * newSampleData(y, x): x holds one row per observation and one column per predictor; the column of 1s is
   * prepended here. Throws RegressionInputError exactly where commons-math validates (the singular case is only
   * detected later, by calculateBeta and everything built on it, as in Java).
   */
  newSampleData(y: ArrayLike<number>, x: ArrayLike<ArrayLike<number>>): void {
    const rows = x.length
    // AbstractMultipleLinearRegression.validateSampleData
    if (rows !== y.length) throw mismatch(y.length, rows)
    if (rows === 0) throw new RegressionInputError('no data', 'no-data')
    const nVars = rowAt(x, 0).length
    if (nVars + 1 > rows) throw insufficient(rows, nVars)
    // newXSampleData: rectangular check while augmenting
    for (let r = 0; r < rows; r++) {
      const len = rowAt(x, r).length
      if (len !== nVars) throw mismatch(len, nVars)
    }
    this.load(y, rows, nVars, (r, c) => rowAt(x, r)[c] as number)
  }

  /**
   * The same as newSampleData(y, transpose(columns)): each element of `columns` is one predictor's values over the
   * observations (CloudSim's VM-major utilization rows), which spares the caller the transposition. No columns, or
   * columns without values, are rejected as NoDataException, as the Array2DRowRealMatrix holding them would be.
   */
  newSampleDataColumns(y: ArrayLike<number>, columns: ArrayLike<ArrayLike<number>>): void {
    this.loadColumns(y, columns, -1)
  }

  /**
   * What CloudSim's MC policy feeds commons-math for VM `i`: y = data[i], predictors = every other row of the
   * VM-major matrix `data`, with the validation of the Array2DRowRealMatrix CloudSim builds from those rows
   * (NoDataException without another VM or without history) followed by that of newSampleData.
   */
  newSampleDataLeaveOneOut(data: ArrayLike<ArrayLike<number>>, i: number): void {
    if (!Number.isInteger(i) || i < 0 || i >= data.length) throw new RangeError(`no row ${i} in the data`)
    this.loadColumns(rowAt(data, i), data, i)
  }

  /** Columns of `columns` except index `skip` (-1: none) are the predictors. */
  private loadColumns(y: ArrayLike<number>, columns: ArrayLike<ArrayLike<number>>, skip: number): void {
    const nVars = skip < 0 ? columns.length : columns.length - 1
    // new Array2DRowRealMatrix(predictors): at least one row and one column, rectangular
    if (nVars === 0) throw new RegressionInputError('no predictor columns', 'no-data')
    const rows = rowAt(columns, skip === 0 ? 1 : 0).length
    if (rows === 0) throw new RegressionInputError('no observations', 'no-data')
    for (let c = 0; c < columns.length; c++) {
      const len = rowAt(columns, c).length
      if (c !== skip && len !== rows) throw mismatch(len, rows)
    }
    // validateSampleData on the transposed matrix
    if (rows !== y.length) throw mismatch(y.length, rows)
    if (nVars + 1 > rows) throw insufficient(rows, nVars)
    this.load(y, rows, nVars, (r, c) => rowAt(columns, skip >= 0 && c >= skip ? c + 1 : c)[r] as number)
  }

  /** Regression parameters [intercept, b1, …, bp] (OLSMultipleLinearRegression.estimateRegressionParameters). */
  calculateBeta(): Float64Array {
    this.solve()
    return this.beta.slice(0, this.k)
  }

  /** Residuals y - X·b. */
  calculateResiduals(): Float64Array {
    this.solve()
    const out = new Float64Array(this.m)
    for (let r = 0; r < this.m; r++) out[r] = this.residual(r)
    return out
  }

  /** SSR: the residual vector's dot product with itself. */
  calculateResidualSumOfSquares(): number {
    this.solve()
    let dot = 0
    for (let r = 0; r < this.m; r++) {
      const e = this.residual(r)
      dot += e * e
    }
    return dot
  }

  /** SSTO: commons-math SecondMoment of y (sum of squared deviations from the running mean). */
  calculateTotalSumOfSquares(): number {
    this.requireData()
    const y = this.yData
    let n = 0
    let m1 = 0
    let m2 = 0
    for (let i = 0; i < this.m; i++) {
      const d = y[i] as number
      n++
      const dev = d - m1
      const nDev = dev / n
      m1 += nDev
      m2 += (n - 1) * dev * nDev
    }
    return m2
  }

  /** R² = 1 - SSR / SSTO. */
  calculateRSquared(): number {
    return 1 - this.calculateResidualSumOfSquares() / this.calculateTotalSumOfSquares()
  }

  private load(y: ArrayLike<number>, rows: number, nVars: number, cell: Cell): void {
    const k = nVars + 1
    this.ensureCapacity(rows, k)
    this.m = rows
    this.k = k
    const { xData, qrt, yData } = this
    for (let r = 0; r < rows; r++) {
      yData[r] = y[r] as number
      xData[r * k] = 1
      qrt[r] = 1
      for (let c = 1; c < k; c++) {
        const v = cell(r, c - 1)
        xData[r * k + c] = v
        qrt[c * rows + r] = v
      }
    }
    this.decompose()
    this.loaded = true
  }

  /** QRDecomposition: Householder reflections on the transposed matrix, minor by minor. */
  private decompose(): void {
    const { m, k, qrt, rDiag } = this
    const minors = Math.min(m, k)
    for (let minor = 0; minor < minors; minor++) {
      const mo = minor * m
      let xNormSqr = 0
      for (let row = minor; row < m; row++) {
        const c = qrt[mo + row] as number
        xNormSqr += c * c
      }
      const a = (qrt[mo + minor] as number) > 0 ? -Math.sqrt(xNormSqr) : Math.sqrt(xNormSqr)
      rDiag[minor] = a
      if (a !== 0) {
        qrt[mo + minor] = (qrt[mo + minor] as number) - a
        const vMinor = qrt[mo + minor] as number
        for (let col = minor + 1; col < k; col++) {
          const co = col * m
          let alpha = 0
          for (let row = minor; row < m; row++) alpha -= (qrt[co + row] as number) * (qrt[mo + row] as number)
          alpha /= a * vMinor
          for (let row = minor; row < m; row++) {
            qrt[co + row] = (qrt[co + row] as number) - alpha * (qrt[mo + row] as number)
          }
        }
      }
    }
  }

  /** QRDecomposition.Solver.solve(y) into this.beta; throws SingularMatrixError like commons-math. */
  private solve(): void {
    this.requireData()
    const { m, k, qrt, rDiag, work: y, beta } = this
    const minors = Math.min(m, k)
    for (let i = 0; i < minors; i++) {
      if (Math.abs(rDiag[i] as number) <= 0) throw new SingularMatrixError()
    }
    y.set(this.yData.subarray(0, m))
    // apply the Householder transforms: y = Qᵀ·b
    for (let minor = 0; minor < minors; minor++) {
      const mo = minor * m
      let dotProduct = 0
      for (let row = minor; row < m; row++) dotProduct += (y[row] as number) * (qrt[mo + row] as number)
      dotProduct /= (rDiag[minor] as number) * (qrt[mo + minor] as number)
      for (let row = minor; row < m; row++) y[row] = (y[row] as number) + dotProduct * (qrt[mo + row] as number)
    }
    // back-substitution R·x = y
    beta.fill(0, 0, k)
    for (let row = minors - 1; row >= 0; row--) {
      y[row] = (y[row] as number) / (rDiag[row] as number)
      const yRow = y[row] as number
      const ro = row * m
      beta[row] = yRow
      for (let i = 0; i < row; i++) y[i] = (y[i] as number) - yRow * (qrt[ro + i] as number)
    }
  }

  /** y[r] - (X·b)[r], the row product summed from 0 as Array2DRowRealMatrix.operate does. */
  private residual(r: number): number {
    const { k, xData, beta } = this
    const ro = r * k
    let sum = 0
    for (let c = 0; c < k; c++) sum += (xData[ro + c] as number) * (beta[c] as number)
    return (this.yData[r] as number) - sum
  }

  private requireData(): void {
    if (!this.loaded) throw new Error('OlsRegression: newSampleData has not been called')
  }

  private ensureCapacity(rows: number, k: number): void {
    const cells = rows * k
    if (this.xData.length < cells) {
      this.xData = new Float64Array(cells)
      this.qrt = new Float64Array(cells)
    }
    if (this.yData.length < rows) {
      this.yData = new Float64Array(rows)
      this.work = new Float64Array(rows)
    }
    if (this.rDiag.length < k) {
      this.rDiag = new Float64Array(k)
      this.beta = new Float64Array(k)
    }
  }
}

function rowAt(x: ArrayLike<ArrayLike<number>>, i: number): ArrayLike<number> {
  const row = x[i]
  if (row === undefined) throw new RegressionInputError(`missing row ${i}`, 'dimension-mismatch')
  return row
}

function mismatch(got: number, expected: number): RegressionInputError {
  return new RegressionInputError(`dimension mismatch: ${got} != ${expected}`, 'dimension-mismatch')
}

function insufficient(rows: number, predictors: number): RegressionInputError {
  return new RegressionInputError(
    `not enough data (${rows} rows) for this many predictors (${predictors} predictors)`,
    'insufficient-data',
  )
}

const shared = new OlsRegression()

/**
 * R² of `new OLSMultipleLinearRegression().newSampleData(y, x)` (x: observations × predictors, intercept added),
 * i.e. what CloudSim's MathUtil.createLinearRegression(x, y).calculateRSquared() returns. Throws
 * RegressionInputError (SingularMatrixError for a singular design) wherever commons-math throws.
 */
export function olsRSquared(y: ArrayLike<number>, x: ArrayLike<ArrayLike<number>>): number {
  shared.newSampleData(y, x)
  return shared.calculateRSquared()
}

/**
 * One step of CloudSim's PowerVmSelectionPolicyMaximumCorrelation.getCorrelationCoefficients: regress VM `i`'s
 * utilization history `data[i]` on the histories of all other VMs and return R². `data` is VM-major
 * (n VMs × m history values), CloudSim's utilization matrix; no transposed copy is made.
 */
export function leaveOneOutRSquared(data: ArrayLike<ArrayLike<number>>, i: number): number {
  shared.newSampleDataLeaveOneOut(data, i)
  return shared.calculateRSquared()
}
