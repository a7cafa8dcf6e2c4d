// What the app gets for the operator's work, through LabSession: the orders (refused with the rule's name,
// forced past a should rule), a host's mode and evacuation, the rules and their state, the target picker
// with the pre-copy model's prediction, and the order log kept across a checkpoint and a rewind.
import { describe, expect, it } from 'vitest'
import { LabSession } from '../../engine/api/lab-session'
import type { LabEvent } from '../../engine/api/lab-api'
import { HOST_STATE } from '../../engine/api/lab-api'
import { nodeScenarioCatalog } from '../../engine/platform/node/catalog'
import { precopyQemuModel } from '../../engine/migration/analytic'
import { join } from 'node:path'
import { ROOT } from '../helpers'

const catalog = nodeScenarioCatalog(join(ROOT, 'scenarios'))

/**
 * Four hosts (two per named group), five VMs of 2 vCPUs and 8 GiB; policy none: nothing moves by itself; no
 * host memory reserved (four VMs fill a host's 32 GiB).
 */
const SCENARIO = `name: operator session
mode: lab
duration: 2h
interval: 5m
policy: none
migration: { model: precopy, maxBandwidth: 100MiB/s }
memory: { pageSize: 2MiB }
admission: { reservedHostMemory: 0 }
hostTypes:
  h: { cores: 8, mipsPerCore: 2500, ramMB: 32768, nicMbps: 1000, bootSeconds: 120, bootEnergyJ: 24000, offPowerW: 5, power: [100, 110, 120, 130, 140, 150, 160, 170, 180, 190, 200] }
hosts:
  - { name: left, type: h, count: 2 }
  - { name: right, type: h, count: 2 }
vmTypes:
  v: { vcpus: 2, mips: 2500, ramMB: 8192 }
vms:
  - { name: web, type: v, count: 3, workload: { kind: constant, level: 0.5 }, pageWrites: { pattern: uniform, rate: 20MiB/s } }
  - { name: db, type: v, count: 2, workload: { kind: constant, level: 0.5 } }
rules:
  - { name: web-apart, kind: anti-affinity, vms: [web], enforcement: must }
  - { name: dbs-right, kind: vm-host, vms: [db], hosts: [right], placement: run-on, enforcement: should }
`

async function openLab() {
  const lab = new LabSession(catalog)
  await lab.open({ fileName: 'operator.yaml', text: SCENARIO })
  return lab
}

async function step(lab: LabSession, steps = 1): Promise<string[]> {
  const r = await lab.advance({ steps })
  return r.events.map((e: LabEvent) => e.message)
}

