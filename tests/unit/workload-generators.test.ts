// The generator bank draws its VMs' streams from inline state: every draw must be the one the VM's own
// RandomStream gives, whatever slot the VM sits in, and its state must read back in RandomStream's format
// (it travels with the VM and into checkpoints).
import { describe, expect, it } from 'vitest'
import { GeneratorBank } from '../../engine/workload/generators'
import { RandomStream, streamFor, streamState } from '../../engine/random'
import type { Workload } from '../../engine/scenario/schema'
import * as fdlibm from '../../engine/math/fdlibm'

const SEED = 42
const INTERVAL = 300

describe('generator bank', () => {
  it('diurnal with noise: the polar normals of the VM’s own stream, spare included', () => {
    const w: Workload = {
      kind: 'diurnal',
      mean: 0.4,
      amplitude: 0.3,
      period: 86400,
      phase: 0,
      phaseJitter: 7200,
      noise: 0.2,
    }
    const bank = new GeneratorBank(2)
    bank.grow(8)
    bank.start(w, SEED, 1234, 5)
    const ref = streamFor(SEED, 'vm-workload', 1234)
    const phase = (2 * ref.float() - 1) * 7200
    for (let k = 0; k < 500; k++) {
      const t = k * INTERVAL
      // sin(2π (t − phase) / period), the turns taken modulo 1 first (the engine's portable sine needs a small argument)
      const turns = (t - phase) / 86400
      let u = 0.4 + 0.3 * fdlibm.sin(2 * Math.PI * (turns - Math.floor(turns))) + 0.2 * ref.normal()
      u = u < 0 ? 0 : u > 1 ? 1 : u
      expect(bank.next(5, t)).toBe(u)
    }
    expect(bank.streamState(5)).toEqual(ref.state())
  })

  it('seeds each VM’s inline stream with the 128-bit state of (seed, "vm-workload", VM id)', () => {
    const bank = new GeneratorBank(3)
    bank.start({ kind: 'constant', level: 0.2 }, SEED, 40_000, 2)
    bank.start({ kind: 'constant', level: 0.2 }, SEED, 40_001, 0)
    expect(bank.streamState(2)).toEqual([...streamState(SEED, 'vm-workload', 40_000), Number.NaN])
    expect(bank.streamState(0)).toEqual([...streamState(SEED, 'vm-workload', 40_001), Number.NaN])
    expect(bank.streamState(2)).toEqual(streamFor(SEED, 'vm-workload', 40_000).state())
  })

  it('bursty and random walk: uniform draws as RandomStream.float makes them', () => {
    const bursty: Workload = { kind: 'bursty', base: 0.1, burst: 0.9, probability: 0.2, meanBurstIntervals: 3 }
    const walk: Workload = { kind: 'random-walk', start: 0.5, step: 0.1, min: 0.2, max: 0.8 }
    const bank = new GeneratorBank(4)
    bank.start(bursty, SEED, 7, 0)
    bank.start(walk, SEED, 8, 3)
    const b = streamFor(SEED, 'vm-workload', 7)
    const r = streamFor(SEED, 'vm-workload', 8)
    let left = 0
    let level = 0.5
    let bursts = 0
    for (let k = 0; k < 2000; k++) {
      let want = 0.1
      if (left > 0) {
        left--
        want = 0.9
      } else if (b.float() < 0.2) {
        let length = 1
        while (b.float() > 1 / 3 && length < 10_000) length++
        left = length - 1
        want = 0.9
        bursts++
      }
      expect(bank.next(0, k * INTERVAL)).toBe(want)
      level = Math.min(0.8, Math.max(0.2, level + (2 * r.float() - 1) * 0.1))
      expect(bank.next(3, k * INTERVAL)).toBe(level)
    }
    expect(bursts).toBeGreaterThan(100)
    expect(bank.streamState(0)).toEqual(b.state())
    expect(bank.streamState(3)).toEqual(r.state())
  })

  it('takes a stream state over (a VM arriving from another shard) and continues it exactly', () => {
    const w: Workload = {
      kind: 'diurnal',
      mean: 0.5,
      amplitude: 0.1,
      period: 3600,
      phase: 0,
      phaseJitter: 0,
      noise: 0.3,
    }
    const first = new GeneratorBank(1)
    first.start(w, SEED, 3, 0)
    for (let k = 0; k < 7; k++) first.next(0, k * INTERVAL) // odd: a spare normal is pending
    const state = first.streamState(0)
    expect(Number.isNaN(state[4])).toBe(false)
    const second = new GeneratorBank(3)
    second.describe(w, 2)
    second.set(2, first.get(0), state)
    const ref = RandomStream.fromState(state)
    for (let k = 7; k < 20; k++) {
      const a = second.next(2, k * INTERVAL)
      expect(a).toBe(first.next(0, k * INTERVAL))
      expect(Number.isFinite(a)).toBe(true)
    }
    for (let k = 7; k < 20; k++) ref.normal()
    expect(second.streamState(2)).toEqual(ref.state())
    expect(() => second.set(1, [0, 0, 0], [1, 2, 3])).toThrow(/5 numbers/)
  })

  it('fill draws for every occupied slot what next() would, and leaves empty and trace slots alone', () => {
    const kinds: Workload[] = [
      { kind: 'diurnal', mean: 0.4, amplitude: 0.3, period: 86400, phase: 0, phaseJitter: 3600, noise: 0.2 },
      { kind: 'bursty', base: 0.1, burst: 0.9, probability: 0.3, meanBurstIntervals: 4 },
      { kind: 'random-walk', start: 0.5, step: 0.1, min: 0.2, max: 0.8 },
      { kind: 'constant', level: 0.35 },
      { kind: 'planetlab', dir: 'traces', order: 'sorted' },
    ]
    const filled = new GeneratorBank(6)
    const stepped = new GeneratorBank(6)
    // slot 5 holds no VM; slot 4 replays a trace
    const vmOf = Int32Array.from([10, 11, 12, 13, 14, -1])
    kinds.forEach((w, slot) => {
      filled.start(w, SEED, vmOf[slot]!, slot)
      stepped.start(w, SEED, vmOf[slot]!, slot)
    })
    const out = new Float64Array(6).fill(-1)
    for (let k = 0; k < 300; k++) {
      const t = k * INTERVAL
      filled.fill(t, vmOf, 6, out)
      for (let slot = 0; slot < 4; slot++) expect(out[slot]).toBe(stepped.next(slot, t))
      expect(out[4]).toBe(-1)
      expect(out[5]).toBe(-1)
    }
    for (let slot = 0; slot < 4; slot++) expect(filled.streamState(slot)).toEqual(stepped.streamState(slot))
    expect(() => stepped.next(4, 0)).toThrow(/traces, not generators/)
  })
})
