// One VM's memory as its host sees it: the MemoryImage (a content token per page), which pages are
// present and which the guest gave to its balloon, the guest's use of its present pages (free / page
// cache / own data, read from the content kind, see engine/memory/content.ts), the data the guest had
// to push to its own swap, the pages the host swapped out, and the VM's KSM registration.
//
// Free pages (zero content) are not backed by the host: a page the guest never touched was never
// allocated (QEMU's guest RAM is anonymous memory, populated on first touch), and a page it freed was
// given back by free page reporting (virtio-balloon REPORTING) or the balloon. So the host holds
// `backed` = page cache + own data, not every present page.
//
// The guest's accesses come from its page-write model (its working set): `access` says how many pages a
// second it touches with all vCPUs busy, and which region (the hot set) takes what share of them. The
// host's swap model reads it to know which pages are cold and how often a swapped page is touched.
//
// Every change to the guest's memory goes through here (workload writes, a migrating guest's too, frees,
// balloon moves) so the counts stay exact in O(1) per page and KSM hears of copy-on-write breaks at once.
import { MemoryImage, ZERO_TOKEN, isImageToken, popcount, type MemoryImageState } from '../memory/image'
import {
  initialiseContent,
  PAGE_IMAGE,
  PAGE_UNIQUE,
  PAGE_ZERO,
  type ContentSpec,
  type PageKind,
} from '../memory/content'
import type { RandomStream } from '../random'

/**
 * What a guest tells the KSM instance scanning it about its pages (ksm.ts's KsmSlot is one): declared here,
 * so that guest memory does not depend on KSM.
 */
export interface KsmWatch {
  /** pages of this guest mapped to KSM pages (ksm_merging_pages) */
  readonly merging: number
  pageChanged(page: number): void
  /** the guest wrote the pages of `mask` in word `w` (pages 32w…32w + 31) */
  wordChanged(w: number, mask: number): void
  pageRemoved(page: number): void
  /** the pages of `mask` in word `w` are no longer mapped */
  wordRemoved(w: number, mask: number): void
  pageAdded(page: number): void
  /** every page may have changed (a revert, a rebuild) */
  resync(): void
}

/** Page flags: present in guest RAM, or handed to the balloon (discarded by the host, reads as zeros). */
export const PRESENT = 0
export const BALLOONED = 1

/**
 * How the guest touches its memory (from its page-write model): `perSecond` page accesses a second with
 * all `vcpus` busy, `hotShare` of them spread evenly over pages [hotFirst, hotFirst + hotPages), the rest
 * evenly over the other pages.
 */
export interface AccessProfile {
  perSecond: number
  vcpus: number
  hotFirst: number
  hotPages: number
  hotShare: number
}

export interface GuestMemoryState {
  image: MemoryImageState
  flags: Uint8Array
  stack: Int32Array
  counts: number[]
  balloonAuto: boolean
  cursor: Int32Array
  killed: boolean
  remap: Int32Array
}

export class GuestMemory {
  // the fields every host step reads come first (one or two cache lines)
  /** set when the host's OOM killer chose this VM */
  killed = false
  /** pages in the balloon (virtio-balloon `actual`) */
  balloon = 0
  /** balloon target in pages (the balloon size the device is asked for) */
  balloonTarget = 0
  /** device time left over from the last balloon step, seconds */
  balloonCarry = 0
  /** pages of this VM the host swapped out (a count per access region: which pages is not modelled) */
  hostSwapped = 0
  /** of which in the hot region */
  hostSwappedHot = 0
  /** pages of guest data living in the guest's swap because the balloon took their frames */
  guestSwapped = 0
  /** present pages by use: free (zero content), page cache (OS-image content), the guest's own data (unique) */
  free = 0
  cache = 0
  used = 0
  /** backed pages (cache + used) in the hot region */
  hotBacked = 0
  /** the access profile (setAccess); by default every page equally, nothing a second */
  accessPerSecond = 0
  vcpus = 1
  hotFirst = 0
  hotEnd = 0
  hotShare = 1
  readonly pages: number
  readonly pageSize: number
  /** true: the host's auto-balloon policy sets the target; false: a manual target set by the trainee */
  balloonAuto = true
  /** guaranteed memory in pages (MoM's balloon_min): the auto policy never goes below it */
  balloonMinPages = 0
  /** KSM registration, set by Ksm.register */
  ksmSlot: KsmWatch | null = null
  readonly image: MemoryImage
  /** ballooned pages, most recent last (grown as the balloon grows) */
  private stack: Int32Array
  // cumulative counters (pages)
  guestSwapOuts = 0
  guestSwapIns = 0
  cacheDropped = 0
  hostSwapOuts = 0
  hostSwapIns = 0
  /** guest major faults: writes whose frame the guest had to take from its own data (pushed to its swap) */
  guestMajorFaults = 0
  /** where the search for a page of each kind resumes */
  private readonly cursor = new Int32Array(3)
  /**
   * per ballooned page the workload still addresses: the frame the guest uses instead (−1: none yet), so
   * a working set that overlaps the balloon occupies a fixed set of frames instead of a new one per write
   * (allocated at the first such write)
   */
  private remap: Int32Array | null = null

