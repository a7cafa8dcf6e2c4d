// Kernel Samepage Merging on one host, following mm/ksm.c and the kernel's Documentation/admin-guide/mm/ksm.rst:
//
// - ksmd wakes every `sleep_millisecs`, scans `pages_to_scan` pages of the registered VMs in order (a
//   cursor that persists across wake-ups and steps), then sleeps. Reaching the end of the last VM ends
//   the batch and counts a full scan (`full_scans`); the next wake-up starts a new pass and flushes the
//   unstable tree. Pages the guest gave to the balloon, and free pages (zero content: never touched, or
//   released by free page reporting), are not mapped and are skipped free of budget, as follow_page()
//   finds nothing there.
// - cmp_and_merge_page: a scanned page is looked up in the stable tree (content → KSM pages); a match
//   with room maps the page onto that KSM page. Otherwise, if its checksum (here: its content token)
//   changed since the last visit it is volatile and only remembered; if unchanged it is searched in the
//   unstable tree: a match merges both pages into a new KSM page, no match inserts it there.
// - A KSM page holds at most `max_page_sharing` mappings; more pages of the same content get further
//   KSM pages ("dups") of a "stable node chain".
// - A write to a merged page breaks its sharing at once (copy on write, `cow_ksm`); a write nobody
//   reported is found when ksmd next visits the page, as in Linux.
//
// Statistics carry ksm.rst's names and meanings: pages_shared = KSM pages in use, pages_sharing = the
// further mappings onto them (pages saved), pages_unshared = pages in the unstable tree, pages_volatile
// = rmap_items − shared − sharing − unshared (≥ 0), full_scans, pages_scanned, stable_node_chains =
// contents held in more than one KSM page, stable_node_dups = the KSM pages of those chains,
// general_profit = pages_sharing × PAGE_SIZE − rmap_items × sizeof(rmap_item).
//
// A simulated page may be larger than the kernel's 4 KiB page: it then stands for pageSize/4096 kernel
// pages with the same fate. Counts are in simulated pages; the scan budget and general_profit are kept
// in kernel terms (pages_to_scan kernel pages per wake-up; 64 B per kernel rmap_item).
//
// Representation (the page-by-page reference the tests compare with is tests/reference/ksm-reference.ts):
// a VM's rmap_items are bit planes, 32 pages a word — has an item, checksum taken, in the unstable tree,
// merged — and the KSM page of each merged page. A checksum still holds while the image's `changed` bit of
// the page is clear (MemoryImage sets it on every change of content, even one that bypassed the guest), so
// "changed since the last visit" is a bit test. A page of the VM's own content (a unique token) never
// equals another page: its visits only move it along item → volatile → unstable, which the scanner does
// for 32 pages at once; such pages are not put in the unstable tree, where nothing could ever match them.
// Pages still mapped to a KSM page of their content are skipped a word at a time; the rest (image pages
// on their way to a merge, pages written behind KSM's back) go through cmp_and_merge_page one by one.
//
// Performance: work is proportional to the words of the pages scanned at the configured rate, and to the
// image pages that change state. Once a whole pass has changed nothing and nothing changed since (no
// write, balloon move, registration), further passes are identical, so the scanner skips ahead
// arithmetically (counting full_scans and pages_scanned) instead of revisiting pages.
import { ZERO_TOKEN, isImageToken, popcount } from '../memory/image'
import { TokenTable, type TokenTableState } from './token-table'
import type { GuestMemory, KsmWatch } from './guest-memory'

export interface KsmTunables {
  /** 0 = stop (keep merged pages), 1 = run, 2 = stop and unmerge everything */
  run: 0 | 1 | 2
  /** pages scanned per wake-up (kernel pages) */
  pages_to_scan: number
  /** sleep between wake-ups */
  sleep_millisecs: number
  /** maximum mappings of one KSM page (≥ 2) */
  max_page_sharing: number
}

/** Linux defaults (mm/ksm.c, ksm.rst). */
export const KSM_DEFAULTS: Readonly<KsmTunables> = {
  run: 0,
  pages_to_scan: 100,
  sleep_millisecs: 20,
  max_page_sharing: 256,
}

/** sizeof(struct ksm_rmap_item) on 64-bit (ksm.rst, general_profit). */
export const RMAP_ITEM_BYTES = 64
export const KERNEL_PAGE_SIZE = 4096

export interface KsmStats {
  pages_shared: number
  pages_sharing: number
  pages_unshared: number
  pages_volatile: number
  full_scans: number
  pages_scanned: number
  stable_node_chains: number
  stable_node_dups: number
  /** bytes; may be negative */
  general_profit: number
  /** rmap_items in use (the base of pages_volatile and general_profit) */
  rmap_items: number
  /** /proc/vmstat cow_ksm: writes that broke a merged page */
  cow_ksm: number
}

/** What a host's memory needs of its ksmd: `Ksm`, or the tests' page-by-page reference. */
export interface KsmDaemon {
  readonly pageSize: number
  readonly tunables: Readonly<KsmTunables>
  /** the registered VMs, in scan order */
  readonly slots: readonly { readonly vm: GuestMemory }[]
  /** pages_sharing */
  readonly savedPages: number
  /** pages_shared */
  readonly pagesShared: number
  set(t: Partial<KsmTunables>): void
  register(vm: GuestMemory): KsmWatch
  unregister(vm: GuestMemory): void
  advance(ms: number): void
  stats(into?: KsmStats): KsmStats
  state(): KsmState
}

const SLOT_SCALE = 2 ** 31

/** The KSM slot a guest is registered with (its watch is a KsmSlot when a Ksm registered it). */
function slotOf(vm: GuestMemory): KsmSlot | null {
  const watch = vm.ksmSlot
  return watch instanceof KsmSlot ? watch : null
}

/**
 * A registered VM (an mm_slot) with its rmap_items: bit planes of 32 pages a word, allocated at its first
 * scan. A page's place: no item; an item (its checksum taken or not); a node of the unstable tree (Linux's
 * UNSTABLE_FLAG, kept until the page is visited again); or mapped to a KSM page (`dup`).
 */
