// A VM's snapshot tree, as vSphere's snapshot manager shows it: snapshots with or without memory, revert,
// delete (consolidating into the children), branches, and "You are here" after the snapshot the running state
// descends from.
//
// Memory is stored incrementally. A snapshot with memory stores a delta: the pages that differ from its
// memory base (the nearest ancestor with memory, or an all-zero image for the first one). The delta comes from
// the image's dirty log: the tree syncs it (KVM sync-and-clear) when it takes a snapshot and leaves logging on,
// so the next sync returns exactly the pages written since. Deleting a snapshot merges its delta into every
// snapshot based on it, so each delta chain still rebuilds the full image. See docs/checkpoints.md for the
// dirty-log contract with the other users of the log (live migration).

import { MemoryImage, ZERO_TOKEN, popcount } from '../memory/image'
import { decodeState, encodeState } from './codec'
import { CheckpointError } from './format'
import { formatBytes } from '../api/units'

export type PowerState = 'running' | 'paused' | 'off'

/** What snapshot operations cost the VM, as a real save, load and consolidation would. */
export interface SnapshotCostModel {
  /** bytes per second a save with memory writes (the VM is paused meanwhile, as QEMU savevm does) */
  saveBytesPerSecond: number
  /** bytes per second a revert reads back */
  loadBytesPerSecond: number
  /** bytes per second a delete merges a delta into the snapshots based on it */
  mergeBytesPerSecond: number
  /**
   * What a save with memory writes: 'full' (every non-zero page of RAM, as QEMU savevm and vSphere's .vmem do:
   * the stun time a user sees) or 'delta' (only the pages this tree stores).
   */
  saveCost: 'full' | 'delta'
}

/** Assumed datastore speeds (an SSD-backed datastore); scenarios should set their own. */
export const DEFAULT_SNAPSHOT_COSTS: Readonly<SnapshotCostModel> = {
  saveBytesPerSecond: 500 * 2 ** 20,
  loadBytesPerSecond: 500 * 2 ** 20,
  mergeBytesPerSecond: 250 * 2 ** 20,
  saveCost: 'full',
}

export interface SnapshotCost {
  bytes: number
  seconds: number
}

export interface SnapshotInfo {
  id: number
  name: string
  description: string
  /** simulated time of the take, in seconds */
  time: number
  /** whether memory (and so the running state) was saved */
  memory: boolean
  /** the VM's power state when taken: what a revert returns to when memory was saved */
  power: PowerState
  parent: number | null
  children: number[]
  /** pages this snapshot stores (its delta from its memory base) */
  storedPages: number
  /** storedPages × page size */
  memoryBytes: number
  /** bytes of the VM state record, as encoded */
  stateBytes: number
  /** memoryBytes + stateBytes */
  sizeBytes: number
  /** "You are here" follows this snapshot */
  current: boolean
}

export interface SnapshotNode extends SnapshotInfo {
  childNodes: SnapshotNode[]
}

export interface TakeOptions {
  name: string
  description?: string
  /** save memory and the running state (a VM that is off has none to save) */
  memory: boolean
  /** the VM's power state now; default running */
  power?: PowerState
  /**
   * The caller's VM state record (workload position, random-stream state, balloon and throttle state, …), any
   * plain data with typed arrays. Stored verbatim (encoded now, so later changes to the objects do not leak in)
   * and handed back, as a fresh copy, by every revert.
   */
  state?: unknown
  /** simulated time, seconds */
  time?: number
}

export interface TakeResult {
  snapshot: SnapshotInfo
  /** what the save costs the VM: charge `seconds` of pause when memory was saved */
  cost: SnapshotCost
}

export interface RevertResult {
  snapshot: SnapshotInfo
  /** the power state the VM is in after the revert: as when taken if memory was saved, otherwise off */
  power: PowerState
  /**
   * The VM's memory as it was, a new image to run from (dirty logging on, for the tree), or null when the snapshot
   * has no memory (the VM is off and boots afresh).
   */
  image: MemoryImage | null
  /** a fresh copy of the state record given at take time (undefined if none was given) */
  state: unknown
  /** reading the snapshot back */
  cost: SnapshotCost
}

export interface DeleteResult {
  /** ids removed, children before parents */
  removed: number[]
  /** merging the deltas into the snapshots based on them */
  cost: SnapshotCost
  /** "You are here" afterwards */
  current: number | null
}

