// A recommendation's expected effect, from the plan as it stands before it is applied: the source's and the
// target's planned CPU load before and after, the change of their power draw (SPECpower tables at the planned
// loads; a host left with nothing to run is switched off, drawing its standby power), and the migration as the
// analytic model predicts it (migration-estimate.ts).
import type { ClusterModel } from '../model/cluster-model'
import { specPower } from '../power'
import { HOST_STATE } from '../vocabulary'
import type { LabPlan } from './plan'
import { predictMigration } from './migration-estimate'
import type { ExpectedEffect } from './recommendations'

function clamp01(u: number): number {
  return u < 0 ? 0 : u > 1 ? 1 : u
}

/** Watts host h draws at planned demand `demand` with `vms` VMs planned (off: its standby power). */
function draw(P: LabPlan, model: ClusterModel, h: number, demand: number, vms: number, on: boolean): number {
  if (!on || vms === 0) return model.hostTypes[P.hostType[h]!]!.offPowerW
  return specPower(P.power[h]!, clamp01(demand / P.capacity[h]!))
}

function isOn(P: LabPlan, h: number): boolean {
  return P.hostState[h] === HOST_STATE.on || P.hostState[h] === HOST_STATE.booting
}

/** VM v moving from `from` (−1: not running, an HA restart) to `to`, as expected before it is applied. */
export function moveEffect(P: LabPlan, model: ClusterModel, v: number, from: number, to: number): ExpectedEffect {
  const d = P.vmDemand[v]!
  const out: ExpectedEffect = {}
  let power = 0
  const tBefore = P.hostDemand[to]!
  out.target = { host: to, before: tBefore / P.capacity[to]!, after: (tBefore + d) / P.capacity[to]! }
  const tVms = P.members[to]!.length
  power += draw(P, model, to, tBefore + d, tVms + 1, true) - draw(P, model, to, tBefore, tVms, isOn(P, to))
  if (from >= 0) {
    const planned = P.plannedHost(v) === from
    const sBefore = P.hostDemand[from]!
    const sAfter = planned ? sBefore - d : sBefore
    const sVms = P.members[from]!.length
    out.source = { host: from, before: sBefore / P.capacity[from]!, after: Math.max(0, sAfter) / P.capacity[from]! }
    power += draw(P, model, from, sAfter, planned ? sVms - 1 : sVms, true) - draw(P, model, from, sBefore, sVms, true)
    out.migration = predictMigration(model, P, v, from, to)
  }
  out.powerW = power
  return out
}

/** A host powered on: its idle draw over its standby power (what it costs before it takes any VM). */
export function powerOnEffect(P: LabPlan, model: ClusterModel, h: number): ExpectedEffect {
  const t = model.hostTypes[P.hostType[h]!]!
  return { powerW: specPower(P.power[h]!, 0) - t.offPowerW }
}
