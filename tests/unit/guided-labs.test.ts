// Guided lab files and submissions: refused like scenarios, at the file's line and JSON path with what was
// expected and found; the choices a lab allows; the score (hint costs, a seen solution); a submission file
// that reads back to the same choices; and the objective tracker's rules on a hand-made run of reports.
import { describe, expect, it } from 'vitest'
import { nodeFiles } from '../../engine/platform/node/files'
import { parseLab, type GuidedLab } from '../../engine/guided-labs/lab-file'
import { gradeSubmission, scoreOf, type Submission } from '../../engine/guided-labs/grade'
import { formatSubmission, parseSubmission, solutionSubmission } from '../../engine/guided-labs/submission-file'
import { ObjectiveTracker } from '../../engine/guided-labs/objectives'
import { allowedBy, pathKeys } from '../../engine/guided-labs/choices'
import { describeCheck } from '../../engine/guided-labs/words'
import { LabInputError, formatDiagnostic } from '../../engine/scenario/diagnostics'
import type { RunReport } from '../../engine/report'
import type { LabEvent } from '../../engine/vocabulary'

// one host at 30 % of its two cores for 20 minutes in 5-minute steps (line numbers below count from 1)
const LAB = `title: A tiny lab
topics: [power]
level: beginner
briefing: One host, one VM.
scenario:
  name: tiny
  mode: lab
  seed: 1
  duration: 20m
  interval: 5m
  policy: none
  migration: { model: cloudsim }
  hostTypes:
    h: { cores: 2, mipsPerCore: 1000, ramMB: 4096, nicMbps: 1000, power: [100, 110, 120, 130, 140, 150, 160, 170, 180, 190, 200] }
  hosts: [{ type: h, count: 2 }]
  vmTypes:
    v: { vcpus: 1, mips: 1000, ramMB: 1024 }
  vms: [{ type: v, count: 1, workload: { kind: constant, level: 0.6 } }]
objectives:
  - id: energy
    text: Under 0.1 kWh.
    check: { metric: energyKWh, below: 0.1 }
    points: 30
  - id: moves
    text: At most one migration.
    check: { metric: migrations, atMost: 1 }
    points: 20
allowed:
  settings: [{ path: policy, values: [none, thr-mmt-0.8] }, migration]
  orders: [migrate]
hints:
  - { id: h1, cost: 5, text: Read the power table. }
  - { id: h2, cost: 50, text: Do nothing. }
solution:
  approach: Nothing to do.
`

const read = (text: string) => parseLab('tiny', 'labs/tiny.yaml', text, nodeFiles)

function refused(f: () => unknown): string[] {
  try {
    f()
  } catch (e) {
    if (e instanceof LabInputError) return e.diagnostics.map(formatDiagnostic)
    throw e
  }
  throw new Error('expected a refusal')
}

