// The trainee operates the cluster (issue 17): placement rules that hold through consolidation, maintenance,
// standby and HA; the acceptance scenario read back from its report and its placement log; rule sets
// refused at validation with the rules named; identical results over shards.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openScenario } from '../../engine/scenario/open'
import { nodeFiles } from '../../engine/platform/node/files'
import { runToEnd } from '../../engine/run'
import { inProcessShards } from '../../engine/lab/shards'
import { parseScenario } from '../../engine/scenario/load'
import { modelOf } from '../../engine/scenario/open'
import { LabInputError } from '../../engine/scenario/diagnostics'
import { PLACEMENT_LOG_HEADER, placementRowCsv, type PlacementRow } from '../../engine/lab/placement-log'
import type { RunReport } from '../../engine/report'
import { ROOT } from '../helpers'
import { checkPlacements, readPlacementLog, type CheckedRule } from './placement-checker'

const DRILL = join(ROOT, 'scenarios', 'maintenance-and-affinity.yaml')

async function runWithLog(file: string, shards = 1) {
  const model = openScenario(file, nodeFiles)
  const rows: PlacementRow[] = []
  const report = await runToEnd(model, { shards, shardFactory: inProcessShards, onPlacement: (r) => rows.push(r) })
  const csv = [PLACEMENT_LOG_HEADER, ...rows.map(placementRowCsv)].join('\n') + '\n'
  return { model, report, csv }
}

describe('scenarios/maintenance-and-affinity.yaml', () => {
  it('holds every must rule, enters maintenance within minutes, restarts within the rules', async () => {
    const { report, csv } = await runWithLog(DRILL)
    const rules = report.rules!
    // the three rules as the scenario names them: web 0–5 apart, app 6 with db 7, licensed 8–11 on hosts 12–15
    expect(rules.byRule.map((r) => [r.name, r.enforcement, r.vms])).toEqual([
      ['web-apart', 'must', [0, 1, 2, 3, 4, 5]],
      ['app-with-db', 'should', [6, 7]],
      ['licensed-on-licensed-hosts', 'must', [8, 9, 10, 11]],
    ])
    expect(rules.hard).toEqual({ violations: 0, violationSeconds: 0, placements: 0 })
    // host 0: requested at 2 h, empty within minutes, out at 6 h
    expect(report.maintenance).toHaveLength(1)
    const m = report.maintenance![0]!
    expect(m).toMatchObject({ host: 0, mode: 'maintenance', requestedAt: 7200, exitedAt: 21600, blockedBy: [] })
    expect(m.enteredAt).not.toBeNull()
    expect(m.enteredAt! - m.requestedAt).toBeGreaterThan(0)
    expect(m.enteredAt! - m.requestedAt).toBeLessThanOrEqual(15 * 60)
    // host 12 (licensed) fails at 4 h; HA restarts all its VMs
    expect(report.ha!.failures[0]).toMatchObject({ host: 12, time: 14400 })
    expect(report.ha!.failures[0]!.restarted).toBe(report.ha!.failures[0]!.vms)

    // the placement log, read independently
    const rows = readPlacementLog(csv)
    expect(rows.filter((r) => r.event === 'start')).toHaveLength(report.vms)
    const restarts = rows.filter((r) => r.event === 'restarted')
    expect(restarts.length).toBe(report.ha!.restarted)
    expect(restarts.every((r) => r.time >= 14400 && r.host !== 12)).toBe(true)
    // the licensed VMs it held restart on another licensed host, a web VM it held away from the others
    const licensed = restarts.filter((r) => r.vm >= 8 && r.vm <= 11)
    expect(licensed.length).toBeGreaterThan(0)
    expect(licensed.every((r) => [13, 14, 15].includes(r.host))).toBe(true)
    expect(restarts.some((r) => r.vm <= 5)).toBe(true)
    expect(rows.filter((r) => r.event === 'stopped' && r.time === 14400).length).toBe(report.ha!.failures[0]!.vms)
    const must: CheckedRule[] = [
      { name: 'web-apart', kind: 'anti-affinity', vms: [0, 1, 2, 3, 4, 5], from: 0, until: Infinity },
      {
        name: 'licensed',
        kind: 'vm-host',
        vms: [8, 9, 10, 11],
        hosts: [12, 13, 14, 15],
        runOn: true,
        from: 0,
        until: Infinity,
      },
    ]
    expect(checkPlacements(rows, report.vms, must, [{ host: 0, from: 7200, until: 21600 }])).toEqual([])
    // no VM ran on host 0 from its entry into maintenance until it left it
    const on0 = new Set<number>()
    for (const r of rows) {
      if (r.time > 21600) break
      if (r.host !== 0) {
        if (r.event !== 'stopped' && r.event !== 'killed') on0.delete(r.vm)
        continue
      }
      if (r.event === 'stopped' || r.event === 'killed') on0.delete(r.vm)
      else on0.add(r.vm)
      if (r.time >= m.enteredAt!) expect(on0.size).toBe(0)
    }
    // migrations were needed to empty host 0 and they are in the report
    expect(report.migrationsDetail!.some((d) => d.source === 0 && d.start === 7200)).toBe(true)
  }, 60_000)

  it('gives the same result over 1 and 3 shards, placement log included', async () => {
    const a = await runWithLog(DRILL, 1)
    const b = await runWithLog(DRILL, 3)
    expect(b.report.stateHash).toBe(a.report.stateHash)
    expect(b.csv).toBe(a.csv)
    expect(b.report.rules).toEqual(a.report.rules)
  }, 60_000)
})