export class KsmSlot implements KsmWatch {
  /** the page has an rmap_item */
  item: Uint32Array | null = null
  /** its checksum (rmap_item.oldchecksum) was taken: it still holds while the image's `changed` bit is clear */
  checked: Uint32Array | null = null
  /** node of the unstable tree */
  unstable: Uint32Array | null = null
  /** mapped to a KSM page */
  merged: Uint32Array | null = null
  /** per merged page: its KSM page (a dup id) */
  dup: Int32Array | null = null
  /** /proc/PID/ksm_stat ksm_rmap_items */
  rmapItems = 0
  /** /proc/PID/ksm_stat ksm_merging_pages: pages of this VM mapped to KSM pages */
  merging = 0

  constructor(
    readonly owner: Ksm,
    readonly id: number,
    readonly vm: GuestMemory,
  ) {}

  pageChanged(page: number): void {
    this.owner.pageChanged(this, page)
  }

  wordChanged(w: number, mask: number): void {
    this.owner.wordChanged(this, w, mask)
  }

  pageRemoved(page: number): void {
    this.owner.pageRemoved(this, page)
  }

  pageAdded(page: number): void {
    this.owner.pageAdded(this, page)
  }

  wordRemoved(w: number, mask: number): void {
    this.owner.wordRemoved(this, w, mask)
  }

  resync(): void {
    this.owner.resync(this.vm)
  }

  ensure(): void {
    if (this.item) return
    const words = this.vm.image.absent.length
    this.item = new Uint32Array(words)
    this.checked = new Uint32Array(words)
    this.unstable = new Uint32Array(words)
    this.merged = new Uint32Array(words)
    this.dup = new Int32Array(this.vm.pages)
  }

  /** Drops the planes (the VM's items are gone). */
  clear(): void {
    this.item = null
    this.checked = null
    this.unstable = null
    this.merged = null
    this.dup = null
  }
}

export interface KsmSlotState {
  id: number
  vm: number
  item: Uint32Array | null
  checked: Uint32Array | null
  unstable: Uint32Array | null
  merged: Uint32Array | null
  dup: Int32Array | null
  rmapItems: number
  merging: number
  /** older states: per page NO_ITEM (−1), ITEM (−2), UNSTABLE (−3) or the KSM page, and the checksums */
  where?: Int32Array | null
  oldsum?: Float64Array | null
}

export interface KsmState {
  pageSize: number
  kernelPageSize: number
  tunables: KsmTunables
  counters: number[]
  cursor: number[]
  slots: KsmSlotState[]
  nextSlotId: number
  chains: { token: Float64Array; ndups: Int32Array; head: Int32Array; tail: Int32Array; free: number[]; used: number }
  dups: {
    chain: Int32Array
    count: Int32Array
    prev: Int32Array
    next: Int32Array
    open: Uint8Array
    free: number[]
    used: number
  }
  stable: TokenTableState
  unstable: TokenTableState
}

export class Ksm implements KsmDaemon {
  readonly tunables: KsmTunables
  /**
   * Scan wake-ups in batches and skip identical passes arithmetically; off: one wake-up at a time (the
   * tests check both give the same results).
   */
  fastForward = true
  /** kernel pages per simulated page */
  private readonly kpp: number

  // statistics
  private shared = 0
  private sharing = 0
  private unshared = 0
  private rmapItems = 0
  private fullScans = 0
  private scanned = 0
  private chainsCount = 0
  private dupsCount = 0
  private cow = 0

  // scan cursor: slot index in `order` (−1: at the head, the next scan starts a pass), next page there
  private order: KsmSlot[] = []
  private byId = new Map<number, KsmSlot>()
  private nextSlotId = 0
  private cur = -1
  private curPage = 0
  /** budget left from earlier wake-ups, in kernel pages (only when a simulated page is bigger than a batch) */
  private credit = 0
  /** present pages scanned in the current pass */
  private passScanned = 0
  /** ms until the next wake-up */
  private nextWakeMs = 0

  // fast-forward bookkeeping
  private epoch = 0
  private steadyEpoch = -1
  private passStartEpoch = -1
  private passEvents = 0
  private rebuildUnstable = false

  // stable tree: content token → chain; a chain lists its KSM pages (dups) with room in an open list
  private stable = new TokenTable(8)
  private chainToken: Float64Array = new Float64Array(16)
  private chainNdups: Int32Array = new Int32Array(16)
  private chainHead: Int32Array = new Int32Array(16)
  private chainTail: Int32Array = new Int32Array(16)
  private chainFree: number[] = []
  private chainUsed = 0
  private dupChain: Int32Array = new Int32Array(64)
  private dupCount: Int32Array = new Int32Array(64)
  private dupPrev: Int32Array = new Int32Array(64)
  private dupNext: Int32Array = new Int32Array(64)
  private dupOpen: Uint8Array = new Uint8Array(64)
  private dupFree: number[] = []
  private dupUsed = 0

  // unstable tree: image content token → slotId × 2^31 + page. Removals are left to the lookup, which
  // checks the node still is what it was (Linux's own check: the unstable tree is not write-protected).
  private unstable = new TokenTable(8)

  constructor(
    readonly pageSize: number,
    tunables: Partial<KsmTunables> = {},
    readonly kernelPageSize = KERNEL_PAGE_SIZE,
  ) {
    this.kpp = pageSize / kernelPageSize
    this.tunables = { ...KSM_DEFAULTS }
    this.set(tunables)
  }

  // ---- control ------------------------------------------------------------------------------------

