// The page-content model: exact counts from fractions, seeded placement, shared OS-image tokens.
import { describe, expect, it } from 'vitest'
import { MemoryImage, ZERO_TOKEN, imageToken } from '../../engine/memory/image'
import {
  contentCounts,
  countContent,
  initialiseContent,
  kindOf,
  PAGE_IMAGE,
  PAGE_UNIQUE,
  PAGE_ZERO,
} from '../../engine/memory/content'
import { streamFor } from '../../engine/random'

const spec = { zero: 0.25, image: 0.35, imageId: 3 }

function boot(vm: number, pages = 1000, seed = 7) {
  const image = new MemoryImage(vm, pages * 4096, 4096)
  const counts = initialiseContent(image, spec, streamFor(seed, 'vm-memory', vm))
  return { image, counts }
}

describe('page content', () => {
  it('turns fractions into exact counts, limited by the image size', () => {
    expect(contentCounts(1000, spec)).toEqual({ zero: 250, image: 350, unique: 400 })
    expect(contentCounts(1000, { ...spec, imagePages: 100 })).toEqual({ zero: 250, image: 100, unique: 650 })
    expect(contentCounts(3, { zero: 0.5, image: 0.5, imageId: 0 })).toEqual({ zero: 2, image: 1, unique: 0 })
    expect(() => contentCounts(10, { zero: 0.7, image: 0.4, imageId: 0 })).toThrow(/fractions/)
  })

  it('places exactly those counts, image pages 0..k−1 in address order', () => {
    const { image, counts } = boot(1)
    expect(counts).toEqual({ zero: 250, image: 350, unique: 400 })
    expect(countContent(image)).toEqual(counts)
    let k = 0
    for (let p = 0; p < image.pageCount; p++) {
      const t = image.tokens[p]!
      if (kindOf(t) === PAGE_IMAGE) expect(t).toBe(imageToken(3, k++))
    }
    expect(k).toBe(350)
    expect(kindOf(ZERO_TOKEN)).toBe(PAGE_ZERO)
  })

  it('is reproducible from the seed and differs between VMs', () => {
    const a = boot(1).image
    const b = boot(1).image
    expect(b.tokens).toEqual(a.tokens)
    const c = boot(2).image
    let sameKindPlace = 0
    for (let p = 0; p < 1000; p++) if (kindOf(a.tokens[p]!) === kindOf(c.tokens[p]!)) sameKindPlace++
    expect(sameKindPlace).toBeLessThan(1000)
  })

  it('gives VMs of one image the same image tokens and distinct unique tokens', () => {
    const a = boot(1).image
    const b = boot(2).image
    const imageA = new Set<number>()
    const uniqueA = new Set<number>()
    for (const t of a.tokens) {
      if (kindOf(t) === PAGE_IMAGE) imageA.add(t)
      if (kindOf(t) === PAGE_UNIQUE) uniqueA.add(t)
    }
    let sharedImage = 0
    for (const t of b.tokens) {
      if (imageA.has(t)) sharedImage++
      expect(uniqueA.has(t)).toBe(false)
    }
    expect(sharedImage).toBe(350)
    expect(uniqueA.size).toBe(400)
  })

  it('lets workloads change content by writing', () => {
    const { image } = boot(4, 100)
    const before = countContent(image)
    let p = 0
    while (kindOf(image.tokens[p]!) !== PAGE_ZERO) p++
    image.write(p)
    const after = countContent(image)
    expect(after.zero).toBe(before.zero - 1)
    expect(after.unique).toBe(before.unique + 1)
  })
})
