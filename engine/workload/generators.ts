// Seeded CPU-demand generators (a fraction of the VM's capacity per scheduling interval): constant, diurnal
// sine, random walk, bursty. Each VM draws from its own stream (scenario seed, "vm-workload", VM id), so
// its series does not depend on which worker steps it or what other VMs draw. Generator state lives in a
// bank of typed arrays indexed by slot: the VM id, or a shard's local slot for the VM (lab/vm-slots.ts). The
// streams too: their xoroshiro128+ state is kept inline and drawn here exactly as RandomStream draws it
// (engine/random.ts), since 20,000 stream objects scattered over the heap made every draw a cache miss. A
// VM's entry — three numbers and its stream state (RandomStream.state()'s format) — moves with the VM
// between shards and into checkpoints.
import type { Workload } from '../scenario/schema'
import { streamFor } from '../random'
import type { RowPermutation } from '../row-permutation'
import * as fdlibm from '../math/fdlibm'

// every trace kind is 4: its demand comes from the model's trace pool, not from a generator
const KIND = {
  constant: 0,
  diurnal: 1,
  'random-walk': 2,
  bursty: 3,
  planetlab: 4,
  bitbrains: 4,
  azure: 4,
  alibaba: 4,
  csv: 4,
} as const
/** GeneratorBank.drawn's entries */
const UNIFORM = 0
const NORMAL = 1
const NEXT = 2

export class GeneratorBank {
  level: Float64Array
  burstLeft: Float64Array
  phase: Float64Array
  /** the workload's kind and parameters per slot, flattened so the per-step call reads typed arrays only */
  private kind: Uint8Array
  private params: Float64Array
  /** each slot's stream: xoroshiro128+ state (s01, s00, s11, s10, as pure-rand orders it) */
  private rng: Int32Array
  /** the second value of the last polar draw, NaN when none */
  private spare: Float64Array
  /**
   * Where float(), normal() and next() leave their values (indexed UNIFORM, NORMAL, NEXT): a double
   * returned from a call that is not inlined is boxed on the heap, 20,000 VMs' worth a step.
   */
  private readonly drawn = new Float64Array(3)

  constructor(slots: number) {
    this.level = new Float64Array(slots)
    this.burstLeft = new Float64Array(slots)
    this.phase = new Float64Array(slots)
    this.kind = new Uint8Array(slots)
    this.params = new Float64Array(slots * 4)
    this.rng = new Int32Array(slots * 4)
    this.spare = new Float64Array(slots).fill(Number.NaN)
  }

  /** Room for slots 0..capacity−1 (entries kept). */
  grow(capacity: number): void {
    if (capacity <= this.level.length) return
    const more = <T extends Float64Array | Int32Array | Uint8Array>(a: T, n: number): T => {
      const b = new (a.constructor as { new (n: number): T })(n)
      b.set(a)
      return b
    }
    this.level = more(this.level, capacity)
    this.burstLeft = more(this.burstLeft, capacity)
    this.phase = more(this.phase, capacity)
    this.kind = more(this.kind, capacity)
    this.params = more(this.params, capacity * 4)
    this.rng = more(this.rng, capacity * 4)
    const spare = more(this.spare, capacity)
    spare.fill(Number.NaN, this.spare.length)
    this.spare = spare
  }

  /** Rows moved with the slots (lab/vm-slots.ts: `compact`). */
  permute(p: RowPermutation): void {
    p.apply(this.level)
    p.apply(this.burstLeft)
    p.apply(this.phase)
    p.apply(this.kind)
    p.apply(this.params, 4)
    p.apply(this.rng, 4)
    p.apply(this.spare)
  }

  /** Records the workload parameters of the VM in `slot` (once per VM, wherever it runs). */
  describe(workload: Workload, slot: number): void {
    const p = this.params
    const o = slot * 4
    this.kind[slot] = KIND[workload.kind]
    switch (workload.kind) {
      case 'constant':
        p[o] = workload.level
        break
      case 'diurnal':
        p[o] = workload.mean
        p[o + 1] = workload.amplitude
        p[o + 2] = workload.period
        p[o + 3] = workload.noise
        break
      case 'random-walk':
        p[o] = workload.step
        p[o + 1] = workload.min
        p[o + 2] = workload.max
        break
      case 'bursty':
        p[o] = workload.base
        p[o + 1] = workload.burst
        p[o + 2] = workload.probability
        p[o + 3] = 1 / Math.max(1, workload.meanBurstIntervals)
        break
      case 'planetlab':
        break
    }
  }

  /** VM `vm`'s generator at t = 0, in `slot`. */
  start(workload: Workload, seed: number, vm: number, slot = vm): void {
    this.describe(workload, slot)
    const stream = streamFor(seed, 'vm-workload', vm)
    let phase = 0
    let level = 0
    switch (workload.kind) {
      case 'diurnal':
        phase = workload.phase + (2 * stream.float() - 1) * workload.phaseJitter
        break
      case 'random-walk':
        level = workload.start
        break
      case 'bursty':
        level = workload.base
        break
      case 'constant':
        level = workload.level
        break
      case 'planetlab':
        break
    }
    this.set(slot, [level, 0, phase], stream.state())
  }

  /** A slot's generator and stream state (RandomStream.state()'s format: four words and the spare). */
  set(slot: number, state: readonly [number, number, number], stream: readonly number[]): void {
    if (stream.length !== 5) throw new Error(`a workload stream's state has 5 numbers, found ${stream.length}`)
    this.level[slot] = state[0]
    this.burstLeft[slot] = state[1]
    this.phase[slot] = state[2]
    this.rng.set(stream.slice(0, 4), slot * 4)
    this.spare[slot] = stream[4]!
  }