  /** Writes tunables as one would to /sys/kernel/mm/ksm/ (validated like the kernel does). */
  set(t: Partial<KsmTunables>): void {
    if (t.pages_to_scan !== undefined) {
      if (!Number.isInteger(t.pages_to_scan) || t.pages_to_scan < 0)
        throw new RangeError(`pages_to_scan must be an integer ≥ 0, found ${t.pages_to_scan}`)
      this.tunables.pages_to_scan = t.pages_to_scan
    }
    if (t.sleep_millisecs !== undefined && t.sleep_millisecs !== this.tunables.sleep_millisecs) {
      if (!Number.isInteger(t.sleep_millisecs) || t.sleep_millisecs < 1)
        throw new RangeError(`sleep_millisecs must be an integer ≥ 1, found ${t.sleep_millisecs}`)
      this.tunables.sleep_millisecs = t.sleep_millisecs
      // ksmd's sleep is interrupted when the value changes: it wakes at once
      this.nextWakeMs = 0
    }
    if (t.max_page_sharing !== undefined && t.max_page_sharing !== this.tunables.max_page_sharing) {
      if (!Number.isInteger(t.max_page_sharing) || t.max_page_sharing < 2)
        throw new RangeError(`max_page_sharing must be an integer ≥ 2, found ${t.max_page_sharing}`)
      if (this.shared > 0) throw new Error('max_page_sharing can change only when no KSM pages exist (run=2 first)')
      this.tunables.max_page_sharing = t.max_page_sharing
      this.epoch++
    }
    if (t.run !== undefined && t.run !== this.tunables.run) {
      if (t.run !== 0 && t.run !== 1 && t.run !== 2)
        throw new RangeError(`run must be 0, 1 or 2, found ${String(t.run)}`)
      const was = this.tunables.run
      this.tunables.run = t.run
      if (t.run === 2) this.unmergeAll()
      if (t.run === 1 && was !== 1) this.nextWakeMs = 0
    }
  }

  /** Starts merging a VM's memory (QEMU's MADV_MERGEABLE guest RAM). Placed just behind the scan cursor. */
  register(vm: GuestMemory): KsmSlot {
    if (vm.ksmSlot) throw new Error(`VM ${vm.vm} is already registered with a KSM instance`)
    if (vm.pageSize !== this.pageSize)
      throw new RangeError(`VM ${vm.vm} has ${vm.pageSize}-byte pages, KSM here ${this.pageSize}`)
    const slot = new KsmSlot(this, this.nextSlotId++, vm)
    this.byId.set(slot.id, slot)
    if (this.cur === -1) this.order.push(slot)
    else {
      this.order.splice(this.cur, 0, slot)
      this.cur++
    }
    if (this.order.length === 1 && this.tunables.run === 1) this.nextWakeMs = 0
    vm.ksmSlot = slot
    this.epoch++
    return slot
  }

  /** Stops merging a VM (it migrated away or stopped): its mappings and rmap_items go at once. */
  unregister(vm: GuestMemory): void {
    const slot = slotOf(vm)
    if (!slot || slot.owner !== this) return
    this.dropSlotItems(slot)
    const index = this.order.indexOf(slot)
    this.order.splice(index, 1)
    if (this.cur > index) this.cur--
    else if (this.cur === index) this.curPage = 0
    if (this.cur >= this.order.length) {
      // the removed slot was the last: the pass ends at the next scan
      this.cur = this.order.length === 0 ? -1 : this.order.length
      this.curPage = 0
    }
    this.byId.delete(slot.id)
    vm.ksmSlot = null
    this.epoch++
  }

  get slots(): readonly KsmSlot[] {
    return this.order
  }

  // ---- notifications from GuestMemory -----------------------------------------------------------------

  /** The guest wrote the page (or it changed otherwise): a merged page is copied (COW) and unshared. */
  pageChanged(slot: KsmSlot, page: number): void {
    this.epoch++
    const merged = slot.merged
    if (merged !== null && ((merged[page >>> 5]! >>> (page & 31)) & 1) !== 0) {
      this.unmap(slot, page)
      this.cow++
    }
  }

  /** The guest wrote the pages of `mask` in word `w`: pageChanged for each. */
  wordChanged(slot: KsmSlot, w: number, mask: number): void {
    this.epoch++
    const merged = slot.merged
    if (merged === null) return
    for (let m = mask & merged[w]!; m !== 0; m &= m - 1) {
      this.unmap(slot, (w << 5) + 31 - Math.clz32(m & -m))
      this.cow++
    }
  }

  /** The page is no longer mapped (given to the balloon, or freed and reported): its rmap_item goes. */
  pageRemoved(slot: KsmSlot, page: number): void {
    this.epoch++
    const item = slot.item
    if (item === null) return
    const w = page >>> 5
    const bit = 1 << (page & 31)
    if ((item[w]! & bit) === 0) return
    if ((slot.merged![w]! & bit) !== 0) this.unmap(slot, page)
    else if ((slot.unstable![w]! & bit) !== 0) this.unstableRemove(slot, page)
    item[w] = item[w]! & ~bit
    slot.checked![w] = slot.checked![w]! & ~bit
    slot.rmapItems--
    this.rmapItems--
  }

  /** The pages of `mask` in word `w` are no longer mapped: pageRemoved for each. */
  wordRemoved(slot: KsmSlot, w: number, mask: number): void {
    this.epoch++
    const item = slot.item
    if (item === null) return
    const items = mask & item[w]!
    if (items === 0) return
    for (let m = items & slot.merged![w]!; m !== 0; m &= m - 1) this.unmap(slot, (w << 5) + 31 - Math.clz32(m & -m))
    const nodes = items & slot.unstable![w]!
    if (nodes !== 0) {
      slot.unstable![w] = slot.unstable![w]! & ~nodes
      this.unshared -= popcount(nodes)
    }
    item[w] = item[w]! & ~items
    slot.checked![w] = slot.checked![w]! & ~items
    const n = popcount(items)
    slot.rmapItems -= n
    this.rmapItems -= n
  }

  /** A page became present again (balloon deflation). */
  pageAdded(_slot: KsmSlot, _page: number): void {
    this.epoch++
  }

  /**
   * After a VM's memory was replaced wholesale (snapshot revert, restore, a migration's writes), breaks the
   * sharing of every page whose content no longer matches its KSM page, and drops the items of pages now
   * free (O(pages of that VM) / 32, and the pages concerned).
   */
  resync(vm: GuestMemory): void {
    const slot = slotOf(vm)
    this.epoch++
    if (!slot || slot.owner !== this || !slot.item) return
    const item = slot.item
    const merged = slot.merged!
    const image = vm.image
    const nonzero = image.nonzero
    const changed = image.changed
    const tokens = image.tokens
    for (let w = 0; w < item.length; w++) {
      let look = (item[w]! & ~nonzero[w]!) | (merged[w]! & changed[w]!)
      while (look !== 0) {
        const bit = look & -look
        look ^= bit
        const p = (w << 5) + 31 - Math.clz32(bit)
        // a page now free is no longer mapped (free page reporting): its rmap_item goes
        if ((nonzero[w]! & bit) === 0) this.pageRemoved(slot, p)
        else if (this.chainToken[this.dupChain[slot.dup![p]!]!] !== tokens[p]) {
          this.unmap(slot, p)
          this.cow++
        } else changed[w] = changed[w]! & ~bit
      }
    }
  }

