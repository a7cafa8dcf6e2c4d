// Seeded CPU-demand generators (a fraction of the VM's capacity per scheduling interval): constant, diurnal
// sine, random walk, bursty. Each VM draws from its own stream (scenario seed, "vm-workload", VM id), so
// its series does not depend on which worker steps it or what other VMs draw. Generator state lives in a
// bank of typed arrays indexed by slot (no object per VM per step): the VM id, or a shard's local slot for
// the VM (lab/vm-slots.ts); a VM's entry — three numbers and its stream state — moves with the VM between
// shards and into checkpoints.
import type { Workload } from '../scenario/schema'
import { RandomStream, streamFor } from '../random'

const KIND = { constant: 0, diurnal: 1, 'random-walk': 2, bursty: 3, planetlab: 4 } as const

export class GeneratorBank {
  level: Float64Array
  burstLeft: Float64Array
  phase: Float64Array
  readonly streams: (RandomStream | undefined)[]
  /** the workload's kind and parameters per slot, flattened so the per-step call reads typed arrays only */
  private kind: Uint8Array
  private params: Float64Array

  constructor(slots: number) {
    this.level = new Float64Array(slots)
    this.burstLeft = new Float64Array(slots)
    this.phase = new Float64Array(slots)
    this.streams = Array.from({ length: slots }, () => undefined)
    this.kind = new Uint8Array(slots)
    this.params = new Float64Array(slots * 4)
  }

  /** Room for slots 0..capacity−1 (entries kept). */
  grow(capacity: number): void {
    if (capacity <= this.level.length) return
    const more = <T extends Float64Array | Uint8Array>(a: T, n: number): T => {
      const b = new (a.constructor as { new (n: number): T })(n)
      b.set(a)
      return b
    }
    this.level = more(this.level, capacity)
    this.burstLeft = more(this.burstLeft, capacity)
    this.phase = more(this.phase, capacity)
    this.kind = more(this.kind, capacity)
    this.params = more(this.params, capacity * 4)
    while (this.streams.length < capacity) this.streams.push(undefined)
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
    this.set(slot, [level, 0, phase], stream)
  }

  set(slot: number, state: readonly [number, number, number], stream: RandomStream): void {
    this.level[slot] = state[0]
    this.burstLeft[slot] = state[1]
    this.phase[slot] = state[2]
    this.streams[slot] = stream
  }

  get(slot: number): [number, number, number] {
    return [this.level[slot]!, this.burstLeft[slot]!, this.phase[slot]!]
  }

  release(slot: number): void {
    this.streams[slot] = undefined
  }

  /**
   * The demand fraction of the VM in `slot` for the interval starting at `time`. Advances its generator:
   * call it exactly once per VM per interval, in time order.
   */
  next(slot: number, time: number): number {
    const p = this.params
    const o = slot * 4
    switch (this.kind[slot]) {
      case KIND.constant:
        return p[o]!
      case KIND.diurnal: {
        const angle = (2 * Math.PI * (time - this.phase[slot]!)) / p[o + 2]!
        let u = p[o]! + p[o + 1]! * Math.sin(angle)
        const noise = p[o + 3]!
        if (noise > 0) u += noise * this.streams[slot]!.normal()
        return u < 0 ? 0 : u > 1 ? 1 : u
      }
      case KIND['random-walk']: {
        const step = (2 * this.streams[slot]!.float() - 1) * p[o]!
        const level = Math.min(p[o + 2]!, Math.max(p[o + 1]!, this.level[slot]! + step))
        this.level[slot] = level
        return level
      }
      case KIND.bursty: {
        if (this.burstLeft[slot]! > 0) {
          this.burstLeft[slot] = this.burstLeft[slot]! - 1
          return p[o + 1]!
        }
        const stream = this.streams[slot]!
        if (stream.float() < p[o + 2]!) {
          // geometric burst length with the configured mean
          const q = p[o + 3]!
          let length = 1
          while (stream.float() > q && length < 10_000) length++
          this.burstLeft[slot] = length - 1
          return p[o + 1]!
        }
        return p[o]!
      }
      default:
        throw new Error('PlanetLab workloads are traces, not generators')
    }
  }
}