/** Operations on a snapshot tree that cannot be done (unknown snapshot, wrong image, …). */
export class SnapshotTreeError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'SnapshotTreeError'
  }
}

/** A snapshot tree as plain data, for the codec. */
export interface SnapshotTreeState {
  format: 'conlab.snapshot-tree'
  version: 1
  vm: number
  pageCount: number
  pageSize: number
  costs: SnapshotCostModel
  nextId: number
  current: number | null
  base: number | null
  carry: Uint32Array
  snapshots: SnapshotRecord[]
}

/** One snapshot, as the tree holds it and as the codec writes it. */
export interface SnapshotRecord {
  id: number
  name: string
  description: string
  time: number
  power: PowerState
  memory: boolean
  parent: number | null
  children: number[]
  /** the snapshot this one's delta applies to; null: an all-zero image */
  memBase: number | null
  /** changed pages, ascending, and their tokens; never modified in place (merges build new arrays) */
  pages: Uint32Array
  tokens: Float64Array
  /** the image's unique-write counter, so writes after a revert replay the same tokens */
  writes: number
  /** the encoded state record */
  state: Uint8Array | null
}

export class SnapshotTree {
  readonly costs: SnapshotCostModel
  private readonly snaps = new Map<number, SnapshotRecord>()
  private nextId = 1
  private currentId: number | null = null
  /** The memory snapshot the live image's dirty log is relative to; null: none (the next save stores all). */
  private base: number | null = null
  /** Pages changed relative to `base` that the image's dirty log no longer shows (from deleted snapshots). */
  private readonly carry: Uint32Array
  private readonly scratch: Uint32Array

  constructor(
    readonly vm: number,
    readonly pageCount: number,
    readonly pageSize: number,
    costs: Partial<SnapshotCostModel> = {},
  ) {
    this.costs = { ...DEFAULT_SNAPSHOT_COSTS, ...costs }
    this.carry = new Uint32Array(Math.ceil(pageCount / 32))
    this.scratch = new Uint32Array(this.carry.length)
  }

  static forImage(image: MemoryImage, costs: Partial<SnapshotCostModel> = {}): SnapshotTree {
    return new SnapshotTree(image.vm, image.pageCount, image.pageSize, costs)
  }

  /** The snapshot "You are here" follows (the parent of the running state), or null. */
  get current(): number | null {
    return this.currentId
  }

  get size(): number {
    return this.snaps.size
  }

  /** Bytes stored by all snapshots. */
  get totalBytes(): number {
    let n = 0
    for (const s of this.snaps.values()) n += this.sizeOf(s)
    return n
  }

  /**
   * Takes a snapshot of the running state as a child of the current one; "You are here" moves after it. With
   * memory, the image's dirty log is synced (and left on): the snapshot stores the pages written since the last
   * snapshot with memory (or revert), or every non-zero page if there is none.
   */
  take(image: MemoryImage, options: TakeOptions): TakeResult {
    this.checkImage(image)
    const name = options.name
    if (typeof name !== 'string' || name.trim() === '') throw new SnapshotTreeError('a snapshot needs a name')
    const power = options.power ?? 'running'
    if (options.memory && power === 'off') {
      throw new SnapshotTreeError(`VM ${this.vm} is powered off: a snapshot with memory needs a running or paused VM`)
    }
    const state =
      options.state === undefined ? null : encodeState(options.state, `state of snapshot "${name}" of VM ${this.vm}`)

    let pages: Uint32Array = new Uint32Array(0)
    let tokens: Float64Array = new Float64Array(0)
    let memBase: number | null = null
    if (options.memory) {
      memBase = this.base
      if (this.base !== null && image.logging) {
        // The dirty log since the last sync, plus what deleted snapshots left to carry.
        image.syncDirty(this.scratch)
        for (let i = 0; i < this.scratch.length; i++) this.scratch[i]! |= this.carry[i]!
        pages = bitsToPages(this.scratch, this.pageCount)
      } else if (this.base !== null) {
        // Logging was switched off by someone: the log is not continuous, compare with the base image instead.
        pages = changedPages(image.tokens, this.reconstruct(this.snap(this.base)))
        image.startLogging()
      } else {
        pages = changedPages(image.tokens, null)
        if (image.logging) image.syncDirty()
        else image.startLogging()
      }
      tokens = new Float64Array(pages.length)
      for (let i = 0; i < pages.length; i++) tokens[i] = image.tokens[pages[i]!]!
    }

    const snap: SnapshotRecord = {
      id: this.nextId++,
      name,
      description: options.description ?? '',
      time: options.time ?? 0,
      power,
      memory: options.memory,
      parent: this.currentId,
      children: [],
      memBase,
      pages,
      tokens,
      writes: image.state().writes,
      state,
    }
    this.snaps.set(snap.id, snap)
    if (snap.parent !== null) this.snap(snap.parent).children.push(snap.id)
    this.currentId = snap.id
    if (options.memory) {
      this.base = snap.id
      this.carry.fill(0)
    }

    const stateBytes = state?.length ?? 0
    const memoryBytes = !options.memory
      ? 0
      : this.costs.saveCost === 'full'
        ? (image.pageCount - image.countZeroPages()) * this.pageSize
        : pages.length * this.pageSize
    const bytes = memoryBytes + stateBytes
    return { snapshot: this.info(snap), cost: { bytes, seconds: bytes / this.costs.saveBytesPerSecond } }
  }

