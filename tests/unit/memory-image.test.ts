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

  it('writes a word as write() writes its pages one by one: whole, mostly and sparsely written words', () => {
    const pages = 6 * 32 + 7
    const byWord = new MemoryImage(4, pages * 4096, 4096)
    const byPage = new MemoryImage(4, pages * 4096, 4096)
    for (const m of [byWord, byPage]) {
      m.setToken(3, imageToken(0, 3))
      m.setAbsent(40, true)
      m.startLogging()
    }
    // ~0 (whole), 31 and 9 pages (one pass over the word), 7 and 1 pages (bit by bit), the last partial word
    const masks = [~0, ~0 ^ (1 << 17), 0b1011_0110_0001_1100_0000_0000_0000_0101, 0x8000_0c31 | 0, 1 << 31, 0x55]
    masks.forEach((mask, w) => {
      byWord.writeWord(w, mask)
      for (let i = 0; i < 32; i++) if (((mask >>> i) & 1) !== 0) byPage.write(w * 32 + i)
    })
    expect(byWord.tokens).toEqual(byPage.tokens)
    for (const plane of ['nonzero', 'unique', 'changed', 'dirty'] as const) expect(byWord[plane]).toEqual(byPage[plane])
    expect(byWord.mapped).toBe(byPage.mapped)
    expect(byWord.state().writes).toBe(byPage.state().writes)
    expect(byWord.state().writes).toBe(masks.reduce((n, m) => n + popcount(m), 0))
  })

  it('sets content from kinds as setToken() and write() page by page would', () => {
    const pages = 5 * 32 + 11
    const kinds = new Uint8Array(pages)
    for (let p = 0; p < pages; p++) kinds[p] = (p * 7 + (p >> 3)) % 3
    const bulk = new MemoryImage(2, pages * 4096, 4096)
    const single = new MemoryImage(2, pages * 4096, 4096)
    for (const m of [bulk, single]) m.setAbsent(33, true)
    bulk.setContent(kinds, 5)
    let imagePage = 0
    for (let p = 0; p < pages; p++) {
      if (kinds[p] === 0) single.setToken(p, ZERO_TOKEN)
      else if (kinds[p] === 1) single.setToken(p, imageToken(5, imagePage++))
      else single.write(p)
    }
    expect(bulk.tokens).toEqual(single.tokens)
    for (const plane of ['nonzero', 'unique', 'changed'] as const) expect(bulk[plane]).toEqual(single[plane])
    expect(bulk.mapped).toBe(single.mapped)
    expect(bulk.state().writes).toBe(single.state().writes)
    expect(() => new MemoryImage(0, 32 * 4096, 4096).setContent(new Uint8Array(32).fill(1), 1024)).toThrow(
      /image 1024 page 0 out of range/,
    )
  })

  it('counts bits', () => {
    expect(popcount(0)).toBe(0)
    expect(popcount(0xffffffff)).toBe(32)
    expect(popcount(0b1011)).toBe(3)
  })
})
