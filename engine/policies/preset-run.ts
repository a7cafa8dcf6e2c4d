// A preset's pass and its own measure of the cluster, by family (drs.ts, ovirt.ts, watcher.ts, cloudstack.ts).
// The research policies and `none` are measured by the DRS standard deviation of CPU load.
import { activeHosts, LoadSpread, meanDemand, type ClusterView } from './cluster-view'
import { cloudStackImbalance, cloudStackPass } from './cloudstack'
import { currentChlsd, drsPass } from './drs'
import { ovirtPass, vmCountSpread } from './ovirt'
import type { PresetSpec } from './presets'
import type { BalanceMetric, PresetResult } from './preset-result'
import { relativeClusterUtilization, watcherPass } from './watcher'

export function presetPass(view: ClusterView, spec: PresetSpec): PresetResult {
  switch (spec.family) {
    case 'drs':
      return drsPass(view, spec)
    case 'ovirt':
      return ovirtPass(view, spec)
    case 'watcher':
      return watcherPass(view, spec)
    case 'cloudstack':
      return cloudStackPass(view, spec)
  }
}

/** The DRS standard deviation of the active hosts' CPU load (their planned VMs' demand in the last step). */
export function cpuLoadDeviation(view: ClusterView): number {
  const loads = activeHosts(view).map(
    (h) => view.vms(h).reduce((s, v) => s + meanDemand(view, v, 1), 0) / view.capacity(h),
  )
  return new LoadSpread(loads).std()
}

export const CPU_DEVIATION: BalanceMetric = { name: 'host CPU load standard deviation', better: 'lower' }

/** The measure a policy is judged by (the frames' `balance`, a recommendation's expected before and after). */
export function balanceMetric(spec: PresetSpec | undefined): BalanceMetric {
  if (!spec) return CPU_DEVIATION
  switch (spec.family) {
    case 'drs':
      return spec.resource === 'memory'
        ? { name: 'host memory load standard deviation', better: 'lower' }
        : CPU_DEVIATION
    case 'ovirt':
      return spec.balancer === 'vm-evenly'
        ? { name: 'VM count spread (most − fewest)', better: 'lower' }
        : CPU_DEVIATION
    case 'watcher':
      return spec.strategy === 'consolidation'
        ? { name: 'relative cluster utilization', better: 'higher' }
        : CPU_DEVIATION
    case 'cloudstack':
      return {
        name: `imbalance of allocated ${spec.metric} (σ ÷ μ)`,
        better: spec.algorithm === 'balanced' ? 'lower' : 'higher',
      }
  }
}

/** The policy's measure of the cluster now. */
export function measureBalance(view: ClusterView, spec: PresetSpec | undefined): number {
  if (!spec) return cpuLoadDeviation(view)
  switch (spec.family) {
    case 'drs':
      return spec.resource === 'memory' ? currentChlsd(view, spec) : cpuLoadDeviation(view)
    case 'ovirt':
      return spec.balancer === 'vm-evenly' ? vmCountSpread(view) : cpuLoadDeviation(view)
    case 'watcher':
      return spec.strategy === 'consolidation' ? relativeClusterUtilization(view) : cpuLoadDeviation(view)
    case 'cloudstack':
      return cloudStackImbalance(view, spec)
  }
}