  constructor(image: MemoryImage) {
    this.image = image
    this.pages = image.pageCount
    this.pageSize = image.pageSize
    this.stack = new Int32Array(16)
    let nonzero = 0
    let unique = 0
    for (let i = 0; i < image.nonzero.length; i++) {
      nonzero += popcount(image.nonzero[i]!)
      unique += popcount(image.unique[i]!)
    }
    this.free = this.pages - nonzero
    this.cache = nonzero - unique
    this.used = unique
    this.hotEnd = this.pages
    this.hotBacked = nonzero
  }

  /** A VM of `bytes` RAM whose pages start with the content of `spec` (placed with `stream`). */
  static create(vm: number, bytes: number, pageSize: number, spec: ContentSpec, stream: RandomStream): GuestMemory {
    const image = new MemoryImage(vm, bytes, pageSize)
    initialiseContent(image, spec, stream)
    return new GuestMemory(image)
  }

  get vm(): number {
    return this.image.vm
  }

  /** Whether the guest holds the page (it is not in the balloon). */
  isPresent(page: number): boolean {
    return !this.image.isAbsent(page)
  }

  /** Pages the guest has (QEMU's logical size `actual`, in pages): all but the balloon. */
  get present(): number {
    return this.pages - this.balloon
  }

  get bytes(): number {
    return this.pages * this.pageSize
  }

  /** Pages the host backs: present and not free (page cache and own data), swapped out or not. */
  get backed(): number {
    return this.cache + this.used
  }

  /** Pages of the hot region, and of the rest. */
  get hotPages(): number {
    return this.hotEnd - this.hotFirst
  }

  /** Sets how the guest touches its memory (its page-write model) and recounts the hot region. */
  setAccess(a: AccessProfile): void {
    const first = Math.min(this.pages, Math.max(0, Math.floor(a.hotFirst)))
    this.accessPerSecond = a.perSecond
    this.vcpus = Math.max(1, a.vcpus)
    this.hotFirst = first
    this.hotEnd = Math.min(this.pages, first + Math.max(0, Math.floor(a.hotPages)))
    this.hotShare = this.hotEnd - first >= this.pages ? 1 : Math.min(1, Math.max(0, a.hotShare))
    this.countHot()
    // what the host swapped keeps its total; its split follows the new regions
    this.splitSwapped()
  }

  /** The host's swapped pages dropped (the VM left the host, or arrived as a fresh copy). */
  clearHostSwap(): void {
    this.hostSwapped = 0
    this.hostSwappedHot = 0
  }

  private countHot(): void {
    this.hotBacked = this.image.mappedIn(this.hotFirst, this.hotEnd)
  }

  /** Splits hostSwapped between the regions in proportion to their backed pages. */
  private splitSwapped(): void {
    const backed = this.backed
    this.hostSwappedHot = backed > 0 ? (this.hostSwapped * this.hotBacked) / backed : 0
  }

  private inHot(page: number): boolean {
    return page >= this.hotFirst && page < this.hotEnd
  }

  // ---- the guest at work ------------------------------------------------------------------------------