  // ---- time -------------------------------------------------------------------------------------------

  /** Lets ksmd run for `ms` milliseconds of simulated time. */
  advance(ms: number): void {
    if (this.tunables.run !== 1 || this.order.length === 0) return
    const sleep = this.tunables.sleep_millisecs
    const t = this.nextWakeMs
    if (t >= ms) {
      this.nextWakeMs = t - ms
      return
    }
    // wake-ups at t, t + sleep, … before ms
    const k = Math.ceil((ms - t) / sleep)
    this.nextWakeMs = t + k * sleep - ms
    if (this.tunables.pages_to_scan === 0) return
    if (this.fastForward) this.runWakeups(k)
    else for (let i = 0; i < k; i++) this.wake()
  }

  /**
   * k wake-ups at once. Nothing but ksmd acts during one advance(), so the only thing batch boundaries
   * decide is where a pass ends (the batch that finds the end wastes the rest of its budget): pages are
   * scanned in runs up to each pass end, and identical passes are skipped.
   */
  private runWakeups(k: number): void {
    const kpp = this.kpp
    const p = this.tunables.pages_to_scan
    while (k > 0) {
      if (this.steadyEpoch === this.epoch) {
        this.skipWakeups(k, this.mappedTotal())
        return
      }
      // The j pages k wake-ups scan, unless the pass ends first: j ≤ R (the mapped pages left in the pass)
      // exactly when the k wake-ups end before the one that finds the end of the pass. Scanning tells which
      // (the scan changes no page's presence), so R is not counted beforehand.
      const total = this.credit + k * p
      const j = Math.floor(total / kpp)
      const R = this.scanPages(j)
      if (R === j) {
        this.credit = total - j * kpp
        return
      }
      // the pass ended after R pages: the wake-ups until its end was found (that one included)
      const w = Math.ceil(((R + 1) * kpp - this.credit) / p)
      if (this.cur === -1) this.startPass()
      this.endPass()
      k -= w
    }
  }

  /** One ksmd batch (ksm_do_scan(pages_to_scan)): the wake-up by wake-up form of runWakeups. */
  private wake(): void {
    const kpp = this.kpp
    this.credit += this.tunables.pages_to_scan
    const j = Math.floor(this.credit / kpp)
    if (j === 0) return
    const R = this.remainingInPass(this.mappedTotal())
    if (j <= R) {
      this.credit -= j * kpp
      this.scanPages(j)
      return
    }
    this.scanPages(R)
    if (this.cur === -1) this.startPass()
    this.endPass()
  }

  /** Scans the next j mapped pages, or up to the end of the pass if fewer are left; returns how many. */
  private scanPages(j: number): number {
    if (j <= 0) return 0
    if (this.cur === -1) this.startPass()
    // (a pass already at its end keeps its tree as it is: the next pass starts a new one)
    if (this.rebuildUnstable && this.remainingInPass(this.mappedTotal()) > 0) this.rebuildUnstableTree()
    const order = this.order
    let left = j
    while (this.cur < order.length) {
      left -= this.visit(order[this.cur]!, left)
      if (left === 0) break
      this.cur++
      this.curPage = 0
    }
    const n = j - left
    this.passScanned += n
    this.scanned += n
    return n
  }

  /**
   * Scans up to `max` mapped pages of a slot from the cursor on, in order, and leaves the cursor just after
   * the last one scanned; returns how many. Pages of the VM's own content move along item → volatile →
   * unstable a word at a time; pages still mapped to a KSM page of their content are skipped; the rest go
   * through cmpAndMerge.
   */
  private visit(slot: KsmSlot, max: number): number {
    const image = slot.vm.image
    const nonzero = image.nonzero
    const absent = image.absent
    const unique = image.unique
    const changed = image.changed
    const words = absent.length
    // the slot's planes, made at its first mapped page (cmpAndMerge never replaces them)
    let item = slot.item
    let checked = slot.checked
    let unstable = slot.unstable
    let merged = slot.merged
    let w = this.curPage >>> 5
    let from = ~0 << (this.curPage & 31)
    let left = max
    let last = -1
    let newItems = 0
    let unsharedDelta = 0
    let volatile = 0
    while (left > 0 && w < words) {
      let m = nonzero[w]! & ~absent[w]! & from
      from = ~0
      if (m !== 0) {
        let c = popcount(m)
        if (c > left) {
          // the lowest `left` pages of the word
          let keep = 0
          for (let i = 0; i < left; i++) {
            const r = m ^ keep
            keep |= r & -r
          }
          m = keep
          c = left
        }
        left -= c
        last = (w << 5) + 31 - Math.clz32(m)
        if (item === null || checked === null || unstable === null || merged === null) {
          slot.ensure()
          item = slot.item!
          checked = slot.checked!
          unstable = slot.unstable!
          merged = slot.merged!
        }
        const mergedW = merged[w]!
        const ch = changed[w]!
        const own = m & unique[w]! & ~mergedW
        if (own !== 0) {
          const fresh = checked[w]! & ~ch
          const un = unstable[w]!
          // checksum changed (or never taken): volatile, the checksum taken now (an item made first if none)
          const vol = own & ~fresh
          // checksum unchanged: into the unstable tree (an own page there stays there)
          const settle = own & fresh & ~un
          if (vol !== 0) {
            const it = item[w]!
            newItems += popcount(vol & ~it)
            unsharedDelta -= popcount(vol & un)
            volatile += popcount(vol)
            item[w] = it | vol
            checked[w] = checked[w]! | vol
            changed[w] = ch & ~vol
          }
          if (vol !== 0 || settle !== 0) unstable[w] = (un & ~vol) | settle
          if (settle !== 0) unsharedDelta += popcount(settle)
        }
        // the rest, once own pages and pages still merged to their content are set aside (`ch` differs from
        // the word now only in own pages)
        let rest = m & ~own & ~(mergedW & ~ch)
        while (rest !== 0) {
          const bit = rest & -rest
          rest ^= bit
          this.cmpAndMerge(slot, (w << 5) + 31 - Math.clz32(bit))
        }
      }
      w++
    }
    slot.rmapItems += newItems
    this.rmapItems += newItems
    this.unshared += unsharedDelta
    this.passEvents += newItems + volatile
    if (last >= 0) this.curPage = last + 1
    return max - left
  }

