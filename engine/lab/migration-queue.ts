// The coordinator's book of migrations: planned ones waiting for a free slot or for their target to boot,
// those in flight (their source, target and start; their last query-migrate), the bandwidth each asked for,
// and the log of every migration that ended. Slots are per host (`migration.maxConcurrentPerHost`); NIC
// bandwidth is shared max-min fairly over both ends (link-sharing.ts).
import type { ClusterModel } from '../model/cluster-model'
import type { MigrationInfo } from '../migration'
import { HOST_STATE } from '../vocabulary'
import { linkHeadroom, shareLinks, type Flow } from './link-sharing'
import type { MigrationRecord } from './migration-log'
import type { LabPlan } from './plan'
import type { MigrationOrder } from './protocol'

export interface QueuedMigration {
  vm: number
  target: number
  since: number
}

export interface InFlight {
  source: number
  target: number
  start: number
}

export class MigrationQueue {
  /** planned migrations waiting for a free slot (per-host limit) or for their target to boot, oldest first */
  queue: QueuedMigration[] = []
  /** migrations started and not finished: VM → its source, target and start time */
  readonly inFlight = new Map<number, InFlight>()
  /** query-migrate of each live migration in flight, as of the end of the last step */
  readonly inFlightInfo = new Map<number, MigrationInfo>()
  /** bytes/s each running live migration asked for after the last step */
  bandwidthDemand = new Map<number, number>()
  /** every migration that ended (completed, called off, lost) */
  readonly log: MigrationRecord[] = []
  /** migrations started so far */
  started = 0
  private readonly atHost: Int32Array

  constructor(private readonly model: ClusterModel) {
    this.atHost = new Int32Array(model.hostCount)
  }

  enqueue(vm: number, target: number, since: number): void {
    this.queue.push({ vm, target, since })
  }

  /** A migration that ended without completing (its host failed under it): logged as lost. */
  lose(vm: number, end: number): void {
    const flight = this.inFlight.get(vm)
    if (!flight) return
    this.inFlight.delete(vm)
    this.log.push({ vm, source: flight.source, target: flight.target, start: flight.start, end, location: 'lost' })
  }

  /** Queued migrations whose hosts have a free slot and whose target is on, oldest first: they start now. */
  startable(time: number, plan: LabPlan): MigrationOrder[] {
    const limit = (h: number) => this.model.hostTypes[plan.hostType[h]!]!.maxMigrations
    const busy = this.atHost
    busy.fill(0)
    for (const m of this.inFlight.values()) {
      busy[m.source]!++
      busy[m.target]!++
    }
    const orders: MigrationOrder[] = []
    const remaining: QueuedMigration[] = []
    for (const q of this.queue) {
      const source = plan.vmHost[q.vm]!
      // the VM stopped before its move could start (its host failed, the OOM killer): the plan dropped it
      if (source < 0 || plan.vmTarget[q.vm] !== q.target) continue
      if (
        plan.hostState[q.target] !== HOST_STATE.on ||
        busy[source]! >= limit(source) ||
        busy[q.target]! >= limit(q.target)
      ) {
        remaining.push(q)
        continue
      }
      busy[source]!++
      busy[q.target]!++
      this.inFlight.set(q.vm, { source, target: q.target, start: time })
      this.started++
      orders.push({ vm: q.vm, source, target: q.target })
    }
    this.queue = remaining
    return orders
  }

  /**
   * NIC bandwidth for the live migrations of the coming step: max-min fair over both ends' NICs, each
   * migration asking for what it reported last (max-bandwidth when it has not reported yet). A migration
   * is given what its path leaves it beside the others' shares (linkHeadroom), not only what it asked for
   * last: its pre-copy caps itself at max-bandwidth within that, and a switch-over or post-copy that comes
   * during the step runs at the link's speed, as QEMU's does, not at last step's demand.
   */
  allotBandwidth(plan: LabPlan): { vm: number; source: number; bytesPerSecond: number }[] {
    const vms = [...this.inFlight.keys()].sort((a, b) => a - b)
    const maxBandwidth = this.model.migration.maxBandwidth
    const flows: Flow[] = vms.map((v) => {
      const m = this.inFlight.get(v)!
      const asked = this.bandwidthDemand.get(v) ?? 0
      return { source: m.source, target: m.target, demand: asked > 0 ? asked : maxBandwidth }
    })
    // kbit/s → bytes/s
    const nic = (h: number) => plan.bwKbps[h]! * 125
    const rates = linkHeadroom(flows, shareLinks(flows, nic), nic)
    return vms.map((vm, i) => ({ vm, source: flows[i]!.source, bytesPerSecond: rates[i]! }))
  }
}
