// A VM's memory image: one content token per page (so equal pages can be recognised by KSM, zero pages
// skipped by migration, snapshots stored incrementally) and a dirty bitmap kept while dirty logging is on,
// with KVM's semantics: a write sets the page's bit; a sync returns the bits set since the last sync and
// clears them. Plain typed arrays, transferable between workers.
//
// Beside the tokens the image keeps bitmaps (32 pages a word) of what its tokens are — content at all,
// the VM's own content — and of which pages changed since KSM last took their checksum, and which pages
// the guest does not hold (its balloon's), with the count of pages present with content (`mapped`: what
// the host backs and ksmd scans). Every change goes through write() and setToken(), so they stay exact
// even for writes that bypass the guest (a migration's), and KSM and the guest's allocator work on 32
// pages at a time.

/** Token of a page that holds only zeros. */
export const ZERO_TOKEN = 0
/** Image (OS/template) page tokens: 1 + image × 2^22 + page, below 2^32. */
const IMAGE_PAGES = 2 ** 22
const MAX_IMAGES = 2 ** 10 - 1
/** Unique content written by a VM: (vm + 1) × 2^32 + counter, exact in a double (< 2^53). */
const UNIQUE_BASE = 2 ** 32

/** Token of page `page` of shared image `image` (identical in every VM booted from that image). */
export function imageToken(image: number, page: number): number {
  if (image < 0 || image > MAX_IMAGES || page < 0 || page >= IMAGE_PAGES)
    throw new RangeError(`image ${image} page ${page} out of range`)
  return 1 + image * IMAGE_PAGES + page
}

/** A token no other page holds: the n-th unique write of VM `vm`. */
export function uniqueToken(vm: number, n: number): number {
  return (vm + 1) * UNIQUE_BASE + (n % UNIQUE_BASE)
}

export function isImageToken(token: number): boolean {
  return token > 0 && token < UNIQUE_BASE
}

/** The serialisable state of an image. */
export interface MemoryImageState {
  pageSize: number
  tokens: Float64Array
  dirty: Uint32Array
  logging: boolean
  /** unique tokens issued so far (the next write's counter) */
  writes: number
  vm: number
  /** pages changed since KSM's last checksum (absent in older states: none) */
  changed?: Uint32Array
}

export class MemoryImage {
  readonly pageSize: number
  readonly pageCount: number
  /** content token per page */
  readonly tokens: Float64Array
  /** dirty bitmap, 32 pages per word */
  readonly dirty: Uint32Array
  /** pages whose token is not zero */
  readonly nonzero: Uint32Array
  /** pages holding the VM's own content (unique tokens) */
  readonly unique: Uint32Array
  /** pages whose content changed since KSM last took its checksum (ksm.ts clears them) */
  readonly changed: Uint32Array
  /** pages the guest does not hold (handed to its balloon); the bits past the last page are set */
  readonly absent: Uint32Array
  /** pages present and not zero: what the host backs and ksmd scans */
  mapped = 0
  logging = false
  private writes = 0
  /** (vm + 1) × 2^32: the high part of this VM's unique tokens */
  private readonly uniqueBase: number

  constructor(
    readonly vm: number,
    bytes: number,
    pageSize: number,
  ) {
    if (!Number.isInteger(pageSize) || pageSize <= 0 || (pageSize & (pageSize - 1)) !== 0) {
      throw new RangeError(`page size must be a power of two, found ${pageSize}`)
    }
    this.pageSize = pageSize
    this.pageCount = Math.ceil(bytes / pageSize)
    this.tokens = new Float64Array(this.pageCount)
    const words = Math.ceil(this.pageCount / 32)
    this.dirty = new Uint32Array(words)
    this.nonzero = new Uint32Array(words)
    this.unique = new Uint32Array(words)
    this.changed = new Uint32Array(words)
    this.absent = new Uint32Array(words)
    const tail = this.pageCount & 31
    if (tail !== 0) this.absent[words - 1] = ~((1 << tail) - 1) >>> 0
    this.uniqueBase = (vm + 1) * UNIQUE_BASE
  }

  get bytes(): number {
    return this.pageCount * this.pageSize
  }

  /** The guest writes new content to a page: a fresh unique token, and the dirty bit while logging. */
  write(page: number): void {
    const n = this.writes++
    this.tokens[page] = this.uniqueBase + (n < UNIQUE_BASE ? n : n % UNIQUE_BASE)
    const w = page >>> 5
    const bit = 1 << (page & 31)
    const nz = this.nonzero[w]!
    if ((nz & bit) === 0) {
      this.nonzero[w] = nz | bit
      if ((this.absent[w]! & bit) === 0) this.mapped++
    }
    this.unique[w]! |= bit
    this.changed[w]! |= bit
    if (this.logging) this.dirty[w]! |= bit
  }