  /**
   * Goes back to a snapshot (by id or unique name; default the current one). The running state is discarded;
   * every snapshot stays; "You are here" moves after the target, and the next take starts a new branch there.
   */
  revert(ref: number | string | null = this.currentId): RevertResult {
    if (ref === null) throw new SnapshotTreeError(`VM ${this.vm} has no current snapshot to revert to`)
    const snap = this.find(ref)
    let image: MemoryImage | null = null
    let memoryBytes = 0
    if (snap.memory) {
      const tokens = this.reconstruct(snap)
      image = MemoryImage.fromState({
        pageSize: this.pageSize,
        tokens,
        dirty: new Uint32Array(this.carry.length),
        logging: true,
        writes: snap.writes,
        vm: this.vm,
      })
      memoryBytes = (this.pageCount - image.countZeroPages()) * this.pageSize
      this.base = snap.id
    } else {
      this.base = null
    }
    this.carry.fill(0)
    this.currentId = snap.id
    const state = snap.state ? decodeState(snap.state, `state of snapshot "${snap.name}" of VM ${this.vm}`) : undefined
    const bytes = memoryBytes + (snap.state?.length ?? 0)
    return {
      snapshot: this.info(snap),
      power: snap.memory ? snap.power : 'off',
      image,
      state,
      cost: { bytes, seconds: bytes / this.costs.loadBytesPerSecond },
    }
  }

  /**
   * Deletes a snapshot (or, with `withChildren`, its whole subtree) without touching the running VM. Its delta is
   * merged into every snapshot based on it; its children move up to its parent; "You are here" moves up if it
   * followed a deleted snapshot.
   */
  delete(ref: number | string, options: { withChildren?: boolean } = {}): DeleteResult {
    const target = this.find(ref)
    const order: SnapshotRecord[] = []
    const visit = (s: SnapshotRecord): void => {
      if (options.withChildren) for (const c of s.children) visit(this.snap(c))
      order.push(s)
    }
    visit(target)
    let merged = 0
    for (const s of order) merged += this.removeOne(s)
    return {
      removed: order.map((s) => s.id),
      cost: { bytes: merged, seconds: merged / this.costs.mergeBytesPerSecond },
      current: this.currentId,
    }
  }

  /**
   * The VM's memory was replaced outside the tree (a power cycle, a boot, an image loaded from elsewhere): the
   * next snapshot with memory stores the whole image instead of trusting the dirty log.
   */
  liveImageReplaced(): void {
    this.base = null
    this.carry.fill(0)
  }

  /** Renames a snapshot or changes its description (vSphere's "Edit snapshot"). */
  edit(ref: number | string, changes: { name?: string; description?: string }): SnapshotInfo {
    const s = this.find(ref)
    if (changes.name !== undefined) {
      if (changes.name.trim() === '') throw new SnapshotTreeError('a snapshot needs a name')
      s.name = changes.name
    }
    if (changes.description !== undefined) s.description = changes.description
    return this.info(s)
  }

  /** A snapshot's details. */
  get(ref: number | string): SnapshotInfo {
    return this.info(this.find(ref))
  }

