// A host's RAM as the lab reports it: the physical RAM, what is in use, and — apart from them — the capacity
// RAM admission counts VMs against, (physical − reserved for the host) × RAM allocation ratio. The app showed
// "55.6 % of 24.00 GB" for memory-overcommit's 16 GiB server: the admission capacity, divided by 1024 and
// labelled GB. Expected figures come from the scenario files and the schema's defaults.
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { LabSession } from '../../engine/api/lab-session'
import { nodeScenarioCatalog } from '../../engine/platform/node/catalog'
import { formatMiB, formatPercent } from '../../engine/api/units'
import { ROOT } from '../helpers'

const catalog = nodeScenarioCatalog(join(ROOT, 'scenarios'))

describe('a host’s RAM', () => {
  it('is the physical RAM, with the admission capacity given separately (memory-overcommit)', async () => {
    const lab = new LabSession(catalog)
    const info = await lab.open({ builtin: 'memory-overcommit' })
    // scenarios/memory-overcommit.yaml: one server of 16384 MiB, 12 VMs of 2048 MiB, RAM allocation ratio 1.6,
    // and the schema's default host reserve of 512 MiB (Nova's reserved_host_memory_mb)
    expect(info.admission).toEqual({ ramAllocationRatio: 1.6, reservedHostMemoryMB: 512 })
    await lab.advance({ untilSeconds: 3600 })
    const host = await lab.hostDetails(0)
    expect(host.ramMB).toBe(16384)
    expect(host.admissionRamMB).toBe((16384 - 512) * 1.6)
    expect(host.admittedRamMB).toBe(12 * 2048)
    // in use: the resident memory the host manages (KSM and balloons keep it below the 24 GiB configured)
    expect(host.ramUsedMB).toBe(host.memory!.residentMB)
    expect(host.ramUsedMB).toBeLessThan(16384)
    expect((await lab.placement()).hostRam[0]).toBe(host.ramUsedMB / 16384)
    expect(formatMiB(host.ramMB)).toBe('16.00 GiB')
    expect(formatMiB(host.admissionRamMB)).toBe('24.80 GiB')
    expect(formatPercent(host.ramUsedMB / host.ramMB)).toBe(`${((host.ramUsedMB / 16384) * 100).toFixed(1)} %`)
  })

  it('takes the host’s reserved memory off before the ratio', async () => {
    const lab = new LabSession(catalog)
    // (16384 − 1024) × 1.7 = 26112 MiB still admits the 12 VMs' 24576
    const info = await lab.open({
      builtin: 'memory-overcommit',
      set: ['admission.reservedHostMemory=1GiB', 'admission.ramAllocationRatio=1.7'],
    })
    expect(info.admission).toEqual({ ramAllocationRatio: 1.7, reservedHostMemoryMB: 1024 })
    const host = await lab.hostDetails(0)
    expect(host.ramMB).toBe(16384)
    expect(host.admissionRamMB).toBe((16384 - 1024) * 1.7)
  })

  it('in CloudSim’s model: physical RAM, checked at placement only', async () => {
    const lab = new LabSession(catalog)
    const info = await lab.open({ builtin: 'planetlab-cloudsim' })
    expect(info.admission).toBeUndefined()
    await lab.advance({ steps: 1 })
    const p = await lab.placement()
    const h = p.vmHost.find((x) => x >= 0)!
    const host = await lab.hostDetails(h)
    expect(host.ramMB).toBe(info.hostTypes[info.hostType[h]!]!.ramMB)
    expect(host.admissionRamMB).toBe(host.ramMB)
    const vms = host.vms.filter((v) => v.migratingFrom === undefined && !v.migrating)
    expect(host.ramUsedMB).toBe(vms.reduce((a, v) => a + v.ramMB, 0))
    expect(p.hostRam[h]).toBe(host.ramUsedMB / host.ramMB)
  })
})
