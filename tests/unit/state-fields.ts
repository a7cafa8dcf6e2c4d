// The round-trip check for the engine's hand-written state()/fromState() pairs: an object driven to a
// random state through its public API, saved, passed through the checkpoint codec and restored into a
// fresh object must hold the same fields — every own enumerable field, deeply — and go on identically. The
// harness also checks that the check has teeth: over the generated cases every field must move away from
// its value in a freshly constructed object (or be listed with the reason it never does), so a field added
// to a class and forgotten in state() is caught; and every key of the saved state must matter (restoring
// with one key taken from a fresh object's state must show in the fields).
import fc from 'fast-check'
import { expect } from 'vitest'
import { decodeState, encodeState } from '../../engine/checkpoint/codec'
import { SnapshotTree } from '../../engine/checkpoint/snapshot-tree'
import { CpuScheduler, VcpuTable } from '../../engine/hypervisor/cpu-scheduler'
import { GuestMemory } from '../../engine/hypervisor/guest-memory'
import { HostMemory } from '../../engine/hypervisor/host-memory'
import { Ksm } from '../../engine/hypervisor/ksm'
import { TokenTable } from '../../engine/hypervisor/token-table'
import { LiveMigration } from '../../engine/migration'

/** Per class: views of fields whose representation may legitimately differ after a restore (the key stays). */
/** Per class (its constructor; LabSimulation's is private, hence `object`): views of some of its fields. */
export type Views = Map<object, Record<string, (o: never) => unknown>>

type Ctor = abstract new (...args: never[]) => object

/**
 * An object's own enumerable fields, recursively, as plain data: class instances field by field (with the
 * class name), typed arrays kept (compared by type and content), Maps and Sets as entries, functions by
 * name only (a closure is not state). An object met a second time is written as a reference to the path
 * where it first appeared, so shared objects must be shared alike in both trees.
 */
export function fields(
  value: unknown,
  views: Views = new Map(),
  seen = new Map<object, string>(),
  path = '$',
): unknown {
  if (value === null || typeof value !== 'object') {
    return typeof value === 'function' ? `[function ${value.name}]` : value
  }
  if (ArrayBuffer.isView(value)) return value
  const first = seen.get(value)
  if (first !== undefined) return `[same object as ${first}]`
  seen.set(value, path)
  if (Array.isArray(value)) return value.map((v, i) => fields(v, views, seen, `${path}[${i}]`))
  if (value instanceof Map)
    return {
      Map: [...value].map(([k, v], i) => [
        fields(k, views, seen, `${path}.key${i}`),
        fields(v, views, seen, `${path}.get(${String(k)})`),
      ]),
    }
  if (value instanceof Set) return { Set: [...value].map((v, i) => fields(v, views, seen, `${path}.item${i}`)) }
  const ctor = value.constructor as Ctor | undefined
  const view = ctor ? views.get(ctor) : undefined
  const out: Record<string, unknown> = {}
  if (ctor && ctor !== Object) out['(class)'] = ctor.name
  for (const key of Object.keys(value)) {
    const v = view?.[key] ? view[key](value as never) : (value as Record<string, unknown>)[key]
    out[key] = fields(v, views, seen, `${path}.${key}`)
  }
  return out
}

/**
 * Where two field trees differ, as paths naming the class that holds each field ("Ksm.dupCount",
 * "LabPlan.hist[3]"), at most `limit` of them: a readable account of what a restore lost.
 */
export function differences(a: unknown, b: unknown, limit = Number(process.env.ROUND_TRIP_DIFFS ?? 40)): string[] {
  const out: string[] = []
  const walk = (x: unknown, y: unknown, where: string): void => {
    if (out.length >= limit || sameFields(x, y)) return
    const objects = x !== null && y !== null && typeof x === 'object' && typeof y === 'object'
    if (!objects || ArrayBuffer.isView(x) || ArrayBuffer.isView(y) || Array.isArray(x) !== Array.isArray(y)) {
      out.push(`${where}: ${brief(y)} → ${brief(x)}`)
      return
    }
    const xo = x as Record<string, unknown>
    const yo = y as Record<string, unknown>
    const cls = typeof xo['(class)'] === 'string' ? xo['(class)'] : undefined
    for (const k of new Set([...Object.keys(xo), ...Object.keys(yo)])) {
      if (k === '(class)') continue
      walk(xo[k], yo[k], cls ? `${cls}.${k}` : Array.isArray(x) ? `${where}[${k}]` : `${where}.${k}`)
    }
  }
  walk(a, b, '$')
  return out
}

function brief(v: unknown): string {
  if (ArrayBuffer.isView(v)) {
    const a = Array.from(v as unknown as ArrayLike<number>)
    return `${v.constructor.name}(${a.length}) [${a.slice(0, 6).join(', ')}${a.length > 6 ? ', …' : ''}]`
  }
  const s = JSON.stringify(v, (_k, x: unknown) => (typeof x === 'number' && !Number.isFinite(x) ? String(x) : x))
  return s === undefined ? String(v) : s.length > 80 ? `${s.slice(0, 77)}...` : s
}

