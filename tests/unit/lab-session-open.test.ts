// The app opens a scenario as `conlab run` does: what the model or the placement at t = 0 refuses is reported
// at the scenario's line, in the words `conlab validate` uses — not as an unlocated failure of the run.
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { LabSession } from '../../engine/api/lab-session'
import { nodeScenarioCatalog } from '../../engine/platform/node/catalog'
import { LabInputError } from '../../engine/scenario/diagnostics'
import { ROOT } from '../helpers'

const scenario = (vmRamMB: number, vms: number) => `name: crowded
mode: lab
duration: 1h
interval: 5m
policy: none
admission: { reservedHostMemory: 0 }
hostTypes:
  h: { cores: 4, mipsPerCore: 1000, ramMB: 4096, nicMbps: 1000, power: [100, 110, 120, 130, 140, 150, 160, 170, 180, 190, 200] }
hosts: [{ type: h, count: 2 }]
vmTypes:
  v: { vcpus: 1, mips: 1000, ramMB: ${vmRamMB} }
vms:
  - { type: v, count: ${vms}, workload: { kind: constant, level: 0.2 } }
`

async function refusal(text: string): Promise<LabInputError> {
  const lab = new LabSession(nodeScenarioCatalog(join(ROOT, 'scenarios')), 'node')
  const error = await lab.open({ fileName: 'crowded.yaml', text }).then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(LabInputError)
  return error as LabInputError
}

describe('LabSession.open refuses like validate', () => {
  it('a VM type no host type admits, at the VM group', async () => {
    const e = await refusal(scenario(8192, 1))
    expect(e.diagnostics[0]).toMatchObject({ file: 'crowded.yaml', line: 13 })
    expect(e.diagnostics[0]!.message).toMatch(/fits on no host type/)
  })
  it('more VMs than the hosts hold at t = 0, at the VM group', async () => {
    // two hosts admit 4096 MB each: nine 1 GiB VMs do not fit
    const e = await refusal(scenario(1024, 9))
    expect(e.diagnostics[0]).toMatchObject({ file: 'crowded.yaml', line: 13 })
    expect(e.diagnostics[0]!.message).toMatch(/fits on no host at t = 0/)
  })
})
