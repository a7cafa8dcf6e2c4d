// One round of CloudSim's dynamic consolidation (PowerVmAllocationPolicyMigrationAbstract.optimizeAllocation):
// over-load detection → VM selection → PABFD placement → under-load consolidation, all on a tentative
// copy of the allocation that is rolled back at the end. Returns the migrations to start, each with the
// numbers that explain it.
import {
  FALLBACK_THRESHOLD,
  HISTORY_LENGTH,
  LR_POINTS,
  createDetector,
  lrHorizon,
  lrWeights,
  type Detector,
  type DetectorVerdict,
} from '../policies/detectors'
import type { PolicySpec, SelectionKind } from '../policies/policy-name'
import { interpolateWithDeltas, POWER_POINTS, TENTHS } from '../power'
import type { CloudSimHosts } from './hosts'
import { selectVm, type SelectionView } from '../policies/selection'
import type { RandomStream } from '../random'

export interface MigrationDecision {
  vm: number
  from: number
  to: number
  reason: 'overload' | 'underload'
  /** The source host's detector verdict (overload) or its utilization (underload). */
  sourceVerdict?: DetectorVerdict
  sourceUtilization: number
  /** PABFD's score for the chosen target: power after − power now, in watts. */
  powerIncreaseW: number
  targetUtilizationAfter: number
}

export interface OptimizationResult {
  migrations: MigrationDecision[]
  overloadedHosts: number[]
  underloadedHostsTried: number
}

export class CloudSimOptimizer {
  private readonly detector: Detector
  /** LR or LRR: isOverloaded can often decide from the closed form of the regression */
  private readonly regression: boolean
  private readonly lrWeightsByHorizon: Float64Array[] = []
  private readonly fallback: Detector
  private readonly selectionKind: SelectionKind
  private readonly selectionView: SelectionView
  private readonly random: RandomStream
  /** the simulated time of the round (MU reads each VM's demand at that time) */
  private time = Number.NaN
  private readonly excluded: Uint8Array
  private readonly excludedUnder: Uint8Array
  private idleExcluded = false
  /** The last findHostForVm's score (W) and the chosen host's utilization after placement. */
  foundScore = Number.NaN
  foundUtilization = Number.NaN
  private readonly demandScratch: Float64Array
  /** the VMs placeAll places (it sorts them in place), and where each over-loaded one came from */
  private readonly vmScratch: Int32Array
  private readonly origin: Int32Array
  /** what placeAll placed: VM, host, PABFD score, host utilization after */
  private readonly placedVm: Int32Array
  private readonly placedHost: Int32Array
  private readonly placedScore: Float64Array
  private readonly placedU: Float64Array
  private readonly underOrder: Int32Array
  private readonly utilizationOf: Float64Array
  /** findHostForVm's scored busy hosts */
  private readonly candHost: Int32Array
  private readonly candScore: Float64Array
  /** the best-scoring candidate's index in cand*, −1 when there is none */
  private firstCandidate = -1
  /** candidates left after the first rejection, as a binary heap of indices into cand* */
  private readonly heap: Int32Array

  constructor(
    private readonly hosts: CloudSimHosts,
    policy: Extract<PolicySpec, { kind: 'migration' }>,
    random: RandomStream,
  ) {
    this.detector = createDetector(policy.detector, policy.safety)
    this.regression = policy.detector === 'lr' || policy.detector === 'lrr'
    this.fallback = createDetector('thr', 0.7)
    this.selectionKind = policy.selection
    this.random = random
    this.selectionView = {
      ramMB: (v) => hosts.vmRam[v]!,
      utilization: (v) => hosts.demandMips(v, this.time) / hosts.vmMips[v]!,
      historyLength: (v) => hosts.histLen[v]!,
      history: (v, length) => hosts.hist.subarray(v * HISTORY_LENGTH, v * HISTORY_LENGTH + length),
    }
    hosts.historyDepth = this.detector.historyNeeded
    this.excluded = new Uint8Array(hosts.hostCount)
    this.excludedUnder = new Uint8Array(hosts.hostCount)
    this.demandScratch = new Float64Array(hosts.vmCount)
    this.vmScratch = new Int32Array(hosts.vmCount)
    this.origin = new Int32Array(hosts.vmCount)
    this.placedVm = new Int32Array(hosts.vmCount)
    this.placedHost = new Int32Array(hosts.vmCount)
    this.placedScore = new Float64Array(hosts.vmCount)
    this.placedU = new Float64Array(hosts.vmCount)
    this.underOrder = new Int32Array(hosts.hostCount + 1)
    this.utilizationOf = new Float64Array(hosts.hostCount)
    this.candHost = new Int32Array(hosts.hostCount)
    this.candScore = new Float64Array(hosts.hostCount)
    this.heap = new Int32Array(hosts.hostCount)
  }

