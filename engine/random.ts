// Seeded random streams: one per entity, derived from the scenario seed, the kind of entity and its id, so
// that a draw never depends on how many workers run, in what order hosts are stepped, or what other
// entities drew before. xoroshiro128+ from pure-rand; its state can be saved and restored (checkpoints).
import { xoroshiro128plus, xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus'
import { uniformInt } from 'pure-rand/distribution/uniformInt'
import type { JumpableRandomGenerator } from 'pure-rand/types/JumpableRandomGenerator'

export class RandomStream {
  private spare: number | undefined

  constructor(private readonly rng: JumpableRandomGenerator) {}

  /** Uniform in [0, 1): 53 random bits from two 32-bit outputs (27 + 26), the classic construction. */
  float(): number {
    const high = this.rng.next() >>> 5
    const low = this.rng.next() >>> 6
    return (high * 67108864 + low) / 9007199254740992
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
        const m = Math.sqrt((-2 * Math.log(s)) / s)
        this.spare = v * m
        return u * m
      }
    }
  }

  /** The generator state (and a pending normal), enough to resume the stream exactly. */
  state(): number[] {
    return [...this.rng.getState(), this.spare ?? Number.NaN]
  }

  static fromState(state: readonly number[]): RandomStream {
    const stream = new RandomStream(xoroshiro128plusFromState(state.slice(0, -1)))
    const spare = state[state.length - 1]
    stream.spare = spare === undefined || Number.isNaN(spare) ? undefined : spare
    return stream
  }
}

/** The stream of entity `id` of a kind ("vm-workload", "host-failure", "selection", …) under a scenario seed. */
export function streamFor(seed: number, kind: string, id: number): RandomStream {
  let h = mix32(seed ^ 0x9e3779b9)
  for (let i = 0; i < kind.length; i++) h = mix32(h ^ kind.charCodeAt(i))
  h = mix32(h ^ (id >>> 0))
  h = mix32(h ^ Math.floor(id / 2 ** 32))
  return new RandomStream(xoroshiro128plus(h | 0))
}

/** A 32-bit finalizer (murmur3 fmix32) with an additive step so zero does not map to zero. */
function mix32(x: number): number {
  x = (x + 0x6d2b79f5) | 0
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b)
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35)
  return (x ^ (x >>> 16)) >>> 0
}