/** A small lab scenario with named groups, for validation and behaviour tests. */
function small(extra: string, hosts = 4): string {
  return `name: rules test
mode: lab
duration: 1h
interval: 5m
policy: thr-mmt-0.8
migration: { model: cloudsim }
admission: { reservedHostMemory: 0 }
hostTypes:
  h: { cores: 8, mipsPerCore: 2500, ramMB: 32768, nicMbps: 1000, bootSeconds: 0, power: [100, 110, 120, 130, 140, 150, 160, 170, 180, 190, 200] }
hosts:
  - { name: left, type: h, count: ${hosts / 2} }
  - { name: right, type: h, count: ${hosts / 2} }
vmTypes:
  v: { vcpus: 2, mips: 2500, ramMB: 8192 }
vms:
  - { name: web, type: v, count: 3, workload: { kind: constant, level: 0.3 } }
  - { name: db, type: v, count: 2, workload: { kind: constant, level: 0.3 } }
${extra}`
}

function validate(text: string, file = 's.yaml'): string[] {
  try {
    modelOf(parseScenario(text, file), nodeFiles)
    return []
  } catch (e) {
    if (!(e instanceof LabInputError)) throw e
    return e.diagnostics.map((d) => `${d.line ?? '?'}: ${d.path ?? ''}: ${d.message}`)
  }
}

/** The 1-based line of the first line of `text` containing `needle`. */
function lineOf(text: string, needle: string): number {
  return text.split('\n').findIndex((l) => l.includes(needle)) + 1
}

