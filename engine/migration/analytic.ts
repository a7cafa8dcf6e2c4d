// The analytic pre-copy model (Liu et al., HPDC 2011; Clark et al., NSDI 2005; docs/migration.md): the geometric closed forms (§2.1), the same rounds
// with the page-collision correction (w uniform random page writes into N pages dirty
// N·(1 − (1 − 1/N)^w) distinct pages), the writable working set of a hot/cold writer (§2.2), and the
// expected-value trajectory of QEMU's own switch-over rule (sync when less than threshold_size is left,
// checked every 100 ms window; QEMU's migration/ram.c) for comparison with the engine.
import { BUFFER_DELAY } from './params'
import * as fdlibm from '../math/fdlibm'

/** Distinct pages dirtied by `writes` uniform random page writes into `pages` pages. */
export function uniquePagesDirtied(pages: number, writes: number): number {
  if (writes <= 0 || pages <= 0) return 0
  return -pages * fdlibm.expm1(writes * fdlibm.log1p(-1 / pages))
}

/**
 * W(τ) of §2.2 (Clark et al.'s writable working set) for a hot/cold writer: distinct pages written in a window of τ seconds, with
 * `writesPerSecond` page writes of which `hotFraction` fall uniformly into `hotPages` pages and the rest
 * uniformly into the other `pageCount − hotPages`. Saturates at the hot set for the hot part.
 */
export function writableWorkingSet(
  pageCount: number,
  hotPages: number,
  hotFraction: number,
  writesPerSecond: number,
  tau: number,
): number {
  const w = writesPerSecond * tau
  const cold = pageCount - hotPages
  return (
    uniquePagesDirtied(hotPages, w * hotFraction) + (cold > 0 ? uniquePagesDirtied(cold, w * (1 - hotFraction)) : 0)
  )
}

// ── §2.1 closed forms (no collisions) ────────────────────────────────────────────────────────────────────

export interface GeometricInput {
  /** M, bytes */
  memory: number
  /** R, B/s */
  bandwidth: number
  /** D, B/s of distinct pages dirtied */
  dirtyRate: number
  /** seconds; V_thd = R × downtimeLimit */
  downtimeLimit: number
  /** R_sw, B/s (default R) */
  switchoverBandwidth?: number
  /** T_dev + T_resume, s */
  deviceTime?: number
  /** n_max (default unlimited) */
  maxRounds?: number
}

export interface GeometricResult {
  lambda: number
  converges: boolean
  /** n: rounds sent while the guest runs (rounds 0 … n−1); round n is the stop-and-copy */
  rounds: number
  /** V_i, bytes, i = 0 … n */
  volumes: number[]
  /** T_i, s, i = 0 … n−1 */
  times: number[]
  /** V_mig = Σ V_i */
  transferred: number
  downtime: number
  totalTime: number
}

/** §2.1 (Liu et al.): V_i = M λ^i, n = ⌈ln(V_thd/M) / ln λ⌉, T_mig = (M/R)(1 − λ^n)/(1 − λ) + T_down. */
export function geometricPrecopy(input: GeometricInput): GeometricResult {
  const { memory: M, bandwidth: R, dirtyRate: D, downtimeLimit } = input
  const Rsw = input.switchoverBandwidth ?? R
  const lambda = D / R
  const vthd = R * downtimeLimit
  const maxRounds = input.maxRounds ?? Infinity
  let n: number
  if (M <= vthd) n = 0
  else if (lambda <= 0) n = 1
  else if (lambda >= 1) n = maxRounds
  else n = Math.min(Math.ceil(fdlibm.log(vthd / M) / fdlibm.log(lambda)), maxRounds)
  const converges = Number.isFinite(n)
  if (!converges)
    return {
      lambda,
      converges,
      rounds: Infinity,
      volumes: [],
      times: [],
      transferred: Infinity,
      downtime: Infinity,
      totalTime: Infinity,
    }
  const volumes: number[] = []
  const times: number[] = []
  // λ^i by repeated multiplication, λ^n at the end: the same bits on every engine, unlike ** (Math.pow)
  let lambdaN = 1
  for (let i = 0; i < n; i++) {
    volumes.push(M * lambdaN)
    lambdaN *= lambda
  }
  volumes.push(M * lambdaN)
  for (let i = 0; i < n; i++) times.push(volumes[i]! / R)
  const Vn = volumes[n]!
  const downtime = Vn / Rsw + (input.deviceTime ?? 0)
  const transferred = lambda === 1 ? M * (n + 1) : (M * (1 - lambdaN * lambda)) / (1 - lambda)
  const live = lambda === 1 ? (M / R) * n : ((M / R) * (1 - lambdaN)) / (1 - lambda)
  return { lambda, converges, rounds: n, volumes, times, transferred, downtime, totalTime: live + downtime }
}

