// ksmd page by page: the reference the tests hold engine/hypervisor/ksm.ts to. It is the scanner as it
// was before KSM worked on bitmaps (one Int32 "where" and one Float64 checksum per page, every wake-up
// literally, one page at a time, no pass skipped, the unstable tree's entries deleted as pages leave it),
// so the fast scanner's word-at-a-time visits, skipped passes and lazily checked unstable tree must give
// the same merges, the same /sys/kernel/mm/ksm counters and the same cursor. It follows mm/ksm.c as the
// engine does (Linux kernel documentation, admin-guide/mm/ksm.rst): pages are scanned VM by VM in
// registration order; cmp_and_merge_page tries the stable tree, then takes a checksum (a page changed
// since the last visit is volatile), then the unstable tree, which is emptied at every full scan; a KSM
// page holds at most max_page_sharing mappings (stable_node chains of dups). Its state() has the engine's
// older per-page form, which Ksm.fromState reads.
import { ZERO_TOKEN } from '../../engine/memory/image'
import { TokenTable } from '../../engine/hypervisor/token-table'
import type { GuestMemory, KsmWatch } from '../../engine/hypervisor/guest-memory'
import {
  KSM_DEFAULTS,
  KERNEL_PAGE_SIZE,
  RMAP_ITEM_BYTES,
  type KsmDaemon,
  type KsmState,
  type KsmStats,
  type KsmTunables,
} from '../../engine/hypervisor/ksm'

// Per-page place of a scanned page (ReferenceSlot.where).
const NO_ITEM = -1 // never scanned, or not present: no rmap_item
const ITEM = -2 // rmap_item in no tree (volatile, or waiting)
const UNSTABLE = -3 // node of the unstable tree
// ≥ 0: the KSM page (dup id) the page is mapped to

const SLOT_SCALE = 2 ** 31

/** A registered VM (an mm_slot) with its rmap_items, one per page. */
/** The KSM slot a guest is registered with (its watch is a ReferenceSlot when a Ksm registered it). */
function slotOf(vm: GuestMemory): ReferenceSlot | null {
  const watch = vm.ksmSlot
  return watch instanceof ReferenceSlot ? watch : null
}

export class ReferenceSlot implements KsmWatch {
  /** per page: NO_ITEM, ITEM, UNSTABLE or the KSM page it maps (allocated at the first scan) */
  where: Int32Array | null = null
  /** per page: content seen at the last visit (rmap_item.oldchecksum); NaN = none */
  oldsum: Float64Array | null = null
  /** /proc/PID/ksm_stat ksm_rmap_items */
  rmapItems = 0
  /** /proc/PID/ksm_stat ksm_merging_pages: pages of this VM mapped to KSM pages */
  merging = 0

  constructor(
    readonly owner: ReferenceKsm,
    readonly id: number,
    readonly vm: GuestMemory,
  ) {}

  pageChanged(page: number): void {
    this.owner.pageChanged(this, page)
  }

  wordChanged(w: number, mask: number): void {
    for (let i = 0; i < 32; i++) if (((mask >>> i) & 1) !== 0) this.owner.pageChanged(this, w * 32 + i)
  }

  pageRemoved(page: number): void {
    this.owner.pageRemoved(this, page)
  }

  wordRemoved(w: number, mask: number): void {
    for (let i = 0; i < 32; i++) if (((mask >>> i) & 1) !== 0) this.owner.pageRemoved(this, w * 32 + i)
  }

  pageAdded(page: number): void {
    this.owner.pageAdded(this, page)
  }

  resync(): void {
    this.owner.resync(this.vm)
  }

  ensure(): void {
    if (this.where) return
    const n = this.vm.pages
    this.where = new Int32Array(n).fill(NO_ITEM)
    this.oldsum = new Float64Array(n).fill(Number.NaN)
  }
}

export class ReferenceKsm implements KsmDaemon {
  readonly tunables: KsmTunables
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
  private order: ReferenceSlot[] = []
  private byId = new Map<number, ReferenceSlot>()
  private nextSlotId = 0
  private cur = -1
  private curPage = 0
  /** budget left from earlier wake-ups, in kernel pages (only when a simulated page is bigger than a batch) */
  private credit = 0
  /** present pages scanned in the current pass */
  private passScanned = 0
  /** ms until the next wake-up */
  private nextWakeMs = 0

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