  /** The page tokens of a snapshot's memory, rebuilt from its delta chain (null without memory). */
  imageOf(ref: number | string): Float64Array | null {
    const s = this.find(ref)
    return s.memory ? this.reconstruct(s) : null
  }

  /** The forest of snapshots, roots and children in the order they were taken. */
  list(): SnapshotNode[] {
    const node = (s: SnapshotRecord): SnapshotNode => ({
      ...this.info(s),
      childNodes: s.children.map((c) => node(this.snap(c))),
    })
    return this.rootIds().map((id) => node(this.snap(id)))
  }

  toState(): SnapshotTreeState {
    return {
      format: 'conlab.snapshot-tree',
      version: 1,
      vm: this.vm,
      pageCount: this.pageCount,
      pageSize: this.pageSize,
      costs: { ...this.costs },
      nextId: this.nextId,
      current: this.currentId,
      base: this.base,
      carry: this.carry.slice(),
      snapshots: [...this.snaps.values()].map((s) => ({ ...s, children: [...s.children] })),
    }
  }

  /** Rebuilds a tree from toState() (e.g. decoded from a checkpoint file), checking that it holds together. */
  static fromState(state: unknown, file = 'snapshot tree'): SnapshotTree {
    const v = new Validator(file)
    const s = v.object(state, '')
    v.literal(s.format, 'format', 'conlab.snapshot-tree')
    v.literal(s.version, 'version', 1)
    const vm = v.integer(s.vm, 'vm')
    const pageCount = v.integer(s.pageCount, 'pageCount')
    const pageSize = v.integer(s.pageSize, 'pageSize')
    const c = v.object(s.costs, 'costs')
    const costs: SnapshotCostModel = {
      saveBytesPerSecond: v.positive(c.saveBytesPerSecond, 'costs.saveBytesPerSecond'),
      loadBytesPerSecond: v.positive(c.loadBytesPerSecond, 'costs.loadBytesPerSecond'),
      mergeBytesPerSecond: v.positive(c.mergeBytesPerSecond, 'costs.mergeBytesPerSecond'),
      saveCost: v.oneOf(c.saveCost, 'costs.saveCost', ['full', 'delta'] as const),
    }
    const tree = new SnapshotTree(vm, pageCount, pageSize, costs)
    tree.nextId = v.integer(s.nextId, 'nextId')
    const carry = v.typed(s.carry, 'carry', Uint32Array, tree.carry.length)
    tree.carry.set(carry)
    const records = v.array(s.snapshots, 'snapshots')
    records.forEach((r, i) => {
      const p = `snapshots[${i}]`
      const o = v.object(r, p)
      const pages = v.typed(o.pages, `${p}.pages`, Uint32Array)
      const tokens = v.typed(o.tokens, `${p}.tokens`, Float64Array, pages.length)
      for (let j = 0; j < pages.length; j++) {
        if (pages[j]! >= pageCount || (j > 0 && pages[j]! <= pages[j - 1]!)) {
          v.fail(`${p}.pages[${j}]`, `ascending page numbers below ${pageCount}`, `${pages[j]}`)
        }
      }
      const snap: SnapshotRecord = {
        id: v.integer(o.id, `${p}.id`),
        name: v.string(o.name, `${p}.name`),
        description: v.string(o.description, `${p}.description`),
        time: v.number(o.time, `${p}.time`),
        power: v.oneOf(o.power, `${p}.power`, ['running', 'paused', 'off'] as const),
        memory: v.boolean(o.memory, `${p}.memory`),
        parent: v.optionalId(o.parent, `${p}.parent`),
        children: v.array(o.children, `${p}.children`).map((x, j) => v.integer(x, `${p}.children[${j}]`)),
        memBase: v.optionalId(o.memBase, `${p}.memBase`),
        pages,
        tokens,
        writes: v.integer(o.writes, `${p}.writes`),
        state: o.state === null ? null : v.typed(o.state, `${p}.state`, Uint8Array),
      }
      if (tree.snaps.has(snap.id)) v.fail(`${p}.id`, 'a unique id', `a second snapshot #${snap.id}`)
      if (snap.id >= tree.nextId) v.fail(`${p}.id`, `an id below nextId ${tree.nextId}`, `${snap.id}`)
      tree.snaps.set(snap.id, snap)
    })
    for (const snap of tree.snaps.values()) {
      const p = `snapshot #${snap.id}`
      if (snap.parent !== null && !tree.snaps.get(snap.parent)?.children.includes(snap.id)) {
        v.fail(`${p}.parent`, `a snapshot listing #${snap.id} among its children`, `#${snap.parent}`)
      }
      for (const c of snap.children) {
        if (tree.snaps.get(c)?.parent !== snap.id)
          v.fail(`${p}.children`, `children whose parent is #${snap.id}`, `#${c}`)
      }
      if (snap.memBase !== null && !tree.snaps.get(snap.memBase)?.memory) {
        v.fail(`${p}.memBase`, 'a snapshot with memory', `#${snap.memBase}`)
      }
      // Parents lead to a root, and memory bases to an ancestor: no cycles.
      const ancestors = new Set<number>()
      for (let a = snap.parent; a !== null; a = tree.snaps.get(a)?.parent ?? null) {
        if (ancestors.has(a) || a === snap.id) v.fail(`${p}.parent`, 'a chain of parents ending at a root', 'a cycle')
        ancestors.add(a)
      }
      if (snap.memBase !== null && !ancestors.has(snap.memBase)) {
        v.fail(`${p}.memBase`, 'an ancestor of the snapshot', `#${snap.memBase}`)
      }
    }
    tree.currentId = v.optionalId(s.current, 'current')
    tree.base = v.optionalId(s.base, 'base')
    if (tree.currentId !== null && !tree.snaps.has(tree.currentId))
      v.fail('current', 'a snapshot id', `${tree.currentId}`)
    if (tree.base !== null && !tree.snaps.get(tree.base)?.memory)
      v.fail('base', 'a snapshot with memory', `${tree.base}`)
    return tree
  }