// ── the same rounds with the page-collision correction, on pages and stream bytes ────────────────────────

export interface PageModelInput {
  /** N */
  pageCount: number
  pageSize: number
  /** pre-copy rate, B/s of stream bytes */
  bandwidth: number
  /** uniform random page writes, as bytes per second (writes/s = writeBytesPerSecond / pageSize) */
  writeBytesPerSecond: number
  downtimeLimit: number
  /** share of pages that are zero at the start (default 0) */
  zeroFraction?: number
  pageHeaderBytes?: number
  zeroPageBytes?: number
  /** stop-and-copy rate, B/s (default bandwidth) */
  switchoverBandwidth?: number
  /** device state + resume, s */
  deviceTime?: number
  setupTime?: number
  /** give up after this many rounds (default 1000) */
  maxRounds?: number
}

export interface PageModelRound {
  /** pages sent in the round */
  pages: number
  /** stream bytes of the round */
  bytes: number
  /** seconds the round took */
  seconds: number
}

export interface PageModelResult {
  converges: boolean
  /** rounds sent while the guest ran (the bitmap syncs after the bulk stage that did not switch over) */
  rounds: number
  /** bitmap syncs after the bulk stage, the one that decided to switch over included */
  syncs: number
  detail: PageModelRound[]
  /** pages pending at switch-over */
  pendingPages: number
  transferred: number
  downtime: number
  totalTime: number
}

/**
 * §2.1 on pages, textbook rule (a round sends every page of the last sync, then syncs), with the
 * collision correction: V_{i+1} = N(1 − (1 − 1/N)^{w·T_i}) distinct pages for w writes/s. Round 0 costs
 * (P + header) per non-zero page and the zero-page header per zero page; later rounds only non-zero pages.
 */
export function precopyPassModel(input: PageModelInput): PageModelResult {
  const N = input.pageCount
  const P = input.pageSize
  const hdr = input.pageHeaderBytes ?? 8
  const zeroCost = input.zeroPageBytes ?? 9
  const R = input.bandwidth
  const Rsw = input.switchoverBandwidth ?? R
  const writes = input.writeBytesPerSecond / P
  const thr = R * input.downtimeLimit
  const maxRounds = input.maxRounds ?? 1000
  const zero = N * (input.zeroFraction ?? 0)
  const detail: PageModelRound[] = []
  let bytes = (N - zero) * (P + hdr) + zero * zeroCost
  let pages = N
  let total = input.setupTime ?? 0
  let transferred = 0
  for (let i = 0; i < maxRounds; i++) {
    const seconds = bytes / R
    detail.push({ pages, bytes, seconds })
    total += seconds
    transferred += bytes
    pages = uniquePagesDirtied(N, writes * seconds)
    bytes = pages * (P + hdr)
    if (pages * P < thr) {
      const downtime = bytes / Rsw + (input.deviceTime ?? 0)
      return {
        converges: true,
        rounds: i + 1,
        syncs: i + 1,
        detail,
        pendingPages: pages,
        transferred: transferred + bytes,
        downtime,
        totalTime: total + downtime,
      }
    }
  }
  return {
    converges: false,
    rounds: maxRounds,
    syncs: maxRounds,
    detail,
    pendingPages: pages,
    transferred,
    downtime: Infinity,
    totalTime: Infinity,
  }
}

