// What a host delivers is what its CPU gave: in the step a VM finishes migrating, it ran on its source
// (the plan has it on the target already), so the target's VM list must not add the source's MIPS to its
// own — the 4,213 MIPS from a 2,000 MIPS host.
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { LabSession } from '../../engine/api/lab-session'
import { nodeScenarioCatalog } from '../../engine/platform/node/catalog'
import { ROOT } from '../helpers'

const SCENARIO = `
name: migrate-in
mode: lab
duration: 3m
interval: 10s
policy: none
migration: { model: precopy }
memory: { pageSize: 64KiB }
hostTypes:
  big: { cores: 4, mipsPerCore: 1000, ramMB: 16384, nicMbps: 10000, power: [100, 110, 120, 130, 140, 150, 160, 170, 180, 190, 200] }
  small: { cores: 2, mipsPerCore: 1000, ramMB: 16384, nicMbps: 10000, power: [100, 110, 120, 130, 140, 150, 160, 170, 180, 190, 200] }
hosts: [{ type: big, count: 1 }, { type: small, count: 1 }]
vmTypes:
  v3: { vcpus: 3, mips: 1000, ramMB: 1024 }
  v2: { vcpus: 2, mips: 1000, ramMB: 1024 }
vms:
  - { type: v3, count: 1, workload: { kind: constant, level: 0.75 } }
  - { type: v2, count: 1, workload: { kind: constant, level: 1 } }
events:
  - { at: 30s, migrate: { vm: 0, to: 1 } }
`

describe('a host’s delivered MIPS', () => {
  it('never exceed its capacity, in the step a VM migrates in too', async () => {
    const lab = new LabSession(nodeScenarioCatalog(join(ROOT, 'scenarios')))
    await lab.open({ fileName: 'migrate-in.yaml', text: SCENARIO, workers: 0 })
    let arrived = false
    for (;;) {
      const r = await lab.advance({ steps: 1 })
      for (const host of [0, 1]) {
        const d = await lab.hostDetails(host)
        const delivered = d.vms.reduce((sum, vm) => sum + vm.grantedMips, 0)
        // host 1: 2 cores × 1000 MIPS; VM 1 alone takes all of it until VM 0 arrives
        expect(delivered).toBeLessThanOrEqual(d.totalMips + 1e-9)
        // the target sends nothing: what its VMs got is what its CPU delivered (main: 4,202 of 2,000)
        if (host === 1) expect(delivered).toBeCloseTo(d.cpuUtilization * d.totalMips, 6)
      }
      const target = await lab.hostDetails(1)
      if (target.vms.some((vm) => vm.vm === 0 && !vm.migrating)) arrived = true
      if (r.done) break
    }
    expect(arrived).toBe(true)
  })
})