  /** Mapped pages from the cursor to the end of the pass (S at the head). */
  private remainingInPass(S: number): number {
    if (this.cur === -1) return S
    const order = this.order
    let r = 0
    for (let i = this.cur; i < order.length; i++) {
      const image = order[i]!.vm.image
      r += i > this.cur ? image.mapped : image.mappedIn(this.curPage, image.pageCount)
    }
    return r
  }

  private startPass(): void {
    this.unstable.clear()
    this.rebuildUnstable = false
    this.cur = 0
    this.curPage = 0
    this.passScanned = 0
    this.passEvents = 0
    this.passStartEpoch = this.epoch
  }

  private endPass(): void {
    this.fullScans++
    if (this.passEvents === 0 && this.passStartEpoch === this.epoch) this.steadyEpoch = this.epoch
    this.cur = -1
    this.curPage = 0
    this.passScanned = 0
    this.credit = 0
  }

  /** Mapped pages of every registered VM: a whole pass. */
  private mappedTotal(): number {
    let s = 0
    for (const slot of this.order) s += slot.vm.image.mapped
    return s
  }

  /**
   * Skips k wake-ups while nothing can change (the last whole pass had no event and nothing happened
   * since): passes are identical, so only the counters and the cursor move.
   */
  private skipWakeups(k: number, S: number): void {
    const kpp = this.kpp
    const p = this.tunables.pages_to_scan
    const R = this.remainingInPass(S)
    const s = S - R
    // wake-ups until the end of the current pass is found (that one included)
    const w = Math.ceil(((R + 1) * kpp - this.credit) / p)
    if (k < w) {
      const total = this.credit + k * p
      const j = Math.floor(total / kpp)
      if (this.cur === -1 && j > 0) this.startPass()
      this.credit = total - j * kpp
      this.scanned += j
      if (j > 0) this.locate(s + j)
    } else {
      k -= w
      this.scanned += R
      this.fullScans++
      const W = Math.ceil(((S + 1) * kpp) / p)
      const q = Math.floor(k / W)
      this.fullScans += q
      this.scanned += q * S
      k -= q * W
      this.cur = -1
      this.curPage = 0
      this.passScanned = 0
      this.credit = 0
      if (k > 0) {
        const total = k * p
        const j = Math.floor(total / kpp)
        this.credit = total - j * kpp
        if (j > 0) {
          this.startPass()
          this.scanned += j
          this.locate(j)
        }
      }
    }
    // pages skipped over this pass would sit in the unstable tree: rebuild it before a real scan
    this.rebuildUnstable = this.cur !== -1
  }

  /** Puts the cursor just after the s-th mapped page of the pass (s ≥ 1), where scanning s pages leaves it. */
  private locate(s: number): void {
    this.passScanned = s
    const order = this.order
    for (let i = 0; i < order.length; i++) {
      const image = order[i]!.vm.image
      const mapped = image.mapped
      if (s <= mapped || i === order.length - 1) {
        this.cur = i
        this.curPage = s > mapped ? image.pageCount : nthMapped(image.nonzero, image.absent, s) + 1
        return
      }
      s -= mapped
    }
  }

  /** The unstable tree as scanning the pass up to the cursor would have left it (after skipped passes). */
  private rebuildUnstableTree(): void {
    this.rebuildUnstable = false
    this.unstable.clear()
    for (let i = 0; i <= this.cur && i < this.order.length; i++) {
      const slot = this.order[i]!
      const unstable = slot.unstable
      if (unstable === null) continue
      const image = slot.vm.image
      const end = i === this.cur ? this.curPage : image.pageCount
      const checked = slot.checked!
      const tokens = image.tokens
      const last = Math.min(unstable.length, (end + 31) >>> 5)
      for (let w = 0; w < last; w++) {
        // image pages whose node still holds their content (the others could never match)
        let m = unstable[w]! & checked[w]! & ~image.changed[w]! & ~image.unique[w]! & ~image.absent[w]!
        if (w === last - 1 && (end & 31) !== 0) m &= (1 << (end & 31)) - 1
        while (m !== 0) {
          const bit = m & -m
          m ^= bit
          const p = (w << 5) + 31 - Math.clz32(bit)
          this.unstable.set(tokens[p]!, slot.id * SLOT_SCALE + p)
        }
      }
    }
  }

  // ---- the algorithm -------------------------------------------------------------------------------

  /** cmp_and_merge_page for one mapped page. */
  private cmpAndMerge(slot: KsmSlot, page: number): void {
    const image = slot.vm.image
    const token = image.tokens[page]!
    const w = page >>> 5
    const bit = 1 << (page & 31)
    const item = slot.item!
    const checked = slot.checked!
    const unstable = slot.unstable!
    const merged = slot.merged!
    const changed = image.changed
    if ((item[w]! & bit) === 0) {
      item[w] = item[w]! | bit
      slot.rmapItems++
      this.rmapItems++
      this.passEvents++
    }
    if ((merged[w]! & bit) !== 0) {
      if (this.chainToken[this.dupChain[slot.dup![page]!]!] === token) {
        changed[w] = changed[w]! & ~bit // still mapped to its KSM page
        return
      }
      // written since it was merged and not reported: the COW happened, ksmd finds it now
      this.unmap(slot, page)
      this.cow++
      this.passEvents++
    }
    // stable tree first (only image content can be there: nothing else is ever equal)
    const shared = isImageToken(token)
    if (shared) {
      const chain = this.stable.get(token)
      if (chain >= 0) {
        const dup = this.chainHead[chain]!
        if (dup >= 0) {
          if ((unstable[w]! & bit) !== 0) this.unstableRemove(slot, page)
          this.append(dup, slot, page)
          this.passEvents++
          return
        }
        // every KSM page of this content is full: wait for an unstable match to start another
      }
    }
    if ((unstable[w]! & bit) !== 0) this.unstableRemove(slot, page)
    if ((checked[w]! & ~changed[w]! & bit) === 0) {
      // changed since the last visit (or first visit): volatile
      checked[w] = checked[w]! | bit
      changed[w] = changed[w]! & ~bit
      this.passEvents++
      return
    }
    if (shared) {
      const ref = this.unstable.get(token)
      if (ref >= 0) {
        const other = this.byId.get(Math.floor(ref / SLOT_SCALE))
        const otherPage = ref % SLOT_SCALE
        if (
          other !== undefined &&
          other.unstable !== null &&
          ((other.unstable[otherPage >>> 5]! >>> (otherPage & 31)) & 1) !== 0 &&
          !other.vm.image.isAbsent(otherPage) &&
          other.vm.image.tokens[otherPage] === token
        ) {
          this.unstableRemove(other, otherPage)
          const dup = this.newDup(token)
          this.append(dup, other, otherPage)
          this.append(dup, slot, page)
          this.passEvents++
          return
        }
        // the tree page changed or left since it was inserted (the unstable tree is not write-protected)
      }
      this.unstable.set(token, slot.id * SLOT_SCALE + page)
    }
    unstable[w] = unstable[w]! | bit
    this.unshared++
  }

