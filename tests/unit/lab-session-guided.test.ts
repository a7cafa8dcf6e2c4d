// Guided labs through the LabApi the app calls (engine/api): a lab opened with the trainee's settings,
// orders given between steps (refused when the lab does not allow them), the live checklist, hints and the
// solution remembered, and Submit grading the run by replay — the same stateHash the run reached, and the
// same grade its exported submission file gets from the grader `conlab lab grade` uses.
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { LabSession } from '../../engine/api/lab-session'
import { nodeScenarioCatalog } from '../../engine/platform/node/catalog'
import { nodeFiles } from '../../engine/platform/node/files'
import { LabLibrary } from '../../engine/guided-labs/library'
import { gradeSubmission } from '../../engine/guided-labs/grade'
import { parseSubmission } from '../../engine/guided-labs/submission-file'
import { LabInputError } from '../../engine/scenario/diagnostics'
import { ROOT } from '../helpers'

const catalog = () => nodeScenarioCatalog(join(ROOT, 'scenarios'))
const library = new LabLibrary(nodeFiles, join(ROOT, 'scenarios', 'labs'))

describe('guided labs in a LabSession', () => {
  it('lists the built-in labs and gives a briefing without opening one', async () => {
    const s = new LabSession(catalog())
    const labs = await s.listLabs()
    expect(labs.map((l) => l.id)).toEqual(library.list().map((l) => l.id))
    expect(labs.every((l) => l.source === 'built-in')).toBe(true)
    const b = await s.labBriefing('power-curve')
    expect(b.hash).toBe(library.get('power-curve').hash)
    expect(b.objectives.map((o) => [o.id, o.check, o.unit])).toEqual([
      ['energy', 'energyKWh < 0.160 kWh at the end', 'kWh'],
      ['no-shortfall', 'overallSla < 1.00 % at the end', 'fraction'],
    ])
    expect(b.hints.map((h) => [h.id, h.cost, h.revealed, h.text])).toEqual([
      ['curve', 10, false, undefined],
      ['how', 20, false, undefined],
    ])
    await expect(s.labStatus()).rejects.toThrow('no scenario is open')
  })

  it('plays a lab with orders and a hint, and grades it by replay to the state the run reached', async () => {
    const s = new LabSession(catalog())
    const opened = await s.openLab({ lab: 'maintenance-anti-affinity' })
    expect([opened.info.mode, opened.info.durationSeconds, opened.settings]).toEqual(['lab', 3600, []])
    // an order kind the lab does not allow is refused before it reaches the lab
    await expect(s.order({ failHost: { host: 1 } })).rejects.toThrow(
      'order: this lab does not let the trainee give failHost orders (allowed: maintenance, standby, migrate, pin, removeRule)',
    )
    await s.revealHint('blocked')
    await s.advance({ steps: 2 })
    await s.order({ standby: { host: 4, on: false } })
    await s.order({ maintenance: { host: 0, enter: true } })
    const mid = await s.advance({ untilSeconds: 30 * 60, views: { objectives: true } })
    // at 00:30 the check at 30 min has been made; the end-of-run ones are not decided yet
    expect(mid.objectives!.map((o) => [o.id, o.state, o.value])).toEqual([
      ['in-maintenance', 'met', 1],
      ['stays', 'not-yet', 1],
      ['rule-kept', 'not-yet', 0],
    ])
    await s.advance({ untilSeconds: 3600 })
    const status = await s.labStatus()
    expect([status.done, status.hintsUsed, status.hintCost]).toEqual([true, ['blocked'], 10])
    expect(status.objectives.map((o) => o.state)).toEqual(['met', 'met', 'met'])

    const report = await s.report()
    const grade = await s.submitLab()
    expect([grade.passed, grade.score, grade.maxScore, grade.hintsUsed]).toEqual([true, 90, 100, ['blocked']])
    // the replay of the settings and order log from t = 0 ends where the run ended
    expect(grade.stateHash).toBe(report.stateHash)
    // the orders were given at 00:02: the submission says so, and the CLI's grader gives the same grade
    const file = await s.exportSubmission({ trainee: 'Ada' })
    expect(file.fileName).toBe('maintenance-anti-affinity-submission.yaml')
    expect(file.text).toContain('  - {"at":120,"standby":{"host":4,"on":false}}')
    const lab = library.get('maintenance-anti-affinity')
    const again = await gradeSubmission(lab, parseSubmission(file.text, file.fileName), nodeFiles)
    expect(again).toEqual(grade)
  })

  it('opens a lab with allowed settings only, and remembers a solution seen (score 0)', async () => {
    const s = new LabSession(catalog())
    await expect(s.openLab({ lab: 'power-curve', settings: ['policy=lr-mmt-1.1'] })).rejects.toThrow(LabInputError)
    await expect(s.openLab({ lab: 'power-curve', settings: ['seed=2'] })).rejects.toThrow(
      '"seed=2" is not a setting this lab lets the trainee change',
    )
    const opened = await s.openLab({ lab: 'power-curve', settings: ['policy=thr-mmt-0.8'] })
    expect(opened.info.policy).toBe('thr-mmt-0.8')
    const solution = await s.revealSolution()
    expect(solution.orders).toMatchObject([{ at: 0, migrate: { vm: 1, to: 0 } }])
    await s.order({ migrate: { vm: 1, to: 0 } })
    await s.advance({ untilSeconds: 3600 })
    const g = await s.submitLab()
    expect([g.solutionSeen, g.score]).toEqual([true, 0])
    expect(g.solution?.approach).toContain('Move VM 1 onto host 0')
    // reset opens the same lab with the same settings; the solution stays seen
    const info = await s.reset()
    expect(info.policy).toBe('thr-mmt-0.8')
    expect((await s.labStatus()).solutionSeen).toBe(true)
  })

  it('loads a lab pack beside the built-in labs and refuses a pack with a bad lab, naming its line', async () => {
    const s = new LabSession(catalog())
    const power = library.get('power-curve')
    const { readFileSync } = await import('node:fs')
    const text = readFileSync(power.file, 'utf8')
    const added = await s.loadLabPack({
      name: 'course',
      files: [{ path: 'tight-power.yaml', text: text.replace('below: 0.16 }', 'below: 0.13 }') }],
    })
    expect(added.map((l) => [l.id, l.source]).slice(-1)).toEqual([['tight-power', 'course']])
    expect(added.length).toBe(library.list().length + 1)
    await s.openLab({ lab: 'tight-power' })
    await s.order({ migrate: { vm: 1, to: 0 } })
    await s.advance({ untilSeconds: 3600 })
    const g = await s.submitLab()
    expect(g.objectives.filter((o) => !o.passed).map((o) => o.id)).toEqual(['energy'])
    await expect(
      s.loadLabPack({ name: 'broken', files: [{ path: 'x.yaml', text: text.replace('level: beginner', 'level: 3') }] }),
    ).rejects.toThrow(
      /packs\/broken\/x\.yaml:3:1: level: expected one of "beginner", "intermediate", "advanced", found 3/,
    )
  })
})