  /**
   * The guest writes the pages of `mask` in word `w` (pages 32w…32w + 31), in ascending order: each one
   * write() (the same tokens), the bitmaps a word at a time.
   */
  writeWord(w: number, mask: number): void {
    const tokens = this.tokens
    const base = this.uniqueBase
    const first = w << 5
    let n = this.writes
    if (mask === -1 && n + 32 <= UNIQUE_BASE) {
      // the whole word (a hot set written over and over): the next 32 tokens in a row
      const t = base + n
      for (let i = 0; i < 32; i++) tokens[first + i] = t + i
      n += 32
    } else if (n + 32 <= UNIQUE_BASE && popcount(mask) >= 8) {
      // most of the word: one pass over its pages is faster than a search for each set bit
      const t = base + n
      let k = 0
      for (let i = 0; i < 32; i++)
        if (((mask >>> i) & 1) !== 0) {
          tokens[first + i] = t + k
          k++
        }
      n += k
    } else
      for (let m = mask; m !== 0; m &= m - 1) {
        tokens[first + 31 - Math.clz32(m & -m)] = base + (n < UNIQUE_BASE ? n : n % UNIQUE_BASE)
        n++
      }
    this.writes = n
    const nz = this.nonzero[w]!
    this.mapped += popcount(mask & ~nz & ~this.absent[w]!)
    this.nonzero[w] = nz | mask
    this.unique[w]! |= mask
    this.changed[w]! |= mask
    if (this.logging) this.dirty[w]! |= mask
  }

  /** Sets a page's content to a given token (boot from an image, zeroing, restore). */
  setToken(page: number, token: number): void {
    this.tokens[page] = token
    const w = page >>> 5
    const bit = 1 << (page & 31)
    const nz = this.nonzero[w]!
    if (token === ZERO_TOKEN) {
      if ((nz & bit) !== 0) {
        this.nonzero[w] = nz & ~bit
        if ((this.absent[w]! & bit) === 0) this.mapped--
      }
      this.unique[w]! &= ~bit
    } else {
      if ((nz & bit) === 0) {
        this.nonzero[w] = nz | bit
        if ((this.absent[w]! & bit) === 0) this.mapped++
      }
      if (token >= UNIQUE_BASE) this.unique[w]! |= bit
      else this.unique[w]! &= ~bit
    }
    this.changed[w]! |= bit
    if (this.logging) this.dirty[w]! |= bit
  }

  /**
   * Sets every page's content from its kind — 0 zero, 1 the next page of OS image `imageId` (in address
   * order), 2 new content of the VM's own — as setToken() or write() page after page would.
   */
  setContent(kinds: Uint8Array, imageId: number): void {
    const tokens = this.tokens
    const n = this.pageCount
    const base = this.uniqueBase
    const imageBase = 1 + imageId * IMAGE_PAGES
    let writes = this.writes
    let imagePage = 0
    for (let w = 0; w < this.nonzero.length; w++) {
      const first = w << 5
      const last = Math.min(n, first + 32)
      let nz = 0
      let un = 0
      if (writes + 32 <= UNIQUE_BASE) {
        // without branches on the kind (it is random): each token is a sum of 0/1 multiples, exact
        for (let p = first; p < last; p++) {
          const kind = kinds[p]!
          const img = +(kind === 1)
          const own = +(kind > 1)
          tokens[p] = img * (imageBase + imagePage) + own * (base + writes)
          imagePage += img
          writes += own
          nz |= (img | own) << (p & 31)
          un |= own << (p & 31)
        }
      } else
        for (let p = first; p < last; p++) {
          const kind = kinds[p]!
          if (kind === 0) tokens[p] = ZERO_TOKEN
          else {
            nz |= 1 << (p & 31)
            if (kind === 1) tokens[p] = imageBase + imagePage++
            else {
              tokens[p] = base + (writes < UNIQUE_BASE ? writes : writes % UNIQUE_BASE)
              writes++
              un |= 1 << (p & 31)
            }
          }
        }
      const pages = last - first === 32 ? ~0 : (1 << (last - first)) - 1
      const absent = this.absent[w]!
      this.mapped += popcount(nz & ~absent) - popcount(this.nonzero[w]! & ~absent)
      this.nonzero[w] = nz
      this.unique[w] = un
      this.changed[w]! |= pages
      if (this.logging) this.dirty[w]! |= pages
    }
    this.writes = writes
    // imageToken's checks, for the first image page out of range
    if (imagePage > 0) imageToken(imageId, 0)
    if (imagePage > IMAGE_PAGES) imageToken(imageId, IMAGE_PAGES)
  }

