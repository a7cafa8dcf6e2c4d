// The page's RunStore driving a real LabSession (the object the Web Worker or Electron main serves, here
// called directly): orders wait for the next step and are described in words, checkpoints are listed, a
// rewind puts the page's frames, events, clock and report back to the checkpoint's, a branch switches the
// policy, and a checkpoint file continues in a page that had another scenario open.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Remote } from 'comlink'
import { describe, expect, it } from 'vitest'
import type { LabApi } from '../../engine/api/lab-api'
import { LabSession } from '../../engine/api/lab-session'
import { nodeScenarioCatalog } from '../../engine/platform/node/catalog'
import { RunStore, describeOrder } from '../../renderer/state/run-store'
import { ROOT } from '../helpers'

const catalog = nodeScenarioCatalog(join(ROOT, 'scenarios'))

function storeOver(lab: LabSession): RunStore {
  return new RunStore({ transport: 'web', lab: lab as unknown as Remote<LabApi> })
}

describe('orders in words', () => {
  it('names what each order asks and what it concerns', () => {
    expect(describeOrder({ snapshot: { vm: 3, name: 'base', description: '', memory: true } })).toEqual({
      vm: 3,
      label: 'take snapshot "base" with memory',
    })
    expect(describeOrder({ snapshot: { vm: 3, name: 'b', description: '', memory: false } }).label).toBe(
      'take snapshot "b" (disk only)',
    )
    expect(describeOrder({ revert: { vm: 1, snapshot: 'base' } })).toEqual({
      vm: 1,
      label: 'revert to snapshot "base"',
    })
    expect(describeOrder({ deleteSnapshot: { vm: 1, snapshot: 'x', children: true } }).label).toBe(
      'delete snapshot "x" and its children',
    )
    expect(describeOrder({ failHost: { host: 4 } })).toEqual({ host: 4, label: 'fail host 4' })
    expect(describeOrder({ repairHost: { host: 4 } })).toEqual({ host: 4, label: 'repair host 4' })
    expect(describeOrder({ migrate: { vm: 2, to: 5 } }).label).toBe('migrate VM 2 to host 5')
    expect(describeOrder({ cancelMigration: { vm: 2 } }).label).toBe('cancel the migration of VM 2')
    expect(describeOrder({ balloon: { vm: 2, target: 'auto' } }).label).toBe('balloon VM 2 to auto')
    // the operator's orders (issue 17)
    expect(describeOrder({ migrate: { vm: 2, to: 5, force: true } }).label).toBe('migrate VM 2 to host 5 (forced)')
    expect(describeOrder({ maintenance: { host: 3, enter: true } })).toEqual({
      host: 3,
      label: 'enter maintenance on host 3',
    })
    expect(describeOrder({ maintenance: { host: 3, enter: false } }).label).toBe('exit maintenance on host 3')
    expect(describeOrder({ standby: { host: 3, on: true } })).toEqual({ host: 3, label: 'standby host 3' })
    expect(describeOrder({ standby: { host: 3, on: false } }).label).toBe('power on host 3')
    expect(describeOrder({ pin: { vm: 7, pinned: true } })).toEqual({ vm: 7, label: 'pin VM 7' })
    expect(describeOrder({ pin: { vm: 7, pinned: false } }).label).toBe('unpin VM 7')
    expect(
      describeOrder({ addRule: { name: 'apart', kind: 'anti-affinity', vms: [1, 2], enforcement: 'should' } }),
    ).toEqual({ label: 'add rule "apart"' })
    expect(describeOrder({ removeRule: { name: 'apart' } })).toEqual({ label: 'remove rule "apart"' })
  })
})

