// The page-content model a VM's memory image starts from: some pages hold only zeros, some hold the same
// content as the VM's OS image (so every VM booted from that image holds them, with the same tokens),
// the rest is the VM's own data (unique tokens). Workloads then write pages (MemoryImage.write), which
// turns them into unique content.
//
// In the lab's guest model a page's content is also its use by the guest (docs/memory.md):
//   zero   — free memory (never used, or freed and zeroed: free page reporting, init_on_free),
//   image  — clean page cache of the OS image (the guest can drop it),
//   unique — the guest's own data (anonymous or dirty memory: reclaimable only by swapping).
import { MemoryImage, ZERO_TOKEN, isImageToken } from './image'
import type { RandomStream } from '../random'

export const PAGE_ZERO = 0
export const PAGE_IMAGE = 1
export const PAGE_UNIQUE = 2
export type PageKind = typeof PAGE_ZERO | typeof PAGE_IMAGE | typeof PAGE_UNIQUE

/** The kind of content a token stands for. */
export function kindOf(token: number): PageKind {
  if (token === ZERO_TOKEN) return PAGE_ZERO
  return isImageToken(token) ? PAGE_IMAGE : PAGE_UNIQUE
}

export interface ContentSpec {
  /** fraction of the VM's pages holding only zeros */
  zero: number
  /** fraction holding OS-image content; the rest (1 − zero − image) is unique */
  image: number
  /** the OS image the VM booted from (0..1022): VMs of the same image share its pages */
  imageId: number
  /** the image's size in pages: a VM cannot hold more image pages than that (default: no limit) */
  imagePages?: number
}

export interface ContentCounts {
  zero: number
  image: number
  unique: number
}

/**
 * Exact page counts for a spec: zero = round(zero × pages); image = round(image × pages), limited by the
 * image's size and by the pages left; unique = the rest.
 */
export function contentCounts(pages: number, spec: ContentSpec): ContentCounts {
  if (!(spec.zero >= 0 && spec.image >= 0 && spec.zero + spec.image <= 1 + 1e-12)) {
    throw new RangeError(`content fractions must be ≥ 0 with zero + image ≤ 1, found ${spec.zero} + ${spec.image}`)
  }
  const zero = Math.min(pages, Math.round(spec.zero * pages))
  let image = Math.min(pages - zero, Math.round(spec.image * pages))
  if (spec.imagePages !== undefined) image = Math.min(image, spec.imagePages)
  return { zero, image, unique: pages - zero - image }
}

/**
 * Fills `image` with the spec's content, placing kinds at random (selection sampling: exact counts, one
 * draw per page, in address order). The k-th image page in address order holds page k of the OS image,
 * so VMs of the same image share image pages 0..min(count)−1. Unique pages get the tokens MemoryImage.write
 * gives (no other page or VM holds them). Returns the counts.
 */
export function initialiseContent(image: MemoryImage, spec: ContentSpec, stream: RandomStream): ContentCounts {
  const counts = contentCounts(image.pageCount, spec)
  let zeroLeft = counts.zero
  let imageLeft = counts.image
  const n = image.pageCount
  const kinds = new Uint8Array(n)
  const batch = Math.min(n, 4096)
  const draws = new Float64Array(batch)
  for (let start = 0; start < n; start += batch) {
    const end = Math.min(n, start + batch)
    stream.floats(end - start === batch ? draws : draws.subarray(0, end - start))
    for (let page = start; page < end; page++) {
      const r = draws[page - start]! * (n - page)
      // without branches (the kind is random): zero below zeroLeft, image below zeroLeft + imageLeft
      const zero = +(r < zeroLeft)
      const img = +(r < zeroLeft + imageLeft) - zero
      kinds[page] = PAGE_UNIQUE - PAGE_UNIQUE * zero - img
      zeroLeft -= zero
      imageLeft -= img
    }
  }
  image.setContent(kinds, spec.imageId)
  return counts
}

/** Counts the kinds of content an image holds (O(pages): for set-up and checks, not per step). */
export function countContent(
  image: MemoryImage,
  into: ContentCounts = { zero: 0, image: 0, unique: 0 },
): ContentCounts {
  let zero = 0
  let img = 0
  const t = image.tokens
  for (let i = 0; i < t.length; i++) {
    const token = t[i]!
    if (token === ZERO_TOKEN) zero++
    else if (isImageToken(token)) img++
  }
  into.zero = zero
  into.image = img
  into.unique = t.length - zero - img
  return into
}