describe('lab files', () => {
  it('reads a lab: duration and step from its inline scenario, a 16-hex-digit content hash', () => {
    const lab = read(LAB)
    expect([lab.durationSeconds, lab.intervalSeconds, lab.scenario.inline]).toEqual([1200, 300, true])
    expect(lab.hash).toMatch(/^[0-9a-f]{16}$/)
    expect(read(LAB).hash).toBe(lab.hash)
    // CRLF line endings are the same content; one character more is not
    expect(read(LAB.replace(/\n/g, '\r\n')).hash).toBe(lab.hash)
    expect(read(LAB.replace('One host, one VM.', 'One host, one VM!')).hash).not.toBe(lab.hash)
  })

  it('refuses a lab at the line and path of each problem, with what was expected and found', () => {
    const bad = LAB.replace('metric: energyKWh, below: 0.1', 'metric: joules, below: 0.1')
      .replace('metric: migrations, atMost: 1', 'metric: migrations, atMost: 1, atLeast: 0')
      .replace('level: beginner', 'level: expert')
    const lines = refused(() => read(bad))
    expect(lines).toContainEqual(
      expect.stringMatching(/^labs\/tiny\.yaml:3:\d+: level: expected one of .*found "expert"/),
    )
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^labs\/tiny\.yaml:22:\d+: objectives\[0\]\.check\.metric: found "joules" \(a string\), expected one of "energyKWh", "slatah"/,
      ),
    )
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^labs\/tiny\.yaml:26:\d+: objectives\[1\]\.check\.atLeast: expected exactly one target .*found atMost and atLeast/,
      ),
    )
  })

  it('refuses checks off the step grid, unknown setting paths and order kinds, duplicate ids', () => {
    const bad = LAB.replace('below: 0.1 }', 'below: 0.1, at: 7m }')
      .replace(
        'settings: [{ path: policy, values: [none, thr-mmt-0.8] }, migration]',
        'settings: [migration.warpDrive]',
      )
      .replace('orders: [migrate]', 'orders: [migrate, reboot]')
      .replace('id: h2', 'id: h1')
    const lines = refused(() => read(bad))
    expect(lines).toEqual([
      expect.stringMatching(/^labs\/tiny\.yaml:33:\d+: hints\[1\]\.id: expected a unique id, found "h1" twice/),
      expect.stringMatching(
        /^labs\/tiny\.yaml:22:\d+: objectives\[0\]\.check\.at: expected the end of a step \(a multiple of 5m\) up to the end of the run \(20m\), found 7m/,
      ),
      expect.stringMatching(
        /^labs\/tiny\.yaml:29:\d+: allowed\.settings\[0\]: expected a path of the scenario schema .*found "migration\.warpDrive"/,
      ),
      expect.stringMatching(
        /^labs\/tiny\.yaml:30:\d+: allowed\.orders\[1\]: expected one of the order kinds .*found "reboot"/,
      ),
    ])
  })

  it("holds the shipped solution to what the lab allows, and reports an inline scenario's problem at the lab's line", () => {
    const solution = LAB.replace(
      'approach: Nothing to do.',
      'settings: [policy=lr-mmt-1.2]\n  orders: [{ at: 0, failHost: { host: 0 } }]\n  approach: x',
    )
    expect(refused(() => read(solution))).toEqual([
      expect.stringMatching(
        /^labs\/tiny\.yaml:35:\d+: solution\.settings\[0\]: "policy=lr-mmt-1\.2" is not a setting this lab lets the trainee change \(allowed: policy \(none, thr-mmt-0\.8\), migration\)/,
      ),
      expect.stringMatching(
        /^labs\/tiny\.yaml:36:\d+: solution\.orders\[0\]\.failHost: this lab does not let the trainee give failHost orders \(allowed: migrate\)/,
      ),
    ])
    const scenario = LAB.replace('duration: 20m', 'duration: -5m')
    expect(refused(() => read(scenario))).toEqual([
      expect.stringMatching(/^labs\/tiny\.yaml:9:\d+: scenario\.duration: /),
    ])
    // the scenario's own checks, at the lab file's lines
    expect(refused(() => read(LAB.replace('mode: lab', 'mode: cloudsim')))).toEqual([
      expect.stringMatching(
        /^labs\/tiny\.yaml:18:\d+: scenario\.vms\[0\]\.workload\.kind: expected "planetlab" in cloudsim mode/,
      ),
      expect.stringMatching(/^labs\/tiny\.yaml:11:\d+: scenario\.policy: expected a CloudSim policy in cloudsim mode/),
    ])
  })

  it('allows a setting at or below an allowed path, and only the listed values of a { path, values } entry', () => {
    const allowed = read(LAB).spec.allowed.settings
    expect(pathKeys('vms[*].haPriority')).toEqual(['vms', '*', 'haPriority'])
    expect(allowedBy(allowed, 'policy=thr-mmt-0.8')).toBeDefined()
    expect(allowedBy(allowed, 'policy=lr-mmt-1.2')).toBeUndefined()
    expect(allowedBy(allowed, 'migration.autoConverge=true')).toBeDefined()
    expect(allowedBy(allowed, 'migrationX=1')).toBeUndefined()
    expect(allowedBy(allowed, 'seed=2')).toBeUndefined()
    expect(allowedBy(['vms[*].haPriority'], 'vms[3].haPriority=low')).toBeDefined()
    expect(allowedBy(['vms[*].haPriority'], 'vms[3].type=x')).toBeUndefined()
  })

  it('says a check in words', () => {
    const lab = read(LAB)
    expect(describeCheck(lab.spec.objectives[0]!.check)).toBe('energyKWh < 0.100 kWh at the end')
    expect(describeCheck({ metric: 'hostsInMaintenance', hosts: [2], atLeast: 1, at: 3600 })).toBe(
      'hostsInMaintenance of host 2 ≥ 1 at 1h',
    )
  })
})

