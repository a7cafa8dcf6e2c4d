// VM selection (Beloglazov & Buyya, CCPE 2012, §6.2; CloudSim's PowerVmSelectionPolicy*): which VM leaves
// an over-loaded host first. The same rules in both modes; each mode says how to read a VM's RAM,
// utilization and history (a SelectionView) and which VMs are candidates (not already migrating), in the
// host's list order — ties keep the first.
import { leaveOneOutRSquared, RegressionInputError } from '../math'
import type { SelectionKind } from './policy-name'
import type { RandomStream } from '../random'

export interface SelectionView {
  /** the VM's RAM, MB (MMT: the smallest migrates fastest) */
  ramMB(v: number): number
  /** the VM's CPU demand ÷ its MIPS capacity now (MU) */
  utilization(v: number): number
  /** how many history values the VM has (MC) */
  historyLength(v: number): number
  /** the VM's `length` newest utilization values, newest first (MC) */
  history(v: number, length: number): Float64Array
}

/**
 * The VM to move next among `candidates` (in the host's list order), or −1 when there is none. MC falls
 * back to MMT when the regression cannot be computed (too few observations, a singular matrix), as CloudSim
 * does.
 */
export function selectVm(
  kind: SelectionKind,
  candidates: ArrayLike<number>,
  view: SelectionView,
  random: RandomStream,
): number {
  const n = candidates.length
  if (n === 0) return -1
  switch (kind) {
    case 'mmt':
      return argmin(candidates, (v) => view.ramMB(v))
    case 'mu':
      return argmin(candidates, (v) => view.utilization(v))
    case 'rs':
      return candidates[random.int(0, n - 1)]!
    case 'mc': {
      let m = Number.MAX_SAFE_INTEGER
      for (let i = 0; i < n; i++) m = Math.min(m, view.historyLength(candidates[i]!))
      const data = Array.from({ length: n }, (_, i) => view.history(candidates[i]!, m))
      let r2: number[]
      try {
        r2 = data.map((_, i) => leaveOneOutRSquared(data, i))
      } catch (e) {
        if (e instanceof RegressionInputError) return argmin(candidates, (v) => view.ramMB(v))
        throw e
      }
      // CloudSim starts from Double.MIN_VALUE, so the first candidate wins when no R² exceeds it. (Only a
      // NaN R² could make that differ from starting at −∞, and R² is NaN only for a constant history,
      // which as a regressor of the others makes their regressions singular: MMT decides then.)
      let max = Number.MIN_VALUE
      let best = 0
      for (let i = 0; i < n; i++) {
        if (r2[i]! > max) {
          max = r2[i]!
          best = i
        }
      }
      return candidates[best]!
    }
  }
}

/** The candidate with the smallest metric; ties keep the first. */
function argmin(candidates: ArrayLike<number>, metric: (v: number) => number): number {
  let best = -1
  let min = Number.POSITIVE_INFINITY
  for (let i = 0; i < candidates.length; i++) {
    const v = candidates[i]!
    const m = metric(v)
    if (m < min) {
      min = m
      best = v
    }
  }
  return best
}