  // ── internals ──

  private checkImage(image: MemoryImage): void {
    if (image.vm !== this.vm || image.pageCount !== this.pageCount || image.pageSize !== this.pageSize) {
      throw new SnapshotTreeError(
        `the snapshot tree of VM ${this.vm} holds ${this.pageCount} pages of ${this.pageSize} B; ` +
          `the image given is VM ${image.vm}'s, ${image.pageCount} pages of ${image.pageSize} B`,
      )
    }
  }

  private snap(id: number): SnapshotRecord {
    const s = this.snaps.get(id)
    if (!s) throw new SnapshotTreeError(`VM ${this.vm} has no snapshot #${id}`)
    return s
  }

  private find(ref: number | string): SnapshotRecord {
    if (typeof ref === 'number') return this.snap(ref)
    const found = [...this.snaps.values()].filter((s) => s.name === ref)
    if (found.length === 1) return found[0]!
    if (found.length === 0) throw new SnapshotTreeError(`VM ${this.vm} has no snapshot named "${ref}"`)
    throw new SnapshotTreeError(
      `VM ${this.vm} has ${found.length} snapshots named "${ref}" (${found.map((s) => `#${s.id}`).join(', ')}): pick one by id`,
    )
  }

  private rootIds(): number[] {
    return [...this.snaps.values()].filter((s) => s.parent === null).map((s) => s.id)
  }

  private sizeOf(s: SnapshotRecord): number {
    return s.pages.length * this.pageSize + (s.state?.length ?? 0)
  }

  private info(s: SnapshotRecord): SnapshotInfo {
    const memoryBytes = s.pages.length * this.pageSize
    const stateBytes = s.state?.length ?? 0
    return {
      id: s.id,
      name: s.name,
      description: s.description,
      time: s.time,
      memory: s.memory,
      power: s.power,
      parent: s.parent,
      children: [...s.children],
      storedPages: s.pages.length,
      memoryBytes,
      stateBytes,
      sizeBytes: memoryBytes + stateBytes,
      current: s.id === this.currentId,
    }
  }

  /** The full page tokens of a snapshot with memory: its memory-base chain applied from the root down. */
  private reconstruct(s: SnapshotRecord): Float64Array {
    const chain: SnapshotRecord[] = []
    for (let x: SnapshotRecord | null = s; x; x = x.memBase === null ? null : this.snap(x.memBase)) chain.push(x)
    const tokens = new Float64Array(this.pageCount)
    for (let i = chain.length - 1; i >= 0; i--) {
      const { pages, tokens: t } = chain[i]!
      for (let j = 0; j < pages.length; j++) tokens[pages[j]!] = t[j]!
    }
    return tokens
  }