  /**
   * The guest writes a page (workloads call this instead of image.write). A write to a page the guest
   * gave to the balloon lands on a frame its allocator hands out instead: a free page, else a dropped
   * page-cache page, else one of its own pages pushed to its swap. Returns the page written (−1 if the
   * guest has no page at all).
   */
  write(page: number): number {
    page = this.frame(page)
    if (page < 0) return -1
    const token = this.image.tokens[page]!
    if (token === ZERO_TOKEN) {
      this.free--
      this.used++
      if (this.inHot(page)) this.hotBacked++
    } else if (isImageToken(token)) {
      this.cache--
      this.used++
    }
    this.image.write(page)
    const slot = this.ksmSlot
    if (slot) slot.pageChanged(page)
    return page
  }

  /** The guest writes the pages of `mask` in word `w` (pages 32w…32w + 31): write() of each, in order. */
  writeWord(w: number, mask: number): void {
    const image = this.image
    if ((mask & image.absent[w]!) !== 0) {
      // pages in the balloon: the writes land on frames the allocator finds, one by one
      for (let m = mask; m !== 0; m &= m - 1) this.write((w << 5) + 31 - Math.clz32(m & -m))
      return
    }
    const nonzero = image.nonzero[w]!
    const zero = mask & ~nonzero
    const cached = mask & nonzero & ~image.unique[w]!
    if (zero !== 0) {
      const n = popcount(zero)
      this.free -= n
      this.used += n
      this.hotBacked += popcount(zero & this.hotBits(w))
    }
    if (cached !== 0) {
      const n = popcount(cached)
      this.cache -= n
      this.used += n
    }
    image.writeWord(w, mask)
    const slot = this.ksmSlot
    if (slot) slot.wordChanged(w, mask)
  }

  /**
   * The guest frees a page; with free page reporting / init_on_free it then reads as zeros (free memory)
   * and the host discards it: no longer backed, no longer scanned by KSM.
   */
  release(page: number): void {
    if (this.image.isAbsent(page)) return
    const token = this.image.tokens[page]!
    if (token === ZERO_TOKEN) return
    if (isImageToken(token)) this.cache--
    else this.used--
    this.free++
    if (this.inHot(page)) this.hotBacked--
    this.image.setToken(page, ZERO_TOKEN)
    const slot = this.ksmSlot
    if (slot) slot.pageRemoved(page)
  }

  /**
   * The frame a write to `page` lands on: the page itself while present; for a page the guest gave to the
   * balloon, the frame its allocator handed out for it last time while the guest still has it, else a new
   * one (a free page, else a dropped page-cache page, else one of its own pages pushed to its swap).
   * −1: the guest has no page at all.
   */
  frame(page: number): number {
    const image = this.image
    if (!image.isAbsent(page)) return page
    const again = this.remap === null ? -1 : this.remap[page]!
    if (again >= 0 && !image.isAbsent(again)) return again
    const frame = this.allocate()
    if (frame >= 0) (this.remap ??= new Int32Array(this.pages).fill(-1))[page] = frame
    return frame
  }

  private allocate(): number {
    if (this.free > 0) return this.find(PAGE_ZERO)
    if (this.cache > 0) {
      this.cacheDropped++
      return this.find(PAGE_IMAGE)
    }
    if (this.used > 0) {
      this.guestSwapped++
      this.guestSwapOuts++
      this.guestMajorFaults++
      return this.find(PAGE_UNIQUE)
    }
    return -1
  }

  /**
   * A present page of a kind, searching on from where the last search of that kind stopped (and around),
   * 32 pages at a time.
   */
  private find(kind: PageKind): number {
    const image = this.image
    const absent = image.absent
    const nonzero = image.nonzero
    const unique = image.unique
    const words = absent.length
    let p = this.cursor[kind]!
    if (p >= this.pages) p = 0
    let w = p >>> 5
    // the first word from the cursor on, then every word once, then the first word's bits before the cursor
    let skip = ~0 << (p & 31)
    for (let i = 0; i <= words; i++) {
      const present = ~absent[w]!
      const m =
        (kind === PAGE_ZERO
          ? present & ~nonzero[w]!
          : kind === PAGE_IMAGE
            ? present & nonzero[w]! & ~unique[w]!
            : present & unique[w]!) & skip
      if (m !== 0) {
        const page = (w << 5) + (31 - Math.clz32(m & -m))
        this.cursor[kind] = page + 1
        return page
      }
      skip = ~0
      w = w + 1 === words ? 0 : w + 1
    }
    throw new Error(`VM ${this.vm}: no present page of kind ${kind} although counted`)
  }

