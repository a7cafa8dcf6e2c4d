// Replaying a run the trainee drove: orders given through the API between steps, exported as scenario
// events, re-run by `conlab run --orders` (a real process) to the same stateHash; the placement log in both
// modes; an orders file checked at its own lines.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { LabSession } from '../../engine/api/lab-session'
import { nodeScenarioCatalog } from '../../engine/platform/node/catalog'
import type { LabEvent, LabOrder } from '../../engine/api/lab-api'
import { CONLAB_BIN, PLANETLAB_SCENARIO, ROOT } from '../helpers'
import { readPlacementLog } from '../lab/placement-checker'

const DRILL = join(ROOT, 'scenarios', 'maintenance-and-affinity.yaml')

function conlab(...args: string[]) {
  const r = spawnSync(process.execPath, [CONLAB_BIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

describe('orders → export → conlab run --orders', () => {
  it('replays a run driven by orders between steps to the same stateHash', async () => {
    const lab = new LabSession(nodeScenarioCatalog(join(ROOT, 'scenarios')))
    const info = await lab.open({ builtin: 'maintenance-and-affinity' })
    const steps = info.durationSeconds / info.intervalSeconds
    // orders at chosen steps (before the step is played); several in one step, and one failure given just
    // before the last step (it fails at the end of the run)
    const script = new Map<number, LabOrder[]>([
      [0, [{ pin: { vm: 20, pinned: true } }]],
      [
        10,
        [
          { migrate: { vm: 12, to: 9 } },
          { addRule: { name: 'batch-apart', kind: 'anti-affinity', vms: [12, 13], enforcement: 'should' } },
        ],
      ],
      [30, [{ maintenance: { host: 3, enter: true } }, { migrate: { vm: 0, to: 3 } }]],
      [31, [{ migrate: { vm: 13, to: 12, force: true } }]],
      [45, [{ standby: { host: 10, on: true } }, { failHost: { host: 5 } }]],
      [60, [{ maintenance: { host: 3, enter: false } }, { removeRule: { name: 'batch-apart' } }]],
      [90, [{ standby: { host: 10, on: false } }, { pin: { vm: 20, pinned: false } }]],
      [steps - 1, [{ failHost: { host: 6 } }]],
    ])
    const events: LabEvent[] = []
    for (let k = 0; k < steps; k++) {
      for (const o of script.get(k) ?? []) await lab.order(o)
      const r = await lab.advance({ steps: 1 })
      events.push(...r.events)
    }
    const report = await lab.report()
    expect(report.simulatedSeconds).toBe(info.durationSeconds)
    // every order was applied at the start of its step, logged with that time
    expect(report.orders!.map((o) => o.time)).toEqual(
      [...script].flatMap(([k, orders]) => orders.map(() => k * info.intervalSeconds)),
    )
    // the orders did something: a refusal names its reason; the forced move was counted
    const texts = events.map((e) => e.message).join('\n')
    expect(texts).toMatch(/ordered: migration of VM 0 to host 3 refused: the host is entering maintenance/)
    expect(texts).toMatch(/host 3 is in maintenance/)
    expect(texts).toMatch(/host 10 is in standby/)
    // host 1 (the scenario's), host 5 and host 6 (ordered)
    expect(report.ha!.hostFailures).toBe(3)

    const exported = await lab.exportOrders()
    expect(exported.orders).toEqual(report.orders)
    const dir = mkdtempSync(join(tmpdir(), 'conlab-orders-'))
    const ordersFile = join(dir, 'orders.yaml')
    writeFileSync(ordersFile, exported.events)
    // the ordered failure of the last step is written at the end of the run
    expect(exported.events).toContain(`{"at":${info.durationSeconds},"failHost":{"host":6}}`)
    const replay = conlab('run', DRILL, '--orders', ordersFile, '--json', '--workers', '0')
    expect(replay.stderr).toBe('')
    expect(replay.code).toBe(0)
    const replayed = JSON.parse(replay.stdout) as { stateHash: string; migrations: number; orders: unknown[] }
    expect(replayed.stateHash).toBe(report.stateHash)
    expect(replayed.migrations).toBe(report.migrations)
    expect(replayed.orders).toEqual([])
    // the whole scenario replays too
    const scenarioFile = join(dir, 'replay.yaml')
    writeFileSync(scenarioFile, exported.scenario)
    const whole = conlab('run', scenarioFile, '--json', '--workers', '2')
    expect(whole.code).toBe(0)
    expect((JSON.parse(whole.stdout) as { stateHash: string }).stateHash).toBe(report.stateHash)
    await lab.close()
  }, 300_000)

  it('checks an orders file at its own lines', () => {
    const dir = mkdtempSync(join(tmpdir(), 'conlab-orders-'))
    const file = join(dir, 'bad.yaml')
    writeFileSync(file, 'events:\n  - { at: 1h, maintenance: { host: 0 } }\n')
    const r = conlab('run', DRILL, '--orders', file)
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(`${file}:2:`)
    expect(r.stderr).toMatch(/events\[0\]/)
  })
})

describe('conlab run --placement-log', () => {
  it('cloudsim mode: every VM starts at t = 0, then one row per completed migration, in time order', () => {
    const dir = mkdtempSync(join(tmpdir(), 'conlab-placements-'))
    const file = join(dir, 'p.csv')
    const r = conlab('run', PLANETLAB_SCENARIO, '--until', '2h', '--placement-log', file, '--json')
    expect(r.code).toBe(0)
    const report = JSON.parse(r.stdout) as { vms: number; migrations: number; vmsRemovedForZeroDemand: number }
    const rows = readPlacementLog(readFileSync(file, 'utf8'))
    expect(rows.filter((x) => x.event === 'start')).toHaveLength(report.vms)
    expect(rows.slice(0, report.vms).every((x) => x.time === 0 && x.event === 'start')).toBe(true)
    expect(rows.filter((x) => x.event === 'migrated').length).toBeGreaterThan(0)
    expect(rows.filter((x) => x.event === 'migrated').length).toBeLessThanOrEqual(report.migrations)
    expect(rows.filter((x) => x.event === 'stopped')).toHaveLength(report.vmsRemovedForZeroDemand)
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.time).toBeGreaterThanOrEqual(rows[i - 1]!.time)
  }, 120_000)

  it('lab mode: the rows say where every VM runs at the end', () => {
    const dir = mkdtempSync(join(tmpdir(), 'conlab-placements-'))
    const file = join(dir, 'p.csv')
    const r = conlab('run', DRILL, '--placement-log', file, '--json')
    expect(r.code).toBe(0)
    const rows = readPlacementLog(readFileSync(file, 'utf8'))
    const at = new Map<number, number>()
    for (const x of rows) {
      if (x.event === 'stopped' || x.event === 'killed') at.delete(x.vm)
      else at.set(x.vm, x.host)
    }
    // the report's last migrations agree: each VM's last completed migration ends where the log has it
    const report = JSON.parse(r.stdout) as { migrationsDetail: { vm: number; target: number; location: string }[] }
    const last = new Map<number, number>()
    for (const m of report.migrationsDetail) if (m.location === 'destination') last.set(m.vm, m.target)
    for (const [vm, host] of last)
      if (rows.findLast((x) => x.vm === vm)!.event === 'migrated') expect(at.get(vm)).toBe(host)
    expect(at.size).toBe(28)
  }, 120_000)
})
