// How a host shard stores its VMs and its step outputs: dense local slots (reused, grown on demand, never
// visible in results) and output buffers recycled through the coordinator.
import { describe, expect, it } from 'vitest'
import { VmSlots, grown } from '../../engine/lab/vm-slots'
import { OutputBuffers, outputBuffers } from '../../engine/lab/output-buffers'
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