describe('submissions', () => {
  const lab = read(LAB)
  const text = (over: Partial<Record<'labHash' | 'settings' | 'orders' | 'hintsUsed', string>> = {}) =>
    [
      'lab: tiny',
      `labHash: ${over.labHash ?? lab.hash}`,
      'trainee: Ada',
      `settings: ${over.settings ?? '[]'}`,
      `hintsUsed: ${over.hintsUsed ?? '[]'}`,
      `orders: ${over.orders ?? '[]'}`,
      '',
    ].join('\n')
  const grade = (t: string) => gradeSubmission(lab, parseSubmission(t, 'ada.yaml'), nodeFiles)

  async function refusal(t: string): Promise<string[]> {
    try {
      await grade(t)
    } catch (e) {
      if (e instanceof LabInputError) return e.diagnostics.map(formatDiagnostic)
      throw e
    }
    throw new Error('expected a refusal')
  }

  it('grades by replay: 0.6 of 2000 MIPS on one host for 20 minutes, the other host off', async () => {
    const g = await grade(text())
    // host 0 at 30 %: 130 W; host 1 empty and switched off from the start: 10 W; 20 minutes
    expect(g.objectives.map((o) => [o.id, o.passed, o.value])).toEqual([
      ['energy', true, expect.closeTo((130 + 10) / 3 / 1000, 9)],
      ['moves', true, 0],
    ])
    expect([g.passed, g.score, g.maxScore, g.simulatedSeconds]).toEqual([true, 50, 50, 1200])
  })

  it('refuses a submission for changed lab content, naming the line', async () => {
    expect(await refusal(text({ labHash: '0123456789abcdef' }))).toEqual([
      `ada.yaml:2:1: labHash: expected ${lab.hash} (the lab as it is now), found 0123456789abcdef: the lab has changed since this submission was made`,
    ])
  })

  it('refuses settings, orders and hints the lab does not allow, each at its entry', async () => {
    const lines = await refusal(
      text({
        settings: '[policy=lr-mmt-1.2]',
        orders: '[{ at: 0, failHost: { host: 0 } }, { at: 7m, migrate: { vm: 0, to: 1 } }]',
        hintsUsed: '[h9]',
      }),
    )
    expect(lines).toEqual([
      expect.stringMatching(/^ada\.yaml:4:\d+: settings\[0\]: "policy=lr-mmt-1\.2" is not a setting this lab lets/),
      expect.stringMatching(
        /^ada\.yaml:6:\d+: orders\[0\]\.failHost: this lab does not let the trainee give failHost orders/,
      ),
      'ada.yaml:6:46: orders[1].at: expected the start of a step (a multiple of 5m) before the end of the run (20m), found 7m',
      'ada.yaml:5:13: hintsUsed[0]: expected one of the lab\'s hints (h1, h2), found "h9"',
    ])
  })

  it('refuses an order naming a VM or host the lab does not have, at its entry', async () => {
    expect(await refusal(text({ orders: '[{ at: 0, migrate: { vm: 0, to: 5 } }]' }))).toEqual([
      expect.stringMatching(/^ada\.yaml:6:\d+: orders\[0\]\.migrate\.to: expected a host number 0\.\.1, found 5/),
    ])
  })

  it('takes hint costs off the score (never below 0) and scores 0 once the solution was seen', () => {
    const objectives = [
      { id: 'energy', passed: true, points: 30 },
      { id: 'moves', passed: false, points: 20 },
    ] as Parameters<typeof scoreOf>[2]
    const score = (hintsUsed: string[], solutionSeen = false) =>
      scoreOf(lab, { hintsUsed, solutionSeen }, objectives, '0', 0)
    expect([score([]).score, score([]).maxScore, score([]).passed]).toEqual([30, 50, false])
    expect([score(['h1']).score, score(['h1']).hintCost]).toEqual([25, 5])
    expect(score(['h1', 'h1']).hintsUsed).toEqual(['h1'])
    expect(score(['h1', 'h2']).score).toBe(0)
    expect(score([], true).score).toBe(0)
    expect(score([], true).solution?.approach).toBe('Nothing to do.')
    expect(score([]).solution).toBeUndefined()
  })

  it('writes a submission file that reads back to the same choices and grade', async () => {
    const s: Submission = {
      ...solutionSubmission(lab),
      trainee: 'Ada "the trainee"',
      settings: ['policy=thr-mmt-0.8'],
      hintsUsed: ['h1'],
      orders: [{ at: 300, migrate: { vm: 0, to: 1, force: false } }],
    }
    const file = formatSubmission(s, lab.spec.title)
    const back = parseSubmission(file, 'back.yaml')
    expect([back.lab, back.labHash, back.trainee, back.settings, back.hintsUsed, back.orders]).toEqual([
      s.lab,
      s.labHash,
      s.trainee,
      s.settings,
      s.hintsUsed,
      s.orders,
    ])
    const g = await gradeSubmission(lab, back, nodeFiles)
    expect(g.objectives.find((o) => o.id === 'moves')!.value).toBe(1)
    expect(g.score).toBe(g.maxScore - 5)
  })
})

