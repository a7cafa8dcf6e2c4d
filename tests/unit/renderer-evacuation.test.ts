// The placement map's count of VMs left to evacuate on a host entering maintenance or standby: over a hand-made
// view (what is counted, what is not), and over the maintenance window of scenarios/maintenance-and-affinity.yaml
// (host 0 enters maintenance at 2 h), where it must be the host details' vmsLeft at every step.
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { HOST_STATE, type PlacementView } from '../../engine/api/lab-api'
import { LabSession } from '../../engine/api/lab-session'
import { nodeScenarioCatalog } from '../../engine/platform/node/catalog'
import { evacuations, vmsLeftText } from '../../renderer/placement/evacuation'
import { ROOT } from '../helpers'

function view(hostState: number[], vmHost: number[], vmMigratingTo: number[]): PlacementView {
  const vms = vmHost.length
  return {
    time: 0,
    hostState: Uint8Array.from(hostState),
    hostCpu: new Float64Array(hostState.length),
    hostRam: new Float64Array(hostState.length),
    vmHost: Int32Array.from(vmHost),
    vmDemandMips: new Float64Array(vms),
    vmGrantedMips: new Float64Array(vms),
    vmRamMB: new Float64Array(vms),
    vmMigratingTo: Int32Array.from(vmMigratingTo),
  }
}

describe('VMs left to evacuate, as the map counts them', () => {
  it('counts a host’s VMs, the ones leaving and any on their way in, for the hosts being evacuated only', () => {
    const { on, evacuating, maintenance } = HOST_STATE
    // host 0 in service, VM 0 on it; host 1 evacuating, VM 1 on it and VM 2 leaving it for host 3; host 2
    // evacuating, VM 3 leaving it for host 1 (a move already under way when the evacuation began); host 3 in
    // maintenance; VM 4 placed nowhere
    const v = view([on, evacuating, evacuating, maintenance], [0, 1, 1, 2, -1], [-1, -1, 3, 1, -1])
    // host 1: VMs 1 and 2 run there (2 is leaving) + VM 3 on its way in = 3; host 2: VM 3 = 1
    expect(evacuations(v)).toEqual([
      { host: 1, vmsLeft: 3 },
      { host: 2, vmsLeft: 1 },
    ])
    // an emptied host still evacuating (the step it empties in) shows 0
    expect(evacuations(view([on, evacuating], [0, 0], [-1, -1]))).toEqual([{ host: 1, vmsLeft: 0 }])
    // no host evacuating: nothing (the same empty list every time: the map's badges do not change)
    const none = view([on, maintenance], [0], [1])
    expect(evacuations(none)).toEqual([])
    expect(evacuations(none)).toBe(evacuations(view([on], [], [])))
    expect(vmsLeftText(1)).toBe('1 VM left to evacuate')
    expect(vmsLeftText(3)).toBe('3 VMs left to evacuate')
  })

  it('is the host details’ vmsLeft at every step of host 0’s maintenance in maintenance-and-affinity', async () => {
    const lab = new LabSession(nodeScenarioCatalog(join(ROOT, 'scenarios')))
    await lab.open({ builtin: 'maintenance-and-affinity' })
    await lab.advance({ untilSeconds: 2 * 3600 - 60 })
    const seen: string[] = []
    for (let step = 0; step < 8; step++) {
      await lab.advance({ steps: 1 })
      const placement = await lab.placement()
      const counted = evacuations(placement)
      const mode = (await lab.hostDetails(0)).mode!
      if (mode.mode === 'entering-maintenance') {
        expect(counted).toEqual([{ host: 0, vmsLeft: mode.vmsLeft }])
        seen.push(`↦${mode.vmsLeft}`)
      } else {
        expect(counted).toEqual([])
        seen.push(mode.mode)
      }
    }
    // asked at 2 h; its VMs leave over the next steps, then it is in maintenance
    expect(seen[0]).toBe('in-service')
    expect(seen.filter((s) => s.startsWith('↦')).length).toBeGreaterThan(1)
    expect(seen.at(-1)).toBe('maintenance')
    const counts = seen.filter((s) => s.startsWith('↦')).map((s) => Number(s.slice(1)))
    expect(counts.at(-1)).toBe(0)
    for (let i = 1; i < counts.length; i++) expect(counts[i]).toBeLessThanOrEqual(counts[i - 1]!)
  })
})
