// How a host shard stores its VMs and its step outputs: dense local slots (reused, grown on demand, never
// visible in results) and output buffers recycled through the coordinator.
import { describe, expect, it } from 'vitest'
import { VmSlots, grown } from '../../engine/lab/vm-slots'
import { OutputBuffers, outputBuffers } from '../../engine/lab/output-buffers'
import { RowPermutation } from '../../engine/row-permutation'
import type { StepOutput } from '../../engine/lab/protocol'

describe('VM slots', () => {
  it('hands out dense slots, reuses freed ones and grows the tables before a slot past them is used', () => {
    const grownTo: number[] = []
    const slots = new VmSlots(1000, 2, (c) => grownTo.push(c))
    expect(grownTo).toEqual([16])
    const taken = Array.from({ length: 16 }, (_, i) => slots.take(900 - i * 7))
    expect(taken).toEqual(Array.from({ length: 16 }, (_, i) => i))
    expect(slots.take(5)).toBe(16)
    expect(grownTo).toEqual([16, 32])
    expect(slots.vmOf[16]).toBe(5)
    expect(slots.release(893)).toBe(1)
    expect(slots.has(893)).toBe(false)
    expect(slots.vmOf[1]).toBe(-1)
    expect(slots.take(42)).toBe(1)
    expect(slots.slotOf[42]).toBe(1)
    expect(slots.end).toBe(17)
    expect(slots.size).toBe(17)
    slots.release(5)
    expect(slots.size).toBe(16)
  })

  it('renumbers the slots in a given order, and tables move their rows alike, bit for bit', () => {
    const slots = new VmSlots(100, 8, () => {})
    for (const vm of [50, 10, 70, 30, 90]) slots.take(vm)
    slots.release(70) // slot 2 free
    const f64 = Float64Array.from({ length: 8 }, (_, s) => (s === 4 ? Number.NaN : s + 0.5))
    const f32 = Float32Array.from({ length: 16 }, (_, i) => i / 3) // 2 per slot
    const u8 = Uint8Array.from({ length: 8 }, (_, s) => 100 + s)
    // the step's order: VM 90 (slot 4), 10 (slot 1), 30 (slot 3), 50 (slot 0)
    const p = new RowPermutation()
    p.order = Int32Array.from([4, 1, 3, 0])
    p.apply(f64)
    p.apply(f32, 2)
    p.apply(u8)
    slots.compact(p.order)
    expect([90, 10, 30, 50].map((vm) => slots.slotOf[vm])).toEqual([0, 1, 2, 3])
    expect(slots.slotOf[70]).toBe(-1)
    expect(Array.from(slots.vmOf.subarray(0, 5))).toEqual([90, 10, 30, 50, -1])
    expect(slots.end).toBe(4)
    expect(slots.size).toBe(4)
    expect(slots.take(70)).toBe(4)
    expect(Array.from(f64.subarray(0, 4))).toEqual([Number.NaN, 1.5, 3.5, 0.5])
    expect(Array.from(f32.subarray(0, 8))).toEqual([8, 9, 2, 3, 6, 7, 0, 1].map((i) => Math.fround(i / 3)))
    expect(Array.from(u8.subarray(0, 4))).toEqual([104, 101, 103, 100])
  })

  it('grows typed arrays keeping their contents and filling the new part', () => {
    const a = Int32Array.from([3, 4])
    const b = grown(a, 5, -1)
    expect(Array.from(b)).toEqual([3, 4, -1, -1, -1])
    expect(grown(b, 3)).toBe(b)
    expect(Array.from(grown(Float64Array.from([1.5]), 3))).toEqual([1.5, 0, 0])
  })
})

describe('output buffers', () => {
  it('reuses a handed-back buffer that fits, the smallest first, and allocates only when none does', () => {
    const pool = new OutputBuffers()
    const first = pool.float64(100)
    expect(first.length).toBe(100)
    const big = first.buffer as ArrayBuffer
    const ids = pool.int32(10)
    pool.give([big, ids.buffer as ArrayBuffer, new ArrayBuffer(0)])
    const again = pool.int32(10)
    expect(again.buffer).toBe(ids.buffer)
    const table = pool.float64(90)
    expect(table.buffer).toBe(big)
    expect(table.length).toBe(90)
    const fresh = pool.float64(10)
    expect(fresh.buffer).not.toBe(big)
  })

  it('lists the buffers of an output, the memory table when there is one', () => {
    const output = {
      hostIds: new Int32Array(2),
      hosts: new Float64Array(2),
      vmIds: new Int32Array(1),
      vms: new Float64Array(1),
      memory: new Float64Array(3),
    } as StepOutput
    expect(outputBuffers(output)).toHaveLength(5)
    expect(outputBuffers({ ...output, memory: undefined })).toHaveLength(4)
  })
})
