// What a migration is expected to cost before it starts: the analytic pre-copy model (QEMU's switch-over rule
// in expected values, engine/migration/analytic.ts) for the VM's RAM, its page-write rate at its current CPU
// utilization (as uniform writes: a hot/cold writer dirties fewer distinct pages, so the estimate errs long)
// and the lower NIC of the two hosts capped by max-bandwidth; with `migration.model: cloudsim`, CloudSim's
// RAM ÷ half the NIC. The target picker (issue 17's eligibility) and the recommendations' expected effect
// both read it from here.
import type { ClusterModel } from '../model/cluster-model'
import { cloudSimMigrationSeconds } from '../policies/migration-cost'
import { precopyQemuModel } from '../migration/analytic'
import type { LabPlan } from './plan'

export interface MigrationPrediction {
  /** which model predicted it: the pre-copy model (live migration), or CloudSim's RAM ÷ half the NIC */
  model: 'precopy' | 'cloudsim'
  /** whether pre-copy converges under the downtime limit */
  converges: boolean
  /** seconds the migration takes, and the guest's pause at the switch-over (null: it does not converge) */
  seconds: number | null
  downtimeMs: number | null
  /** the bandwidth it would get (the lower NIC of the two hosts, capped by max-bandwidth), bytes/s */
  bandwidthBytesPerSecond: number
  /** the page-write rate it assumes: the VM's rate at its current CPU utilization, bytes/s */
  dirtyBytesPerSecond: number
}

/** The predicted migration of VM v from host a to host b. */
export function predictMigration(
  model: ClusterModel,
  P: LabPlan,
  v: number,
  a: number,
  b: number,
): MigrationPrediction {
  const linkBytes = (Math.min(P.bwKbps[a]!, P.bwKbps[b]!) * 1000) / 8
  const group = model.groups[model.vmGroup[v]!]!
  const utilization = P.vmCap[v]! > 0 ? Math.min(1, P.vmDemand[v]! / P.vmCap[v]!) : 0
  const dirty = group.pageWrites.rate * utilization
  if (model.migrationModel === 'cloudsim') {
    const seconds = cloudSimMigrationSeconds(P.vmRam[v]!, P.bwKbps[a]!)
    return {
      model: 'cloudsim',
      converges: true,
      seconds,
      downtimeMs: 0,
      bandwidthBytesPerSecond: linkBytes / 2,
      dirtyBytesPerSecond: 0,
    }
  }
  const m = model.migration
  const bandwidth = Math.min(m.maxBandwidth, linkBytes)
  const bytes = P.vmRam[v]! * 2 ** 20
  const r = precopyQemuModel({
    pageCount: Math.max(1, Math.round(bytes / model.pageSize)),
    pageSize: model.pageSize,
    bandwidth,
    writeBytesPerSecond: dirty,
    downtimeLimit: m.downtimeLimit,
    zeroFraction: group.content.zero,
    setupTime: m.setupTime,
    deviceTime: m.deviceState / bandwidth + m.resumeTime,
    maxRounds: 200,
  })
  return {
    model: 'precopy',
    converges: r.converges,
    seconds: r.converges ? r.totalTime : null,
    downtimeMs: r.converges ? r.downtime * 1000 : null,
    bandwidthBytesPerSecond: bandwidth,
    dirtyBytesPerSecond: dirty,
  }
}
