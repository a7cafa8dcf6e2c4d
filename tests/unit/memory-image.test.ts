// The memory image: tokens, dirty logging with KVM's sync-and-clear semantics, serialisation.
import { describe, expect, it } from 'vitest'
import { MemoryImage, ZERO_TOKEN, imageToken, isImageToken, popcount, uniqueToken } from '../../engine/memory/image'

describe('MemoryImage', () => {
  it('starts as zero pages and counts pages from bytes and page size', () => {
    const m = new MemoryImage(3, 4 * 1024 * 1024, 4096)
    expect(m.pageCount).toBe(1024)
    expect(m.countZeroPages()).toBe(1024)
    expect(() => new MemoryImage(0, 1000, 3000)).toThrow(/power of two/)
  })

  it('logs writes only while logging, and a sync returns and clears them', () => {
    const m = new MemoryImage(0, 64 * 4096, 4096)
    m.write(1)
    expect(m.syncDirty()).toBe(0)
    m.startLogging()
    m.write(1)
    m.write(1)
    m.write(40)
    m.write(63)
    const bits = new Uint32Array(2)
    expect(m.syncDirty(bits)).toBe(3)
    expect(bits[0]).toBe(1 << 1)
    expect(bits[1]).toBe(((1 << (40 - 32)) | (1 << (63 - 32))) >>> 0)
    expect(m.syncDirty()).toBe(0)
    expect(m.tokens[1]).not.toBe(ZERO_TOKEN)
  })

  it('gives every write a token no other page or VM holds, and image pages the same token in every VM', () => {
    expect(uniqueToken(0, 0)).not.toBe(uniqueToken(1, 0))
    expect(uniqueToken(7, 5)).not.toBe(uniqueToken(7, 6))
    expect(isImageToken(imageToken(2, 100))).toBe(true)
    expect(isImageToken(uniqueToken(2, 100))).toBe(false)
    expect(imageToken(1, 0)).not.toBe(imageToken(0, 0))
    const a = new MemoryImage(1, 8 * 4096, 4096)
    const b = new MemoryImage(2, 8 * 4096, 4096)
    a.setToken(3, imageToken(0, 3))
    b.setToken(3, imageToken(0, 3))
    expect(a.tokens[3]).toBe(b.tokens[3])
    a.write(4)
    b.write(4)
    expect(a.tokens[4]).not.toBe(b.tokens[4])
  })

  it('round-trips through its state', () => {
    const m = new MemoryImage(5, 32 * 4096, 4096)
    m.startLogging()
    m.write(9)
    const copy = MemoryImage.fromState(m.state())
    expect(copy.tokens).toEqual(m.tokens)
    expect(copy.isDirty(9)).toBe(true)
    copy.write(10)
    m.write(10)
    expect(copy.tokens[10]).toBe(m.tokens[10])
  })

  it('counts bits', () => {
    expect(popcount(0)).toBe(0)
    expect(popcount(0xffffffff)).toBe(32)
    expect(popcount(0b1011)).toBe(3)
  })
})