  isOverloaded(h: number, plus = -1): boolean {
    const load = this.hosts.load(h, plus, this.detector.historyNeeded)
    if (this.regression) {
      // LR / LRR: the closed form of the least-squares prediction, Σ weight_i · history_i, differs from
      // commons-math's incremental sums only by rounding (~1e-14 here); beyond LR_MARGIN of the
      // threshold both give the same verdict, nearer it the detector's exact arithmetic decides.
      if (load.historyLength < LR_POINTS) return load.requestedMips / load.totalMips > FALLBACK_THRESHOLD
      const horizon = lrHorizon(load.maxVmRamMB, load.bwKbps, load.interval)
      let weights = this.lrWeightsByHorizon[horizon]
      if (weights === undefined) weights = this.lrWeightsByHorizon[horizon] = lrWeights(horizon)
      const history = load.history
      let predicted = 0
      for (let i = 0; i < LR_POINTS; i++) predicted += (weights[i] as number) * (history[i] as number)
      predicted *= this.detector.safety
      if (predicted >= 1 + LR_MARGIN) return true
      if (predicted < 1 - LR_MARGIN) return false
    }
    return this.detector.isOverloaded(load)
  }

  /** The VM to migrate next from host h: among its VMs not already migrating, in list order. */
  private select(h: number): number {
    const H = this.hosts
    const candidates = H.list[h]!.filter((v) => !H.inMigration[v])
    return selectVm(this.selectionKind, candidates, this.selectionView, this.random)
  }