describe('the objective tracker', () => {
  const lab: GuidedLab = read(
    LAB.replace(
      'points: 20\n',
      'points: 20\n  - { id: later, text: x, check: { metric: activeHosts, equals: 2, at: 10m } }\n  - { id: grows, text: x, check: { metric: migrations, atLeast: 2 } }\n',
    ),
  )
  const report = (energyKWh: number, migrations: number, activeHosts: number, t: number) =>
    ({ energyKWh, migrations, activeHosts, simulatedSeconds: t }) as RunReport
  const none: LabEvent[] = []

  it('settles a growing metric when it crosses (below missed, atLeast reached), an `at` check at its step', () => {
    const t = new ObjectiveTracker(lab.spec.objectives, 1200)
    t.observe(300, none, () => report(0.05, 1, 2, 300))
    expect(t.status(report(0.05, 1, 2, 300), false).map((o) => o.state)).toEqual([
      'not-yet',
      'not-yet',
      'not-yet',
      'not-yet',
    ])
    const mig: LabEvent = { time: 600, kind: 'migration-start', vm: 0, message: 'moving' }
    t.observe(600, [mig], () => report(0.12, 2, 1, 600))
    const now = t.status(report(0.12, 2, 1, 600), false)
    // energy crossed 0.1 (stays failed); migrations reached 2 (met, and moves' atMost 1 is missed); 1 ≠ 2 hosts at 10 m
    expect(now.map((o) => [o.id, o.state, o.value, o.decidedAt])).toEqual([
      ['energy', 'failed', 0.12, 600],
      ['moves', 'failed', 2, 600],
      ['later', 'failed', 1, 600],
      ['grows', 'met', 2, 600],
    ])
    // the grade shows end-of-run checks on the final report, and keeps when each was settled
    const g = t.grade(report(0.2, 3, 2, 1200))
    expect(g.map((o) => [o.id, o.passed, o.value, o.decidedAt])).toEqual([
      ['energy', false, 0.2, 600],
      ['moves', false, 3, 600],
      ['later', false, 1, 600],
      ['grows', true, 3, 600],
    ])
    expect(g[1]!.events.map((e) => e.index)).toEqual([0])
  })

  it('continues from a snapshot of its state as it would have gone on', () => {
    const a = new ObjectiveTracker(lab.spec.objectives, 1200)
    a.observe(300, none, () => report(0.05, 0, 2, 300))
    const b = new ObjectiveTracker(lab.spec.objectives, 1200, a.snapshot())
    a.observe(600, none, () => report(0.06, 0, 2, 600))
    b.observe(600, none, () => report(0.06, 0, 2, 600))
    expect(b.grade(report(0.08, 0, 2, 1200))).toEqual(a.grade(report(0.08, 0, 2, 1200)))
    expect(a.grade(report(0.08, 0, 2, 1200)).map((o) => o.passed)).toEqual([true, true, true, false])
  })
})
