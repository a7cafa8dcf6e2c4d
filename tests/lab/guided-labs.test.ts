// The shipped guided labs (scenarios/labs/*.yaml), each graded three ways by replay: its solution passes with
// full marks; doing nothing fails; a plausible wrong approach fails — each time with the objectives that must
// fail named, so no lab is passed by accident. The figures that can be derived from the lab's own numbers are
// derived here by hand. Grading is deterministic: the same submission gives the same stateHash, on any number
// of shards, and the replay's final state is `conlab run`'s with the same orders (tests/cli/lab.test.ts).
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { nodeFiles } from '../../engine/platform/node/files'
import { LabLibrary } from '../../engine/guided-labs/library'
import { gradeSubmission, type LabGrade } from '../../engine/guided-labs/grade'
import { solutionSubmission, submissionOf } from '../../engine/guided-labs/submission-file'
import type { OrderEntry } from '../../engine/guided-labs/schema'
import { ROOT } from '../helpers'

const labs = new LabLibrary(nodeFiles, join(ROOT, 'scenarios', 'labs'))

function submission(id: string, settings: string[], orders: OrderEntry[], hintsUsed: string[] = []) {
  return submissionOf(labs.get(id), {
    settings,
    hintsUsed,
    solutionSeen: false,
    orders: orders.map(({ at, ...action }) => ({ time: at, action })),
  })
}

function grade(id: string, settings: string[] = [], orders: OrderEntry[] = [], shards = 1): Promise<LabGrade> {
  return gradeSubmission(labs.get(id), submission(id, settings, orders), nodeFiles, { shards })
}

const failed = (g: LabGrade) => g.objectives.filter((o) => !o.passed).map((o) => o.id)
const valueOf = (g: LabGrade, id: string) => g.objectives.find((o) => o.id === id)!.value

/** Per lab: the objectives doing nothing fails, and a wrong approach a trainee could well try, with what it fails. */
const CASES: {
  id: string
  nothing: string[]
  wrong: { why: string; settings?: string[]; orders?: OrderEntry[]; fails: string[] }
}[] = [
  {
    id: 'power-curve',
    nothing: ['energy'],
    // a static threshold at 80 % counts the consolidated host (96 %) as over-loaded: nothing moves
    wrong: { why: 'leave it to THR at 0.8', settings: ['policy=thr-mmt-0.8'], fails: ['energy'] },
  },
  {
    id: 'maintenance-anti-affinity',
    nothing: ['in-maintenance', 'stays'],
    wrong: {
      why: 'remove the rule that blocks the evacuation',
      orders: [
        { at: 0, removeRule: { name: 'web-apart' } },
        { at: 0, maintenance: { host: 0, enter: true } },
      ],
      fails: ['rule-kept'],
    },
  },
  {
    id: 'snapshot-rollback',
    nothing: ['rolled-back', 'damage-limited'],
    // the snapshot taken after the change keeps the change: the revert counts, the damage stays
    wrong: {
      why: 'snapshot after the change',
      orders: [
        { at: 21 * 60, snapshot: { vm: 0, name: 'before-change', description: '', memory: true } },
        { at: 22 * 60, revert: { vm: 0, snapshot: 'before-change' } },
      ],
      fails: ['damage-limited'],
    },
  },
  {
    id: 'what-if-branches',
    nothing: ['host-2-empty'],
    // both B VMs on host 0 (the emptier-looking host at 00:10): A + B + B + B peaks at 14,800 of 10,000 MIPS
    wrong: {
      why: 'both B VMs on the emptier-looking host',
      orders: [
        { at: 600, migrate: { vm: 4, to: 0, force: false } },
        { at: 600, migrate: { vm: 5, to: 0, force: false } },
      ],
      fails: ['no-shortfall'],
    },
  },
  {
    id: 'migration-converge',
    nothing: ['in-maintenance'],
    // a 2 s downtime limit converges, with a pause far over 100 ms
    wrong: { why: 'a bigger downtime limit', settings: ['migration.downtimeLimit=2s'], fails: ['short-pause'] },
  },
  {
    id: 'memory-overcommit',
    nothing: ['no-swap'],
    wrong: { why: 'ballooning instead of KSM', settings: ['memory.ballooning=auto'], fails: ['guests-keep-memory'] },
  },
  {
    id: 'ha-admission',
    nothing: ['all-back', 'fast'],
    // a spare host makes the restarts fast, but the batch VM's priority still says "never restart"
    wrong: { why: 'admission control alone', settings: ['ha.reserveHosts=1'], fails: ['all-back'] },
  },
  {
    id: 'pin-latency',
    nothing: ['never-moved'],
    // no consolidation never moves VM 0, and keeps every server on
    wrong: { why: 'switch consolidation off', settings: ['policy=none'], fails: ['energy'] },
  },
  {
    id: 'drs-manual',
    nothing: ['balanced', 'dismissed'],
    // approving everything balances best, but the second move is VM 0's: two migrations, nothing dismissed
    wrong: {
      why: 'approve all',
      orders: [{ at: 300, approveAll: true }],
      fails: ['never-moved', 'one-move', 'dismissed'],
    },
  },
  {
    id: 'dpm-night',
    nothing: ['energy'],
    // a DPM band at 80 % ± 18 % packs the night fuller and wakes the servers too late for the morning
    wrong: {
      why: 'DPM at a higher target',
      settings: ['automation=full', 'policy.dpm.target=0.8'],
      fails: ['sla'],
    },
  },
  {
    id: 'policy-planetlab',
    nothing: ['energy', 'sla'],
    // the tightest static threshold saves the energy, with twice the SLATAH allowed and too many migrations
    wrong: { why: 'THR-MMT at 0.8', settings: ['policy=thr-mmt-0.8'], fails: ['sla', 'migrations'] },
  },
]

