// Seeded random streams: one per entity, derived from the scenario seed, the kind of entity and its id, so
// that a draw never depends on how many workers run, in what order hosts are stepped, or what other
// entities drew before. xoroshiro128+ as pure-rand computes it, its whole 128-bit state derived from (seed,
// kind, id) by SplitMix64 (a 32-bit seed allowed only 2^32 streams in all); the state can be saved and
// restored (checkpoints).
import { uniformInt } from 'pure-rand/distribution/uniformInt'
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator'
import * as fdlibm from './math/fdlibm'

/**
 * pure-rand's xoroshiro128+ (generator/xoroshiro128plus, its state words in its order s01, s00, s11, s10),
 * output for output; kept here so that bulk draws run on the state in locals.
 */
class Xoroshiro128Plus implements RandomGenerator {
  constructor(
    public s01: number,
    public s00: number,
    public s11: number,
    public s10: number,
  ) {}

  next(): number {
    const out = (this.s00 + this.s10) | 0
    const a0 = this.s10 ^ this.s00
    const a1 = this.s11 ^ this.s01
    const s00 = this.s00
    const s01 = this.s01
    this.s00 = (s00 << 24) ^ (s01 >>> 8) ^ a0 ^ (a0 << 16)
    this.s01 = (s01 << 24) ^ (s00 >>> 8) ^ a1 ^ ((a1 << 16) | (a0 >>> 16))
    this.s10 = (a1 << 5) ^ (a0 >>> 27)
    this.s11 = (a0 << 5) ^ (a1 >>> 27)
    return out
  }

  clone(): Xoroshiro128Plus {
    return new Xoroshiro128Plus(this.s01, this.s00, this.s11, this.s10)
  }

  getState(): number[] {
    return [this.s01, this.s00, this.s11, this.s10]
  }

  static fromState(state: readonly number[]): Xoroshiro128Plus {
    if (state.length !== 4) throw new Error('a xoroshiro128+ state has 4 words')
    return new Xoroshiro128Plus(state[0]! | 0, state[1]! | 0, state[2]! | 0, state[3]! | 0)
  }
}

export class RandomStream {
  private spare: number | undefined

  private constructor(private rng: Xoroshiro128Plus) {}

  /** Uniform in [0, 1): 53 random bits from two 32-bit outputs (27 + 26), the classic construction. */
  float(): number {
    const high = this.rng.next() >>> 5
    const low = this.rng.next() >>> 6
    return (high * 67108864 + low) / 9007199254740992
  }

  /**
   * n (≤ 32) draws of float() compared with p, as bits: bit i is set when the i-th draw is below p (the
   * same draws as n calls of float(); float() is an integer over 2^53, so the test is exact).
   */
  bitsBelow(p: number, n: number): number {
    const g = this.rng
    let s01 = g.s01
    let s00 = g.s00
    let s11 = g.s11
    let s10 = g.s10
    const limit = p * 9007199254740992
    let bits = 0
    for (let i = 0; i < n; i++) {
      // two outputs of next(), as in float()
      const high = ((s00 + s10) | 0) >>> 5
      let a0 = s10 ^ s00
      let a1 = s11 ^ s01
      let t00 = s00
      let t01 = s01
      s00 = (t00 << 24) ^ (t01 >>> 8) ^ a0 ^ (a0 << 16)
      s01 = (t01 << 24) ^ (t00 >>> 8) ^ a1 ^ ((a1 << 16) | (a0 >>> 16))
      s10 = (a1 << 5) ^ (a0 >>> 27)
      s11 = (a0 << 5) ^ (a1 >>> 27)
      const low = ((s00 + s10) | 0) >>> 6
      a0 = s10 ^ s00
      a1 = s11 ^ s01
      t00 = s00
      t01 = s01
      s00 = (t00 << 24) ^ (t01 >>> 8) ^ a0 ^ (a0 << 16)
      s01 = (t01 << 24) ^ (t00 >>> 8) ^ a1 ^ ((a1 << 16) | (a0 >>> 16))
      s10 = (a1 << 5) ^ (a0 >>> 27)
      s11 = (a0 << 5) ^ (a1 >>> 27)
      if (high * 67108864 + low < limit) bits |= 1 << i
    }
    g.s01 = s01
    g.s00 = s00
    g.s11 = s11
    g.s10 = s10
    return bits
  }