/**
 * A view for a field that is not state (scratch, a cache, a per-step output), with the reason: the field
 * stays in the tree as this text, so it is neither compared nor required to move.
 */
export const notState = (why: string) => (): string => `[not state: ${why}]`

function isNotState(v: unknown): boolean {
  return typeof v === 'string' && v.startsWith('[not state: ')
}

/** Restore renumbers a TokenTable's generation to 1: an entry is live when its generation is the table's. */
const tokenTableView = {
  cur: notState('the generation counter: restore renumbers it (live entries are compared in data)'),
  data: (t: TokenTable) => {
    const { data, cur } = t as unknown as { data: Float64Array; cur: number }
    const d = data.slice()
    for (let e = 2; e < d.length; e += 3) d[e] = d[e] === cur ? 1 : 0
    return d
  },
}

const inUse = (used: string, keys: string[]) =>
  Object.fromEntries(
    keys.map((k) => [
      k,
      (o: object) => (o as Record<string, Int32Array>)[k]!.slice(0, (o as Record<string, number>)[used]),
    ]),
  )

/** HostMemory's per-VM results of the last step (the next step clears them before they are read) and scratch. */
const HOST_MEMORY_NOT_STATE = {
  lostCpuSeconds: 'per-VM result of the last step',
  stall: 'per-VM result of the last step',
  hostFaults: 'per-VM result of the last step',
  guestFaults: 'per-VM result of the last step',
  killed: 'VMs killed in the last step (the shard takes them off at once)',
  decisions: "the last step's policy decisions (the shard turns them into events at once; a step clears them)",
  charged: 'whether the last step left per-VM results to clear',
  chargedCount: 'whether the last step left per-VM results to clear',
  swapLostCpuSeconds: 'per-VM result of the last step',
  clock: 'the time within the step being stepped: each step starts it at 0',
  acc: 'scratch',
  faultPages: 'scratch',
  balloonStep: 'scratch',
  ksmStats: 'scratch',
  swapScratch: 'scratch',
  swapOut: 'scratch',
  k: "the configuration's numbers, derived from config",
  swapK: "the swap device's numbers, derived from config",
}

/** Views every round trip uses: representations a restore may legitimately change, and scratch. */
export const ENGINE_VIEWS: Views = new Map<object, Record<string, (o: never) => unknown>>([
  [TokenTable, tokenTableView],
  // the balloon's page stack above its size holds pages already given back: never read
  [GuestMemory, { stack: (g: GuestMemory) => (g as unknown as { stack: Int32Array }).stack.slice(0, g.balloon) }],
  [
    Ksm,
    {
      // looked up by id only: its order is not state
      byId: (k: Ksm) => [...(k as unknown as { byId: Map<number, unknown> }).byId].sort((a, b) => a[0] - b[0]),
      // capacity beyond the entries in use
      ...inUse('chainUsed', ['chainToken', 'chainNdups', 'chainHead', 'chainTail']),
      ...inUse('dupUsed', ['dupChain', 'dupCount', 'dupPrev', 'dupNext', 'dupOpen']),
    },
  ],
  [
    HostMemory,
    {
      ...Object.fromEntries(Object.entries(HOST_MEMORY_NOT_STATE).map(([k, why]) => [k, notState(why)])),
      // a value: hosts built from one scenario may share the object, restored ones each have a copy
      config: (h: HostMemory) => structuredClone(h.cfg),
      // MoM's sample ring as read, oldest first: a restore lays it out from slot 0
      samples: (h: HostMemory) => {
        const r = h as unknown as { samples: Float64Array; sampleHead: number; sampleCount: number }
        const n = r.sampleCount
        const len = r.samples.length
        return Array.from({ length: n }, (_, i) => r.samples[(r.sampleHead - n + i + len) % len])
      },
      sampleHead: notState('where the sample ring starts: compared as read under samples'),
    },
  ],
  [
    VcpuTable,
    Object.fromEntries(
      ['vcpus', 'weight', 'cap', 'demand', 'stall', 'granted', 'steal', 'shortfall'].map((k) => [
        k,
        (t: VcpuTable) => (t[k as keyof VcpuTable] as Float64Array).slice(0, t.size),
      ]),
    ),
  ],
  [
    LiveMigration,
    {
      sliceEvents: notState('events of the current advance(): the next one starts them afresh'),
      scratch: notState('scratch for the dirty-log sync'),
    },
  ],
  [SnapshotTree, { scratch: notState('scratch for the dirty-log sync') }],
  [CpuScheduler, { bound: notState('scratch'), open: notState('scratch') }],
])

/** Whether two field trees are equal in toEqual's sense (NaN equals NaN; +0 and −0 differ). */
export function sameFields(a: unknown, b: unknown): boolean {
  try {
    expect(a).toEqual(b)
    return true
  } catch {
    return false
  }
}

/** A state through the checkpoint codec, as a saved and loaded checkpoint carries it. */
export function throughCodec<S>(s: S): S {
  return decodeState(encodeState(s)) as S
}

/**
 * The fields of every class instance in a field tree, as "Class.field", and those among them whose value in
 * `a` differs from the value in `b` at the same place (`b`: the tree of a fresh object).
 */