  optimize(time: number, explain: boolean): OptimizationResult {
    const H = this.hosts
    this.time = time
    const n = H.hostCount
    const overloaded: number[] = []
    const verdicts = explain ? new Map<number, DetectorVerdict>() : undefined
    for (let h = 0; h < n; h++) {
      // An empty host is never over-loaded (its request is 0, its history too short for anything but THR).
      if (H.list[h]!.length === 0) continue
      if (verdicts) {
        const verdict = this.detector.explain(H.load(h, -1, this.detector.historyNeeded))
        if (verdict.overloaded) {
          overloaded.push(h)
          verdicts.set(h, verdict)
        }
      } else if (this.isOverloaded(h)) overloaded.push(h)
    }
    H.beginTentative()

    // Phase 1: VMs leave over-loaded hosts until each is no longer over-loaded.
    const { vmScratch, origin } = this
    let leaving = 0
    for (const h of overloaded) {
      for (;;) {
        const v = this.select(h)
        if (v < 0) break
        vmScratch[leaving++] = v
        origin[v] = h
        H.vmDestroy(h, v)
        if (!this.isOverloaded(h)) break
      }
    }
    this.excluded.fill(0)
    for (const h of overloaded) this.excluded[h] = 1
    const migrations: MigrationDecision[] = []
    const { placedVm, placedHost, placedScore, placedU } = this
    const moved = this.placeAll(leaving, time, false)
    for (let i = 0; i < moved; i++) {
      const from = origin[placedVm[i]!]!
      migrations.push({
        vm: placedVm[i]!,
        from,
        to: placedHost[i]!,
        reason: 'overload',
        sourceVerdict: verdicts?.get(from),
        sourceUtilization: H.utilization(from),
        powerIncreaseW: placedScore[i]!,
        targetUtilizationAfter: placedU[i]!,
      })
    }

    // Phase 2: empty the least-utilized hosts when all their VMs fit elsewhere.
    this.idleExcluded = true
    const { excluded, excludedUnder } = this
    excludedUnder.fill(0)
    let excludedUnderCount = 0
    excluded.fill(0)
    for (const h of overloaded) {
      if (!excludedUnder[h]) excludedUnderCount++
      excludedUnder[h] = 1
      excluded[h] = 1
    }
    for (let h = 0; h < n; h++) {
      if (H.utilMips[h] === 0) {
        if (!excludedUnder[h]) excludedUnderCount++
        excludedUnder[h] = 1
        excluded[h] = 1
      }
    }
    let tried = 0
    const candidates = this.underUtilizationOrder()
    while (excludedUnderCount !== n) {
      const h = this.underUtilizedHost(candidates)
      if (h < 0) break
      if (!excludedUnder[h]) excludedUnderCount++
      excludedUnder[h] = 1
      excluded[h] = 1
      tried++
      const list = H.list[h]!
      let count = 0
      for (let i = 0; i < list.length; i++) if (!H.inMigration[list[i]!]) vmScratch[count++] = list[i]!
      if (count === 0) continue
      const placed = this.placeAll(count, time, true)
      for (let i = 0; i < placed; i++) {
        const to = placedHost[i]!
        if (!excludedUnder[to]) excludedUnderCount++
        excludedUnder[to] = 1
        migrations.push({
          vm: placedVm[i]!,
          from: h,
          to,
          reason: 'underload',
          sourceUtilization: H.utilization(h),
          powerIncreaseW: placedScore[i]!,
          targetUtilizationAfter: placedU[i]!,
        })
      }
    }

    this.idleExcluded = false
    H.endTentative()
    return { migrations, overloadedHosts: overloaded, underloadedHostsTried: tried }
  }

  /** Hosts with utilization in (0, 1), by utilization then id (it does not change during a round); -1 ends. */
  private underUtilizationOrder(): Int32Array {
    const H = this.hosts
    const { underOrder: ids, utilizationOf } = this
    let n = 0
    for (let i = 0; i < H.busyCount; i++) {
      const h = H.busy[i]!
      const u = H.utilization(h)
      if (!(u > 0 && u < 1)) continue
      utilizationOf[h] = u
      ids[n++] = h
    }
    sortByKey(ids, n, utilizationOf)
    ids[n] = -1
    return ids
  }

  /** getUnderUtilizedHost: the smallest utilization in (0, 1), skipping hosts whose VMs are all leaving or one is arriving. */
  private underUtilizedHost(order: Int32Array): number {
    for (let i = 0; order[i]! >= 0; i++) {
      const h = order[i]!
      if (!this.excludedUnder[h] && !this.allMigratingOutOrAnyIn(h)) return h
    }
    return -1
  }

  private allMigratingOutOrAnyIn(h: number): boolean {
    const H = this.hosts
    const list = H.list[h]!
    for (let i = 0; i < list.length; i++) {
      const v = list[i]!
      if (!H.inMigration[v]) return false
      if (H.isMigratingIn(h, v)) return true
    }
    return true
  }

  /**
   * getNewVmPlacement / getNewVmPlacementFromUnderUtilizedHost for vmScratch[0, count): VMs sorted by
   * demand (descending, stable), each placed by PABFD and created tentatively. Returns how many were
   * placed, described in placed*[0, n); with `allOrNothing`, one failure cancels the whole set.
   */
  private placeAll(count: number, time: number, allOrNothing: boolean): number {
    const H = this.hosts
    const { demandScratch: demand, vmScratch: vms, placedVm, placedHost, placedScore, placedU } = this
    for (let i = 0; i < count; i++) demand[vms[i]!] = H.demandMips(vms[i]!, time)
    // stable, descending by demand (Collections.sort with a Double comparator): an insertion sort
    for (let i = 1; i < count; i++) {
      const v = vms[i]!
      let j = i
      for (; j > 0 && compareDoubles(demand[v]!, demand[vms[j - 1]!]!) > 0; j--) vms[j] = vms[j - 1]!
      vms[j] = v
    }
    let n = 0
    for (let i = 0; i < count; i++) {
      const v = vms[i]!
      const host = this.findHostForVm(v)
      if (host >= 0) {
        H.vmCreate(host, v)
        placedVm[n] = v
        placedHost[n] = host
        placedScore[n] = this.foundScore
        placedU[n] = this.foundUtilization
        n++
      } else if (allOrNothing) {
        for (let k = 0; k < n; k++) H.vmDestroy(placedHost[k]!, placedVm[k]!)
        return 0
      }
    }
    return n
  }