  /** Fills `into` with float() draws, in order. */
  floats(into: Float64Array): void {
    const g = this.rng
    let s01 = g.s01
    let s00 = g.s00
    let s11 = g.s11
    let s10 = g.s10
    for (let i = 0; i < into.length; i++) {
      const high = ((s00 + s10) | 0) >>> 5
      let a0 = s10 ^ s00
      let a1 = s11 ^ s01
      let t00 = s00
      let t01 = s01
      s00 = (t00 << 24) ^ (t01 >>> 8) ^ a0 ^ (a0 << 16)
      s01 = (t01 << 24) ^ (t00 >>> 8) ^ a1 ^ ((a1 << 16) | (a0 >>> 16))
      s10 = (a1 << 5) ^ (a0 >>> 27)
      s11 = (a0 << 5) ^ (a1 >>> 27)
      const low = ((s00 + s10) | 0) >>> 6
      a0 = s10 ^ s00
      a1 = s11 ^ s01
      t00 = s00
      t01 = s01
      s00 = (t00 << 24) ^ (t01 >>> 8) ^ a0 ^ (a0 << 16)
      s01 = (t01 << 24) ^ (t00 >>> 8) ^ a1 ^ ((a1 << 16) | (a0 >>> 16))
      s10 = (a1 << 5) ^ (a0 >>> 27)
      s11 = (a0 << 5) ^ (a1 >>> 27)
      into[i] = (high * 67108864 + low) / 9007199254740992
    }
    g.s01 = s01
    g.s00 = s00
    g.s11 = s11
    g.s10 = s10
  }

  /** Uniform integer in [from, to]. */
  int(from: number, to: number): number {
    return uniformInt(this.rng, from, to)
  }

  /** Standard normal (Marsaglia polar method; the second value is kept for the next call). */
  normal(): number {
    if (this.spare !== undefined) {
      const s = this.spare
      this.spare = undefined
      return s
    }
    for (;;) {
      const u = 2 * this.float() - 1
      const v = 2 * this.float() - 1
      const s = u * u + v * v
      if (s > 0 && s < 1) {
        const m = Math.sqrt((-2 * fdlibm.log(s)) / s)
        this.spare = v * m
        return u * m
      }
    }
  }

  /** The generator state (and a pending normal), enough to resume the stream exactly. */
  state(): number[] {
    return [...this.rng.getState(), this.spare ?? Number.NaN]
  }

  /** Back to a state `state()` gave (a tentative pass undone, then replayed: engine/lab/pass-state.ts). */
  restore(state: readonly number[]): void {
    this.rng = Xoroshiro128Plus.fromState(state.slice(0, -1))
    const spare = state[state.length - 1]
    this.spare = spare === undefined || Number.isNaN(spare) ? undefined : spare
  }

  static fromState(state: readonly number[]): RandomStream {
    const stream = new RandomStream(Xoroshiro128Plus.fromState(state.slice(0, -1)))
    const spare = state[state.length - 1]
    stream.spare = spare === undefined || Number.isNaN(spare) ? undefined : spare
    return stream
  }
}

/**
 * The stream of entity `id` of a kind ("vm-workload", "host-failure", "vm-selection", …) under a scenario
 * seed, its xoroshiro128+ seeded with all 128 bits of streamState(seed, kind, id).
 */
export function streamFor(seed: number, kind: string, id: number): RandomStream {
  return RandomStream.fromState([...streamState(seed, kind, id), Number.NaN])
}

/**
 * The 128-bit xoroshiro128+ state of (seed, kind, id), in pure-rand's word order [s0 high, s0 low, s1 high,
 * s1 low] as signed 32-bit words. K = a SplitMix64 hash of (seed, kind); the state is outputs 2·id+1 and
 * 2·id+2 of SplitMix64 started at K (Vigna, https://prng.di.unimi.it/splitmix64.c), s0 = mix64(K + (2·id+1)·γ),
 * s1 = mix64(K + (2·id+2)·γ). mix64 is a bijection of 64-bit words and γ is odd, so two ids of one kind never
 * share a state; and s0, s1 are never both zero (xoroshiro's one forbidden state), their inputs differing by γ.
 * Two kinds meet only if their K fall within a few ids' worth of γ steps of each other (chance ~ ids / 2^63).
 */