describe('the shipped labs', () => {
  it('are the labs the cases cover, each read and checked', () => {
    expect(labs.list().map((l) => l.id)).toEqual(CASES.map((c) => c.id).sort())
  })

  for (const c of CASES) {
    describe(c.id, () => {
      it('passes with its solution, full marks', async () => {
        const lab = labs.get(c.id)
        const g = await gradeSubmission(lab, solutionSubmission(lab), nodeFiles)
        expect(failed(g)).toEqual([])
        expect(g.passed).toBe(true)
        expect(g.score).toBe(g.maxScore)
        expect(g.maxScore).toBe(lab.spec.objectives.reduce((s, o) => s + o.points, 0))
        expect(g.solution?.approach).toBe(lab.spec.solution.approach)
      })
      it(`fails doing nothing: ${c.nothing.join(', ')}`, async () => {
        const g = await grade(c.id)
        expect(failed(g)).toEqual(c.nothing)
        expect(g.passed).toBe(false)
        expect(g.solution).toBeUndefined()
      })
      it(`fails a wrong approach (${c.wrong.why}): ${c.wrong.fails.join(', ')}`, async () => {
        const g = await grade(c.id, c.wrong.settings, c.wrong.orders)
        expect(failed(g)).toEqual(c.wrong.fails)
        const lost = c.wrong.fails.reduce(
          (s, id) => s + labs.get(c.id).spec.objectives.find((o) => o.id === id)!.points,
          0,
        )
        expect(g.score).toBe(g.maxScore - lost)
      })
    })
  }
})