  get(slot: number): [number, number, number] {
    return [this.level[slot]!, this.burstLeft[slot]!, this.phase[slot]!]
  }

  /** The slot's stream state, as RandomStream.state() gives it. */
  streamState(slot: number): number[] {
    const o = slot * 4
    return [this.rng[o]!, this.rng[o + 1]!, this.rng[o + 2]!, this.rng[o + 3]!, this.spare[slot]!]
  }

  release(slot: number): void {
    this.rng.fill(0, slot * 4, slot * 4 + 4)
    this.spare[slot] = Number.NaN
  }

  /** The next 32-bit output of the slot's xoroshiro128+ (pure-rand's next(), on the inline state). */
  private next32(slot: number): number {
    const r = this.rng
    const o = slot * 4
    const s01 = r[o]!
    const s00 = r[o + 1]!
    const s11 = r[o + 2]!
    const s10 = r[o + 3]!
    const out = (s00 + s10) | 0
    const a0 = s10 ^ s00
    const a1 = s11 ^ s01
    r[o + 1] = (s00 << 24) ^ (s01 >>> 8) ^ a0 ^ (a0 << 16)
    r[o] = (s01 << 24) ^ (s00 >>> 8) ^ a1 ^ ((a1 << 16) | (a0 >>> 16))
    r[o + 3] = (a1 << 5) ^ (a0 >>> 27)
    r[o + 2] = (a0 << 5) ^ (a1 >>> 27)
    return out
  }

  /** RandomStream.float() on the slot's stream, into drawn[UNIFORM]. */
  private float(slot: number): void {
    const high = this.next32(slot) >>> 5
    const low = this.next32(slot) >>> 6
    this.drawn[UNIFORM] = (high * 67108864 + low) / 9007199254740992
  }

  /** RandomStream.normal() on the slot's stream (Marsaglia polar, the second value kept), into drawn[NORMAL]. */
  private normal(slot: number): void {
    const spare = this.spare[slot]!
    if (!Number.isNaN(spare)) {
      this.spare[slot] = Number.NaN
      this.drawn[NORMAL] = spare
      return
    }
    for (;;) {
      this.float(slot)
      const u = 2 * this.drawn[UNIFORM]! - 1
      this.float(slot)
      const v = 2 * this.drawn[UNIFORM]! - 1
      const s = u * u + v * v
      if (s > 0 && s < 1) {
        const m = Math.sqrt((-2 * fdlibm.log(s)) / s)
        this.spare[slot] = v * m
        this.drawn[NORMAL] = u * m
        return
      }
    }
  }

  /**
   * The demand fraction of the VM in `slot` for the interval starting at `time`. Advances its generator:
   * call it exactly once per VM per interval, in time order.
   */
  next(slot: number, time: number): number {
    if (this.kind[slot] === KIND.planetlab) throw new Error('PlanetLab workloads are traces, not generators')
    this.advance(slot, time, this.drawn, NEXT)
    return this.drawn[NEXT]!
  }

  /**
   * next() for every slot below `end` that holds a VM (vmOf[slot] ≥ 0) and a generator (not a trace), into
   * out[slot]. One call a step rather than one a VM: a double returned from a call that is not inlined is
   * boxed on the heap, and those boxes were most of a shard's garbage.
   */
  fill(time: number, vmOf: Int32Array, end: number, out: Float64Array): void {
    for (let slot = 0; slot < end; slot++)
      if (vmOf[slot]! >= 0 && this.kind[slot] !== KIND.planetlab) this.advance(slot, time, out, slot)
  }

  /** Advances the slot's generator by one interval; its demand fraction goes to out[at]. */
  private advance(slot: number, time: number, out: Float64Array, at: number): void {
    const p = this.params
    const o = slot * 4
    switch (this.kind[slot]) {
      case KIND.constant:
        out[at] = p[o]!
        return
      case KIND.diurnal: {
        // the phase as a fraction of the period, in [0, 1]: fdlibm.sin needs only a small argument
        const turns = (time - this.phase[slot]!) / p[o + 2]!
        let u = p[o]! + p[o + 1]! * fdlibm.sin(2 * Math.PI * (turns - Math.floor(turns)))
        const noise = p[o + 3]!
        if (noise > 0) {
          this.normal(slot)
          u += noise * this.drawn[NORMAL]!
        }
        out[at] = u < 0 ? 0 : u > 1 ? 1 : u
        return
      }
      case KIND['random-walk']: {
        this.float(slot)
        const step = (2 * this.drawn[UNIFORM]! - 1) * p[o]!
        const level = Math.min(p[o + 2]!, Math.max(p[o + 1]!, this.level[slot]! + step))
        this.level[slot] = level
        out[at] = level
        return
      }
      case KIND.bursty: {
        if (this.burstLeft[slot]! > 0) {
          this.burstLeft[slot] = this.burstLeft[slot]! - 1
          out[at] = p[o + 1]!
          return
        }
        this.float(slot)
        if (this.drawn[UNIFORM]! < p[o + 2]!) {
          // geometric burst length with the configured mean
          const q = p[o + 3]!
          let length = 1
          for (this.float(slot); this.drawn[UNIFORM]! > q && length < 10_000; this.float(slot)) length++
          this.burstLeft[slot] = length - 1
          out[at] = p[o + 1]!
          return
        }
        out[at] = p[o]!
        return
      }
    }
  }
}
