// VM snapshot trees: take / revert / delete / branch rebuild the exact memory image and state; storage is
// incremental (a child stores the pages written since its parent); deletes consolidate into the children;
// "You are here" moves as vSphere's does; the tree survives a checkpoint file.
import { describe, expect, it } from 'vitest'
import { decodeState, encodeState } from '../../engine/checkpoint/codec'
import { CheckpointError } from '../../engine/checkpoint/format'
import { SnapshotTree, SnapshotTreeError, formatTree, type SnapshotInfo } from '../../engine/checkpoint/snapshot-tree'
import { MemoryImage, imageToken } from '../../engine/memory/image'
import { RandomStream, streamFor } from '../../engine/random'

const PAGE = 4096
const PAGES = 100

/** A VM booted from image 0: 60 image pages, 40 zero pages. */
function bootedImage(vm = 3): MemoryImage {
  const m = new MemoryImage(vm, PAGES * PAGE, PAGE)
  for (let p = 0; p < 60; p++) m.setToken(p, imageToken(0, p))
  return m
}

function writeAll(m: MemoryImage, pages: number[]): void {
  for (const p of pages) m.write(p)
}

function tokensOf(m: MemoryImage): number[] {
  return Array.from(m.tokens)
}

function here(tree: SnapshotTree): string {
  return tree.current === null ? '(none)' : tree.get(tree.current).name
}