describe('figures derived by hand', () => {
  // ML110 G4 table: 40 % → 99.5 W, 50 % → 102 W, 90 % → 114 W, 100 % → 117 W; a switched-off host 10 W
  const at48 = 99.5 + 0.8 * (102 - 99.5) // 101.5 W
  const at96 = 114 + 0.6 * (117 - 114) // 115.8 W

  it('power-curve: two servers at 48 % for an hour draw 0.203 kWh; consolidated after the first step, 0.132', async () => {
    const nothing = await grade('power-curve')
    expect(valueOf(nothing, 'energy')).toBeCloseTo((2 * at48) / 1000, 9)
    expect(valueOf(nothing, 'no-shortfall')).toBe(0)
    // the first 5-minute step both hosts run (VM 1 moves during it), then host 0 at 96 % and host 1 off
    const lab = labs.get('power-curve')
    const solved = await gradeSubmission(lab, solutionSubmission(lab), nodeFiles)
    const byHand = ((5 / 60) * 2 * at48 + (55 / 60) * (at96 + 10)) / 1000
    // the migration's own CPU during the first step is the only part not in the hand figure: under 1 Wh
    expect(Math.abs(valueOf(solved, 'energy')! - byHand)).toBeLessThan(0.001)
    expect(solved.objectives.find((o) => o.id === 'energy')!.decidedAt).toBe(3600)
  })

  it('a failed below-target of a growing metric says when it crossed, and shows the final value', async () => {
    // 203 W crosses 0.16 kWh in the step ending at 50 min (0.1692 kWh); the hour ends at 0.203
    const g = await grade('power-curve')
    const energy = g.objectives.find((o) => o.id === 'energy')!
    expect(energy.decidedAt).toBe(50 * 60)
    expect(energy.value).toBeCloseTo(0.203, 9)
  })

  it('maintenance-anti-affinity: the removed rule counts one removeRule order; host 0 is held at 30 min and at the end', async () => {
    const c = CASES.find((x) => x.id === 'maintenance-anti-affinity')!
    const g = await grade(c.id, [], c.wrong.orders)
    expect(valueOf(g, 'rule-kept')).toBe(1)
    expect(valueOf(g, 'in-maintenance')).toBe(1)
    expect(valueOf(g, 'stays')).toBe(1)
  })

  it('what-if-branches: two migrations; host 2 off at 01:00 leaves 2 active hosts', async () => {
    const c = CASES.find((x) => x.id === 'what-if-branches')!
    const g = await grade(c.id, [], c.wrong.orders)
    expect(valueOf(g, 'two-moves')).toBe(2)
    expect(valueOf(g, 'host-2-empty')).toBe(2)
    const nothing = await grade(c.id)
    expect(valueOf(nothing, 'host-2-empty')).toBe(3)
    expect(valueOf(nothing, 'two-moves')).toBe(0)
  })

  it('snapshot-rollback: one revert to "before-change" by 30 min, checked then', async () => {
    const lab = labs.get('snapshot-rollback')
    const g = await gradeSubmission(lab, solutionSubmission(lab), nodeFiles)
    const o = g.objectives.find((x) => x.id === 'rolled-back')!
    expect([o.value, o.decidedAt]).toEqual([1, 30 * 60])
    // the revert given at 22 min is among the events that decided it
    const revert = o.events.find((e) => e.kind === 'snapshot' && e.snapshot?.op === 'revert')
    expect(revert?.snapshot).toEqual({ op: 'revert', name: 'before-change' })
    expect(revert?.time).toBe(22 * 60)
  })
  it('pin-latency: VM 0 migrated twice unpinned, 0 pinned; the migrations counted are its own', async () => {
    const nothing = await grade('pin-latency')
    expect(valueOf(nothing, 'never-moved')).toBe(2)
    const lab = labs.get('pin-latency')
    const solved = await gradeSubmission(lab, solutionSubmission(lab), nodeFiles)
    expect(valueOf(solved, 'never-moved')).toBe(0)
    const o = nothing.objectives.find((x) => x.id === 'never-moved')!
    expect(o.events.length).toBeGreaterThan(0)
    expect(o.events.every((e) => e.vm === 0 && (e.kind === 'migration-start' || e.kind === 'migration-end'))).toBe(true)
  })

  it('drs-manual: loads 77.5 / 50 / 10 % have σ 0.277; VM 1 moved, 55 / 50 / 32.5 % give 0.0965; VM 0 too, 0.0312', async () => {
    // host loads: the sum of its VMs' constant demand, each VM a quarter of a host (one 2,500-MIPS vCPU of four)
    const sd = (loads: number[]) => {
      const mean = loads.reduce((a, b) => a + b, 0) / loads.length
      return Math.sqrt(loads.reduce((a, l) => a + (l - mean) ** 2, 0) / loads.length)
    }
    const start = [(0.4 + 3 * 0.9) / 4, (4 * 0.5) / 4, (4 * 0.1) / 4] // 0.775, 0.5, 0.1
    const nothing = await grade('drs-manual')
    expect(valueOf(nothing, 'balanced')).toBeCloseTo(sd(start), 9) // 0.2771
    const lab = labs.get('drs-manual')
    const solved = await gradeSubmission(lab, solutionSubmission(lab), nodeFiles)
    expect(valueOf(solved, 'balanced')).toBeCloseTo(sd([0.775 - 0.225, 0.5, 0.1 + 0.225]), 9) // 0.0965
    expect([valueOf(solved, 'one-move'), valueOf(solved, 'dismissed')]).toEqual([1, 1])
    const all = await grade('drs-manual', [], [{ at: 300, approveAll: true }])
    expect(valueOf(all, 'balanced')).toBeCloseTo(sd([0.55 - 0.1, 0.5, 0.325 + 0.1]), 9) // 0.0312
    expect([valueOf(all, 'never-moved'), valueOf(all, 'one-move')]).toEqual([1, 2])
  })

  it('dpm-night: four servers on all night draw Σ 4 × P(u) × 5 min = 5.555 kWh, DPM on or off; DPM in full saves 0.48', async () => {
    // u = 0.5 + 0.45 sin(2π (t − 6h) / 8h) at each step's start, every host at u (four VMs of a quarter host
    // each); P interpolates the power table between its 10 % points
    const table = [100, 118, 132, 146, 160, 174, 188, 202, 216, 230, 240]
    const power = (u: number) => {
      const i = Math.min(9, Math.floor(u * 10))
      return table[i]! + (u * 10 - i) * (table[i + 1]! - table[i]!)
    }
    let joules = 0
    for (let k = 0; k < 96; k++)
      joules += 4 * power(0.5 + 0.45 * Math.sin((2 * Math.PI * (k * 300 - 6 * 3600)) / (8 * 3600))) * 300
    const allOn = joules / 3.6e6 // 5.5551
    const nothing = await grade('dpm-night')
    expect(valueOf(nothing, 'energy')).toBeCloseTo(allOn, 9)
    expect(valueOf(nothing, 'sla')).toBe(0)
    const off = await grade('dpm-night', ['automation=full', 'policy.name=drs-3'])
    expect(failed(off)).toEqual(['energy'])
    expect(valueOf(off, 'energy')).toBeCloseTo(allOn, 9)
    // in full automation hosts 0 and 2 spend the small hours in standby (10 W each instead of 100 W and more)
    const lab = labs.get('dpm-night')
    const solved = await gradeSubmission(lab, solutionSubmission(lab), nodeFiles)
    expect(allOn - valueOf(solved, 'energy')!).toBeGreaterThan(0.4)
    const standby = solved.objectives.find((o) => o.id === 'energy')!.events.filter((e) => e.kind === 'host-off')
    expect(standby.map((e) => [e.host, e.time])).toEqual([
      [0, 11700],
      [2, 12000],
    ])
  })

  it('ha-admission: a restart waits 15 s of detection, 180 s of host boot, 90 s of VM boot — 105 s with a spare on', async () => {
    const nothing = await grade('ha-admission')
    expect(valueOf(nothing, 'fast')).toBe(15 + 180 + 90)
    const spare = await grade('ha-admission', ['ha.reserveHosts=1'])
    expect(valueOf(spare, 'fast')).toBe(15 + 90)
    // the batch VM of host 0 has priority disabled: never restarted, with or without the spare
    expect([valueOf(nothing, 'all-back'), valueOf(spare, 'all-back')]).toEqual([1, 1])
  })
})

describe('grading is deterministic', () => {
  it('the same submission gives the same grade and stateHash, on 1 or 3 shards', async () => {
    const c = CASES.find((x) => x.id === 'maintenance-anti-affinity')!
    const a = await grade(c.id, [], c.wrong.orders)
    const b = await grade(c.id, [], c.wrong.orders)
    const sharded = await grade(c.id, [], c.wrong.orders, 3)
    expect(b).toEqual(a)
    expect(sharded).toEqual(a)
  })
})