  // unstable tree: content token → slotId × 2^31 + page
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
  register(vm: GuestMemory): ReferenceSlot {
    if (vm.ksmSlot) throw new Error(`VM ${vm.vm} is already registered with a KSM instance`)
    if (vm.pageSize !== this.pageSize)
      throw new RangeError(`VM ${vm.vm} has ${vm.pageSize}-byte pages, KSM here ${this.pageSize}`)
    const slot = new ReferenceSlot(this, this.nextSlotId++, vm)
    this.byId.set(slot.id, slot)
    if (this.cur === -1) this.order.push(slot)
    else {
      this.order.splice(this.cur, 0, slot)
      this.cur++
    }
    if (this.order.length === 1 && this.tunables.run === 1) this.nextWakeMs = 0
    vm.ksmSlot = slot
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
  }

  get slots(): readonly ReferenceSlot[] {
    return this.order
  }

  // ---- notifications from GuestMemory -----------------------------------------------------------------

  /** The guest wrote the page (or it changed otherwise): a merged page is copied (COW) and unshared. */
  pageChanged(slot: ReferenceSlot, page: number): void {
    const where = slot.where
    if (!where) return
    if (where[page]! >= 0) {
      this.unmap(slot, page)
      this.cow++
    }
  }

  /** The page is no longer mapped (given to the balloon, or freed and reported): its rmap_item goes. */
  pageRemoved(slot: ReferenceSlot, page: number): void {
    const where = slot.where
    if (!where) return
    const w = where[page]!
    if (w === NO_ITEM) return
    if (w >= 0) this.unmap(slot, page)
    else if (w === UNSTABLE) this.unstableRemove(slot, page)
    where[page] = NO_ITEM
    slot.oldsum![page] = Number.NaN
    slot.rmapItems--
    this.rmapItems--
  }

  /** A page became present again (balloon deflation). */
  pageAdded(_slot: ReferenceSlot, _page: number): void {}

