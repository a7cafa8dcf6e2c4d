// The guest's page-write model: how fast a VM dirties its memory and which pages it writes. Three patterns:
// uniform (every page equally likely), hot-cold (a writable working set of `hotBytes` takes `hotFraction`
// of the writes, the rest of memory the remainder) and sequential (a cursor sweeping a region, the shape of
// a log or a streaming buffer). The write rate is tied to the CPU the guest actually gets: `bytesPerSecond`
// is the rate at activity 1, and a slice at activity a (a throttled, partly starved or paused guest) issues
// a × the writes. Fractional writes are carried from slice to slice, so the count never depends on how time
// is cut into slices. Each VM draws from its own stream (scenario seed, "vm-page-writes", VM id).
//
// A "page write" gives the page new content (a fresh token, and its dirty bit while logging is on): with
// `pageSize` P, `bytesPerSecond` B means B / P page writes per second, repeats included. The state is plain
// numbers plus the stream state, so it moves with the VM between shards and into checkpoints.
import type { MemoryImage } from '../memory/image'
import { RandomStream, streamFor } from '../random'
import * as fdlibm from '../math/fdlibm'

export type WritePattern = 'uniform' | 'hot-cold' | 'sequential'

export interface PageWriteSpec {
  pattern: WritePattern
  /** bytes of pages written per second at activity 1 (page writes/s = bytesPerSecond / pageSize) */
  bytesPerSecond: number
  /** hot-cold: size of the hot set (writable working set); sequential: the region swept (default: all RAM) */
  hotBytes?: number
  /** hot-cold: share of the writes that land in the hot set, 0..1 (default 0.9) */
  hotFraction?: number
  /** first byte of the hot set / swept region (default 0); rounded down to a page */
  hotOffset?: number
}

export interface PageWriterState {
  spec: PageWriteSpec
  pageCount: number
  pageSize: number
  /** page writes owed (fractional carry; negative while the guest is stalled) */
  credit: number
  /** sequential: next page of the region, relative to its start */
  cursor: number
  /** page writes issued so far */
  written: number
  stream: number[]
}

/** The stream kind of the page-write model (streamFor(seed, PAGE_WRITE_STREAM, vm)). */
export const PAGE_WRITE_STREAM = 'vm-page-writes'

/** Where writes land: a MemoryImage, or a GuestMemory (which keeps its use counts and KSM informed). */
export interface PageSink {
  write(page: number): unknown
  /** the pages of `mask` in word `w` (pages 32w…32w + 31), as write() of each in ascending order */
  writeWord?(w: number, mask: number): unknown
}

export class PageWriter {
  readonly pageCount: number
  readonly pageSize: number
  /** page writes per second at activity 1 */
  readonly perSecond: number
  private readonly pattern: WritePattern
  private readonly hotFirst: number
  private readonly hotPages: number
  private readonly hotFraction: number
  private readonly coldPages: number
  private credit = 0
  private cursor = 0
  private writtenCount = 0

  constructor(
    readonly spec: PageWriteSpec,
    pageCount: number,
    pageSize: number,
    private readonly stream: RandomStream,
  ) {
    if (!(spec.bytesPerSecond >= 0) || !Number.isFinite(spec.bytesPerSecond))
      throw new RangeError(`page writes: bytesPerSecond must be a finite number ≥ 0, found ${spec.bytesPerSecond}`)
    if (!(pageCount >= 1)) throw new RangeError(`page writes: the image has no pages`)
    const hotFraction = spec.hotFraction ?? 0.9
    if (!(hotFraction >= 0 && hotFraction <= 1))
      throw new RangeError(`page writes: hotFraction must be in [0, 1], found ${hotFraction}`)
    this.pageCount = pageCount
    this.pageSize = pageSize
    this.perSecond = spec.bytesPerSecond / pageSize
    this.pattern = spec.pattern
    const first = Math.min(pageCount - 1, Math.max(0, Math.floor((spec.hotOffset ?? 0) / pageSize)))
    const wanted = spec.hotBytes === undefined ? pageCount : Math.max(1, Math.round(spec.hotBytes / pageSize))
    this.hotFirst = first
    this.hotPages = Math.min(pageCount - first, wanted)
    this.coldPages = pageCount - this.hotPages
    // with no cold page every write is hot
    this.hotFraction = this.coldPages === 0 ? 1 : hotFraction
  }

  /** The writer of VM `vm` under a scenario seed, for `image`. */
  static forVm(seed: number, vm: number, spec: PageWriteSpec, image: MemoryImage): PageWriter {
    return new PageWriter(spec, image.pageCount, image.pageSize, streamFor(seed, PAGE_WRITE_STREAM, vm))
  }

  /** Page writes per second at a given activity (delivered CPU as a fraction of the reference). */
  writesPerSecond(activity = 1): number {
    return this.perSecond * activity
  }

  /** Hot set (or swept region): first page and page count. */
  get hotSet(): { first: number; pages: number } {
    return { first: this.hotFirst, pages: this.hotPages }
  }

  /** Page writes issued so far. */
  get written(): number {
    return this.writtenCount
  }

  /** Whole page writes currently owed. */
  get due(): number {
    return this.credit >= 1 ? Math.floor(this.credit) : 0
  }

  /** The guest ran `seconds` at `activity`: it owes that many more page writes. */
  accrue(seconds: number, activity: number): void {
    if (seconds > 0 && activity > 0) this.credit += this.perSecond * activity * seconds
  }