describe('SnapshotTree', () => {
  it('stores a first snapshot as its non-zero pages and a child as the pages written since', () => {
    const m = bootedImage()
    const tree = SnapshotTree.forImage(m)
    const base = tree.take(m, { name: 'base', memory: true })
    expect(base.snapshot.storedPages).toBe(60)
    expect(base.snapshot.memoryBytes).toBe(60 * PAGE)
    expect(m.logging).toBe(true)

    writeAll(m, [1, 2, 3, 2, 2, 70]) // 4 distinct pages, one of them a zero page
    const child = tree.take(m, { name: 'child', memory: true })
    expect(child.snapshot.storedPages).toBe(4)
    expect(child.snapshot.parent).toBe(base.snapshot.id)
    expect(tree.get('base').children).toEqual([child.snapshot.id])

    const grandchild = tree.take(m, { name: 'nothing written', memory: true })
    expect(grandchild.snapshot.storedPages).toBe(0)
    expect(tree.imageOf('nothing written')).toEqual(m.tokens)
  })

  it('reverts to exactly the memory and state taken, running, and replays the same writes', () => {
    const m = bootedImage()
    const tree = SnapshotTree.forImage(m)
    writeAll(m, [5, 6])
    const stream = streamFor(42, 'vm-workload', 3)
    stream.float()
    const state = {
      position: 17,
      stream: stream.state(),
      balloonMB: 256,
      throttle: 0.2,
      demand: Float64Array.of(0.5, -0, NaN),
    }
    tree.take(m, { name: 'before', memory: true, state, time: 60 })
    const expected = tokensOf(m)
    const nextDraw = stream.float()
    m.write(9)
    const tokenOf9 = m.tokens[9]
    writeAll(m, [1, 2, 3, 4, 80])
    state.position = 99 // the snapshot keeps what it was given at take time

    const r = tree.revert('before')
    expect(r.power).toBe('running')
    expect(tokensOf(r.image!)).toEqual(expected)
    expect(r.image!.logging).toBe(true)
    const back = r.state as typeof state
    expect(back.position).toBe(17)
    expect(Object.is(back.demand[1], -0)).toBe(true)
    expect(Number.isNaN(back.demand[2])).toBe(true)
    expect(RandomStream.fromState(back.stream).float()).toBe(nextDraw)
    // the image's write counter is restored: the same write after the revert gives the same content
    r.image!.write(9)
    expect(r.image!.tokens[9]).toBe(tokenOf9)
    // every revert hands out a fresh copy
    back.demand[0] = 123
    expect((tree.revert('before').state as typeof state).demand[0]).toBe(0.5)
    expect(r.cost.bytes).toBe(60 * PAGE + r.snapshot.stateBytes) // the non-zero pages, read back
  })

  it('branches after a revert, keeps both branches and moves "You are here"', () => {
    let m = bootedImage()
    const tree = SnapshotTree.forImage(m)
    expect(here(tree)).toBe('(none)')
    tree.take(m, { name: 'base', memory: true })
    expect(here(tree)).toBe('base')
    writeAll(m, [1, 2])
    tree.take(m, { name: 'a1', memory: true })
    writeAll(m, [3])
    tree.take(m, { name: 'a2', memory: true })
    const a2 = tokensOf(m)
    expect(here(tree)).toBe('a2')

    m = tree.revert('base').image!
    expect(here(tree)).toBe('base')
    writeAll(m, [10, 11, 12])
    const b1 = tree.take(m, { name: 'b1', memory: true })
    expect(b1.snapshot.storedPages).toBe(3)
    const b1Tokens = tokensOf(m)
    expect(here(tree)).toBe('b1')
    expect(tree.get('base').children.map((id) => tree.get(id).name)).toEqual(['a1', 'b1'])

    m = tree.revert('a2').image!
    expect(tokensOf(m)).toEqual(a2)
    expect(here(tree)).toBe('a2')
    expect(Array.from(tree.imageOf('b1')!)).toEqual(b1Tokens)
    // reverting and taking at once stores nothing new
    expect(tree.take(m, { name: 'a3', memory: true }).snapshot.storedPages).toBe(0)
  })

  it('merges a deleted snapshot into its child, so the child still rebuilds its image', () => {
    const m = bootedImage()
    const tree = SnapshotTree.forImage(m)
    tree.take(m, { name: 'A', memory: true })
    writeAll(m, [1, 2, 3])
    tree.take(m, { name: 'B', memory: true })
    const b = tokensOf(m)
    writeAll(m, [3, 4])
    tree.take(m, { name: 'C', memory: true })
    const c = tokensOf(m)
    expect(tree.get('C').storedPages).toBe(2)

    const d = tree.delete('B')
    expect(d.removed).toEqual([2])
    expect(d.cost.bytes).toBe(3 * PAGE)
    expect(tree.get('C').parent).toBe(tree.get('A').id)
    expect(tree.get('C').storedPages).toBe(4) // pages 1, 2, 3, 4 relative to A
    expect(Array.from(tree.imageOf('C')!)).toEqual(c)
    expect(here(tree)).toBe('C')
    expect(b).not.toEqual(c)

    // deleting the root merges it all into C
    tree.delete('A')
    expect(tree.get('C').parent).toBe(null)
    expect(tree.get('C').storedPages).toBe(60) // A's 60 non-zero pages, 1–4 among them
    expect(Array.from(tree.imageOf('C')!)).toEqual(c)
  })

  it('merges a deleted snapshot into every snapshot based on it, including below a snapshot without memory', () => {
    let m = bootedImage()
    const tree = SnapshotTree.forImage(m)
    tree.take(m, { name: 'A', memory: true })
    writeAll(m, [1])
    tree.take(m, { name: 'B', memory: true })
    writeAll(m, [2])
    tree.take(m, { name: 'disk only', memory: false })
    writeAll(m, [3])
    tree.take(m, { name: 'C', memory: true })
    const c = tokensOf(m)
    m = tree.revert('B').image!
    writeAll(m, [4])
    tree.take(m, { name: 'D', memory: true })
    const dTokens = tokensOf(m)
    expect(tree.get('C').storedPages).toBe(2) // pages 2 and 3, relative to B

    tree.delete('B')
    expect(Array.from(tree.imageOf('C')!)).toEqual(c)
    expect(Array.from(tree.imageOf('D')!)).toEqual(dTokens)
    expect(tree.get('A').children.map((id) => tree.get(id).name)).toEqual(['disk only', 'D'])
  })

  it('keeps the running state exact when the snapshot it follows is deleted', () => {
    const m = bootedImage()
    const tree = SnapshotTree.forImage(m)
    tree.take(m, { name: 'A', memory: true })
    writeAll(m, [1, 2])
    tree.take(m, { name: 'B', memory: true })
    writeAll(m, [7])
    tree.delete('B')
    expect(here(tree)).toBe('A')
    writeAll(m, [8])
    const next = tree.take(m, { name: 'C', memory: true })
    expect(next.snapshot.storedPages).toBe(4) // 1, 2 from the deleted B, then 7 and 8
    expect(next.snapshot.parent).toBe(tree.get('A').id)
    expect(tree.imageOf('C')).toEqual(m.tokens)
  })

  it('deletes a subtree with its children, "You are here" moving up', () => {
    const m = bootedImage()
    const tree = SnapshotTree.forImage(m)
    tree.take(m, { name: 'A', memory: true })
    writeAll(m, [1])
    tree.take(m, { name: 'B', memory: true })
    writeAll(m, [2])
    tree.take(m, { name: 'C', memory: true })
    writeAll(m, [3])
    const r = tree.delete('B', { withChildren: true })
    expect(r.removed.map(String)).toEqual(['3', '2'])
    expect(r.current).toBe(tree.get('A').id)
    expect(tree.size).toBe(1)
    expect(tree.take(m, { name: 'D', memory: true }).snapshot.storedPages).toBe(3)
    expect(tree.imageOf('D')).toEqual(m.tokens)
  })

  it('reverts a snapshot without memory to a powered-off VM', () => {
    const m = bootedImage()
    const tree = SnapshotTree.forImage(m)
    tree.take(m, { name: 'with memory', memory: true })
    const off = tree.take(m, { name: 'disk only', memory: false, state: { config: 'v1' } })
    expect(off.snapshot.storedPages).toBe(0)
    expect(off.cost.bytes).toBe(off.snapshot.stateBytes)
    const r = tree.revert('disk only')
    expect(r.power).toBe('off')
    expect(r.image).toBe(null)
    expect(r.state).toEqual({ config: 'v1' })
    // the VM boots afresh: the next snapshot with memory stores the whole image
    const fresh = bootedImage()
    writeAll(fresh, [90])
    const s = tree.take(fresh, { name: 'after boot', memory: true })
    expect(s.snapshot.storedPages).toBe(61)
    expect(tree.imageOf('after boot')).toEqual(fresh.tokens)
    expect(() => tree.take(fresh, { name: 'x', memory: true, power: 'off' })).toThrow(/powered off/)
  })

  it('stays exact when someone else switched dirty logging off (a migration ended)', () => {
    const m = bootedImage()
    const tree = SnapshotTree.forImage(m)
    tree.take(m, { name: 'A', memory: true })
    writeAll(m, [1, 2])
    // a live migration starts (clearing the bitmap), syncs, and stops logging at its end
    m.startLogging()
    writeAll(m, [3])
    m.syncDirty()
    m.stopLogging()
    m.write(4) // not logged
    const b = tree.take(m, { name: 'B', memory: true })
    expect(b.snapshot.storedPages).toBe(4)
    expect(tree.imageOf('B')).toEqual(m.tokens)
    expect(m.logging).toBe(true)
  })

  it('charges a save with memory as a full RAM write (or the delta only), at the configured bandwidth', () => {
    const m = bootedImage()
    const full = SnapshotTree.forImage(m, { saveBytesPerSecond: 100 * PAGE })
    full.take(m, { name: 'A', memory: true })
    writeAll(m, [1, 2, 70])
    const t = full.take(m, { name: 'B', memory: true })
    expect(t.cost).toEqual({ bytes: 61 * PAGE, seconds: 0.61 })

    const m2 = bootedImage()
    const delta = SnapshotTree.forImage(m2, { saveBytesPerSecond: 100 * PAGE, saveCost: 'delta' })
    delta.take(m2, { name: 'A', memory: true })
    writeAll(m2, [1, 2, 70])
    expect(delta.take(m2, { name: 'B', memory: true, state: { x: 1 } }).cost.bytes).toBe(
      3 * PAGE + delta.get('B').stateBytes,
    )
    expect(delta.get('B').sizeBytes).toBe(3 * PAGE + delta.get('B').stateBytes)
  })

  it('refuses what it cannot do, saying why', () => {
    const m = bootedImage()
    const tree = SnapshotTree.forImage(m)
    expect(() => tree.revert()).toThrow('VM 3 has no current snapshot to revert to')
    tree.take(m, { name: 'same', memory: true })
    tree.take(m, { name: 'same', memory: false })
    expect(() => tree.revert('same')).toThrow('VM 3 has 2 snapshots named "same" (#1, #2): pick one by id')
    expect(() => tree.revert('other')).toThrow('VM 3 has no snapshot named "other"')
    expect(() => tree.delete(9)).toThrow(SnapshotTreeError)
    expect(() => tree.take(bootedImage(4), { name: 'x', memory: true })).toThrow(/the image given is VM 4's/)
    expect(() => tree.take(m, { name: ' ', memory: true })).toThrow('a snapshot needs a name')
    expect(tree.edit(2, { name: 'renamed', description: 'now unique' }).name).toBe('renamed')
    expect(tree.revert('same').snapshot.id).toBe(1)
    expect(() => tree.take(m, { name: 'bad state', memory: true, state: { f: () => 0 } })).toThrow(
      /state of snapshot "bad state" of VM 3: cannot store f/,
    )
  })

  it('draws the tree as text with "You are here"', () => {
    let m = bootedImage(7)
    const tree = SnapshotTree.forImage(m)
    expect(formatTree(tree)).toBe('VM 7: no snapshots\n└─ ▶ You are here')
    tree.take(m, { name: 'base', memory: true, description: 'clean install' })
    writeAll(m, [1, 2, 3])
    tree.take(m, { name: 'patched', memory: true, time: 60, state: { position: 1 } })
    const stateBytes = tree.get('patched').stateBytes
    m = tree.revert('base').image!
    tree.take(m, { name: 'config only', memory: false, time: 90.5 })
    writeAll(m, [4])
    tree.take(m, { name: 'test', memory: true, power: 'paused', time: 120 })
    tree.revert('patched')
    expect(formatTree(tree)).toBe(
      [
        `VM 7: 4 snapshots, ${((64 * PAGE + stateBytes) / 1024).toFixed(1)} KiB`,
        '└─ base #1 · memory, running · 60 pages = 240.0 KiB · t=0 s — clean install',
        `   ├─ patched #2 · memory, running · 3 pages + ${stateBytes} B state = ${((3 * PAGE + stateBytes) / 1024).toFixed(1)} KiB · t=60 s`,
        '   │  └─ ▶ You are here',
        '   └─ config only #3 · no memory · 0 B · t=90.5 s',
        '      └─ test #4 · memory, paused · 1 page = 4.0 KiB · t=120 s',
      ].join('\n'),
    )
    tree.delete('base')
    expect(formatTree(tree).split('\n').slice(1)).toEqual([
      `├─ patched #2 · memory, running · 60 pages + ${stateBytes} B state = ${((60 * PAGE + stateBytes) / 1024).toFixed(1)} KiB · t=60 s`,
      '│  └─ ▶ You are here',
      '└─ config only #3 · no memory · 0 B · t=90.5 s',
      '   └─ test #4 · memory, paused · 60 pages = 240.0 KiB · t=120 s',
    ])
  })

  it('survives a checkpoint file and carries on where it was', () => {
    let m = bootedImage()
    const tree = SnapshotTree.forImage(m, { saveBytesPerSecond: 1e6 })
    tree.take(m, { name: 'A', memory: true, state: { f: Float64Array.of(1, 2) } })
    writeAll(m, [1, 2])
    tree.take(m, { name: 'B', memory: true })
    m = tree.revert('A').image!
    writeAll(m, [5])
    tree.take(m, { name: 'C', memory: true })
    writeAll(m, [6])
    tree.delete('C') // leaves pages to carry into the next snapshot

    const file = encodeState({ trees: [tree.toState()], image: m.state() }, 'lab.clck')
    const decoded = decodeState(file, 'lab.clck') as { trees: unknown[]; image: ReturnType<MemoryImage['state']> }
    const again = SnapshotTree.fromState(decoded.trees[0], 'lab.clck')
    const m2 = MemoryImage.fromState(decoded.image)
    expect(formatTree(again)).toBe(formatTree(tree))
    expect(again.costs.saveBytesPerSecond).toBe(1e6)
    for (const name of ['A', 'B']) expect(again.imageOf(name)).toEqual(tree.imageOf(name))
    // both carry on identically
    writeAll(m, [7])
    writeAll(m2, [7])
    const t1 = tree.take(m, { name: 'D', memory: true })
    const t2 = again.take(m2, { name: 'D', memory: true })
    expect(t2.snapshot).toEqual(t1.snapshot)
    expect(t2.snapshot.storedPages).toBe(3)
    expect(again.imageOf('D')).toEqual(m.tokens)
    expect((again.revert('A').state as { f: Float64Array }).f).toEqual(Float64Array.of(1, 2))
  })

  it('refuses a damaged tree state, naming the field', () => {
    const m = bootedImage()
    const tree = SnapshotTree.forImage(m)
    tree.take(m, { name: 'A', memory: true })
    const state = tree.toState()
    const bad = {
      ...state,
      snapshots: [{ ...state.snapshots[0]!, pages: Uint32Array.of(5, 3), tokens: new Float64Array(2) }],
    }
    expect(() => SnapshotTree.fromState(bad, 'lab.clck')).toThrow(
      /^lab\.clck: snapshots\[0\]\.pages\[1\]: expected ascending page numbers below 100, found 3$/,
    )
    expect(() => SnapshotTree.fromState({ ...state, format: 'x' }, 'lab.clck')).toThrow(CheckpointError)
    expect(() => SnapshotTree.fromState({ ...state, current: 9 }, 'lab.clck')).toThrow(
      /current: expected a snapshot id/,
    )
  })

  it.each([7, 8, 9])('matches a model that keeps full copies, over random operations (seed %i)', (seed) => {
    const rng = streamFor(seed, 'snapshot-tree-test', 0)
    let m = bootedImage()
    const tree = SnapshotTree.forImage(m)
    /** full tokens of every snapshot with memory, and the state given */
    const model = new Map<number, { tokens: number[] | null; state: number }>()
    let live: number[] | null = tokensOf(m)
    let takes = 0
    for (let step = 0; step < 600; step++) {
      const op = rng.int(0, 9)
      const ids = [...model.keys()]
      if (op <= 3 && live) {
        const n = rng.int(1, 6)
        for (let i = 0; i < n; i++) m.write(rng.int(0, PAGES - 1))
        live = tokensOf(m)
      } else if (op <= 5) {
        const memory = live !== null && rng.int(0, 3) > 0
        const r: { snapshot: SnapshotInfo } = tree.take(m, { name: `s${++takes}`, memory, state: takes })
        model.set(r.snapshot.id, { tokens: memory ? tokensOf(m) : null, state: takes })
      } else if (op <= 7 && ids.length > 0) {
        const id = ids[rng.int(0, ids.length - 1)]!
        const r = tree.revert(id)
        expect(r.state).toBe(model.get(id)!.state)
        if (r.image) {
          m = r.image
          live = tokensOf(m)
          expect(live).toEqual(model.get(id)!.tokens)
        } else {
          expect(model.get(id)!.tokens).toBe(null)
          m = bootedImage() // powered off, then booted afresh
          tree.liveImageReplaced()
          live = tokensOf(m)
        }
      } else if (ids.length > 0) {
        const id = ids[rng.int(0, ids.length - 1)]!
        const withChildren = rng.int(0, 4) === 0
        for (const removed of tree.delete(id, { withChildren }).removed) model.delete(removed)
      }
      // every snapshot still rebuilds its image; the tree's shape agrees with the model
      expect(tree.size).toBe(model.size)
      for (const [id, s] of model) {
        const image = tree.imageOf(id)
        expect(image === null ? null : Array.from(image), `step ${step}, snapshot #${id}`).toEqual(s.tokens)
      }
      expect(tokensOf(m)).toEqual(live)
    }
    expect(takes).toBeGreaterThan(50)
  })
})