describe('rules at validation', () => {
  it('accepts a satisfiable rule set', () => {
    expect(
      validate(
        small(`rules:
  - { name: apart, kind: anti-affinity, vms: [web], enforcement: must }
  - { name: pair, kind: affinity, vms: [db], enforcement: should }
  - { name: dbs-right, kind: vm-host, vms: [db], hosts: [right], placement: run-on, enforcement: must }`),
      ),
    ).toEqual([])
  })

  it('refuses unknown names, ids out of range and duplicate names at their lines', () => {
    const text = small(`rules:
  - { name: apart, kind: anti-affinity, vms: [web, cache], enforcement: must }
  - { name: apart, kind: vm-host, vms: [7], hosts: [middle], placement: run-on, enforcement: should }`)
    const problems = validate(text)
    const first = lineOf(text, 'vms: [web, cache]')
    const second = lineOf(text, 'vms: [7]')
    expect(problems).toEqual([
      expect.stringMatching(
        new RegExp(
          `^${first}: rules\\[0\\]\\.vms\\[1\\]: expected a VM id or the name of a VM group \\("web", "db"\\), found "cache"`,
        ),
      ),
      expect.stringMatching(new RegExp(`^${second}: rules\\[1\\]\\.name: .*"apart" a second time`)),
      expect.stringMatching(new RegExp(`^${second}: rules\\[1\\]\\.vms\\[0\\]: expected a VM id below 5, found 7`)),
      expect.stringMatching(
        new RegExp(
          `^${second}: rules\\[1\\]\\.hosts\\[0\\]: expected a host id or the name of a host group \\("left", "right"\\), found "middle"`,
        ),
      ),
    ])
  })

  it('refuses rules and operator events in cloudsim mode, saying why', () => {
    // CloudSim's PlanetLab experiment with a rule and a maintenance window added
    const file = join(ROOT, 'scenarios', 'planetlab-cloudsim.yaml')
    const text = `${readFileSync(file, 'utf8')}
rules:
  - { name: apart, kind: anti-affinity, vms: [0, 1], enforcement: must }
events:
  - { at: 10m, maintenance: { host: 0, enter: true } }
`
    const problems = validate(text, file)
    expect(problems).toEqual([
      expect.stringMatching(
        /events\[0\]: maintenance events need mode: lab — the CloudSim-compatible mode replays CloudSim 3.0.3, which has no placement rules, maintenance, standby, pinned VMs or recommendations: use mode: lab$/,
      ),
    ])
    expect(validate(text.replace(/events:\n.*\n$/, ''), file)).toEqual([
      expect.stringMatching(
        /rules: placement rules need mode: lab — the CloudSim-compatible mode replays CloudSim 3.0.3/,
      ),
    ])
  })

  it.each([
    [
      'affinity against anti-affinity on two VMs',
      `  - { name: together, kind: affinity, vms: [3, 4], enforcement: must }
  - { name: apart, kind: anti-affinity, vms: [db], enforcement: must }`,
      /rules\[0\]: must rules "together" and "apart" conflict: VMs 3, 4 must run together and apart/,
    ],
    [
      'run-on and not-run-on leaving a VM no host',
      `  - { name: on-left, kind: vm-host, vms: [0], hosts: [left], placement: run-on, enforcement: must }
  - { name: not-left, kind: vm-host, vms: [web], hosts: [0, 1], placement: not-run-on, enforcement: must }`,
      /must rules "on-left" and "not-left" leave VM 0 no host to run on/,
    ],
    [
      'anti-affinity over more VMs than allowed hosts',
      `  - { name: apart, kind: anti-affinity, vms: [web], enforcement: must }
  - { name: left-only, kind: vm-host, vms: [web], hosts: [left], placement: run-on, enforcement: must }`,
      /must rule "apart" keeps 3 VMs apart, but they may run on 2 hosts \("left-only"\)/,
    ],
    [
      'an affinity group no host admits',
      `  - { name: all-together, kind: affinity, vms: [web, db], enforcement: must }`,
      /must rules "all-together": no host admits VMs 0–4 together \(RAM 40960 MiB, 10 vCPUs\)/,
    ],
  ])('refuses %s, naming the rules', (_, rules, message) => {
    const text = small(`rules:\n${rules}`)
    const problems = validate(text)
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatch(message)
    expect(problems[0]!.startsWith(`${lineOf(text, 'rules:') + 1}: rules[0]`)).toBe(true)
  })

  it('refuses what the initial placement cannot do within the rules, naming them', () => {
    // three db-sized VMs (8 GiB) and 32 GiB hosts: the web VMs on host 0 only, apart from nothing, fit;
    // but pinned to host 0 with the dbs too, 5 × 8 GiB do not
    const problems = validate(
      small(`rules:
  - { name: on-zero, kind: vm-host, vms: [web, db], hosts: [0], placement: run-on, enforcement: must }`),
    )
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatch(/rules\[0\]: VM \d fits on no host at t = 0 within the rules "on-zero"/)
  })

  it('checks added and removed rules against the rules in force then', () => {
    const text = small(`rules:
  - { name: apart, kind: anti-affinity, vms: [web], enforcement: should }
events:
  - { at: 10m, removeRule: { name: apart } }
  - { at: 15m, removeRule: { name: apart } }
  - { at: 20m, addRule: { name: apart, kind: anti-affinity, vms: [nothing], enforcement: must } }`)
    const problems = validate(text)
    expect(problems).toEqual([
      expect.stringMatching(/events\[1\]\.removeRule\.name: expected a rule in force at 900 s \(none\), found "apart"/),
      expect.stringMatching(/events\[2\]\.addRule\.vms\[0\]: expected a VM id or the name of a VM group/),
    ])
  })
})