  /**
   * The guest's own data follows its workload's memory use (a trace's memory column): `pages` of data in
   * all, resident or in its swap. More data takes free pages, then page cache (dropped), and once it has
   * neither the guest pushes older data to its swap for the frame; less data leaves its swap first (the
   * coldest data), then resident data pages, which then read as zeros (free memory).
   */
  followData(pages: number): void {
    let data = this.used + this.guestSwapped
    for (; data < pages; data++) {
      if (this.free > 0) this.write(this.find(PAGE_ZERO))
      else if (this.cache > 0) {
        this.cacheDropped++
        this.write(this.find(PAGE_IMAGE))
      } else if (this.used > 0) {
        this.guestSwapped++
        this.guestSwapOuts++
        this.write(this.find(PAGE_UNIQUE))
      } else break
    }
    for (; data > pages; data--) {
      if (this.guestSwapped > 0) this.guestSwapped--
      else this.release(this.find(PAGE_UNIQUE))
    }
  }

  // ---- balloon primitives (engine/hypervisor/balloon.ts paces them) ----------------------------------

  /**
   * The guest hands one page to the balloon: a free page if it has one, else a page-cache page (dropped),
   * else one of its own data pages (written to its swap first). The host discards it. Returns the kind
   * taken, or −1 if nothing is left.
   */
  inflateOne(): PageKind | -1 {
    const kind = this.nextInflateKind()
    if (kind !== -1) this.inflate(kind, 1)
    return kind
  }

  /**
   * The guest hands `count` pages of `kind` to the balloon (it has that many): the next ones of that kind
   * from where the last search stopped, exactly as `count` inflateOne() calls would, 32 pages at a time.
   */
  inflate(kind: PageKind, count: number): void {
    if (count <= 0) return
    const image = this.image
    const absent = image.absent
    const nonzero = image.nonzero
    const unique = image.unique
    const words = absent.length
    let p = this.cursor[kind]!
    if (p >= this.pages) p = 0
    let w = p >>> 5
    let from = ~0 << (p & 31)
    let left = count
    let last = -1
    for (let i = 0; i <= words && left > 0; i++) {
      const present = ~absent[w]!
      let m =
        (kind === PAGE_ZERO
          ? present & ~nonzero[w]!
          : kind === PAGE_IMAGE
            ? present & nonzero[w]! & ~unique[w]!
            : present & unique[w]!) & from
      from = ~0
      if (m !== 0) {
        let n = popcount(m)
        if (n > left) {
          let keep = 0
          for (let j = 0; j < left; j++) {
            const r = m ^ keep
            keep |= r & -r
          }
          m = keep
          n = left
        }
        this.toBalloon(kind, w, m, n)
        left -= n
        last = (w << 5) + 31 - Math.clz32(m)
      }
      w = w + 1 === words ? 0 : w + 1
    }
    if (left > 0) throw new Error(`VM ${this.vm}: no present page of kind ${kind} although counted`)
    this.cursor[kind] = last + 1
  }

  /** The n pages of `mask` in word w, all of `kind`, go to the balloon. */
  private toBalloon(kind: PageKind, w: number, mask: number, n: number): void {
    if (kind === PAGE_ZERO) this.free -= n
    else {
      this.hotBacked -= popcount(mask & this.hotBits(w))
      if (kind === PAGE_IMAGE) {
        this.cache -= n
        this.cacheDropped += n
      } else {
        this.used -= n
        this.guestSwapped += n
        this.guestSwapOuts += n
      }
    }
    const slot = this.ksmSlot
    if (slot) slot.wordRemoved(w, mask)
    this.image.discardWord(w, mask)
    if (this.balloon + n > this.stack.length) {
      const grown = new Int32Array(Math.min(this.pages, Math.max(this.balloon + n, this.stack.length * 2)))
      grown.set(this.stack)
      this.stack = grown
    }
    for (let m = mask; m !== 0; m &= m - 1) this.stack[this.balloon++] = (w << 5) + 31 - Math.clz32(m & -m)
  }

  /** The pages of word w in the hot region, as bits. */
  private hotBits(w: number): number {
    const lo = Math.max(this.hotFirst, w << 5) - (w << 5)
    const hi = Math.min(this.hotEnd, (w + 1) << 5) - (w << 5)
    if (hi <= lo) return 0
    return (hi >= 32 ? ~0 : (1 << hi) - 1) & (~0 << lo)
  }

