// Seeded CPU-demand generators (a fraction of the VM's capacity per scheduling interval): constant, diurnal
// sine, random walk, bursty. Each VM draws from its own stream (scenario seed, "vm-workload", VM id), so
// its series does not depend on which worker steps it or what other VMs draw. Generator state lives in a
// bank of typed arrays indexed by VM id (no object per VM per step); a VM's entry — three numbers and its
// stream state — moves with the VM between shards and into checkpoints.
import type { Workload } from '../scenario/schema'
import { RandomStream, streamFor } from '../random'

const KIND = { constant: 0, diurnal: 1, 'random-walk': 2, bursty: 3, planetlab: 4 } as const

export class GeneratorBank {
  readonly level: Float64Array
  readonly burstLeft: Float64Array
  readonly phase: Float64Array
  readonly streams: (RandomStream | undefined)[]
  /** the workload's kind and parameters per VM, flattened so the per-step call reads typed arrays only */
  private readonly kind: Uint8Array
  private readonly params: Float64Array

  constructor(vms: number) {
    this.level = new Float64Array(vms)
    this.burstLeft = new Float64Array(vms)
    this.phase = new Float64Array(vms)
    this.streams = Array.from({ length: vms }, () => undefined)
    this.kind = new Uint8Array(vms)
    this.params = new Float64Array(vms * 4)
  }

  /** Records a VM's workload parameters (once per VM, wherever it runs). */
  describe(workload: Workload, vm: number): void {
    const p = this.params
    const o = vm * 4
    this.kind[vm] = KIND[workload.kind]
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

  /** A VM's generator at t = 0. */
  start(workload: Workload, seed: number, vm: number): void {
    this.describe(workload, vm)
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
    this.set(vm, [level, 0, phase], stream)
  }

  set(vm: number, state: readonly [number, number, number], stream: RandomStream): void {
    this.level[vm] = state[0]
    this.burstLeft[vm] = state[1]
    this.phase[vm] = state[2]
    this.streams[vm] = stream
  }

  get(vm: number): [number, number, number] {
    return [this.level[vm]!, this.burstLeft[vm]!, this.phase[vm]!]
  }

  release(vm: number): void {
    this.streams[vm] = undefined
  }

  /**
   * The demand fraction of VM `vm` for the interval starting at `time`. Advances its generator: call it
   * exactly once per VM per interval, in time order.
   */
  next(vm: number, time: number): number {
    const p = this.params
    const o = vm * 4
    switch (this.kind[vm]) {
      case KIND.constant:
        return p[o]!
      case KIND.diurnal: {
        const angle = (2 * Math.PI * (time - this.phase[vm]!)) / p[o + 2]!
        let u = p[o]! + p[o + 1]! * Math.sin(angle)
        const noise = p[o + 3]!
        if (noise > 0) u += noise * this.streams[vm]!.normal()
        return u < 0 ? 0 : u > 1 ? 1 : u
      }
      case KIND['random-walk']: {
        const step = (2 * this.streams[vm]!.float() - 1) * p[o]!
        const level = Math.min(p[o + 2]!, Math.max(p[o + 1]!, this.level[vm]! + step))
        this.level[vm] = level
        return level
      }
      case KIND.bursty: {
        if (this.burstLeft[vm]! > 0) {
          this.burstLeft[vm] = this.burstLeft[vm]! - 1
          return p[o + 1]!
        }
        const stream = this.streams[vm]!
        if (stream.float() < p[o + 2]!) {
          // geometric burst length with the configured mean
          const q = p[o + 3]!
          let length = 1
          while (stream.float() > q && length < 10_000) length++
          this.burstLeft[vm] = length - 1
          return p[o + 1]!
        }
        return p[o]!
      }
      default:
        throw new Error('PlanetLab workloads are traces, not generators')
    }
  }
}