/** A lab run of a small scenario in this thread, with its events. */
async function runSmall(text: string): Promise<{ report: RunReport; messages: string[]; rows: PlacementRow[] }> {
  const model = modelOf(parseScenario(text, 's.yaml'), nodeFiles)
  const messages: string[] = []
  const rows: PlacementRow[] = []
  const report = await runToEnd(model, {
    onEvent: (e) => messages.push(`${e.time} ${e.kind} ${e.message}`),
    onPlacement: (r) => rows.push(r),
  })
  return { report, messages, rows }
}

describe('operator actions as scenario events', () => {
  it('counts should rules the initial placement cannot keep', async () => {
    // host 0 takes four 2-vCPU VMs of 2500 MIPS (nominal 20,000 of 20,000 MIPS): the fifth breaks the rule
    const { report, rows } = await runSmall(
      small(`rules:
  - { name: all-on-zero, kind: vm-host, vms: [web, db], hosts: [0], placement: run-on, enforcement: should }`).replace(
        'policy: thr-mmt-0.8',
        'policy: none',
      ),
    )
    expect(rows.filter((r) => r.event === 'start').map((r) => r.host)).toEqual([0, 0, 0, 0, 1])
    expect(report.rules!.soft).toEqual({ violations: 1, violationSeconds: 3600, placements: 1 })
  })

  it('maintenance blocked by a pinned VM, with the reason, until it is unpinned', async () => {
    // with THR 0.8 and 30 % VMs the initial placement's host 0 holds VMs 0–3 (4 × 2 vCPUs of 2500 MIPS on
    // 8 × 2500: nominal CPU full); VM 0 pinned blocks host 0 until it is unpinned at 30 min
    const { report, messages } = await runSmall(
      small(`events:
  - { at: 0, pin: { vm: 0, pinned: true } }
  - { at: 10m, maintenance: { host: 0, enter: true } }
  - { at: 30m, pin: { vm: 0, pinned: false } }`).replace('policy: thr-mmt-0.8', 'policy: none'),
    )
    expect(messages.join('\n')).toMatch(/600 warning host 0 cannot finish entering maintenance: VM 0 is pinned/)
    const m = report.maintenance![0]!
    expect(m.requestedAt).toBe(600)
    // unpinned at 1800: its move is planned then, runs 8192 MB over half a 1 Gbit/s NIC = 65.5 s, and the host
    // is found empty at the start of the next step
    expect(m.enteredAt).toBe(2100)
    expect(m.blockedBy).toEqual([])
  })

  it('standby: evacuates, powers off, stays off for automation; power on boots it', async () => {
    const { report, messages, rows } = await runSmall(
      small(`events:
  - { at: 10m, standby: { host: 0, on: true } }
  - { at: 40m, standby: { host: 0, on: false } }`).replace('policy: thr-mmt-0.8', 'policy: none'),
    )
    const m = report.maintenance![0]!
    expect(m).toMatchObject({ host: 0, mode: 'standby', requestedAt: 600, exitedAt: 2400 })
    expect(m.enteredAt).toBeGreaterThan(600)
    expect(messages.join('\n')).toMatch(/host 0 is in standby: evacuated and powered off/)
    expect(messages.join('\n')).toMatch(/2400 host-on scheduled: host 0 powered on by the operator \(boots in 0 s\)/)
    expect(rows.filter((r) => r.host === 0 && r.event === 'migrated' && r.time > 600)).toEqual([])
  })

  it('HA restarts a must-affinity group together, and never breaks a vm-host must rule', async () => {
    const text = small(`rules:
  - { name: dbs-together, kind: affinity, vms: [db], enforcement: must }
  - { name: dbs-right, kind: vm-host, vms: [db], hosts: [right], placement: run-on, enforcement: must }
events:
  - { at: 20m, failHost: { host: 2 } }`).replace('policy: thr-mmt-0.8', 'policy: none')
    const { report, rows } = await runSmall(text)
    const starts = rows.filter((r) => r.event === 'start')
    // the dbs start together on host 2 (the first right-hand host)
    expect(starts.filter((r) => r.vm >= 3).map((r) => r.host)).toEqual([2, 2])
    const restarts = rows.filter((r) => r.event === 'restarted')
    expect(restarts.map((r) => [r.vm, r.host, r.time])).toEqual([
      [3, 3, 1200],
      [4, 3, 1200],
    ])
    expect(report.rules!.hard.violations).toBe(0)
  })
})
