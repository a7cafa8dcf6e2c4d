// The lab's "average SLA violation" (CloudSim's figure, CCPE 2012 §7.3): the mean, over the VM-steps in which
// a VM lost more than the tolerance of its demand, of the share it went without — measured, not a constant.
import { describe, expect, it } from 'vitest'
import { runToEnd } from '../../engine/run'
import { inlineModel } from './inline-scenario'

const scenario = (level: number, vms: number) => `
name: contention
mode: lab
duration: 10m
interval: 1m
policy: none
migration: { model: cloudsim }
admission: { reservedHostMemory: 0 }
hostTypes:
  h: { cores: 1, mipsPerCore: 1000, ramMB: 8192, nicMbps: 1000, power: [100, 110, 120, 130, 140, 150, 160, 170, 180, 190, 200] }
hosts: [{ type: h, count: 1 }]
vmTypes:
  v: { vcpus: 1, mips: 1000, ramMB: 1024 }
vms:
  - { type: v, count: ${vms}, workload: { kind: constant, level: ${level} } }
`

describe('averageSla in lab mode', () => {
  it('is the share of demand not granted in the short steps: two VMs asking 800 MIPS of one 1,000 MIPS core', async () => {
    // equal weights: each gets 500 of its 800 MIPS in every step, a shortfall of 300 / 800 = 37.5 %
    const report = await runToEnd(inlineModel(scenario(0.8, 2)), {})
    expect(report.averageSla).toBeCloseTo(0.375, 12)
    expect(report.overallSla).toBeCloseTo(0.375, 12)
  })
  it('is 0 when no VM loses more than the tolerance (two VMs asking 500 MIPS)', async () => {
    const report = await runToEnd(inlineModel(scenario(0.5, 2)), {})
    expect(report.averageSla).toBe(0)
  })
})