  /** Removes one snapshot, consolidating its delta; returns the bytes merged. */
  private removeOne(d: SnapshotRecord): number {
    let merged = 0
    if (d.memory) {
      for (const c of this.snaps.values()) {
        if (c.memBase !== d.id) continue
        const m = mergeDeltas(d.pages, d.tokens, c.pages, c.tokens)
        c.pages = m.pages
        c.tokens = m.tokens
        c.memBase = d.memBase
        merged += d.pages.length * this.pageSize
      }
      if (this.base === d.id) {
        // The live image is now relative to d's own base: d's pages join what the next save must store.
        for (let i = 0; i < d.pages.length; i++) {
          const p = d.pages[i]!
          this.carry[p >>> 5]! |= 1 << (p & 31)
        }
        this.base = d.memBase
      }
    }
    const siblings = d.parent === null ? null : this.snap(d.parent).children
    if (siblings) siblings.splice(siblings.indexOf(d.id), 1, ...d.children)
    for (const c of d.children) this.snap(c).parent = d.parent
    if (this.currentId === d.id) this.currentId = d.parent
    this.snaps.delete(d.id)
    return merged
  }
}

/** Page numbers whose bit is set, ascending. */
function bitsToPages(bits: Uint32Array, pageCount: number): Uint32Array {
  let n = 0
  for (let i = 0; i < bits.length; i++) if (bits[i] !== 0) n += popcount(bits[i]!)
  const pages = new Uint32Array(n)
  let k = 0
  for (let i = 0; i < bits.length; i++) {
    let w = bits[i]!
    while (w !== 0) {
      const low = w & -w
      const page = i * 32 + 31 - Math.clz32(low)
      if (page < pageCount) pages[k++] = page
      w ^= low
    }
  }
  return k === n ? pages : pages.slice(0, k)
}

/** Pages whose token differs from `base` (null: an all-zero image), ascending. */
function changedPages(tokens: Float64Array, base: Float64Array | null): Uint32Array {
  const out: number[] = []
  for (let i = 0; i < tokens.length; i++) if (tokens[i] !== (base ? base[i] : ZERO_TOKEN)) out.push(i)
  return Uint32Array.from(out)
}

/** Applies delta `upper` on top of delta `lower`: the union of pages, `upper`'s tokens winning. */
function mergeDeltas(
  lowerPages: Uint32Array,
  lowerTokens: Float64Array,
  upperPages: Uint32Array,
  upperTokens: Float64Array,
): { pages: Uint32Array; tokens: Float64Array } {
  const pages = new Uint32Array(lowerPages.length + upperPages.length)
  const tokens = new Float64Array(pages.length)
  let i = 0
  let j = 0
  let k = 0
  while (i < lowerPages.length || j < upperPages.length) {
    const a = i < lowerPages.length ? lowerPages[i]! : Infinity
    const b = j < upperPages.length ? upperPages[j]! : Infinity
    if (b <= a) {
      pages[k] = b
      tokens[k++] = upperTokens[j++]!
      if (a === b) i++
    } else {
      pages[k] = a
      tokens[k++] = lowerTokens[i++]!
    }
  }
  return { pages: pages.slice(0, k), tokens: tokens.slice(0, k) }
}

/** Checks decoded plain data, failing with the path, what was expected and what was found. */
class Validator {
  constructor(private readonly file: string) {}

  fail(path: string, expected: string, found: string): never {
    throw new CheckpointError(
      'malformed',
      this.file,
      path || '(root)',
      expected,
      found,
      `${path || 'the snapshot tree'}: expected ${expected}, found ${found}`,
    )
  }

  private found(x: unknown): string {
    if (x === null) return 'null'
    if (Array.isArray(x)) return `a list of ${x.length}`
    if (ArrayBuffer.isView(x)) return `a ${x.constructor.name} of ${x.byteLength} bytes`
    if (typeof x === 'object') return 'an object'
    if (typeof x === 'string') return JSON.stringify(x.length > 40 ? `${x.slice(0, 37)}...` : x)
    if (typeof x === 'number' || typeof x === 'boolean' || x === undefined) return String(x)
    return typeof x
  }

  object(x: unknown, path: string): Record<string, unknown> {
    if (typeof x !== 'object' || x === null || Array.isArray(x) || ArrayBuffer.isView(x)) {
      this.fail(path, 'an object', this.found(x))
    }
    return x as Record<string, unknown>
  }