  /** The pages of `mask` in word `w` go to the balloon: absent, zero content (setAbsent and setToken each). */
  discardWord(w: number, mask: number): void {
    const absent = this.absent[w]!
    const nz = this.nonzero[w]!
    this.mapped -= popcount(mask & nz & ~absent)
    this.absent[w] = absent | mask
    this.nonzero[w] = nz & ~mask
    this.unique[w]! &= ~mask
    this.changed[w]! |= mask
    if (this.logging) this.dirty[w]! |= mask
    const first = w << 5
    for (let m = mask; m !== 0; m &= m - 1) this.tokens[first + 31 - Math.clz32(m & -m)] = ZERO_TOKEN
  }

  /** Marks a page as held by the guest's balloon (absent) or back in the guest. */
  setAbsent(page: number, absent: boolean): void {
    const w = page >>> 5
    const bit = 1 << (page & 31)
    const a = this.absent[w]!
    if (((a & bit) !== 0) === absent) return
    this.absent[w] = absent ? a | bit : a & ~bit
    if ((this.nonzero[w]! & bit) !== 0) this.mapped += absent ? -1 : 1
  }

  isAbsent(page: number): boolean {
    return ((this.absent[page >>> 5]! >>> (page & 31)) & 1) === 1
  }

  isDirty(page: number): boolean {
    return ((this.dirty[page >>> 5]! >>> (page & 31)) & 1) === 1
  }

  /** Starts dirty logging with a clean bitmap (the start of a migration's round 0, of a snapshot chain). */
  startLogging(): void {
    this.dirty.fill(0)
    this.logging = true
  }

  stopLogging(): void {
    this.logging = false
    this.dirty.fill(0)
  }

  /**
   * KVM_GET_DIRTY_LOG: copies the bits set since the last sync into `into` (when given), clears them, and
   * returns how many pages were dirty.
   */
  syncDirty(into?: Uint32Array): number {
    let count = 0
    const d = this.dirty
    for (let i = 0; i < d.length; i++) {
      const w = d[i]!
      if (w !== 0) {
        count += popcount(w)
        if (into) into[i] = w
        d[i] = 0
      } else if (into) into[i] = 0
    }
    return count
  }

  countZeroPages(): number {
    const nz = this.nonzero
    let n = 0
    for (let i = 0; i < nz.length; i++) n += popcount(nz[i]!)
    return this.pageCount - n
  }

  /** Pages present with content in [from, to). */
  mappedIn(from: number, to: number): number {
    return countBits(this.nonzero, this.absent, from, to)
  }

  state(): MemoryImageState {
    return {
      pageSize: this.pageSize,
      tokens: this.tokens,
      dirty: this.dirty,
      logging: this.logging,
      writes: this.writes,
      vm: this.vm,
      changed: this.changed,
    }
  }

  /** Rebuilds an image from its state (copies, so the state can be reused); every page present. */
  static fromState(s: MemoryImageState): MemoryImage {
    const image = new MemoryImage(s.vm, s.tokens.length * s.pageSize, s.pageSize)
    image.tokens.set(s.tokens)
    image.dirty.set(s.dirty)
    if (s.changed) image.changed.set(s.changed)
    image.logging = s.logging
    image.writes = s.writes
    image.reindex()
    return image
  }

  /** Rebuilds the content bitmaps and `mapped` from the tokens (after the tokens were set wholesale). */
  private reindex(): void {
    const t = this.tokens
    const nz = this.nonzero
    const un = this.unique
    nz.fill(0)
    un.fill(0)
    for (let p = 0; p < t.length; p++) {
      const token = t[p]!
      if (token === ZERO_TOKEN) continue
      nz[p >>> 5]! |= 1 << (p & 31)
      if (token >= UNIQUE_BASE) un[p >>> 5]! |= 1 << (p & 31)
    }
    let mapped = 0
    for (let i = 0; i < nz.length; i++) mapped += popcount(nz[i]! & ~this.absent[i]!)
    this.mapped = mapped
  }
}

/** Set bits of `set & ~clear` at positions [from, to). */
export function countBits(set: Uint32Array, clear: Uint32Array, from: number, to: number): number {
  if (from >= to) return 0
  const first = from >>> 5
  const last = (to - 1) >>> 5
  let n = 0
  for (let w = first; w <= last; w++) {
    let m = set[w]! & ~clear[w]!
    if (w === first) m &= ~0 << (from & 31)
    if (w === last && (to & 31) !== 0) m &= (1 << (to & 31)) - 1
    n += popcount(m)
  }
  return n
}

export function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333)
  x = (x + (x >>> 4)) & 0x0f0f0f0f
  return Math.imul(x, 0x01010101) >>> 24
}
