// Recommend → approve → apply (issue 18): every policy's decisions as recommendations, the automation levels,
// the orders approve / approveAll / dismiss, and the vendors' presets side by side on the PlanetLab day.
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openScenario } from '../../engine/scenario/open'
import { nodeFiles } from '../../engine/platform/node/files'
import { LabSimulation, type LabSummary } from '../../engine/lab/simulation'
import { encodeState, decodeState } from '../../engine/checkpoint/codec'
import type { LabState } from '../../engine/lab/lab-state'
import { RecommendationBook } from '../../engine/lab/recommendations'
import { ROOT } from '../helpers'

const DAY = join(ROOT, 'scenarios', 'planetlab-lab.yaml')

function model(policy: string, automation: string, duration = '24h') {
  return openScenario(DAY, nodeFiles, { policy, set: [`automation=${automation}`, `duration=${duration}`] })
}

/** Runs the day; `each` is called before every step (to give orders) and sees the step's frame after it. */
async function run(
  policy: string,
  automation: string,
  options: { duration?: string; before?: (sim: LabSimulation) => void } = {},
): Promise<{ summary: LabSummary; lastStdDev: number }> {
  const sim = await LabSimulation.create(model(policy, automation, options.duration), 1)
  let lastStdDev = Number.NaN
  for (;;) {
    options.before?.(sim)
    const frame = await sim.step()
    if (!frame) break
    lastStdDev = frame.loadStdDev!
  }
  const summary = sim.summary()
  await sim.close()
  return { summary, lastStdDev }
}

const approveAll = { before: (sim: LabSimulation) => sim.order({ approveAll: true }) }

describe('approving every recommendation as it appears is full automation', () => {
  // the pass that waits is made as full automation makes it and undone; approveAll at the next step's start
  // replays it where full automation applied it: the same moves, random draws and queue order
  for (const policy of ['lr-mmt-1.2', 'drs-3', 'drs-3+dpm', 'watcher-consolidation', 'ovirt-power-saving'])
    it(`${policy}: the same stateHash, migrations and energy over the day`, async () => {
      const full = await run(policy, 'full')
      const approved = await run(policy, 'manual', approveAll)
      expect(full.summary.migrations).toBeGreaterThan(0)
      expect(approved.summary.stateHash).toBe(full.summary.stateHash)
      expect(approved.summary.migrations).toBe(full.summary.migrations)
      expect(approved.summary.energyKWh).toBe(full.summary.energyKWh)
      // every recommendation was applied, none expired or was dismissed
      const r = approved.summary.recommendations
      expect(r.applied).toBe(r.proposed)
      expect([r.dismissed, r.expired, r.waiting]).toEqual([0, 0, 0])
      // full automation counts what it applied as proposed and applied at once
      expect(full.summary.recommendations.proposed).toBe(full.summary.recommendations.applied)
      expect(full.summary.recommendations.applied).toBe(r.applied)
      // the order log holds the approvals, one per step that had something to approve and every other step
      expect(approved.summary.orders.every((o) => 'approveAll' in o.action)).toBe(true)
    }, 240_000)
})

describe('manual automation without approvals', () => {
  it('makes no migration and proposes recommendations that wait, then expire as the state moves on', async () => {
    const { summary } = await run('drs-3', 'manual')
    expect(summary.migrations).toBe(0)
    const r = summary.recommendations
    expect(r.proposed).toBeGreaterThan(0)
    expect(r.applied).toBe(0)
    expect(r.expired).toBeGreaterThan(0)
    // what was proposed either expired or still waits
    expect(r.expired + r.waiting).toBe(r.proposed)
  }, 240_000)
})

describe("a VM group's own automation level", () => {
  const of = async (level: string) => {
    const sim = await LabSimulation.create(
      openScenario(DAY, nodeFiles, { set: [`vms.0.automation=${level}`, 'duration=6h'] }),
      1,
    )
    while (await sim.step());
    const s = sim.summary()
    await sim.close()
    return s
  }
  it('disabled: LR-MMT-1.2 moves none of its VMs and proposes nothing; manual: its moves wait in full automation', async () => {
    const disabled = await of('disabled')
    expect(disabled.migrations).toBe(0)
    expect(disabled.recommendations.proposed).toBe(0)
    const manual = await of('manual')
    expect(manual.migrations).toBe(0)
    expect(manual.recommendations.proposed).toBeGreaterThan(0)
    expect(manual.recommendations.applied).toBe(0)
  }, 240_000)
})

