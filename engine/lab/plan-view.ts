// The lab's plan as the vendors' presets see it (engine/policies/cluster-view.ts): hosts in the cluster, the
// VMs each holds once planned moves finish, the VMs' utilization histories, the filters and rules of the
// policy core, and moves and power-ons applied to the plan at once (so the next question sees them).
import type { ClusterView } from '../policies/cluster-view'
import { placementRejection, REJECTION } from '../policies/filters'
import { brokenRule } from '../policies/rules'
import { HOST_MODE, HOST_STATE } from '../vocabulary'
import { VM_AUTOMATION, type ClusterModel } from '../model/cluster-model'
import type { LabPlan } from './plan'

export class PlanView implements ClusterView {
  readonly hostCount: number
  readonly interval: number
  /** hosts powered on during the pass (a preset's own power-on, or a host it moved a VM to while off) */
  readonly poweredOn: number[] = []

  constructor(
    private readonly P: LabPlan,
    private readonly model: ClusterModel,
    /** whether a host in standby was put there by the policy (which may then wake it) */
    private readonly policyStandby: (h: number) => boolean,
  ) {
    this.hostCount = P.hostCount
    this.interval = model.interval
  }

  active(h: number): boolean {
    const s = this.P.hostState[h]
    return (s === HOST_STATE.on || s === HOST_STATE.booting) && this.P.hostMode[h] === HOST_MODE.normal
  }

  running(h: number): boolean {
    return this.P.hostState[h] === HOST_STATE.on && this.P.hostMode[h] === HOST_MODE.normal
  }

  wakeable(h: number): boolean {
    const P = this.P
    if (P.hostState[h] !== HOST_STATE.off) return false
    return P.hostMode[h] === HOST_MODE.normal || (P.hostMode[h] === HOST_MODE.standby && this.policyStandby(h))
  }

  capacity(h: number): number {
    return this.P.capacity[h]!
  }

  ramCapacity(h: number): number {
    return this.P.hostRam[h]!
  }

  vms(h: number): readonly number[] {
    return this.P.members[h]!
  }

  vmCapacity(v: number): number {
    return this.P.vmCap[v]!
  }

  vmRam(v: number): number {
    return this.P.vmRam[v]!
  }

  utilization(v: number, i: number): number {
    return i < this.P.histLen[v]! ? this.P.history(v, i) : 0
  }

  historyLength(v: number): number {
    return this.P.histLen[v]!
  }

  movable(v: number): boolean {
    const P = this.P
    return (
      P.vmHost[v]! >= 0 &&
      P.vmTarget[v]! < 0 &&
      !P.vmPinned[v] &&
      this.model.vmAutomation[v] !== VM_AUTOMATION.disabled &&
      !(P.rules.any && P.rules.inMustAffinity(v))
    )
  }

  admits(v: number, h: number): boolean {
    const P = this.P
    if (placementRejection(P, h, v, P.vmDemand[v]!) !== REJECTION.none) return false
    return !P.rules.any || brokenRule(P.rules, P, v, h) === undefined
  }

  migrationSlots(h: number): number {
    return this.model.hostTypes[this.P.hostType[h]!]!.maxMigrations
  }

  move(v: number, h: number): void {
    const P = this.P
    if (h === P.vmHost[v]) {
      const t = P.vmTarget[v]!
      if (t >= 0) P.unmove(v, t)
      return
    }
    if (P.hostState[h] === HOST_STATE.off) this.powerOn(h)
    P.move(v, h)
  }

  powerOn(h: number): void {
    const P = this.P
    P.hostMode[h] = HOST_MODE.normal
    P.hostState[h] = this.model.hostTypes[P.hostType[h]!]!.bootSeconds > 0 ? HOST_STATE.booting : HOST_STATE.on
    this.poweredOn.push(h)
  }
}