  /**
   * The balloon gives one page back. The guest first uses it to bring back data it had swapped out
   * (the page holds its data again), otherwise it is free memory. Returns the page, or −1.
   */
  deflateOne(): number {
    if (this.balloon === 0) return -1
    const page = this.stack[this.balloon - 1]!
    this.deflate(1)
    return page
  }

  /** The balloon gives `count` pages back (it holds that many), the last taken first: deflateOne() each. */
  deflate(count: number): void {
    const image = this.image
    const slot = this.ksmSlot
    for (let i = 0; i < count; i++) {
      const page = this.stack[--this.balloon]!
      image.setAbsent(page, false)
      if (this.guestSwapped > 0) {
        this.guestSwapped--
        this.guestSwapIns++
        this.used++
        if (this.inHot(page)) this.hotBacked++
        image.write(page)
      } else this.free++
      if (slot) slot.pageAdded(page)
    }
  }

  /** The kind of page the next inflation would take (−1: none). */
  nextInflateKind(): PageKind | -1 {
    return this.free > 0 ? PAGE_ZERO : this.cache > 0 ? PAGE_IMAGE : this.used > 0 ? PAGE_UNIQUE : -1
  }

  // ---- bulk changes ---------------------------------------------------------------------------------

  /**
   * Recounts free/cache/used after the image was changed directly, not through write() (an image loaded
   * from elsewhere) and tells KSM to break sharing where the content changed. O(pages).
   */
  recount(): void {
    const image = this.image
    const absent = image.absent
    const nonzero = image.nonzero
    const unique = image.unique
    let nonzeroPresent = 0
    let uniquePresent = 0
    for (let w = 0; w < absent.length; w++) {
      let stray = absent[w]! & nonzero[w]!
      // writes that bypassed the guest (a migration's) and hit the balloon's pages: those frames hold nothing
      while (stray !== 0) {
        image.setToken((w << 5) + (31 - Math.clz32(stray & -stray)), ZERO_TOKEN)
        stray &= stray - 1
      }
      nonzeroPresent += popcount(nonzero[w]! & ~absent[w]!)
      uniquePresent += popcount(unique[w]! & ~absent[w]!)
    }
    this.free = this.present - nonzeroPresent
    this.cache = nonzeroPresent - uniquePresent
    this.used = uniquePresent
    this.countHot()
    const slot = this.ksmSlot
    if (slot) slot.resync()
  }

  /**
   * Where the O(1) counts disagree with the pages (empty: consistent): free/cache/used and the hot
   * region's backed pages against a recount of the present pages, the balloon against the absent pages
   * and its stack, ballooned frames holding nothing, the image's bitmaps and `mapped` against its tokens.
   * O(pages): for tests and checks, never a step.
   */
  inconsistencies(): string[] {
    let free = 0
    let cache = 0
    let used = 0
    let hot = 0
    let ballooned = 0
    let holding = 0
    let bitmaps = 0
    const image = this.image
    const t = image.tokens
    for (let p = 0; p < this.pages; p++) {
      const token = t[p]!
      const bit = (x: Uint32Array) => (x[p >>> 5]! >>> (p & 31)) & 1
      if (
        bit(image.nonzero) !== (token === ZERO_TOKEN ? 0 : 1) ||
        bit(image.unique) !== (token !== ZERO_TOKEN && !isImageToken(token) ? 1 : 0)
      )
        bitmaps++
      if (image.isAbsent(p)) {
        ballooned++
        if (t[p] !== ZERO_TOKEN) holding++
        continue
      }
      if (token === ZERO_TOKEN) free++
      else {
        if (isImageToken(token)) cache++
        else used++
        if (this.inHot(p)) hot++
      }
    }
    const out: string[] = []
    const expect = (what: string, counted: number, found: number) => {
      if (counted !== found) out.push(`VM ${this.vm}: ${what} counted ${counted}, the pages hold ${found}`)
    }
    expect('free', this.free, free)
    expect('cache', this.cache, cache)
    expect('used', this.used, used)
    expect('hot backed', this.hotBacked, hot)
    expect('balloon', this.balloon, ballooned)
    expect('ballooned frames with content', 0, holding)
    expect('pages whose content bitmaps disagree with their tokens', 0, bitmaps)
    expect('mapped', image.mapped, cache + used)
    for (let k = 0; k < this.balloon; k++)
      if (!image.isAbsent(this.stack[k]!)) {
        out.push(`VM ${this.vm}: balloon stack entry ${k} (page ${this.stack[k]}) is not ballooned`)
        break
      }
    return out
  }

