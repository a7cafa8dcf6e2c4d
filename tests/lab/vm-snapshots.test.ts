// VM snapshot trees inside the lab: take with memory (incremental, costs a pause), revert to exactly the
// state at the take (memory pages, workload position and random stream), a branch after a revert, delete
// merging into the children; the trees are part of whole-lab checkpoints.
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openScenario } from '../../engine/scenario/open'
import { nodeFiles } from '../../engine/platform/node/files'
import { LabSimulation } from '../../engine/lab/simulation'
import type { LabState } from '../../engine/lab/lab-state'
import type { LabEvent } from '../../engine/api/lab-api'
import { SnapshotTree } from '../../engine/checkpoint/snapshot-tree'
import { decodeState, encodeState } from '../../engine/checkpoint/codec'
import { ZERO_TOKEN } from '../../engine/memory/image'
import { ROOT } from '../helpers'

const FILE = join(ROOT, 'tests', 'fixtures', 'snapshots.yaml')

/** Runs to `seconds`, recording the VM's demand per step and the checkpoints asked for. */
async function play(set: string[], seconds: number, captureAt: number[] = []) {
  const sim = await LabSimulation.create(openScenario(FILE, nodeFiles, { set }), 1)
  const events: LabEvent[] = []
  sim.onEvent = (e) => events.push(e)
  const demand = new Map<number, number>()
  const states = new Map<number, LabState>()
  for (;;) {
    if (captureAt.includes(sim.time)) states.set(sim.time, await sim.checkpoint())
    if (sim.time >= seconds) break
    const start = sim.time
    if (!(await sim.step())) break
    demand.set(start, sim.plan.vmDemand[0]!)
  }
  return { sim, events, demand, states }
}

const tokensOf = (s: LabState) => s.cluster.vms[0]!.memory!.guest.image.tokens

describe('VM snapshots in the lab', () => {
  it('a revert resumes the VM exactly from the snapshot: memory pages, workload position, random stream', async () => {
    const { sim, events, demand, states } = await play([], 3600, [600, 1800])
    // after the revert at 30 min the workload walks on from where it was at 10 min
    const onlyFirst = await play(['events=[{at: 10m, snapshot: {vm: 0, name: base}}]'], 1200, [600])
    for (let k = 0; k < 10; k++) expect(demand.get(1800 + 60 * k)).toBe(onlyFirst.demand.get(600 + 60 * k))
    // and its memory right after the revert (the 30-min step) holds the pages of 10 min, before its writes
    const at600 = onlyFirst.states.get(600)!
    expect(tokensOf(states.get(1800)!)).not.toEqual(tokensOf(at600))
    // the tree keeps the snapshot's pages: "base" rebuilt from its delta chain is the memory of 10 min
    const tree = SnapshotTree.fromState((await sim.checkpoint()).cluster.vms[0]!.snapshots)
    expect(tree.imageOf('retry')).not.toBeNull()
    expect(events.some((e) => /reverted to "base" \(taken at 600 s\)/.test(e.message))).toBe(true)
  })

  it('stores children incrementally, keeps both branches after a revert, merges a deleted snapshot into its children', async () => {
    const { sim, events } = await play([], 3600)
    const list = sim.snapshotLists.get(0)!
    const byName = Object.fromEntries(list.map((s) => [s.name, s]))
    // base was deleted at 50 min: its children moved up and carry its pages now
    expect(byName.base).toBeUndefined()
    expect(byName.change!.parent).toBeNull()
    expect(byName.retry!.parent).toBeNull()
    expect(byName.retry!.current).toBe(true)
    const before = await play([], 1500)
    const b = Object.fromEntries(before.sim.snapshotLists.get(0)!.map((s) => [s.name, s]))
    // base stores every non-zero page (70 % at boot, plus the free pages written since); change only the
    // pages written in the 10 minutes between
    const tree = SnapshotTree.fromState((await before.sim.checkpoint()).cluster.vms[0]!.snapshots)
    const nonZero = tree.imageOf('base')!.filter((t) => t !== ZERO_TOKEN).length
    expect(nonZero).toBeGreaterThan(1024 * 16 * 0.7)
    expect(b.base!.storedPages).toBe(nonZero)
    expect(b.change!.storedPages).toBeGreaterThan(0)
    expect(b.change!.storedPages).toBeLessThan(b.base!.storedPages / 4)
    expect(b.change!.parent).toBe(b.base!.id)
    expect(b.retry).toBeUndefined()
    const atEnd = await play([], 2700)
    const e = Object.fromEntries(atEnd.sim.snapshotLists.get(0)!.map((s) => [s.name, s]))
    // the revert then a new snapshot: a sibling branch of "change"
    expect(e.retry!.parent).toBe(e.base!.id)
    expect(e.change!.parent).toBe(e.base!.id)
    expect(events.some((x) => /deleted snapshot "base"; merging/.test(x.message))).toBe(true)
  })

  it('a snapshot with memory pauses the VM while it is saved', async () => {
    const withSnap = await play([], 700)
    const without = await play(['events=[]'], 700)
    // At 10 min the snapshot stores the VM's non-zero pages: 70 % of 16,384 pages of 64 KiB at boot (σ ≈ 59
    // pages), the 30 % zero ones of the 64 MiB hot set (all rewritten), and the zero cold pages hit by ~2 MiB/s
    // × 10 % × 600 s (the walk's ~50 % activity): 11,469 + 307 + ~540 ≈ 12,300 pages, ~770 MiB, ~3.0 s at
    // 256 MiB/s.
    const lost = (without.sim.vmGranted[0]! - withSnap.sim.vmGranted[0]!) / (2500 * 0.5)
    const save = withSnap.events
      .map((x) => /saving ([\d.]+) MiB pauses the VM ([\d.]+) s/.exec(x.message))
      .find((m) => m !== null)
    expect(save).toBeDefined()
    const [savedMiB, pause] = [Number(save![1]), Number(save![2])]
    expect(savedMiB).toBeGreaterThan(740)
    expect(savedMiB).toBeLessThan(800)
    expect(pause).toBeCloseTo(savedMiB / 256, 2)
    expect(without.sim.vmRequested[0]).toBe(withSnap.sim.vmRequested[0])
    expect(withSnap.sim.vmGranted[0]).toBeLessThan(without.sim.vmGranted[0]!)
    expect(lost).toBeGreaterThan(1)
  })

  it('the trees are part of whole-lab checkpoints, and a restored lab goes on identically', async () => {
    const model = openScenario(FILE, nodeFiles)
    const a = await LabSimulation.create(model, 1)
    while (a.time < 1500 && (await a.step()));
    const state = decodeState(encodeState(await a.checkpoint())) as LabState
    expect(SnapshotTree.fromState(state.cluster.vms[0]!.snapshots).size).toBe(2)
    while (await a.step());
    const b = await LabSimulation.restore(model, state, 1)
    expect(b.snapshotLists.get(0)!.map((s) => s.name)).toEqual(['base', 'change'])
    while (await b.step());
    expect(b.stateHash()).toBe(a.stateHash())
    expect(b.snapshotLists.get(0)).toEqual(a.snapshotLists.get(0))
  })
})
