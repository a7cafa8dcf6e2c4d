// VM selection from an over-loaded host (CloudSim's PowerVmSelectionPolicy*): which VM leaves first.
// Candidates are the host's VMs not already migrating, in list (arrival) order; ties keep the first.
import { leaveOneOutRSquared, RegressionInputError } from '../math'
import type { SelectionKind } from '../policies/policy-name'
import type { RandomStream } from '../random'
import type { CloudSimHosts } from './hosts'
import { HISTORY_LENGTH } from '../policies/detectors'

export interface VmSelection {
  /** The VM to migrate next from host h, or −1 when none can move. */
  select(h: number, time: number): number
}

export function createSelection(kind: SelectionKind, hosts: CloudSimHosts, random: RandomStream): VmSelection {
  const candidates = (h: number) => hosts.list[h]!.filter((v) => !hosts.inMigration[v])
  const mmt: VmSelection = {
    select(h) {
      let best = -1
      let min = Number.MAX_VALUE
      const list = hosts.list[h]!
      for (let i = 0; i < list.length; i++) {
        const v = list[i]!
        if (hosts.inMigration[v]) continue
        const ram = hosts.vmRam[v] as number
        if (ram < min) {
          min = ram
          best = v
        }
      }
      return best
    },
  }
  switch (kind) {
    case 'mmt':
      return mmt
    case 'mu':
      return {
        select(h, time) {
          let best = -1
          let min = Number.MAX_VALUE
          const list = hosts.list[h]!
          for (let i = 0; i < list.length; i++) {
            const v = list[i]!
            if (hosts.inMigration[v]) continue
            const metric = hosts.demandMips(v, time) / (hosts.vmMips[v] as number)
            if (metric < min) {
              min = metric
              best = v
            }
          }
          return best
        },
      }
    case 'rs':
      return {
        select(h) {
          const c = candidates(h)
          return c.length === 0 ? -1 : c[random.int(0, c.length - 1)]!
        },
      }
    case 'mc':
      return {
        select(h, time) {
          const c = candidates(h)
          if (c.length === 0) return -1
          let metrics: number[]
          try {
            metrics = correlationCoefficients(hosts, c)
          } catch (e) {
            if (e instanceof RegressionInputError) return mmt.select(h, time)
            throw e
          }
          // CloudSim starts from Double.MIN_VALUE, so index 0 wins when nothing is larger.
          let maxMetric = Number.MIN_VALUE
          let maxIndex = 0
          for (let i = 0; i < metrics.length; i++) {
            if (metrics[i]! > maxMetric) {
              maxMetric = metrics[i]!
              maxIndex = i
            }
          }
          return c[maxIndex]!
        },
      }
  }
}

/**
 * PowerVmSelectionPolicyMaximumCorrelation.getCorrelationCoefficients: for each candidate, R² of an OLS fit
 * (with intercept) of its utilization history on the histories of the other candidates (m = the shortest
 * history). commons-math refuses too few observations or a singular matrix; CloudSim then falls back to MMT.
 */
function correlationCoefficients(hosts: CloudSimHosts, vms: number[]): number[] {
  let m = Number.MAX_SAFE_INTEGER
  for (const v of vms) m = Math.min(m, hosts.histLen[v] as number)
  const data = vms.map((v) => hosts.hist.subarray(v * HISTORY_LENGTH, v * HISTORY_LENGTH + m))
  return vms.map((_, i) => leaveOneOutRSquared(data, i))
}