  /**
   * PABFD (findHostForVm): among suitable hosts that would not become over-loaded, the one whose power
   * rises least; ties go to the lower host id. Same result as CloudSim's scan over all hosts, found faster:
   *   - busy hosts are scored first; the costly over-load check then runs in (score, id) order until a
   *     host passes it (CloudSim's scan keeps the best-scoring host that passes, which is that host);
   *   - idle hosts (no VMs, no load) of one type all score the same and are never over-loaded, so the
   *     lowest-id one stands for its type.
   */
  findHostForVm(v: number): number {
    const H = this.hosts
    const request = H.requestTotal(v)
    const { candHost, candScore } = this
    let n = this.scoreBusyHosts(v, request)
    let best = -1
    let bestScore = Number.MAX_VALUE
    let bestU = 0
    // Candidates in (score, id) order until one is not over-loaded with the VM. Most calls take the first
    // (scoreBusyHosts found it); after a rejection the rest go into a binary heap, since some calls reject
    // dozens and a rescan per rejection would cost n each time.
    let k = this.firstCandidate
    if (k >= 0 && H.inUseCache[candHost[k]!] !== 0 && this.isOverloaded(candHost[k]!, v)) {
      candHost[k] = candHost[n - 1]!
      candScore[k] = candScore[n - 1]!
      n--
      const heap = this.heap
      for (let j = 0; j < n; j++) heap[j] = j
      for (let j = (n >> 1) - 1; j >= 0; j--) this.siftDown(j, n)
      k = -1
      while (n > 0) {
        const top = heap[0]!
        const h = candHost[top]!
        if (!(H.inUseCache[h] !== 0 && this.isOverloaded(h, v))) {
          k = top
          break
        }
        heap[0] = heap[--n]!
        this.siftDown(0, n)
      }
    }
    if (k >= 0) {
      best = candHost[k]!
      bestScore = candScore[k]!
      bestU = (H.inUseCache[best]! + request) / H.totalMips[best]!
    }
    // In the under-load phase every idle host is switched off, hence excluded.
    if (!this.idleExcluded) {
      for (let t = 0; t < H.hostsOfType.length; t++) {
        const h = this.idleCandidate(t, v)
        if (h < 0) continue
        const u = request / (H.totalMips[h] as number)
        const score = interpolateWithDeltas(H.power[h]!, H.powerDeltas[h]!, u) - H.powerLast[h]!
        if (score < bestScore || (score === bestScore && h < best)) {
          best = h
          bestScore = score
          bestU = u
        }
      }
    }
    this.foundScore = bestScore
    this.foundUtilization = bestU
    return best
  }