describe('the RunStore over a LabSession', () => {
  it('rewinds and branches: frames, events, clock and report go back to the checkpoint’s', async () => {
    const lab = new LabSession(catalog, 'web')
    const store = storeOver(lab)
    await store.start({ scenario: 'ha-drill' })
    expect(store.getState().info?.labActions).toBe(true)
    for (let i = 0; i < 30; i++) await store.step()
    const at30 = store.getState()
    expect(at30.placement?.time).toBe(1800)
    await store.takeCheckpoint('half an hour')
    expect(store.getState().checkpoints.map((c) => [c.name, c.time])).toEqual([['half an hour', 1800]])

    // an order waits for the next step, then its outcome arrives as events
    await store.order({ failHost: { host: 2 } })
    expect(store.getState().pendingOrders).toEqual([
      { action: { failHost: { host: 2 } }, host: 2, label: 'fail host 2' },
    ])
    await store.step()
    expect(store.getState().pendingOrders).toEqual([])
    const failed = store
      .getState()
      .events.slice(0, store.getState().eventCount)
      .filter((e) => e.kind === 'host-failed')
    expect(failed.map((e) => e.host)).toEqual([2])
    for (let i = 0; i < 5; i++) await store.step()
    expect(store.getState().report?.ha?.hostFailures).toBe(1)

    // rewind: the page shows the lab at the checkpoint again, with what happened up to it
    const id = store.getState().checkpoints[0]!.id
    await store.restore(id)
    const s = store.getState()
    expect(s.placement?.time).toBe(1800)
    expect(s.frames).toEqual(at30.frames)
    expect(s.chartFrames).toEqual(at30.frames)
    expect(s.eventCount).toBe(at30.eventCount + 1)
    expect(s.events.slice(0, at30.eventCount)).toEqual(at30.events.slice(0, at30.eventCount))
    expect(s.notice).toBe('rewound to "half an hour" (0d 00:30): the lab goes on from there with lr-mmt-1.2')
    expect(s.report?.simulatedSeconds).toBe(1800)
    expect(s.report?.energyKWh).toBe(at30.frames.at(-1)!.energyKWh)
    expect(s.report?.ha?.hostFailures ?? 0).toBe(0)
    expect(s.busy).toBe(false)
    expect(s.choice).toEqual({ kind: 'builtin', id: 'ha-drill' })
    expect(s.branches.map((b) => [b.policy, b.from?.checkpoint, b.current])).toEqual([
      ['lr-mmt-1.2', undefined, false],
      ['lr-mmt-1.2', id, true],
    ])

    // branch with another policy
    await store.restore(id, { policy: 'thr-mmt-0.8' })
    expect(store.getState().info?.policy).toBe('thr-mmt-0.8')
    expect(store.getState().placement?.time).toBe(1800)

    // the checkpoint's file continues in a page that has another scenario open
    const file = await lab.checkpointFile(id)
    const other = storeOver(new LabSession(catalog, 'web'))
    await other.start({ scenario: 'migration-precopy-uniform' })
    await other.restore({ bytes: file.bytes, fileName: 'drill.ckpt' })
    const o = other.getState()
    expect(o.error).toBeUndefined()
    expect(o.choice).toEqual({ kind: 'builtin', id: 'ha-drill' })
    expect(o.info?.scenario).toBe(at30.info?.scenario)
    expect(o.placement?.time).toBe(1800)
    expect(o.frames).toEqual(at30.frames)
    expect(o.selection).toBeUndefined()
    expect(o.checkpoints.map((c) => c.name)).toEqual(['drill.ckpt'])

    // a damaged file is refused with the file's name; the page keeps what it showed
    const damaged = file.bytes.slice(0, file.bytes.length - 100)
    await other.restore({ bytes: damaged, fileName: 'torn.ckpt' })
    expect(other.getState().error).toMatch(/^torn\.ckpt: /)
    expect(other.getState().placement?.time).toBe(1800)
    expect(other.getState().busy).toBe(false)
  })
})

/** Waits for the play loop to stop and finish its last refresh. */
async function played(store: RunStore): Promise<void> {
  while (store.getState().playing) await new Promise((r) => setTimeout(r, 5))
  await (store as unknown as { loop: Promise<void> }).loop
}

