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
import { MemoryImage, ZERO_TOKEN, isImageToken, type MemoryImageState } from '../memory/image'
import {
  countContent,
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
  pageRemoved(page: number): void
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
  /** PRESENT or BALLOONED per page */
  readonly flags: Uint8Array
  /** ballooned pages, most recent last */
  private readonly stack: Int32Array
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
   */
  private readonly remap: Int32Array

  constructor(image: MemoryImage) {
    this.image = image
    this.pages = image.pageCount
    this.pageSize = image.pageSize
    this.flags = new Uint8Array(this.pages)
    this.stack = new Int32Array(this.pages)
    this.remap = new Int32Array(this.pages).fill(-1)
    const c = countContent(image)
    this.free = c.zero
    this.cache = c.image
    this.used = c.unique
    this.hotEnd = this.pages
    this.hotBacked = c.image + c.unique
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
    let n = 0
    const t = this.image.tokens
    for (let p = this.hotFirst; p < this.hotEnd; p++) if (this.flags[p] === PRESENT && t[p] !== ZERO_TOKEN) n++
    this.hotBacked = n
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

  /**
   * The guest frees a page; with free page reporting / init_on_free it then reads as zeros (free memory)
   * and the host discards it: no longer backed, no longer scanned by KSM.
   */
  release(page: number): void {
    if (this.flags[page] !== PRESENT) return
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
    if (this.flags[page] === PRESENT) return page
    const again = this.remap[page]!
    if (again >= 0 && this.flags[again] === PRESENT) return again
    const frame = this.allocate()
    if (frame >= 0) this.remap[page] = frame
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

  /** A present page of a kind, searching on from where the last search of that kind stopped. */
  private find(kind: PageKind): number {
    const n = this.pages
    const tokens = this.image.tokens
    const flags = this.flags
    let p = this.cursor[kind]!
    for (let i = 0; i < n; i++) {
      if (p >= n) p = 0
      if (flags[p] === PRESENT) {
        const t = tokens[p]!
        const k = t === ZERO_TOKEN ? PAGE_ZERO : isImageToken(t) ? PAGE_IMAGE : PAGE_UNIQUE
        if (k === kind) {
          this.cursor[kind] = p + 1
          return p
        }
      }
      p++
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
    const kind: PageKind | -1 =
      this.free > 0 ? PAGE_ZERO : this.cache > 0 ? PAGE_IMAGE : this.used > 0 ? PAGE_UNIQUE : -1
    if (kind === -1) return -1
    const page = this.find(kind)
    if (kind !== PAGE_ZERO && this.inHot(page)) this.hotBacked--
    if (kind === PAGE_ZERO) this.free--
    else if (kind === PAGE_IMAGE) {
      this.cache--
      this.cacheDropped++
    } else {
      this.used--
      this.guestSwapped++
      this.guestSwapOuts++
    }
    const slot = this.ksmSlot
    if (slot) slot.pageRemoved(page)
    this.flags[page] = BALLOONED
    this.stack[this.balloon++] = page
    this.image.setToken(page, ZERO_TOKEN)
    return kind
  }

  /**
   * The balloon gives one page back. The guest first uses it to bring back data it had swapped out
   * (the page holds its data again), otherwise it is free memory. Returns the page, or −1.
   */
  deflateOne(): number {
    if (this.balloon === 0) return -1
    const page = this.stack[--this.balloon]!
    this.flags[page] = PRESENT
    if (this.guestSwapped > 0) {
      this.guestSwapped--
      this.guestSwapIns++
      this.used++
      if (this.inHot(page)) this.hotBacked++
      this.image.write(page)
    } else this.free++
    const slot = this.ksmSlot
    if (slot) slot.pageAdded(page)
    return page
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
    let free = 0
    let cache = 0
    let used = 0
    const t = this.image.tokens
    for (let p = 0; p < this.pages; p++) {
      if (this.flags[p] !== PRESENT) {
        // content written past the guest onto the balloon's pages: those frames hold nothing
        if (t[p] !== ZERO_TOKEN) this.image.setToken(p, ZERO_TOKEN)
        continue
      }
      const token = t[p]!
      if (token === ZERO_TOKEN) free++
      else if (isImageToken(token)) cache++
      else used++
    }
    this.free = free
    this.cache = cache
    this.used = used
    this.countHot()
    const slot = this.ksmSlot
    if (slot) slot.resync()
  }

  /**
   * Where the O(1) counts disagree with the pages (empty: consistent): free/cache/used and the hot
   * region's backed pages against a recount of the present pages, the balloon against the BALLOONED flags
   * and its stack, ballooned frames holding nothing. O(pages): for tests and checks, never a step.
   */
  inconsistencies(): string[] {
    let free = 0
    let cache = 0
    let used = 0
    let hot = 0
    let ballooned = 0
    let holding = 0
    const t = this.image.tokens
    for (let p = 0; p < this.pages; p++) {
      if (this.flags[p] !== PRESENT) {
        ballooned++
        if (t[p] !== ZERO_TOKEN) holding++
        continue
      }
      const token = t[p]!
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
    for (let k = 0; k < this.balloon; k++)
      if (this.flags[this.stack[k]!] !== BALLOONED) {
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
    return this.flags[page] === PRESENT && this.image.tokens[page] !== ZERO_TOKEN
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
      flags: this.flags.slice(),
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
      remap: this.remap.slice(),
    }
  }

  /** Rebuilds a VM's memory (not registered with any KSM: Ksm.fromState re-attaches it). */
  static fromState(s: GuestMemoryState): GuestMemory {
    const m = new GuestMemory(MemoryImage.fromState(s.image))
    m.flags.set(s.flags)
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
    m.remap.set(s.remap)
    m.countHot()
    return m
  }
}
