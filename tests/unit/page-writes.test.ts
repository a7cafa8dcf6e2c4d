import { describe, expect, it } from 'vitest'
import { MemoryImage } from '../../engine/memory/image'
import { PageWriter, type PageWriteSpec } from '../../engine/workload/page-writes'
import { streamFor } from '../../engine/random'

const MiB = 1024 * 1024
const KiB = 1024

function writer(spec: PageWriteSpec, image: MemoryImage, seed = 7) {
  return PageWriter.forVm(seed, 3, spec, image)
}

/** Counts the writes per page by logging into a fresh image and reading the tokens back (a page written n times holds its n-th token). */
function histogram(w: PageWriter, pages: number, n: number): Uint32Array {
  const h = new Uint32Array(pages)
  w.accrue(n / w.perSecond, 1)
  while (w.due >= 1) h[w.nextPage()]!++
  return h
}

describe('page-write model', () => {
  it('writes bytesPerSecond × activity × time, carrying fractions across slices', () => {
    const image = new MemoryImage(0, 64 * MiB, 4 * KiB)
    const w = writer({ pattern: 'uniform', bytesPerSecond: 10 * MiB }, image)
    // 2560 writes/s: 0.013 s slices leave fractions that must add up
    let n = 0
    for (let i = 0; i < 1000; i++) n += w.run(image, 0.013, 1)
    expect(n).toBe(Math.floor(2560 * 13))
    expect(w.written).toBe(n)
  })

  it('a throttled guest writes proportionally less, a paused one nothing', () => {
    const image = new MemoryImage(0, 64 * MiB, 4 * KiB)
    const full = writer({ pattern: 'hot-cold', bytesPerSecond: 40 * MiB, hotBytes: 8 * MiB }, image)
    const throttled = writer({ pattern: 'hot-cold', bytesPerSecond: 40 * MiB, hotBytes: 8 * MiB }, image)
    const paused = writer({ pattern: 'hot-cold', bytesPerSecond: 40 * MiB, hotBytes: 8 * MiB }, image)
    const a = full.run(image, 20, 1)
    const b = throttled.run(image, 20, 1 - 0.7) // 70 % throttle
    const c = paused.run(image, 20, 0)
    expect(a).toBe(40 * 256 * 20)
    expect(b / a).toBeCloseTo(0.3, 6)
    expect(c).toBe(0)
  })

  it('uniform writes spread evenly over memory (χ² over 64 buckets)', () => {
    const pages = 65536
    const image = new MemoryImage(0, pages * 4 * KiB, 4 * KiB)
    const w = writer({ pattern: 'uniform', bytesPerSecond: 4 * MiB }, image)
    const n = 640_000
    const h = histogram(w, pages, n)
    const buckets = new Float64Array(64)
    for (let p = 0; p < pages; p++) buckets[p >>> 10]! += h[p]!
    const expected = n / 64
    let chi2 = 0
    for (const b of buckets) chi2 += (b - expected) ** 2 / expected
    // 63 degrees of freedom: mean 63, sd ≈ 11.2; 130 is beyond 99.99 %
    expect(chi2).toBeLessThan(130)
    // distinct pages ≈ N(1 − e^{−n/N})
    let distinct = 0
    for (const c of h) if (c > 0) distinct++
    const theory = pages * -Math.expm1(n * Math.log1p(-1 / pages))
    expect(Math.abs(distinct - theory)).toBeLessThan(5 * Math.sqrt(theory * Math.exp(-n / pages)))
  })

  it('hot/cold: the hot set gets hotFraction of the writes, uniformly; the rest goes to the cold pages', () => {
    const pages = 262144 // 1 GiB of 4 KiB pages
    const image = new MemoryImage(0, pages * 4 * KiB, 4 * KiB)
    const spec: PageWriteSpec = {
      pattern: 'hot-cold',
      bytesPerSecond: 64 * MiB,
      hotBytes: 64 * MiB,
      hotFraction: 0.8,
      hotOffset: 256 * MiB,
    }
    const w = writer(spec, image)
    expect(w.hotSet).toEqual({ first: 65536, pages: 16384 })
    const n = 1_000_000
    const h = histogram(w, pages, n)
    let hot = 0
    let hotLow = 0
    for (let p = 65536; p < 65536 + 16384; p++) {
      hot += h[p]!
      if (p < 65536 + 8192) hotLow += h[p]!
    }
    const sd = Math.sqrt(n * 0.8 * 0.2)
    expect(Math.abs(hot - 0.8 * n)).toBeLessThan(5 * sd)
    // uniform within the hot set: its lower half gets half of the hot writes
    expect(Math.abs(hotLow - hot / 2)).toBeLessThan(5 * Math.sqrt(hot / 4))
    // cold writes fall on both sides of the hot set, in proportion to the cold pages there
    let below = 0
    for (let p = 0; p < 65536; p++) below += h[p]!
    const cold = n - hot
    const share = 65536 / (pages - 16384)
    expect(Math.abs(below - cold * share)).toBeLessThan(5 * Math.sqrt(cold * share * (1 - share)))
  })

  it('sequential writes sweep the region and wrap', () => {
    const image = new MemoryImage(0, 1 * MiB, 4 * KiB) // 256 pages
    const w = writer(
      { pattern: 'sequential', bytesPerSecond: 4 * KiB, hotBytes: 40 * KiB, hotOffset: 100 * 4 * KiB },
      image,
    )
    w.accrue(25, 1)
    const seen: number[] = []
    while (w.due >= 1) seen.push(w.nextPage())
    expect(seen).toEqual([...Array(25).keys()].map((i) => 100 + (i % 10)))
  })

  it('writes give pages fresh content and set dirty bits while logging', () => {
    const image = new MemoryImage(0, 4 * MiB, 4 * KiB)
    image.startLogging()
    const w = writer({ pattern: 'sequential', bytesPerSecond: 40 * KiB }, image)
    expect(w.run(image, 1, 1)).toBe(10)
    expect(image.syncDirty()).toBe(10)
    for (let p = 0; p < 10; p++) expect(image.tokens[p]).not.toBe(0)
    expect(image.tokens[10]).toBe(0)
  })

  it('is deterministic per seed, independent of slicing, and resumes exactly from its state', () => {
    const spec: PageWriteSpec = { pattern: 'hot-cold', bytesPerSecond: 8 * MiB, hotBytes: 4 * MiB, hotFraction: 0.7 }
    const a = new MemoryImage(0, 64 * MiB, 4 * KiB)
    const b = new MemoryImage(0, 64 * MiB, 4 * KiB)
    const c = new MemoryImage(0, 64 * MiB, 4 * KiB)
    const wa = writer(spec, a)
    const wb = writer(spec, b)
    wa.run(a, 10, 1)
    for (let i = 0; i < 8; i++) wb.run(b, 1.25, 1)
    expect(wb.written).toBe(wa.written)
    expect(Buffer.from(b.tokens.buffer).equals(Buffer.from(a.tokens.buffer))).toBe(true)
    // checkpoint half way, restore, continue
    const wc = writer(spec, c)
    wc.run(c, 5, 1)
    const saved = structuredClone(wc.state())
    const resumed = PageWriter.fromState(saved)
    resumed.run(c, 5, 1)
    expect(Buffer.from(c.tokens.buffer).equals(Buffer.from(a.tokens.buffer))).toBe(true)
    // another seed writes other pages
    const d = new MemoryImage(0, 64 * MiB, 4 * KiB)
    writer(spec, d, 8).run(d, 10, 1)
    expect(Buffer.from(d.tokens.buffer).equals(Buffer.from(a.tokens.buffer))).toBe(false)
  })

  it('keeps a 1000-VM step light with 2 MiB pages', () => {
    // 1000 VMs of 4 GiB in 2 MiB pages, writing 32 MiB/s at 50 % activity for a 300 s step: 2.4 million page writes
    const images: MemoryImage[] = []
    const writers: PageWriter[] = []
    for (let v = 0; v < 1000; v++) {
      const image = new MemoryImage(v, 4 * 1024 * MiB, 2 * MiB)
      images.push(image)
      writers.push(
        new PageWriter(
          { pattern: 'hot-cold', bytesPerSecond: 32 * MiB, hotBytes: 256 * MiB },
          image.pageCount,
          image.pageSize,
          streamFor(1, 'vm-page-writes', v),
        ),
      )
    }
    const t0 = performance.now()
    let n = 0
    for (let v = 0; v < 1000; v++) n += writers[v]!.run(images[v]!, 300, 0.5)
    const ms = performance.now() - t0
    expect(n).toBe(1000 * 16 * 300 * 0.5)
    console.log(`page writes: ${n} in ${ms.toFixed(0)} ms for 1000 VMs (2 MiB pages)`)
  })

  it('rejects bad specs with the parameter named', () => {
    const image = new MemoryImage(0, 1 * MiB, 4 * KiB)
    expect(() => writer({ pattern: 'uniform', bytesPerSecond: -1 }, image)).toThrow(/bytesPerSecond/)
    expect(() => writer({ pattern: 'hot-cold', bytesPerSecond: 1, hotFraction: 2 }, image)).toThrow(/hotFraction/)
  })
})