describe('what-if in a guided lab: checkpoint, try, rewind', () => {
  it('rewinds to a checkpoint, tries another decision, and grades the run submitted by replay', async () => {
    const s = new LabSession(catalog())
    await s.openLab({ lab: 'what-if-branches' })
    await s.advance({ untilSeconds: 600 })
    const cp = await s.checkpoint('before the moves')
    // first try: both B VMs on host 0 — host 2 empties, but host 0 runs short at 03:00
    await s.order({ migrate: { vm: 4, to: 0 } })
    await s.order({ migrate: { vm: 5, to: 0 } })
    await s.advance({ untilSeconds: 4 * 3600 })
    const first = await s.labStatus()
    expect(first.objectives.map((o) => [o.id, o.state])).toEqual([
      ['host-2-empty', 'met'],
      ['two-moves', 'met'],
      ['no-shortfall', 'failed'],
    ])
    // a branch with other settings is refused in a lab; a rewind goes on from 00:10 with the objectives then
    await expect(s.restoreCheckpoint(cp.id, { policy: 'lr-mmt-1.2' })).rejects.toThrow(
      'expected a rewind (no policy or settings) in a guided lab, found policy=lr-mmt-1.2',
    )
    await s.restoreCheckpoint(cp.id)
    expect((await s.labStatus()).objectives.map((o) => [o.id, o.state])).toEqual([
      ['host-2-empty', 'not-yet'],
      ['two-moves', 'not-yet'],
      ['no-shortfall', 'not-yet'],
    ])
    await s.order({ migrate: { vm: 4, to: 0 } })
    await s.order({ migrate: { vm: 5, to: 1 } })
    await s.advance({ untilSeconds: 4 * 3600 })
    expect((await s.labStatus()).objectives.every((o) => o.state === 'met')).toBe(true)
    const report = await s.report()
    const g = await s.submitLab()
    expect([g.passed, g.score]).toEqual([true, 100])
    expect(g.stateHash).toBe(report.stateHash)
    // the submission holds the orders of the run submitted, not the first try's
    const file = await s.exportSubmission()
    expect(file.text).toContain('  - {"at":600,"migrate":{"vm":4,"to":0}}\n  - {"at":600,"migrate":{"vm":5,"to":1}}\n')
    // and the grade is the shipped solution's: the same orders at the same time
    const lab = library.get('what-if-branches')
    const solved = await gradeSubmission(lab, parseSubmission(file.text, file.fileName), nodeFiles)
    expect(solved.stateHash).toBe(g.stateHash)
  })
})