  array(x: unknown, path: string): unknown[] {
    if (!Array.isArray(x)) this.fail(path, 'a list', this.found(x))
    return x as unknown[]
  }

  literal<T>(x: unknown, path: string, value: T): T {
    if (x !== value) this.fail(path, JSON.stringify(value), this.found(x))
    return value
  }

  number(x: unknown, path: string): number {
    if (typeof x !== 'number' || !Number.isFinite(x)) this.fail(path, 'a finite number', this.found(x))
    return x
  }

  positive(x: unknown, path: string): number {
    const n = this.number(x, path)
    if (n <= 0) this.fail(path, 'a positive number', this.found(x))
    return n
  }

  integer(x: unknown, path: string): number {
    if (!Number.isSafeInteger(x) || (x as number) < 0) this.fail(path, 'a whole number ≥ 0', this.found(x))
    return x as number
  }

  optionalId(x: unknown, path: string): number | null {
    return x === null ? null : this.integer(x, path)
  }

  string(x: unknown, path: string): string {
    if (typeof x !== 'string') this.fail(path, 'a string', this.found(x))
    return x
  }

  boolean(x: unknown, path: string): boolean {
    if (typeof x !== 'boolean') this.fail(path, 'true or false', this.found(x))
    return x
  }

  oneOf<T extends string>(x: unknown, path: string, values: readonly T[]): T {
    if (!values.includes(x as T)) this.fail(path, `one of ${values.map((s) => `"${s}"`).join(', ')}`, this.found(x))
    return x as T
  }

  typed<T extends ArrayBufferView>(
    x: unknown,
    path: string,
    type: abstract new (...args: never[]) => T,
    length?: number,
  ): T {
    if (!(x instanceof type)) this.fail(path, `a ${type.name}`, this.found(x))
    const a = x as T & { length: number }
    if (length !== undefined && a.length !== length) this.fail(path, `${length} elements`, `${a.length}`)
    return a
  }
}

// ── text ──

function formatLine(s: SnapshotInfo): string {
  const kind = s.memory ? `memory, ${s.power}` : 'no memory'
  const stored = s.memory ? `${s.storedPages} page${s.storedPages === 1 ? '' : 's'}` : ''
  const state = s.stateBytes > 0 ? `${formatBytes(s.stateBytes)} state` : ''
  const parts = [stored, state].filter(Boolean).join(' + ')
  const size = parts ? `${parts} = ${formatBytes(s.sizeBytes)}` : formatBytes(s.sizeBytes)
  const time = `t=${Number(s.time.toFixed(3))} s`
  const description = s.description ? ` — ${s.description}` : ''
  return `${s.name} #${s.id} · ${kind} · ${size} · ${time}${description}`
}

export const YOU_ARE_HERE = '▶ You are here'

/**
 * The tree as text, as vSphere's snapshot manager draws it, with "You are here" under the current snapshot:
 *
 *     VM 3: 2 snapshots, 1.0 MiB
 *     └─ base #1 · memory, running · 256 pages = 1.0 MiB · t=0 s — clean install
 *        ├─ patched #2 · memory, running · 3 pages = 12.0 KiB · t=60 s
 *        │  └─ ▶ You are here
 *        …
 */
export function formatTree(tree: SnapshotTree): string {
  const roots = tree.list()
  const lines = [
    tree.size === 0
      ? `VM ${tree.vm}: no snapshots`
      : `VM ${tree.vm}: ${tree.size} snapshot${tree.size === 1 ? '' : 's'}, ${formatBytes(tree.totalBytes)}`,
  ]
  const draw = (items: (SnapshotNode | null)[], indent: string): void => {
    items.forEach((item, i) => {
      const last = i === items.length - 1
      lines.push(`${indent}${last ? '└─ ' : '├─ '}${item ? formatLine(item) : YOU_ARE_HERE}`)
      if (item) {
        const children: (SnapshotNode | null)[] = [...item.childNodes]
        if (item.current) children.push(null)
        draw(children, indent + (last ? '   ' : '│  '))
      }
    })
  }
  const top: (SnapshotNode | null)[] = [...roots]
  if (tree.current === null) top.push(null)
  draw(top, '')
  return lines.join('\n')
}