  // ---- migration coupling ---------------------------------------------------------------------------

  /**
   * Whether a migration round must send this page's content: not a ballooned page (discarded, reads as
   * zeros) nor a zero page (QEMU sends a zero-page flag only). KSM-merged pages are sent like any other:
   * each VM's copy travels, and the destination's KSM merges them again over time.
   */
  needsSending(page: number): boolean {
    return !this.image.isAbsent(page) && this.image.tokens[page] !== ZERO_TOKEN
  }

  /** Pages a complete first pre-copy round sends in full (present, non-zero): O(1). */
  get pagesToSend(): number {
    return this.cache + this.used
  }

  // ---- checkpoints ----------------------------------------------------------------------------------

  state(): GuestMemoryState {
    const img = this.image.state()
    return {
      image: { ...img, tokens: img.tokens.slice(), dirty: img.dirty.slice() },
      flags: this.flags(),
      stack: this.stack.slice(0, this.balloon),
      counts: [
        this.balloon,
        this.free,
        this.cache,
        this.used,
        this.guestSwapped,
        this.hostSwapped,
        this.balloonTarget,
        this.balloonMinPages,
        this.balloonCarry,
        this.guestSwapOuts,
        this.guestSwapIns,
        this.cacheDropped,
        this.hostSwapOuts,
        this.hostSwapIns,
        this.hostSwappedHot,
        this.guestMajorFaults,
        this.accessPerSecond,
        this.vcpus,
        this.hotFirst,
        this.hotEnd,
        this.hotShare,
      ],
      balloonAuto: this.balloonAuto,
      cursor: this.cursor.slice(),
      killed: this.killed,
      // a full table either way: a snapshot's saved state (and its save time) is as large with or without it
      remap: this.remap ? this.remap.slice() : new Int32Array(this.pages).fill(-1),
    }
  }

  /** PRESENT or BALLOONED per page (the state's form). */
  private flags(): Uint8Array {
    const flags = new Uint8Array(this.pages)
    const absent = this.image.absent
    for (let w = 0; w < absent.length; w++) {
      let a = absent[w]!
      while (a !== 0) {
        const p = (w << 5) + (31 - Math.clz32(a & -a))
        if (p < this.pages) flags[p] = BALLOONED
        a &= a - 1
      }
    }
    return flags
  }

  /** Rebuilds a VM's memory (not registered with any KSM: Ksm.fromState re-attaches it). */
  static fromState(s: GuestMemoryState): GuestMemory {
    const m = new GuestMemory(MemoryImage.fromState(s.image))
    for (let p = 0; p < s.flags.length; p++) if (s.flags[p] !== PRESENT) m.image.setAbsent(p, true)
    m.stack = new Int32Array(Math.max(16, s.stack.length))
    m.stack.set(s.stack)
    const c = s.counts
    m.balloon = c[0]!
    m.free = c[1]!
    m.cache = c[2]!
    m.used = c[3]!
    m.guestSwapped = c[4]!
    m.hostSwapped = c[5]!
    m.balloonTarget = c[6]!
    m.balloonMinPages = c[7]!
    m.balloonCarry = c[8]!
    m.guestSwapOuts = c[9]!
    m.guestSwapIns = c[10]!
    m.cacheDropped = c[11]!
    m.hostSwapOuts = c[12]!
    m.hostSwapIns = c[13]!
    m.hostSwappedHot = c[14] ?? 0
    m.guestMajorFaults = c[15] ?? 0
    m.accessPerSecond = c[16] ?? 0
    m.vcpus = c[17] ?? 1
    m.hotFirst = c[18] ?? 0
    m.hotEnd = c[19] ?? m.pages
    m.hotShare = c[20] ?? 1
    m.balloonAuto = s.balloonAuto
    m.cursor.set(s.cursor)
    m.killed = s.killed
    if (s.remap.some((f) => f >= 0)) {
      m.remap = new Int32Array(m.pages)
      m.remap.set(s.remap)
    }
    m.countHot()
    return m
  }
}