describe('what the page says about the run', () => {
  it('drops "Paused at the chosen time" and "The run is complete" when another scenario opens', async () => {
    const store = storeOver(new LabSession(catalog, 'web'))
    await store.start({ scenario: 'ha-drill' })
    store.setSpeed(30)
    store.setPauseAt(600)
    store.play()
    await played(store)
    expect(store.getState().placement?.time).toBe(600)
    expect(store.getState().notice).toBe('Paused at the chosen time.')
    await store.open({ kind: 'builtin', id: 'migration-precopy-uniform' }, {}, 'scenario')
    expect(store.getState().info?.scenario).not.toBe('')
    expect(store.getState().notice).toBeUndefined()

    // played to the end, then the same scenario again with another seed: the notice goes too
    store.setSpeed(30)
    store.play()
    await played(store)
    expect(store.getState().done).toBe(true)
    expect(store.getState().notice).toBe('The run is complete.')
    await store.restart({ seed: 9 }, 'seed')
    expect(store.getState().info?.seed).toBe(9)
    expect(store.getState().notice).toBeUndefined()
    expect(store.getState().done).toBe(false)
  })

  it('shows a bad branch setting next to the branch controls, not at the top, and the run stays', async () => {
    const store = storeOver(new LabSession(catalog, 'web'))
    await store.start({ scenario: 'ha-drill' })
    for (let i = 0; i < 3; i++) await store.step()
    await store.takeCheckpoint('three steps')
    const id = store.getState().checkpoints[0]!.id
    const before = store.getState().report?.stateHash
    await store.restore(id, { set: ['foo.bar=3'] }, `branch-${id}`)
    const s = store.getState()
    expect(s.error).toBeUndefined()
    expect(s.fieldErrors[`branch-${id}`]?.message).toMatch(/foo.*unknown key "foo"/)
    expect(s.busy).toBe(false)
    expect(s.placement?.time).toBe(180)
    expect(s.report?.stateHash).toBe(before)
    // a good branch clears it
    await store.restore(id, { policy: 'thr-mmt-0.8' }, `branch-${id}`)
    expect(store.getState().fieldErrors).toEqual({})
    expect(store.getState().info?.policy).toBe('thr-mmt-0.8')
  })

  it('shows a scenario file’s first error with its line next to the file control, and keeps the open run', async () => {
    const store = storeOver(new LabSession(catalog, 'web'))
    await store.start({ scenario: 'ha-drill' })
    const text = readFileSync(join(ROOT, 'scenarios', 'planetlab-cloudsim.yaml'), 'utf8').replace(
      /^hosts:/m,
      'hosts: [',
    )
    await store.open({ kind: 'file', file: { fileName: 'unclosed.yaml', text } }, {}, 'scenario')
    const s = store.getState()
    expect(s.error).toBeUndefined()
    const e = s.fieldErrors.scenario!
    expect(e.message).toMatch(/^unclosed\.yaml:\d+:\d+: not valid YAML\/JSON: /)
    expect(e.others).toBeGreaterThan(0)
    expect(e.excerpt!.text).toBe(text.split('\n')[e.excerpt!.line - 1])
    expect(s.choice).toEqual({ kind: 'builtin', id: 'ha-drill' })
  })

  it('does not play past a pause time it could not read', async () => {
    const store = storeOver(new LabSession(catalog, 'web'))
    await store.start({ scenario: 'ha-drill' })
    store.setFieldError('pauseAt', { message: 'pause at: expected hours…, found "abc"', others: 0 })
    store.play()
    expect(store.getState().playing).toBe(false)
    store.setFieldError('pauseAt', undefined)
    store.setSpeed(30)
    store.setPauseAt(300)
    store.play()
    expect(store.getState().playing).toBe(true)
    await played(store)
    expect(store.getState().placement?.time).toBe(300)
  })
})
