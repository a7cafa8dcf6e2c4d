// A VM's memory image: one content token per page (so equal pages can be recognised by KSM, zero pages
// skipped by migration, snapshots stored incrementally) and a dirty bitmap kept while dirty logging is on,
// with KVM's semantics: a write sets the page's bit; a sync returns the bits set since the last sync and
// clears them. Plain typed arrays, transferable between workers.

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
}

export class MemoryImage {
  readonly pageSize: number
  readonly pageCount: number
  /** content token per page */
  readonly tokens: Float64Array
  /** dirty bitmap, 32 pages per word */
  readonly dirty: Uint32Array
  logging = false
  private writes = 0

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
    this.dirty = new Uint32Array(Math.ceil(this.pageCount / 32))
  }

  get bytes(): number {
    return this.pageCount * this.pageSize
  }

  /** The guest writes new content to a page: a fresh unique token, and the dirty bit while logging. */
  write(page: number): void {
    this.tokens[page] = uniqueToken(this.vm, this.writes++)
    if (this.logging) this.dirty[page >>> 5]! |= 1 << (page & 31)
  }

  /** Sets a page's content to a given token (boot from an image, zeroing, restore). */
  setToken(page: number, token: number): void {
    this.tokens[page] = token
    if (this.logging) this.dirty[page >>> 5]! |= 1 << (page & 31)
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
    let n = 0
    for (let i = 0; i < this.pageCount; i++) if (this.tokens[i] === ZERO_TOKEN) n++
    return n
  }

  state(): MemoryImageState {
    return {
      pageSize: this.pageSize,
      tokens: this.tokens,
      dirty: this.dirty,
      logging: this.logging,
      writes: this.writes,
      vm: this.vm,
    }
  }

  /** Rebuilds an image from its state (copies, so the state can be reused). */
  static fromState(s: MemoryImageState): MemoryImage {
    const image = new MemoryImage(s.vm, s.tokens.length * s.pageSize, s.pageSize)
    image.tokens.set(s.tokens)
    image.dirty.set(s.dirty)
    image.logging = s.logging
    image.writes = s.writes
    return image
  }
}

export function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333)
  x = (x + (x >>> 4)) & 0x0f0f0f0f
  return Math.imul(x, 0x01010101) >>> 24
}