/**
 * The expected-value trajectory of QEMU's rule for uniform writes: the sender streams at `bandwidth`; at
 * the start of every 100 ms window (and when the bitmap empties) it checks: if the pages left × P are below
 * threshold_size = measured bandwidth × downtime limit, sync — the bitmap becomes left ∪ dirtied, of
 * expected size L + U(1 − L/N) with U the distinct pages dirtied since the last sync — and switch over if
 * the result is still below it. The first window has no measured bandwidth yet (threshold 0), as in QEMU.
 */
export function precopyQemuModel(input: PageModelInput): PageModelResult {
  const N = input.pageCount
  const P = input.pageSize
  const hdr = input.pageHeaderBytes ?? 8
  const zeroCost = input.zeroPageBytes ?? 9
  const R = input.bandwidth
  const Rsw = input.switchoverBandwidth ?? R
  const writes = input.writeBytesPerSecond / P
  const maxRounds = input.maxRounds ?? 1000
  const W = BUFFER_DELAY
  let zeroLeft = N * (input.zeroFraction ?? 0)
  let normalLeft = N - zeroLeft
  let t = 0
  let sinceSync = 0
  let windowBytes = 0
  let measured = 0
  let transferred = 0
  let syncs = 0
  let roundPages = N
  let roundStart = 0
  let roundBytes = 0
  const detail: PageModelRound[] = []
  for (let window = 0; ; window++) {
    const windowEnd = (window + 1) * W
    let checkNow = true
    while (t < windowEnd - 1e-12) {
      if (checkNow) {
        checkNow = false
        const thr = measured * input.downtimeLimit
        const left = normalLeft + zeroLeft
        let pending = left
        if (left * P < thr) {
          const U = uniquePagesDirtied(N, writes * sinceSync)
          const fresh = U * (1 - left / N)
          normalLeft += fresh
          pending = normalLeft + zeroLeft
          sinceSync = 0
          syncs++
          detail.push({ pages: roundPages, bytes: roundBytes, seconds: t - roundStart })
          roundPages = pending
          roundStart = t
          roundBytes = 0
        }
        if (pending === 0 || pending * P < thr) {
          const bytes = normalLeft * (P + hdr) + zeroLeft * zeroCost
          const downtime = bytes / Rsw + (input.deviceTime ?? 0)
          return {
            converges: true,
            rounds: syncs,
            syncs,
            detail,
            pendingPages: pending,
            transferred: transferred + bytes,
            downtime,
            totalTime: (input.setupTime ?? 0) + t + downtime,
          }
        }
        if (syncs > maxRounds) break
      }
      // stream for the rest of the window (zero pages and normal pages in proportion)
      const h = windowEnd - t
      const left = normalLeft + zeroLeft
      const avgCost = (normalLeft * (P + hdr) + zeroLeft * zeroCost) / left
      const canSend = (R * h) / avgCost
      const sent = Math.min(left, canSend)
      const used = sent < canSend ? (sent * avgCost) / R : h
      normalLeft -= sent * (normalLeft / left)
      zeroLeft -= sent * (zeroLeft / left)
      const bytes = sent * avgCost
      transferred += bytes
      windowBytes += bytes
      roundBytes += bytes
      sinceSync += used
      t += used
      if (used < h) checkNow = true
      else t = windowEnd
    }
    if (syncs > maxRounds) break
    measured = windowBytes / W
    windowBytes = 0
  }
  return {
    converges: false,
    rounds: syncs,
    syncs,
    detail,
    pendingPages: normalLeft + zeroLeft,
    transferred,
    downtime: Infinity,
    totalTime: Infinity,
  }
}