  /**
   * The guest was blocked `seconds` (a post-copy page fault) while it would have run at `activity`: the
   * writes it would have issued in that time are not issued (the credit may go negative: still blocked).
   */
  stall(seconds: number, activity: number): void {
    if (seconds > 0 && activity > 0) this.credit -= this.perSecond * activity * seconds
  }

  /** Draws the page of the next write and consumes one owed write. Does not touch any image. */
  nextPage(): number {
    this.credit -= 1
    this.writtenCount++
    switch (this.pattern) {
      case 'uniform':
        return Math.floor(this.stream.float() * this.pageCount)
      case 'hot-cold':
        return this.hotColdPage(this.stream.float())
      case 'sequential': {
        const page = this.hotFirst + this.cursor
        this.cursor = this.cursor + 1 === this.hotPages ? 0 : this.cursor + 1
        return page
      }
    }
  }

  /** Issues every write owed into `image`; returns how many. */
  flush(image: PageSink): number {
    const n = this.due
    if (n === 0) return 0
    this.credit -= n
    this.writtenCount += n
    const stream = this.stream
    switch (this.pattern) {
      case 'uniform': {
        const pages = this.pageCount
        for (let i = 0; i < n; i++) image.write(Math.floor(stream.float() * pages))
        break
      }
      case 'hot-cold':
        for (let i = 0; i < n; i++) image.write(this.hotColdPage(stream.float()))
        break
      case 'sequential': {
        const first = this.hotFirst
        const region = this.hotPages
        let c = this.cursor
        for (let i = 0; i < n; i++) {
          image.write(first + c)
          c = c + 1 === region ? 0 : c + 1
        }
        this.cursor = c
        break
      }
    }
    return n
  }

  /**
   * Issues every write owed at once, drawn as a whole rather than one by one: the set of pages w random
   * writes touch (each page of a set of N is touched with probability 1 − (1 − 1/N)^w, the same law the
   * analytic pre-copy model uses). Which pages, not how often, is what the image keeps, so writes the
   * simulator did not need while nobody watched the memory (no migration, no snapshot, no KSM) are
   * settled here in O(pages) instead of O(writes). Returns the page writes settled.
   */
  settle(image: PageSink): number {
    const w = this.due
    if (w === 0) return 0
    this.credit -= w
    this.writtenCount += w
    const stream = this.stream
    const touch = (first: number, pages: number, writes: number) => {
      if (pages <= 0 || writes <= 0) return
      if (writes < pages / 4) {
        // few writes: draw them (repeats included), exactly as flush would
        for (let i = 0; i < writes; i++) image.write(first + Math.floor(stream.float() * pages))
        return
      }
      const p = -fdlibm.expm1(writes * fdlibm.log1p(-1 / pages)) // 1 − (1 − 1/pages)^writes
      if (!image.writeWord) {
        for (let i = 0; i < pages; i++) if (stream.float() < p) image.write(first + i)
        return
      }
      // a draw per page as above, 32 pages at a time
      const end = first + pages
      for (let page = first; page < end;) {
        const bit = page & 31
        const n = Math.min(32 - bit, end - page)
        const mask = stream.bitsBelow(p, n) << bit
        if (mask !== 0) image.writeWord(page >>> 5, mask)
        page += n
      }
    }
    switch (this.pattern) {
      case 'uniform':
        touch(0, this.pageCount, w)
        break
      case 'hot-cold': {
        const hot = Math.round(w * this.hotFraction)
        touch(this.hotFirst, this.hotPages, hot)
        // the cold set lies on both sides of the hot set
        const before = this.hotFirst
        const after = this.coldPages - before
        const cold = w - hot
        const coldBefore = this.coldPages > 0 ? Math.round((cold * before) / this.coldPages) : 0
        touch(0, before, coldBefore)
        touch(this.hotFirst + this.hotPages, after, cold - coldBefore)
        break
      }
      case 'sequential': {
        const region = this.hotPages
        const sweep = Math.min(w, region)
        for (let i = 0; i < sweep; i++) image.write(this.hotFirst + ((this.cursor + i) % region))
        this.cursor = (this.cursor + w) % region
        break
      }
    }
    return w
  }

  /** The guest runs `seconds` at `activity` and writes what it owes into `image`; returns the page writes. */
  run(image: PageSink, seconds: number, activity: number): number {
    this.accrue(seconds, activity)
    return this.flush(image)
  }

  /** One uniform draw picks both the set (below hotFraction: hot) and the page within it. */
  private hotColdPage(u: number): number {
    const hf = this.hotFraction
    if (u < hf) return this.hotFirst + Math.min(this.hotPages - 1, Math.floor((u / hf) * this.hotPages))
    const c = Math.min(this.coldPages - 1, Math.floor(((u - hf) / (1 - hf)) * this.coldPages))
    return c < this.hotFirst ? c : c + this.hotPages
  }

  state(): PageWriterState {
    return {
      spec: { ...this.spec },
      pageCount: this.pageCount,
      pageSize: this.pageSize,
      credit: this.credit,
      cursor: this.cursor,
      written: this.writtenCount,
      stream: this.stream.state(),
    }
  }

  static fromState(s: PageWriterState): PageWriter {
    const w = new PageWriter(s.spec, s.pageCount, s.pageSize, RandomStream.fromState(s.stream))
    w.credit = s.credit
    w.cursor = s.cursor
    w.writtenCount = s.written
    return w
  }
}
