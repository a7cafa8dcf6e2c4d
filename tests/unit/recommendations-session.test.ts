// What the app gets of the recommendations through LabSession (issue 18): the waiting list with priority,
// reason and expected effect, the orders approve / dismiss / automation applied at the next step and kept in
// the order log, the counts, and the frames' balance metric.
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { LabSession } from '../../engine/api/lab-session'
import { nodeScenarioCatalog } from '../../engine/platform/node/catalog'
import { ROOT } from '../helpers'

const catalog = nodeScenarioCatalog(join(ROOT, 'scenarios'))

describe('LabSession.recommendations', () => {
  it('lists what waits, applies an approval, drops a dismissal, and logs both orders', async () => {
    const lab = new LabSession(catalog)
    await lab.open({ builtin: 'planetlab-lab', policy: 'drs-5', set: ['automation=manual', 'duration=2h'], workers: 0 })
    let first = await lab.advance({ steps: 1 })
    while ((first.frames.at(-1)!.recommendationsWaiting ?? 0) < 2 && !first.done)
      first = await lab.advance({ steps: 1 })
    // the frames carry the DRS standard deviation and the waiting count
    const frame = first.frames.at(-1)!
    expect(frame.loadStdDev).toBeGreaterThan(0)
    expect(frame.balance).toBe(frame.loadStdDev)
    const view = (await lab.recommendations())!
    expect(view.automation).toBe('manual')
    expect(view.balanceMetric.better).toBe('lower')
    expect(view.waiting.length).toBe(frame.recommendationsWaiting)
    expect(view.waiting.length).toBeGreaterThanOrEqual(2)
    const [a, b] = view.waiting
    await lab.order({ approve: { id: a!.id } })
    await lab.order({ dismiss: { id: b!.id } })
    const next = await lab.advance({ steps: 1 })
    expect(next.events.some((e) => e.message.includes(`recommendation #${a!.id} applied`))).toBe(true)
    expect(next.events.some((e) => e.message.includes(`recommendation #${b!.id} dismissed`))).toBe(true)
    const after = (await lab.recommendations())!
    expect(after.counts).toMatchObject({ applied: 1, dismissed: 1 })
    expect(after.recent.map((r) => [r.id, r.state])).toEqual(
      expect.arrayContaining([
        [a!.id, 'applied'],
        [b!.id, 'dismissed'],
      ]),
    )
    // the approved VM moved to the recommended host within the step (CloudSim's model: RAM ÷ half the NIC, < 30 s)
    const vm = await lab.vmDetails(a!.vm!)
    expect(vm.host).toBe(a!.to)
    expect(vm.migrations.at(-1)).toMatchObject({ source: a!.from, target: a!.to, outcome: 'completed' })
    const log = (await lab.exportOrders()).orders.map((o) => o.action)
    expect(log).toEqual([{ approve: { id: a!.id } }, { dismiss: { id: b!.id } }])
    // full automation from the next step: nothing waits after its pass
    await lab.order({ automation: { level: 'full' } })
    await lab.advance({ steps: 1 })
    expect((await lab.recommendations())!.waiting).toEqual([])
  })
})