  /**
   * After a VM's memory was replaced wholesale (snapshot revert, restore), breaks the sharing of every
   * page whose content no longer matches its KSM page (O(pages of that VM)).
   */
  resync(vm: GuestMemory): void {
    const slot = slotOf(vm)
    if (!slot || slot.owner !== this || !slot.where) return
    const where = slot.where
    const tokens = vm.image.tokens
    for (let p = 0; p < where.length; p++) {
      const w = where[p]!
      if (w === NO_ITEM) continue
      // a page now free is no longer mapped (free page reporting): its rmap_item goes
      if (tokens[p] === ZERO_TOKEN) this.pageRemoved(slot, p)
      else if (w >= 0 && this.chainToken[this.dupChain[w]!] !== tokens[p]) {
        this.unmap(slot, p)
        this.cow++
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
    for (let i = 0; i < k; i++) this.wake()
  }

  /** One ksmd batch (ksm_do_scan(pages_to_scan)), page by page. */
  private wake(): void {
    const kpp = this.kpp
    this.credit += this.tunables.pages_to_scan
    while (this.credit >= kpp) {
      if (this.cur === -1) this.startPass()
      if (!this.nextPresent()) {
        this.endPass()
        return
      }
      const slot = this.order[this.cur]!
      this.cmpAndMerge(slot, this.curPage)
      this.curPage++
      this.passScanned++
      this.scanned++
      this.credit -= kpp
    }
  }

  private startPass(): void {
    this.unstable.clear()
    this.cur = 0
    this.curPage = 0
    this.passScanned = 0
  }

  private endPass(): void {
    this.fullScans++
    this.cur = -1
    this.curPage = 0
    this.passScanned = 0
    this.credit = 0
  }

  /** Moves the cursor to the next present page; false at the end of the last VM. */
  private nextPresent(): boolean {
    const order = this.order
    while (this.cur < order.length) {
      const vm = order[this.cur]!.vm
      const n = vm.pages
      const tokens = vm.image.tokens
      let p = this.curPage
      // ballooned and free pages are not mapped: skipped free of budget
      while (p < n && (!vm.isPresent(p) || tokens[p] === ZERO_TOKEN)) p++
      if (p < n) {
        this.curPage = p
        return true
      }
      this.cur++
      this.curPage = 0
    }
    return false
  }

  // ---- the algorithm -------------------------------------------------------------------------------

  /** cmp_and_merge_page for one present page. */
  private cmpAndMerge(slot: ReferenceSlot, page: number): void {
    slot.ensure()
    const where = slot.where!
    const sums = slot.oldsum!
    const token = slot.vm.image.tokens[page]!
    let w = where[page]!
    if (w === NO_ITEM) {
      where[page] = ITEM
      w = ITEM
      slot.rmapItems++
      this.rmapItems++
    }
    if (w >= 0) {
      if (this.chainToken[this.dupChain[w]!] === token) return // still mapped to its KSM page
      // written since it was merged and not reported: the COW happened, ksmd finds it now
      this.unmap(slot, page)
      this.cow++
      w = ITEM
    }
    // stable tree first
    const chain = this.stable.get(token)
    if (chain >= 0) {
      const dup = this.chainHead[chain]!
      if (dup >= 0) {
        if (w === UNSTABLE) this.unstableRemove(slot, page)
        this.append(dup, slot, page)
        return
      }
      // every KSM page of this content is full: wait for an unstable match to start another
    }
    if (w === UNSTABLE) this.unstableRemove(slot, page)
    if (sums[page] !== token) {
      // changed since the last visit (or first visit): volatile
      sums[page] = token
      return
    }
    const ref = this.unstable.get(token)
    if (ref >= 0) {
      const other = this.byId.get(Math.floor(ref / SLOT_SCALE))
      const otherPage = ref % SLOT_SCALE
      if (
        other !== undefined &&
        other.where !== null &&
        other.where[otherPage] === UNSTABLE &&
        other.vm.isPresent(otherPage) &&
        other.vm.image.tokens[otherPage] === token
      ) {
        this.unstableRemove(other, otherPage)
        const dup = this.newDup(token)
        this.append(dup, other, otherPage)
        this.append(dup, slot, page)
        return
      }
      // the tree page changed since it was inserted (the unstable tree is not write-protected)
    }
    this.unstable.set(token, slot.id * SLOT_SCALE + page)
    where[page] = UNSTABLE
    this.unshared++
  }

  private unstableRemove(slot: ReferenceSlot, page: number): void {
    const ref = slot.id * SLOT_SCALE + page
    const key = slot.oldsum![page]!
    if (this.unstable.get(key) === ref) this.unstable.delete(key)
    slot.where![page] = ITEM
    this.unshared--
  }

  /** stable_tree_append */
  private append(dup: number, slot: ReferenceSlot, page: number): void {
    const count = this.dupCount[dup]!
    if (count > 0) this.sharing++
    else this.shared++
    this.dupCount[dup] = count + 1
    if (count + 1 >= this.tunables.max_page_sharing) this.closeDup(dup)
    slot.where![page] = dup
    slot.merging++
  }

  /** Removes a page's mapping of its KSM page (COW, balloon, unregister); the page keeps its rmap_item. */
  private unmap(slot: ReferenceSlot, page: number): void {
    const dup = slot.where![page]!
    const count = this.dupCount[dup]! - 1
    this.dupCount[dup] = count
    if (count > 0) this.sharing--
    else this.shared--
    slot.where![page] = ITEM
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
  private dropSlotItems(slot: ReferenceSlot): void {
    const where = slot.where
    if (!where) return
    for (let p = 0; p < where.length; p++) {
      const w = where[p]!
      if (w >= 0) this.unmap(slot, p)
      else if (w === UNSTABLE) this.unstableRemove(slot, p)
      if (where[p] !== NO_ITEM) {
        this.rmapItems--
        slot.rmapItems--
      }
    }
    slot.where = null
    slot.oldsum = null
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
    return slot !== null && slot.owner === this && slot.where !== null && slot.where[page]! >= 0
  }

  /** Mappings of the KSM page holding a VM's page (0 if not merged). */
  mappingsOf(vm: GuestMemory, page: number): number {
    const slot = slotOf(vm)
    if (!slot || slot.owner !== this || !slot.where) return 0
    const w = slot.where[page]!
    return w >= 0 ? this.dupCount[w]! : 0
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
        // the engine's fast-forward bookkeeping: no whole pass known to be steady yet
        0,
        -1,
        -1,
        0,
        0,
      ],
      cursor: [this.cur, this.curPage, this.credit, this.passScanned, this.nextWakeMs],
      slots: this.order.map((s) => ({
        id: s.id,
        vm: s.vm.vm,
        // the engine's bit planes: none, the older per-page form instead
        item: null,
        checked: null,
        unstable: null,
        merged: null,
        dup: null,
        where: s.where ? s.where.slice() : null,
        oldsum: s.oldsum ? s.oldsum.slice() : null,
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