export function streamState(seed: number, kind: string, id: number): [number, number, number, number] {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`a stream seed must be a safe integer, found ${seed}`)
  if (!Number.isSafeInteger(id) || id < 0) throw new RangeError(`a stream id must be an integer ≥ 0, found ${id}`)
  const k = kindKey(seed, kind)
  // n = 2·id + 1 as a 64-bit word
  const idHigh = Math.floor(id / 2 ** 32) >>> 0
  const idLow = id >>> 0
  const n: Word = [((idHigh << 1) | (idLow >>> 31)) >>> 0, ((idLow << 1) | 1) >>> 0]
  const p0 = add64(k, mul64(n, GAMMA))
  const s0 = mix64(p0)
  const s1 = mix64(add64(p0, GAMMA))
  return [s0[0] | 0, s0[1] | 0, s1[0] | 0, s1[1] | 0]
}

/** K of (seed, kind): the seed (64-bit two's complement), the kind's length and its UTF-16 code units, absorbed. */
function kindKey(seed: number, kind: string): Word {
  const name = `${seed}/${kind}`
  let k = kindKeys.get(name)
  if (k) return k
  k = absorb(ZERO, [Math.floor(seed / 2 ** 32) >>> 0, seed >>> 0])
  k = absorb(k, [0, kind.length])
  for (let i = 0; i < kind.length; i++) k = absorb(k, [0, kind.charCodeAt(i)])
  if (kindKeys.size >= 64) kindKeys.clear()
  kindKeys.set(name, k)
  return k
}

/** Recent (seed, kind) keys: a scenario seeds thousands of streams of a handful of kinds (a pure cache). */
const kindKeys = new Map<string, Word>()

// 64-bit words as [high, low] pairs of unsigned 32-bit numbers (no BigInt: a scenario seeds a stream per
// entity, tens of thousands of them).
type Word = [number, number]

const ZERO: Word = [0, 0]
/** SplitMix64's increment, 2^64 / φ rounded to odd */
const GAMMA: Word = [0x9e3779b9, 0x7f4a7c15]
const MIX1: Word = [0xbf58476d, 0x1ce4e5b9]
const MIX2: Word = [0x94d049bb, 0x133111eb]

/** SplitMix64's output function (Stafford's Mix13): a bijection of 64-bit words. */
function mix64(z: Word): Word {
  z = mul64(xorShiftRight(z, 30), MIX1)
  z = mul64(xorShiftRight(z, 27), MIX2)
  return xorShiftRight(z, 31)
}

/** One word into a running hash: mix64((h ⊕ w) + γ). */
function absorb(h: Word, w: Word): Word {
  return mix64(add64([(h[0] ^ w[0]) >>> 0, (h[1] ^ w[1]) >>> 0], GAMMA))
}

/** z ⊕ (z >> s), 0 < s < 32 */
function xorShiftRight([high, low]: Word, s: number): Word {
  return [(high ^ (high >>> s)) >>> 0, (low ^ ((low >>> s) | (high << (32 - s)))) >>> 0]
}

function add64(a: Word, b: Word): Word {
  const low = a[1] + b[1]
  return [(a[0] + b[0] + (low > 0xffffffff ? 1 : 0)) >>> 0, low >>> 0]
}

/** a · b mod 2^64 */
function mul64(a: Word, b: Word): Word {
  const high = mulHigh32(a[1], b[1]) + Math.imul(a[0], b[1]) + Math.imul(a[1], b[0])
  return [high >>> 0, Math.imul(a[1], b[1]) >>> 0]
}

/** The high 32 bits of the 64-bit product of two unsigned 32-bit numbers, from 16-bit halves. */
function mulHigh32(a: number, b: number): number {
  const a1 = a >>> 16
  const a0 = a & 0xffff
  const b1 = b >>> 16
  const b0 = b & 0xffff
  const p01 = a0 * b1
  const p10 = a1 * b0
  const middle = ((a0 * b0) >>> 16) + (p01 & 0xffff) + (p10 & 0xffff)
  return (a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (middle >>> 16)) >>> 0
}