  /**
   * Scores the busy hosts that could take VM v into cand*[0, n) and returns n. A host the VM would push
   * past 100 % is left out when over-loaded with it (CloudSim would throw otherwise).
   */
  private scoreBusyHosts(v: number, request: number): number {
    const H = this.hosts
    const perPe = H.requestPerPe(v)
    const instantiating = H.beingInstantiated[v] === 1
    const { busy, peMips, available, totalMips, powerLast, inUseValid, inUseCache, hostTypeOf, typeWatts, typeDeltas } =
      H
    const { excluded, candHost, candScore } = this
    const count = H.busyCount
    let n = 0
    let first = -1
    let firstScore = Number.POSITIVE_INFINITY
    let firstHost = 0
    for (let i = 0; i < count; i++) {
      const h = busy[i]!
      if (excluded[h] || (peMips[h] as number) < perPe || (available[h] as number) < request) continue
      if (instantiating && !H.isSuitable(h, v)) continue
      if (!inUseValid[h]) H.refreshInUse(h)
      const inUse = inUseCache[h] as number
      const u = (inUse + request) / (totalMips[h] as number)
      if (u > 1) {
        this.checkOverfull(h, v, inUse, u)
        continue
      }
      // interpolateWithDeltas on the host type's rows of typeWatts / typeDeltas, inlined
      const x = u * 10
      const lo = Math.floor(x)
      const t = hostTypeOf[h]!
      let watts = typeWatts[t * POWER_POINTS + lo]!
      if (lo !== x) watts += typeDeltas[t * POWER_POINTS + lo]! * (u - TENTHS[lo]!) * 100
      const score = watts - powerLast[h]!
      // CloudSim starts from Double.MAX_VALUE and keeps a host only when it scores lower.
      if (!(score < Number.MAX_VALUE)) continue
      candHost[n] = h
      candScore[n] = score
      if (score < firstScore || (score === firstScore && h < firstHost)) {
        first = n
        firstScore = score
        firstHost = h
      }
      n++
    }
    this.firstCandidate = first
    return n
  }

  /** Restores the heap order (score, then host id) below heap[j], for heap[0, n). */
  private siftDown(j: number, n: number): void {
    const { heap, candHost, candScore } = this
    const item = heap[j]!
    const score = candScore[item]!
    const host = candHost[item]!
    for (;;) {
      let c = 2 * j + 1
      if (c >= n) break
      if (c + 1 < n) {
        const a = heap[c]!
        const b = heap[c + 1]!
        const sa = candScore[a]!
        const sb = candScore[b]!
        if (sb < sa || (sb === sa && candHost[b]! < candHost[a]!)) c++
      }
      const child = heap[c]!
      const sc = candScore[child]!
      if (score < sc || (score === sc && host < candHost[child]!)) break
      heap[j] = child
      j = c
    }
    heap[j] = item
  }

  /** A host VM v would push past 100 %: CloudSim throws unless the over-load check skips it first. */
  private checkOverfull(h: number, v: number, inUse: number, u: number): void {
    if (inUse !== 0 && this.isOverloaded(h, v)) return
    throw new Error(`PABFD: host ${h} would exceed 100 % with VM ${v} (u = ${u})`)
  }

  /** The idle host of type t that stands for its type (the lowest id not excluded), if it can take VM v. */
  private idleCandidate(t: number, v: number): number {
    const H = this.hosts
    let h = H.firstIdleOfType(t)
    if (h >= 0 && this.excluded[h]) h = this.firstIdle(H.hostsOfType[t]!)
    return h >= 0 && H.isSuitable(h, v) ? h : -1
  }

  /** The lowest-id idle host of a type that is not excluded, or −1. */
  private firstIdle(ids: Int32Array): number {
    const H = this.hosts
    for (let i = 0; i < ids.length; i++) {
      const h = ids[i]!
      if (!this.excluded[h] && H.isIdle(h)) return h
    }
    return -1
  }
}

/**
 * How far from the threshold a closed-form LR prediction must be to decide alone: rounding separates
 * it from commons-math's by ~1e-14 for these inputs (10 utilizations of order 1), so this is ample.
 */
const LR_MARGIN = 1e-9

/** Sorts ids[0, n) by key[id], then by id (an insertion sort: a few dozen ids). */
function sortByKey(ids: Int32Array, n: number, key: Float64Array): void {
  for (let i = 1; i < n; i++) {
    const h = ids[i]!
    const k = key[h]!
    let j = i
    for (; j > 0; j--) {
      const before = ids[j - 1]!
      const kb = key[before]!
      if (kb < k || (kb === k && before < h)) break
      ids[j] = before
    }
    ids[j] = h
  }
}

/** Java's Double.compareTo for finite values. */
function compareDoubles(a: number, b: number): number {
  return a < b ? -1 : a > b ? 1 : 0
}