  /** Takes a page out of the unstable tree (its node, if still there, fails the lookup's check). */
  private unstableRemove(slot: KsmSlot, page: number): void {
    const unstable = slot.unstable!
    unstable[page >>> 5] = unstable[page >>> 5]! & ~(1 << (page & 31))
    this.unshared--
  }

  /** stable_tree_append */
  private append(dup: number, slot: KsmSlot, page: number): void {
    const count = this.dupCount[dup]!
    if (count > 0) this.sharing++
    else this.shared++
    this.dupCount[dup] = count + 1
    if (count + 1 >= this.tunables.max_page_sharing) this.closeDup(dup)
    const w = page >>> 5
    const bit = 1 << (page & 31)
    slot.merged![w] = slot.merged![w]! | bit
    slot.dup![page] = dup
    // from now on `changed` says whether the page still holds its KSM page's content
    const changed = slot.vm.image.changed
    changed[w] = changed[w]! & ~bit
    slot.merging++
  }

  /** Removes a page's mapping of its KSM page (COW, balloon, unregister); the page keeps its rmap_item. */
  private unmap(slot: KsmSlot, page: number): void {
    const dup = slot.dup![page]!
    const count = this.dupCount[dup]! - 1
    this.dupCount[dup] = count
    if (count > 0) this.sharing--
    else this.shared--
    slot.merged![page >>> 5] = slot.merged![page >>> 5]! & ~(1 << (page & 31))
    slot.merging--
    if (count === 0) this.freeDup(dup)
    else if (this.dupOpen[dup] === 0 && count < this.tunables.max_page_sharing) this.openDup(dup, false)
  }

  private newDup(token: number): number {
    let chain = this.stable.get(token)
    if (chain < 0) {
      chain = this.allocChain()
      this.chainToken[chain] = token
      this.chainNdups[chain] = 0
      this.chainHead[chain] = -1
      this.chainTail[chain] = -1
      this.stable.set(token, chain)
    }
    const dup = this.allocDup()
    this.dupChain[dup] = chain
    this.dupCount[dup] = 0
    this.dupOpen[dup] = 0
    const k = this.chainNdups[chain]! + 1
    this.chainNdups[chain] = k
    if (k === 2) {
      this.chainsCount++
      this.dupsCount += 2
    } else if (k > 2) this.dupsCount++
    this.openDup(dup, true)
    return dup
  }

  private freeDup(dup: number): void {
    const chain = this.dupChain[dup]!
    if (this.dupOpen[dup] === 1) this.closeDup(dup)
    const k = this.chainNdups[chain]!
    this.chainNdups[chain] = k - 1
    if (k === 2) {
      this.chainsCount--
      this.dupsCount -= 2
    } else if (k > 2) this.dupsCount--
    this.dupFree.push(dup)
    if (k === 1) {
      this.stable.delete(this.chainToken[chain]!)
      this.chainFree.push(chain)
    }
  }

  /** Adds a KSM page with room to its chain's open list: new ones at the head (used first), reopened at the tail. */
  private openDup(dup: number, atHead: boolean): void {
    const chain = this.dupChain[dup]!
    this.dupOpen[dup] = 1
    const head = this.chainHead[chain]!
    const tail = this.chainTail[chain]!
    if (head === -1) {
      this.dupPrev[dup] = -1
      this.dupNext[dup] = -1
      this.chainHead[chain] = dup
      this.chainTail[chain] = dup
    } else if (atHead) {
      this.dupPrev[dup] = -1
      this.dupNext[dup] = head
      this.dupPrev[head] = dup
      this.chainHead[chain] = dup
    } else {
      this.dupNext[dup] = -1
      this.dupPrev[dup] = tail
      this.dupNext[tail] = dup
      this.chainTail[chain] = dup
    }
  }

  private closeDup(dup: number): void {
    const chain = this.dupChain[dup]!
    this.dupOpen[dup] = 0
    const prev = this.dupPrev[dup]!
    const next = this.dupNext[dup]!
    if (prev === -1) this.chainHead[chain] = next
    else this.dupNext[prev] = next
    if (next === -1) this.chainTail[chain] = prev
    else this.dupPrev[next] = prev
  }

  private allocChain(): number {
    const free = this.chainFree.pop()
    if (free !== undefined) return free
    const id = this.chainUsed++
    if (id >= this.chainToken.length) {
      const n = this.chainToken.length * 2
      this.chainToken = growF64(this.chainToken, n)
      this.chainNdups = growI32(this.chainNdups, n)
      this.chainHead = growI32(this.chainHead, n)
      this.chainTail = growI32(this.chainTail, n)
    }
    return id
  }

  private allocDup(): number {
    const free = this.dupFree.pop()
    if (free !== undefined) return free
    const id = this.dupUsed++
    if (id >= this.dupCount.length) {
      const n = this.dupCount.length * 2
      this.dupChain = growI32(this.dupChain, n)
      this.dupCount = growI32(this.dupCount, n)
      this.dupPrev = growI32(this.dupPrev, n)
      this.dupNext = growI32(this.dupNext, n)
      const open = new Uint8Array(n)
      open.set(this.dupOpen)
      this.dupOpen = open
    }
    return id
  }

