// Bit-exact ports of the commons-math3 computations CloudSim 3.0.3's consolidation policies rely on.
export {
  OlsRegression,
  RegressionInputError,
  SingularMatrixError,
  leaveOneOutRSquared,
  olsRSquared,
  type RegressionErrorKind,
} from './ols'
export { countNonZeroBeginning, iqr, mad, median, percentile, trimZeroTail } from './percentile'
export { SimpleRegression, loessEstimates } from './simple-regression'