describe('approve and dismiss one recommendation', () => {
  it('applies the one approved (its migration starts) and never proposes the dismissed one again', async () => {
    const sim = await LabSimulation.create(model('drs-5', 'manual', '2h'), 1)
    // the first step: the pass at its end proposes moves
    let frame = await sim.step()
    while (frame && sim.recommendations.waiting.length < 2) frame = await sim.step()
    const [first, second] = sim.recommendations.waiting
    expect(first).toMatchObject({ kind: 'migrate', state: 'waiting' })
    expect(first!.priority).toBeGreaterThanOrEqual(2)
    expect(first!.priority).toBeLessThanOrEqual(5)
    expect(first!.reason).toMatch(/host load standard deviation [\d.]+ over \d+ hosts gives priority \d/)
    // the expected effect: the source's load falls by what the target's rises (same capacity), and the
    // CloudSim migration model's time (RAM ÷ half the 1 Gb/s NIC)
    const e = first!.expected
    expect(e.source!.host).toBe(first!.from)
    expect(e.target!.host).toBe(first!.to)
    expect(e.source!.after).toBeLessThan(e.source!.before)
    expect(e.target!.after).toBeGreaterThan(e.target!.before)
    expect(e.migration!.model).toBe('cloudsim')
    expect(e.balance!.after).toBeLessThan(e.balance!.before)
    sim.order({ approve: { id: first!.id } })
    sim.order({ dismiss: { id: second!.id } })
    const started = sim.summary().migrations
    await sim.step()
    const s = sim.summary()
    expect(s.migrations).toBe(started + 1)
    expect(s.migrationsDetail.at(-1) ?? sim.plan.vmTarget[first!.vm!]).toBeDefined()
    expect(sim.recommendations.find(first!.id)!.state).toBe('applied')
    expect(sim.recommendations.find(second!.id)!.state).toBe('dismissed')
    expect(s.recommendations).toMatchObject({ applied: 1, dismissed: 1 })
    // both orders are in the order log, at the step they were applied
    expect(s.orders.map((o) => o.action)).toEqual([{ approve: { id: first!.id } }, { dismiss: { id: second!.id } }])
    // the dismissed move is not proposed again while the pass keeps finding it
    const key = (r: { vm?: number; from?: number; to?: number }) => `${r.vm}:${r.from}:${r.to}`
    for (let k = 0; k < 3; k++) {
      await sim.step()
      expect(sim.recommendations.waiting.map(key)).not.toContain(key(second!))
    }
    // approving it now is refused with the reason, as a warning
    const events: string[] = []
    sim.onEvent = (ev) => events.push(ev.message)
    sim.order({ approve: { id: second!.id } })
    sim.order({ approve: { id: 9999 } })
    await sim.step()
    expect(events.some((m) => m.includes(`approve #${second!.id} refused: it was dismissed`))).toBe(true)
    expect(events.some((m) => m.includes('approve #9999 refused: no recommendation has that id'))).toBe(true)
    await sim.close()
  }, 240_000)
})

describe('a checkpoint in manual automation', () => {
  it("keeps the waiting pass: approving all after a restore still ends on full automation's state", async () => {
    const full = await run('drs-3+dpm', 'full', { duration: '6h' })
    const sim = await LabSimulation.create(model('drs-3+dpm', 'manual', '6h'), 1)
    for (let k = 0; k < 30; k++) {
      sim.order({ approveAll: true })
      await sim.step()
    }
    expect(sim.recommendations.waiting.length).toBeGreaterThan(0)
    const state = decodeState(encodeState(await sim.checkpoint())) as LabState
    await sim.close()
    const resumed = await LabSimulation.restore(model('drs-3+dpm', 'manual', '6h'), state, 2)
    expect(resumed.recommendations.waiting.map((r) => r.id)).toEqual(
      state.recommendations!.book.waiting.map((r) => r.id),
    )
    for (;;) {
      resumed.order({ approveAll: true })
      if (!(await resumed.step())) break
    }
    expect(resumed.summary().stateHash).toBe(full.summary.stateHash)
    await resumed.close()
  }, 240_000)
})

describe('the presets on the PlanetLab day', () => {
  it('migrations(drs-1) ≤ migrations(drs-3) ≤ migrations(drs-5)', async () => {
    const [d1, d3, d5] = await Promise.all(['drs-1', 'drs-3', 'drs-5'].map((p) => run(p, 'full')))
    expect(d1!.summary.migrations).toBeLessThanOrEqual(d3!.summary.migrations)
    expect(d3!.summary.migrations).toBeLessThanOrEqual(d5!.summary.migrations)
    expect(d5!.summary.migrations).toBeGreaterThan(d1!.summary.migrations)
  }, 240_000)

  it('energy(drs-3+dpm) < energy(drs-3), and drs-3 ends better balanced than none', async () => {
    const [dpm, d3, none] = await Promise.all(['drs-3+dpm', 'drs-3', 'none'].map((p) => run(p, 'full')))
    expect(dpm!.summary.energyKWh).toBeLessThan(d3!.summary.energyKWh)
    expect(d3!.lastStdDev).toBeLessThan(none!.lastStdDev)
  }, 240_000)
})

describe('the recommendation book', () => {
  const move = (vm: number, to: number) => ({
    kind: 'migrate' as const,
    vm,
    from: 0,
    to,
    priority: 3,
    reason: `VM ${vm} to host ${to}`,
    expected: {},
  })

  it('keeps an id while passes repeat a proposal, expires what they drop, remembers dismissals through a checkpoint', () => {
    const book = new RecommendationBook()
    // pass 1: two moves → ids 1, 2
    expect(book.propose('policy', [move(1, 2), move(2, 3)], 300).map((r) => r.id)).toEqual([1, 2])
    // pass 2 repeats VM 1's move (id 1 kept, new numbers) and drops VM 2's (expired), adds VM 3's (id 3)
    const second = book.propose('policy', [{ ...move(1, 2), priority: 2 }, move(3, 4)], 600)
    expect(second.map((r) => [r.id, r.priority])).toEqual([
      [1, 2],
      [3, 3],
    ])
    expect(book.counts).toEqual({ proposed: 3, applied: 0, dismissed: 0, expired: 1 })
    book.resolve(book.find(3)!, 'dismissed', 700)
    const restored = new RecommendationBook()
    restored.restore(structuredClone(book.state()))
    // pass 3 still finds VM 3's move: not proposed again while it is dismissed
    expect(restored.propose('policy', [move(1, 2), move(3, 4)], 900).map((r) => r.id)).toEqual([1])
    // pass 4 no longer finds it: the dismissal is forgotten, and a later pass proposes it anew (id 4)
    restored.propose('policy', [move(1, 2)], 1200)
    expect(restored.propose('policy', [move(1, 2), move(3, 4)], 1500).map((r) => r.id)).toEqual([1, 4])
    expect(restored.counts).toEqual({ proposed: 4, applied: 0, dismissed: 1, expired: 1 })
  })
})