  /** Removes every mapping, unstable node and rmap_item of a slot. */
  private dropSlotItems(slot: KsmSlot): void {
    const item = slot.item
    if (item === null) return
    const merged = slot.merged!
    const unstable = slot.unstable!
    let items = 0
    let nodes = 0
    for (let w = 0; w < item.length; w++) {
      let m = merged[w]!
      while (m !== 0) {
        const bit = m & -m
        m ^= bit
        this.unmap(slot, (w << 5) + 31 - Math.clz32(bit))
      }
      items += popcount(item[w]!)
      nodes += popcount(unstable[w]!)
    }
    this.unshared -= nodes
    this.rmapItems -= items
    slot.rmapItems -= items
    slot.clear()
  }

  /** run = 2: unmerge every KSM page and drop all rmap_items, keeping the VMs registered. */
  private unmergeAll(): void {
    for (const slot of this.order) this.dropSlotItems(slot)
    this.unstable.clear()
    this.cur = -1
    this.curPage = 0
    this.passScanned = 0
    this.credit = 0
    // unmerge_and_remove_all_rmap_items() ends with ksm_scan.seqnr = 0
    this.fullScans = 0
    this.epoch++
  }

  // ---- read-outs --------------------------------------------------------------------------------------

  stats(into?: KsmStats): KsmStats {
    const s = into ?? ({} as KsmStats)
    s.pages_shared = this.shared
    s.pages_sharing = this.sharing
    s.pages_unshared = this.unshared
    s.pages_volatile = Math.max(0, this.rmapItems - this.shared - this.sharing - this.unshared)
    s.full_scans = this.fullScans
    s.pages_scanned = this.scanned
    s.stable_node_chains = this.chainsCount
    s.stable_node_dups = this.dupsCount
    s.general_profit = this.sharing * this.pageSize - this.rmapItems * this.kpp * RMAP_ITEM_BYTES
    s.rmap_items = this.rmapItems
    s.cow_ksm = this.cow
    return s
  }

  /** Pages saved on this host (pages_sharing). */
  get savedPages(): number {
    return this.sharing
  }

  /** KSM pages in use (pages_shared). */
  get pagesShared(): number {
    return this.shared
  }

  /** Whether a page of a VM is mapped to a KSM page. */
  isMerged(vm: GuestMemory, page: number): boolean {
    const slot = slotOf(vm)
    return (
      slot !== null &&
      slot.owner === this &&
      slot.merged !== null &&
      ((slot.merged[page >>> 5]! >>> (page & 31)) & 1) !== 0
    )
  }

  /** Mappings of the KSM page holding a VM's page (0 if not merged). */
  mappingsOf(vm: GuestMemory, page: number): number {
    return this.isMerged(vm, page) ? this.dupCount[slotOf(vm)!.dup![page]!]! : 0
  }

  /** Distinct KSM pages holding the zero page's content (diagnostics). */
  zeroPagesMerged(): number {
    const chain = this.stable.get(ZERO_TOKEN)
    return chain < 0 ? 0 : this.chainNdups[chain]!
  }

  // ---- checkpoints ----------------------------------------------------------------------------------

  state(): KsmState {
    return {
      pageSize: this.pageSize,
      kernelPageSize: this.kernelPageSize,
      tunables: { ...this.tunables },
      counters: [
        this.shared,
        this.sharing,
        this.unshared,
        this.rmapItems,
        this.fullScans,
        this.scanned,
        this.chainsCount,
        this.dupsCount,
        this.cow,
        this.epoch,
        this.steadyEpoch,
        this.passStartEpoch,
        this.passEvents,
        this.rebuildUnstable ? 1 : 0,
      ],
      cursor: [this.cur, this.curPage, this.credit, this.passScanned, this.nextWakeMs],
      slots: this.order.map((s) => ({
        id: s.id,
        vm: s.vm.vm,
        item: s.item ? s.item.slice() : null,
        checked: s.checked ? s.checked.slice() : null,
        unstable: s.unstable ? s.unstable.slice() : null,
        merged: s.merged ? s.merged.slice() : null,
        dup: s.dup ? s.dup.slice() : null,
        rmapItems: s.rmapItems,
        merging: s.merging,
      })),
      nextSlotId: this.nextSlotId,
      chains: {
        token: this.chainToken.slice(0, this.chainUsed),
        ndups: this.chainNdups.slice(0, this.chainUsed),
        head: this.chainHead.slice(0, this.chainUsed),
        tail: this.chainTail.slice(0, this.chainUsed),
        free: this.chainFree.slice(),
        used: this.chainUsed,
      },
      dups: {
        chain: this.dupChain.slice(0, this.dupUsed),
        count: this.dupCount.slice(0, this.dupUsed),
        prev: this.dupPrev.slice(0, this.dupUsed),
        next: this.dupNext.slice(0, this.dupUsed),
        open: this.dupOpen.slice(0, this.dupUsed),
        free: this.dupFree.slice(),
        used: this.dupUsed,
      },
      stable: this.stable.state(),
      unstable: this.unstable.state(),
    }
  }