export function classFields(a: unknown, b: unknown, all: Set<string>, moved: Set<string>): void {
  if (a === null || typeof a !== 'object' || ArrayBuffer.isView(a)) return
  const x = a as Record<string, unknown>
  // where the fresh tree has nothing comparable (another class, a shorter list), only `a`'s fields are listed
  const comparable =
    b !== null &&
    typeof b === 'object' &&
    Array.isArray(a) === Array.isArray(b) &&
    x['(class)'] === (b as Record<string, unknown>)['(class)']
  const y = (comparable ? b : undefined) as Record<string, unknown> | undefined
  const cls = typeof x['(class)'] === 'string' ? x['(class)'] : undefined
  for (const k of Object.keys(x)) {
    if (k === '(class)' || isNotState(x[k])) continue
    if (cls) {
      all.add(`${cls}.${k}`)
      if (y && !sameFields(x[k], y[k])) moved.add(`${cls}.${k}`)
    }
    classFields(x[k], y?.[k], all, moved)
  }
}

type Awaitable<X> = X | Promise<X>

export interface RoundTripCase<P, T extends object, S> {
  /** what varies per generated case: construction parameters and the operations driving the object */
  plan: fc.Arbitrary<P>
  /** a freshly constructed object for the plan (not driven) */
  fresh(plan: P): Awaitable<T>
  /** drives an object through its public API to the plan's state */
  drive(t: T, plan: P): Awaitable<void>
  /** then more of the same, to check the restored object goes on as the original does */
  more?(t: T, plan: P): Awaitable<void>
  save(t: T): Awaitable<S>
  restore(s: S, plan: P): Awaitable<T>
  /** more views (ENGINE_VIEWS always apply) */
  views?: Views
  /** the classes whose fields must move (default: all); others are driven in cases of their own */
  classes?: readonly string[]
  /** fields ("Class.field") that never move away from a fresh object's value, and why that is not a gap */
  unmoved?: Record<string, string>
  /** state keys whose loss the fields cannot show, and why (keys never differing from a fresh object's need no entry) */
  unneeded?: Record<string, string>
  runs?: number
  seed?: number
}

/**
 * Checks a state()/restore pair on randomised states (fast-check, seeded): the fields of the restored
 * object equal the original's, before and after driving both further; every field of every class in the
 * object moves in some case unless listed in `unmoved`; every key of the saved state matters unless
 * listed in `unneeded`.
 */
export async function checkRoundTrip<P, T extends object, S>(c: RoundTripCase<P, T, S>): Promise<void> {
  const views = new Map([...ENGINE_VIEWS, ...(c.views ?? [])])
  const moved = new Set<string>()
  const needed = new Set<string>()
  const allFields = new Set<string>()
  /** state keys that differed from a fresh object's in some case (the others are construction parameters) */
  const stateKeys = new Set<string>()
  await fc.assert(
    fc.asyncProperty(c.plan, async (plan) => {
      const original = await c.fresh(plan)
      const untouched = fields(await c.fresh(plan), views)
      await c.drive(original, plan)
      const saved = await c.save(original)
      const restored = await c.restore(throughCodec(saved), plan)
      const before = fields(original, views)
      expect(differences(fields(restored, views), before), 'restored (→) against the original').toEqual([])
      classFields(before, untouched, allFields, moved)
      // every key of the saved state matters: restored with that key from a fresh object's state, the
      // fields differ (or the restore refuses the mix)
      const freshState = (await c.save(await c.fresh(plan))) as Record<string, unknown>
      for (const key of Object.keys(saved as object)) {
        if (sameFields((saved as Record<string, unknown>)[key], freshState[key])) continue
        stateKeys.add(key)
        if (needed.has(key)) continue
        try {
          const lossy = await c.restore(throughCodec({ ...(saved as object), [key]: freshState[key] } as S), plan)
          if (!sameFields(fields(lossy, views), before)) needed.add(key)
        } catch {
          needed.add(key)
        }
      }
      if (c.more) {
        await c.more(original, plan)
        await c.more(restored, plan)
        expect(differences(fields(restored, views), fields(original, views)), 'after more steps').toEqual([])
      }
    }),
    { seed: c.seed ?? 20261207, numRuns: c.runs ?? 40, endOnFailure: true },
  )
  const unmoved = new Set(Object.keys(c.unmoved ?? {}))
  const checked = (k: string) => !c.classes || c.classes.includes(k.slice(0, k.indexOf('.')))
  expect(
    [...allFields].filter((k) => checked(k) && !moved.has(k) && !unmoved.has(k)).sort(),
    'fields never driven away from a fresh object (drive them, or list them in unmoved with the reason)',
  ).toEqual([])
  expect(
    [...unmoved].filter((k) => !allFields.has(k)),
    'listed as unmoved but not a field',
  ).toEqual([])
  const unneeded = Object.keys(c.unneeded ?? {})
  expect([...stateKeys].filter((k) => !needed.has(k)).sort(), 'state keys whose loss nothing shows').toEqual(
    unneeded.sort(),
  )
}
