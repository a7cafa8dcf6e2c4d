// What each VM asks for over time in the CloudSim-compatible mode: a utilization series sampled once per
// scheduling interval (a PlanetLab trace, or a generated series), interpolated as CloudSim's
// UtilizationModelPlanetLabInMemory does. Before the cloudlets are submitted (t < 0.1) VMs request nothing.
import { planetLabUtilization } from '../workload/planetlab'

export class VmDemand {
  /** false until CloudSim's broker submits the cloudlets (at t = 0.1) */
  submitted = false

  constructor(
    /** samples[offset[v] + k] = utilization of VM v at k × interval */
    readonly samples: Float64Array,
    readonly offset: Int32Array,
    readonly interval: number,
  ) {}

  utilization(v: number, time: number): number {
    if (!this.submitted) return 0
    return planetLabUtilization(this.samples, this.offset[v] as number, time, this.interval)
  }
}
