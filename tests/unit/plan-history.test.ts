// The plan's per-VM utilization histories are staged by step and handed to each VM's ring lazily
// (plan.ts): whatever the moment they are read — mid-ring, right after a batch, across a checkpoint — they
// must be exactly the values of the steps the VM ran, newest first, with the trimmed length the detectors
// use. Checked against plain arrays on a plan whose VMs stop and start again, with zero demands mixed in.
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openScenario } from '../../engine/scenario/open'
import { nodeFiles } from '../../engine/platform/node/files'
import { LabPlan } from '../../engine/lab/plan'
import { HISTORY_LENGTH } from '../../engine/policies/detectors'
import { streamFor } from '../../engine/random'
import { ROOT } from '../helpers'

const model = openScenario(join(ROOT, 'scenarios', 'ha-drill.yaml'), nodeFiles, {})

/** What the plan must hold for a VM whose values (oldest first) are `values`. */
function expected(values: number[]): { history: number[]; trim: number } {
  const history = values.slice(-HISTORY_LENGTH).reverse()
  let last = history.length - 1
  while (last >= 0 && history[last] === 0) last--
  return { history, trim: last < 0 ? 1 : last + 1 }
}

function check(plan: LabPlan, values: number[][], step: number): void {
  for (let v = 0; v < plan.vmCount; v++) {
    const want = expected(values[v]!)
    const got = {
      history: Array.from({ length: plan.histLen[v]! }, (_, i) => plan.history(v, i)),
      trim: plan.vmTrim[v]!,
    }
    if (got.trim !== want.trim || got.history.some((x, i) => x !== want.history[i]))
      expect({ step, vm: v, ...got }).toEqual({ step, vm: v, ...want })
  }
}

describe('plan histories', () => {
  it('hold the values of the steps each VM ran, read at any step, and survive a checkpoint', () => {
    const plan = new LabPlan(model)
    const random = streamFor(7, 'test', 0)
    const values: number[][] = Array.from({ length: model.vmCount }, () => [])
    for (let v = 0; v < model.vmCount; v++) plan.place(v, v % model.hostCount)
    let copy: LabPlan | undefined
    let stopped = 0
    for (let step = 0; step < 100; step++) {
      for (let v = 0; v < model.vmCount; v++) {
        // a few VMs stop for a while and come back; some demands are zero
        if (plan.vmHost[v]! >= 0 && random.float() < 0.03) {
          plan.drop(v)
          stopped++
        } else if (plan.vmHost[v]! < 0 && random.float() < 0.2) plan.place(v, v % model.hostCount)
        plan.vmDemand[v] = random.float() < 0.2 ? 0 : random.float() * plan.vmCap[v]!
        if (plan.vmHost[v]! >= 0) values[v]!.push(plan.vmDemand[v]! / plan.vmCap[v]!)
      }
      plan.recordStep()
      // read at varied moments (most steps are never read, as in a run)
      if (step % 7 === 3 || step === 29 || step === 30 || step === 61) check(plan, values, step)
      if (step === 44) {
        copy = new LabPlan(model)
        copy.restore(plan.state())
      }
      if (copy && step > 44) {
        // the restored plan is driven alike from here and must hold the same
        for (let v = 0; v < model.vmCount; v++) {
          if (plan.vmHost[v]! < 0 && copy.vmHost[v]! >= 0) copy.drop(v)
          if (plan.vmHost[v]! >= 0 && copy.vmHost[v]! < 0) copy.place(v, plan.vmHost[v]!)
        }
      }
      if (copy && step === 44) continue
      if (copy) {
        copy.vmDemand.set(plan.vmDemand)
        copy.recordStep()
      }
    }
    check(plan, values, 100)
    expect(stopped).toBeGreaterThan(10)
    expect(copy!.state()).toEqual(plan.state())
  })
})
