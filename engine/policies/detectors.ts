// Host overload detectors of Beloglazov & Buyya (CCPE 2012) as CloudSim 3.0.3 codes them: static threshold
// (THR), inter-quartile range (IQR), median absolute deviation (MAD), local regression (LR) and its robust
// variant (LRR, which in CloudSim reduces to LR). Pure functions over a host's load; the arithmetic mirrors
// CloudSim and commons-math so decisions match bit for bit.
import { iqr, loessEstimates, mad } from '../math'
import type { DetectorKind } from './policy-name'
import { cloudSimMigrationSeconds } from './migration-cost'

/** CloudSim keeps the last 30 utilization values per VM. */
export const HISTORY_LENGTH = 30
/** IQR and MAD need at least this many history values, LR/LRR this many; otherwise THR 0.7 decides. */
const MIN_HISTORY_IQR_MAD = 12
export const LR_POINTS = 10
export const FALLBACK_THRESHOLD = 0.7

/** What a detector reads about one host (with the VM set it is asked about). */
export interface HostLoad {
  /** Σ current MIPS requests of the host's VMs, summed in list order. */
  requestedMips: number
  totalMips: number
  /** Host utilization history, newest first: Σ over its VMs of VM utilization × VM MIPS / host MIPS. */
  history: Float64Array
  /** History length after CloudSim's trimming of trailing zeros (an all-zero history counts 1). */
  historyLength: number
  /** Largest RAM among the host's VMs (LR predicts past the longest migration). */
  maxVmRamMB: number
  /** Host NIC bandwidth in kbit/s (CloudSim assumes half of it carries migrations). */
  bwKbps: number
  /** Scheduling interval in seconds. */
  interval: number
}

export interface DetectorVerdict {
  overloaded: boolean
  /** The quantity compared: current utilization (THR/IQR/MAD) or predicted utilization × safety (LR). */
  value: number
  /** The bound it was compared with. */
  threshold: number
  /** Which rule decided: the detector itself or the THR 0.7 fallback (too little history). */
  rule: DetectorKind | 'thr-fallback'
}

export interface Detector {
  readonly kind: DetectorKind
  readonly safety: number
  /** How many of the newest history values the decision reads (THR none, LR 10, IQR/MAD all). */
  readonly historyNeeded: number
  /** Hot path: no allocation. */
  isOverloaded(load: HostLoad): boolean
  /** The same decision with the numbers that explain it. */
  explain(load: HostLoad): DetectorVerdict
}

export function createDetector(kind: DetectorKind, safety: number): Detector {
  const scratch = new Float64Array(HISTORY_LENGTH)
  const lrY = new Float64Array(LR_POINTS)
  const estimates: [number, number] = [0, 0]

  const thr = (load: HostLoad, threshold: number, rule: DetectorVerdict['rule']): DetectorVerdict => {
    const u = load.requestedMips / load.totalMips
    return { overloaded: u > threshold, value: u, threshold, rule }
  }

  const spread = (load: HostLoad, measure: (data: Float64Array) => number): DetectorVerdict => {
    if (load.historyLength < MIN_HISTORY_IQR_MAD) return thr(load, FALLBACK_THRESHOLD, 'thr-fallback')
    const data = scratch.subarray(0, load.historyLength)
    data.set(load.history.subarray(0, load.historyLength))
    const threshold = 1 - safety * measure(data)
    return thr(load, threshold, kind)
  }

  /** LR: OLS over the 10 newest values (oldest first, x = 1..10), predicted past the longest migration. */
  const predict = (load: HostLoad): number => {
    for (let i = 0; i < LR_POINTS; i++) lrY[i] = load.history[LR_POINTS - i - 1] as number
    const [intercept, slope] = loessEstimates(lrY, estimates)
    let predicted = intercept + slope * lrHorizon(load.maxVmRamMB, load.bwKbps, load.interval)
    predicted *= safety
    return predicted
  }

  const regression = (load: HostLoad): DetectorVerdict => {
    if (load.historyLength < LR_POINTS) return thr(load, FALLBACK_THRESHOLD, 'thr-fallback')
    const predicted = predict(load)
    return { overloaded: predicted >= 1, value: predicted, threshold: 1, rule: kind }
  }

  const explain = (load: HostLoad): DetectorVerdict => {
    switch (kind) {
      case 'thr':
        return thr(load, safety, 'thr')
      case 'iqr':
        return spread(load, iqr)
      case 'mad':
        return spread(load, mad)
      case 'lr':
      case 'lrr':
        return regression(load)
    }
  }

  // The hot path repeats the arithmetic above inline: a call returning a double would box it.
  const isOverloaded = (load: HostLoad): boolean => {
    switch (kind) {
      case 'thr':
        return load.requestedMips / load.totalMips > safety
      case 'lr':
      case 'lrr': {
        if (load.historyLength < LR_POINTS) return load.requestedMips / load.totalMips > FALLBACK_THRESHOLD
        for (let i = 0; i < LR_POINTS; i++) lrY[i] = load.history[LR_POINTS - i - 1] as number
        loessEstimates(lrY, estimates)
        let predicted = estimates[0] + estimates[1] * lrHorizon(load.maxVmRamMB, load.bwKbps, load.interval)
        predicted *= safety
        return predicted >= 1
      }
      default:
        return explain(load).overloaded
    }
  }

  const historyNeeded = kind === 'thr' ? 0 : kind === 'lr' || kind === 'lrr' ? LR_POINTS : HISTORY_LENGTH
  return { kind, safety, historyNeeded, isOverloaded, explain }
}

/** LR's extrapolation point: one step past the 10 points plus the longest migration, in intervals. */
export function lrHorizon(maxVmRamMB: number, bwKbps: number, interval: number): number {
  return LR_POINTS + Math.ceil(cloudSimMigrationSeconds(maxVmRamMB, bwKbps) / interval)
}

/**
 * LR's prediction as a linear combination of the history: with x = 1..10 (oldest → newest) the OLS line
 * at X is Σ y_j (1/10 + (x_j − 5.5)(X − 5.5) / 82.5). weights[i] multiplies the i-th newest value. The
 * lab model uses it to predict a host plus one VM in O(1) (the sum of the two predictions); CloudSim
 * compatibility instead replays commons-math's incremental arithmetic (createDetector).
 */
export function lrWeights(horizon: number): Float64Array {
  const weights = new Float64Array(LR_POINTS)
  for (let i = 0; i < LR_POINTS; i++) {
    const x = LR_POINTS - i
    weights[i] = 1 / LR_POINTS + ((x - 5.5) * (horizon - 5.5)) / 82.5
  }
  return weights
}