  /** Rebuilds a KSM instance; `vmOf` gives the (restored) GuestMemory of a VM id, which gets re-attached. */
  static fromState(s: KsmState, vmOf: (vm: number) => GuestMemory): Ksm {
    const k = new Ksm(s.pageSize, {}, s.kernelPageSize)
    Object.assign(k.tunables, s.tunables)
    const c = s.counters
    k.shared = c[0]!
    k.sharing = c[1]!
    k.unshared = c[2]!
    k.rmapItems = c[3]!
    k.fullScans = c[4]!
    k.scanned = c[5]!
    k.chainsCount = c[6]!
    k.dupsCount = c[7]!
    k.cow = c[8]!
    k.epoch = c[9]!
    k.steadyEpoch = c[10]!
    k.passStartEpoch = c[11]!
    k.passEvents = c[12]!
    k.rebuildUnstable = c[13] === 1
    const cur = s.cursor
    k.cur = cur[0]!
    k.curPage = cur[1]!
    k.credit = cur[2]!
    k.passScanned = cur[3]!
    k.nextWakeMs = cur[4]!
    const ch = s.chains
    const nc = Math.max(16, ch.used)
    k.chainToken = growF64(ch.token, nc)
    k.chainNdups = growI32(ch.ndups, nc)
    k.chainHead = growI32(ch.head, nc)
    k.chainTail = growI32(ch.tail, nc)
    k.chainFree = ch.free.slice()
    k.chainUsed = ch.used
    const d = s.dups
    const nd = Math.max(64, d.used)
    k.dupChain = growI32(d.chain, nd)
    k.dupCount = growI32(d.count, nd)
    k.dupPrev = growI32(d.prev, nd)
    k.dupNext = growI32(d.next, nd)
    k.dupOpen = new Uint8Array(nd)
    k.dupOpen.set(d.open)
    k.dupFree = d.free.slice()
    k.dupUsed = d.used
    k.stable = TokenTable.fromState(s.stable)
    k.unstable = TokenTable.fromState(s.unstable)
    for (const ss of s.slots) {
      const vm = vmOf(ss.vm)
      if (vm.ksmSlot) throw new Error(`VM ${vm.vm} is already registered with a KSM instance`)
      const slot = new KsmSlot(k, ss.id, vm)
      if (ss.item) {
        slot.item = ss.item.slice()
        slot.checked = ss.checked!.slice()
        slot.unstable = ss.unstable!.slice()
        slot.merged = ss.merged!.slice()
        slot.dup = ss.dup!.slice()
      } else if (ss.where) k.fromPages(slot, ss.where, ss.oldsum!)
      slot.rmapItems = ss.rmapItems
      slot.merging = ss.merging
      vm.ksmSlot = slot
      k.order.push(slot)
      k.byId.set(slot.id, slot)
    }
    k.nextSlotId = s.nextSlotId
    return k
  }

  /**
   * A slot of an older state, one place and checksum per page: an item is checked (and its page unchanged)
   * when its checksum is the page's content; a merged page whose content moved on is marked changed.
   */
  private fromPages(slot: KsmSlot, where: Int32Array, oldsum: Float64Array): void {
    slot.ensure()
    const image = slot.vm.image
    const tokens = image.tokens
    for (let p = 0; p < where.length; p++) {
      const place = where[p]!
      if (place === NO_ITEM) continue
      const w = p >>> 5
      const bit = 1 << (p & 31)
      slot.item![w]! |= bit
      if (oldsum[p] === tokens[p]) {
        slot.checked![w]! |= bit
        image.changed[w]! &= ~bit
      } else image.changed[w]! |= bit
      if (place === UNSTABLE) slot.unstable![w]! |= bit
      else if (place >= 0) {
        slot.merged![w]! |= bit
        slot.dup![p] = place
        if (this.chainToken[this.dupChain[place]!] === tokens[p]) image.changed[w]! &= ~bit
        else image.changed[w]! |= bit
      }
    }
  }
}

// places of an older state's pages
const NO_ITEM = -1
const UNSTABLE = -3

/** Position of the s-th (from 1) page set in `set & ~clear`. */
function nthMapped(set: Uint32Array, clear: Uint32Array, s: number): number {
  for (let w = 0; w < set.length; w++) {
    let m = set[w]! & ~clear[w]!
    const c = popcount(m)
    if (s > c) {
      s -= c
      continue
    }
    for (; s > 1; s--) m &= m - 1
    return (w << 5) + 31 - Math.clz32(m & -m)
  }
  throw new Error('KSM: fewer mapped pages than counted')
}

function growF64(a: Float64Array, n: number): Float64Array {
  const b = new Float64Array(n)
  b.set(a.subarray(0, Math.min(a.length, n)))
  return b
}

function growI32(a: Int32Array, n: number): Int32Array {
  const b = new Int32Array(n)
  b.set(a.subarray(0, Math.min(a.length, n)))
  return b
}

// ---- oVirt MoM KSM policy (vdsm static/etc/vdsm/mom.d/03-ksm.policy) --------------------------------

export const MOM_KSM = {
  /** pages added to pages_to_scan per run under pressure */
  pagesBoost: 300,
  /** pages removed otherwise */
  pagesDecay: -50,
  npagesMin: 64,
  npagesMax: 1250,
  /** sleep for a 16 GiB host, ms */
  sleepBaselineMs: 10,
  /** free memory below this fraction of the host's memory is pressure */
  freePercent: 0.2,
} as const

export interface MomKsmInput {
  /** Host.mem_available: the host's total memory, KiB */
  memAvailableKiB: number
  /** Host.mem_free (averaged): free memory, KiB */
  memFreeKiB: number
  /** Host.ksm_shareable: memory KSM could merge (the guests' memory), KiB */
  ksmShareableKiB: number
  /** the cluster's "KSM enabled" switch (default true) */
  ksmEnabled?: boolean
}

/**
 * One run of MoM's KSM controller (every 10 s): KSM off when memory is plentiful, otherwise on with
 * sleep = max(10, 10 ms × 16 GiB / mem_available) and pages_to_scan raised by 300 under pressure or
 * lowered by 50, within [64, 1250]. NUMA (merge_across_nodes) handling is left out. Writes the result into
 * `ksm` and returns the tunables it set.
 */
export function momKsmPolicy(ksm: KsmDaemon, input: MomKsmInput): Partial<KsmTunables> {
  const enabled = input.ksmEnabled ?? true
  const threshold = input.memAvailableKiB * MOM_KSM.freePercent
  // apply_NUMA_policy without the NUMA part: unmerge when KSM is disabled and pages are shared
  const action: 0 | 2 = !enabled && ksm.pagesShared > 0 ? 2 : 0
  let out: Partial<KsmTunables>
  if (
    (threshold + input.ksmShareableKiB < input.memAvailableKiB && input.memFreeKiB > threshold) ||
    !enabled ||
    action !== 0
  ) {
    out = { run: action }
  } else {
    const sleep = Math.max(
      MOM_KSM.sleepBaselineMs,
      Math.floor((MOM_KSM.sleepBaselineMs * 16777216) / input.memAvailableKiB),
    )
    let pages = ksm.tunables.pages_to_scan + (input.memFreeKiB < threshold ? MOM_KSM.pagesBoost : MOM_KSM.pagesDecay)
    if (pages > MOM_KSM.npagesMax) pages = MOM_KSM.npagesMax
    if (pages < MOM_KSM.npagesMin) pages = MOM_KSM.npagesMin
    out = { run: 1, sleep_millisecs: sleep, pages_to_scan: pages }
  }
  ksm.set(out)
  return out
}
