// What the coordinator has decided for the shards since the last step and hands them with the next one:
// VMs arriving (migrated, restarted), hosts switching on or off, in-flight migrations to call off, balloon
// targets, snapshot operations, hosts failing and repaired. Each goes to the shard that holds its host.
import type { LabPlan } from './plan'
import type { LrWindow, StepInput, VmTransfer } from './protocol'
import type { SnapshotOrder } from './vm-snapshots'

export interface PowerOrder {
  host: number
  on: boolean
}

/** An in-flight migration to stop: by the trainee's cancel, or because its target failed. */
export interface CallOff {
  vm: number
  source: number
}

export interface BalloonOrder {
  vm: number
  targetBytes: number | 'auto'
}

export class ShardOrders {
  arrivals: VmTransfer[] = []
  power: PowerOrder[] = []
  cancel: CallOff[] = []
  targetFailed: CallOff[] = []
  balloons: BalloonOrder[] = []
  snapshots: SnapshotOrder[] = []
  failHosts: number[] = []
  repairs: number[] = []

  /**
   * Every order into the input of the shard holding its host (`inputOf`), then cleared. `lrWindow` adds an
   * arriving VM's LR-screen window when the policy keeps one.
   */
  dispatch(
    inputOf: (host: number) => StepInput,
    plan: LabPlan,
    lrWindow: ((vm: number) => LrWindow) | undefined,
  ): void {
    for (const c of this.cancel) inputOf(c.source).cancel.push(c.vm)
    for (const c of this.targetFailed) inputOf(c.source).targetFailed.push(c.vm)
    for (const a of this.arrivals) inputOf(a.host).arrivals.push(lrWindow ? { ...a, lrWindow: lrWindow(a.vm) } : a)
    for (const p of this.power) inputOf(p.host).power.push(p)
    for (const b of this.balloons) {
      const host = plan.vmHost[b.vm]!
      if (host >= 0) inputOf(host).balloons.push(b)
    }
    for (const o of this.snapshots) inputOf(plan.vmHost[o.vm]!).snapshots.push(o)
    for (const h of this.failHosts) inputOf(h).failHosts.push(h)
    for (const h of this.repairs) inputOf(h).repairHosts.push(h)
    this.arrivals = []
    this.power = []
    this.cancel = []
    this.targetFailed = []
    this.balloons = []
    this.snapshots = []
    this.failHosts = []
    this.repairs = []
  }
}
