// The demand a PlanetLab-traced VM asks for at a time, as the lab model reads its trace: one sample per
// 5 minutes, interpolated, the last sample held past the end of the trace.
import type { ClusterModel } from '../model/cluster-model'
import { planetLabUtilization } from './planetlab'

/** PlanetLab traces hold one sample per 5 minutes. */
export const TRACE_INTERVAL = 300

/** Demand of trace `trace` of the model's trace pool at `time`, as a fraction of the VM's capacity. */
export function traceDemand(model: ClusterModel, trace: number, time: number): number {
  const offset = trace * model.traces.slots
  const last = model.traces.slots - 1
  return planetLabUtilization(model.traces.samples, offset, Math.min(time, last * TRACE_INTERVAL), TRACE_INTERVAL)
}
