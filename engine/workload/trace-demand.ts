// The demand a traced VM asks for at a time, as the lab model reads its trace: one sample per trace
// interval (PlanetLab: 5 minutes, interpolated between samples as CloudSim does; imported traces: the
// scenario's interval, so the lab's steps fall on samples), the last sample held past the end of the trace.
import type { ClusterModel } from '../model/cluster-model'
import { planetLabUtilization } from './planetlab'

/** Demand of trace `trace` of the model's trace pool at `time`, as a fraction of the VM's capacity. */
export function traceDemand(model: ClusterModel, trace: number, time: number): number {
  const { slots, interval, samples } = model.traces
  return planetLabUtilization(samples, trace * slots, Math.min(time, (slots - 1) * interval), interval)
}

/** Memory demand of trace `trace` at `time` in bytes (the sample the time falls in), or NaN if it has none. */
export function traceMemory(model: ClusterModel, trace: number, time: number): number {
  const { slots, interval, memory } = model.traces
  if (!memory) return Number.NaN
  return memory[trace * slots + Math.min(Math.floor(time / interval + 1e-9), slots - 1)]!
}