describe('operator orders through LabSession', () => {
  it('places within the rules at t = 0 and shows them', async () => {
    const lab = await openLab()
    const where = (await lab.placement()).vmHost
    // web 0, 1, 2 apart (first fit: hosts 0, 1, 2); dbs should run on the right (hosts 2, 3): first fit there
    expect(Array.from(where)).toEqual([0, 1, 2, 2, 2])
    const rules = await lab.rules()
    expect(rules.map((r) => [r.name, r.state, r.vms, r.hosts ?? null])).toEqual([
      ['web-apart', 'satisfied', [0, 1, 2], null],
      ['dbs-right', 'satisfied', [3, 4], [2, 3]],
    ])
    expect((await lab.vmDetails(3)).rules).toEqual(['dbs-right'])
    await lab.close()
  })

  it('refuses to open a scenario whose must rules no placement satisfies, at the rule', async () => {
    const lab = new LabSession(catalog)
    const text = SCENARIO.replace(
      'enforcement: should }',
      'enforcement: should }\n  - { name: web-together, kind: affinity, vms: [0, 1], enforcement: must }',
    )
    await expect(lab.open({ fileName: 'conflict.yaml', text })).rejects.toThrow(
      /conflict\.yaml:22:5: rules\[2\]: must rules "web-together" and "web-apart" conflict: VMs 0, 1 must run together and apart/,
    )
  })

  it('refuses a move that breaks a must rule, naming it; asks for force on a should rule', async () => {
    const lab = await openLab()
    await lab.order({ migrate: { vm: 0, to: 1 } })
    await lab.order({ migrate: { vm: 3, to: 0 } })
    let messages = await step(lab)
    expect(messages).toContain(
      'ordered: migration of VM 0 to host 1 refused: must rule "web-apart" (anti-affinity): VM 1 of the rule runs or is going to host 1',
    )
    expect(messages).toContain(
      'ordered: migration of VM 3 to host 0 refused: it would break should rule "dbs-right": VM 3 should run on hosts 2, 3; give the order with force: true to move it anyway',
    )
    await lab.order({ migrate: { vm: 3, to: 0, force: true } })
    messages = await step(lab)
    expect(messages).toContain(
      'ordered: forced move of VM 3 to host 0 breaks should rule "dbs-right": VM 3 should run on hosts 2, 3',
    )
    // 8 GiB at 100 MiB/s: well within a step; measured violated at the end of the step
    const rule = (await lab.rules()).find((r) => r.name === 'dbs-right')!
    expect(rule).toMatchObject({ state: 'violated', violatedSince: 600, placements: 1, violating: [3], violations: 1 })
    const report = await lab.report()
    expect(report.rules!.soft).toEqual({ violations: 1, violationSeconds: 300, placements: 1 })
    await lab.close()
  })

  it('the target picker: the first filter refusing each host, and the pre-copy prediction', async () => {
    const lab = await openLab()
    await step(lab)
    await lab.order({ maintenance: { host: 3, enter: true } })
    await step(lab)
    const rows = await lab.eligibility(0)
    expect(rows.map((r) => [r.host, r.eligible, r.filter ?? null, r.rule ?? r.breaksShould ?? null])).toEqual([
      [0, false, 'vm', null],
      [1, false, 'rule', 'web-apart'],
      [2, false, 'rule', 'web-apart'],
      [3, false, 'state', null],
    ])
    expect(rows[3]!.reason).toBe('the host is in maintenance')
    const db = await lab.eligibility(3)
    expect(db[0]).toMatchObject({ host: 0, eligible: true, breaksShould: 'dbs-right' })
    expect(db[1]).toMatchObject({ host: 1, eligible: true, breaksShould: 'dbs-right' })
    // the db VM's prediction is the analytic model's for its size and page-write rate over the link
    const m = db[0]!.migration!
    // 1 Gbit/s NIC = 125,000,000 B/s, above max-bandwidth 100 MiB/s; db writes 8 MiB/s at full CPU, runs at 50 %
    expect(m.bandwidthBytesPerSecond).toBe(100 * 2 ** 20)
    expect(m.dirtyBytesPerSecond).toBe(4 * 2 ** 20)
    const expected = precopyQemuModel({
      pageCount: 4096,
      pageSize: 2 * 2 ** 20,
      bandwidth: 100 * 2 ** 20,
      writeBytesPerSecond: 4 * 2 ** 20,
      downtimeLimit: 0.3,
      zeroFraction: 0.3,
      setupTime: 0.1,
      deviceTime: (256 * 1024) / (100 * 2 ** 20) + 0.02,
      maxRounds: 200,
    })
    expect(m).toMatchObject({ model: 'precopy', converges: true })
    expect(m.seconds).toBe(expected.totalTime)
    expect(m.downtimeMs).toBe(expected.downtime * 1000)
    // 8 GiB of which 70 % non-zero at 100 MiB/s: at least 57 s
    expect(m.seconds!).toBeGreaterThan(57)
    await lab.close()
  })

  it('maintenance: the host mode and evacuation in host details, blocked by a pinned VM with the reason', async () => {
    const lab = await openLab()
    await lab.order({ pin: { vm: 4, pinned: true } })
    await lab.order({ maintenance: { host: 2, enter: true } })
    const messages = await step(lab)
    expect(messages).toContain('host 2 cannot finish entering maintenance: VM 4 is pinned (unpin it to let it leave)')
    let host = await lab.hostDetails(2)
    expect(host.state).toBe(HOST_STATE.evacuating)
    expect(host.mode).toMatchObject({ mode: 'entering-maintenance', requestedAt: 0, enteredAt: null })
    expect(host.mode!.blockedBy).toEqual(['VM 4 is pinned (unpin it to let it leave)'])
    // web 2 and db 3 leave (web 2 to host 3, the only host without a web VM; db 3 to host 3, should rule kept)
    await step(lab)
    host = await lab.hostDetails(2)
    expect(host.mode!.vmsLeft).toBe(1)
    expect((await lab.placement()).vmHost[2]).toBe(3)
    await lab.order({ pin: { vm: 4, pinned: false } })
    await step(lab, 2)
    host = await lab.hostDetails(2)
    expect(host.mode).toMatchObject({ mode: 'maintenance', vmsLeft: 0, blockedBy: [] })
    expect(host.state).toBe(HOST_STATE.maintenance)
    // a host in maintenance stays on (idle power), and takes no VM
    expect(host.powerW).toBe(100)
    await lab.order({ maintenance: { host: 2, enter: false } })
    await step(lab)
    expect((await lab.hostDetails(2)).mode!.mode).toBe('in-service')
    // requested at 0; VMs 2 and 3 leave during [0, 300); unpinned at 600, VM 4 leaves during [600, 900); the
    // host is found empty at the start of the next step, 900; the exit is applied at 1200
    const report = await lab.report()
    expect(report.maintenance).toEqual([
      { host: 2, mode: 'maintenance', requestedAt: 0, enteredAt: 900, exitedAt: 1200, blockedBy: [] },
    ])
    await lab.close()
  })

  it('standby: powered off, not used; power on boots it (boot time and energy) and keeps it on', async () => {
    const lab = await openLab()
    await lab.order({ standby: { host: 1, on: true } })
    // web VM 1 may only go to host 3 (the others run web VMs), which is off: it boots during [0, 300), the
    // move runs in [300, 600), host 1 is found empty and powered off at 600
    await step(lab, 3)
    expect((await lab.report()).maintenance![0]).toMatchObject({ mode: 'standby', enteredAt: 600 })
    expect((await lab.placement()).vmHost[1]).toBe(3)
    let host = await lab.hostDetails(1)
    expect(host.state).toBe(HOST_STATE.standby)
    // powered off, it draws its BMC's standby power (offPowerW)
    expect(host.powerW).toBe(5)
    await lab.order({ standby: { host: 1, on: false } })
    await step(lab)
    host = await lab.hostDetails(1)
    // 120 s of boot in a 300 s step: the boot energy over 120 s, then 180 s idle at 100 W → average power
    expect(host.state).toBe(HOST_STATE.on)
    expect(host.powerW).toBeCloseTo((24000 + 180 * 100) / 300, 9)
    expect(host.mode).toMatchObject({ mode: 'in-service', heldOn: true })
    await step(lab, 3)
    expect((await lab.hostDetails(1)).state).toBe(HOST_STATE.on)
    await lab.close()
  })

  it('adds and removes rules during a run; a must rule the placement breaks now is refused', async () => {
    const lab = await openLab()
    await lab.order({ addRule: { name: 'dbs-apart', kind: 'anti-affinity', vms: ['db'], enforcement: 'must' } })
    await lab.order({ addRule: { name: 'dbs-apart-soft', kind: 'anti-affinity', vms: ['db'], enforcement: 'should' } })
    await lab.order({ removeRule: { name: 'nothing' } })
    const messages = await step(lab)
    expect(messages).toContain(
      'ordered: rule "dbs-apart" refused: the placement breaks it now (VMs 3 and 4 both run on host 2); move the VMs first, or add it as a should rule',
    )
    expect(messages).toContain('ordered: should rule "dbs-apart-soft" (anti-affinity, VMs 3, 4) in force')
    expect(messages).toContain('ordered: remove rule: no rule "nothing" is in force')
    expect(messages.some((m) => m.startsWith('should rule "dbs-apart-soft" (anti-affinity, VMs 3, 4) violated'))).toBe(
      true,
    )
    await lab.order({ removeRule: { name: 'dbs-apart-soft' } })
    await step(lab)
    const rules = await lab.rules()
    expect(rules.map((r) => [r.name, r.state])).toEqual([
      ['web-apart', 'satisfied'],
      ['dbs-right', 'satisfied'],
      ['dbs-apart-soft', 'removed'],
    ])
    expect(rules[2]).toMatchObject({ addedAt: 0, removedAt: 300, violations: 1, violationSeconds: 300 })
    await expect(lab.order({ addRule: { name: 'x', kind: 'sideways' } } as never)).rejects.toThrow(/order: addRule/)
    await lab.close()
  })

  it('keeps the order log and the rules across a checkpoint and a rewind', async () => {
    const lab = await openLab()
    await lab.order({
      addRule: { name: 'extra', kind: 'vm-host', vms: [0], hosts: [0, 1], placement: 'run-on', enforcement: 'must' },
    })
    await lab.order({ pin: { vm: 1, pinned: true } })
    await step(lab, 2)
    const checkpoint = await lab.checkpoint('after two steps')
    await lab.order({ removeRule: { name: 'extra' } })
    await step(lab)
    expect((await lab.report()).orders).toHaveLength(3)
    const restored = await lab.restoreCheckpoint(checkpoint.id)
    expect(restored.branch.from?.time).toBe(600)
    const report = await lab.report()
    expect(report.orders).toEqual([
      {
        time: 0,
        action: {
          addRule: {
            name: 'extra',
            kind: 'vm-host',
            vms: [0],
            hosts: [0, 1],
            placement: 'run-on',
            enforcement: 'must',
          },
        },
      },
      { time: 0, action: { pin: { vm: 1, pinned: true } } },
    ])
    expect((await lab.rules()).map((r) => r.name)).toEqual(['web-apart', 'dbs-right', 'extra'])
    expect((await lab.vmDetails(1)).pinned).toBe(true)
    const exported = await lab.exportOrders()
    expect(exported.events).toBe(
      'events:\n' +
        '  - {"at":0,"addRule":{"name":"extra","kind":"vm-host","vms":[0],"hosts":[0,1],"placement":"run-on","enforcement":"must"}}\n' +
        '  - {"at":0,"pin":{"vm":1,"pinned":true}}\n',
    )
    expect(exported.scenario).toContain('  - { at: 0, pin: { vm: 1, pinned: true } }')
    await lab.close()
  })
})
