// One round of CloudSim's dynamic consolidation (PowerVmAllocationPolicyMigrationAbstract.optimizeAllocation):
// over-load detection → VM selection → PABFD placement → under-load consolidation, all on a tentative
// copy of the allocation that is rolled back at the end. Returns the migrations to start, each with the
// numbers that explain it.
import { createDetector, type Detector, type DetectorVerdict } from '../policies/detectors'
import type { PolicySpec } from '../policies/policy-name'
import { specPower } from '../power'
import type { CloudSimHosts } from './hosts'
import { createSelection, type VmSelection } from './selection'
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
  private readonly fallback: Detector
  private readonly selection: VmSelection
  private readonly excluded: Uint8Array
  private readonly excludedUnder: Uint8Array
  private idleExcluded = false
  /** The last findHostForVm's score (W) and the chosen host's utilization after placement. */
  foundScore = 0
  foundUtilization = 0
  private readonly demandScratch: Float64Array

  constructor(
    private readonly hosts: CloudSimHosts,
    policy: Extract<PolicySpec, { kind: 'migration' }>,
    random: RandomStream,
  ) {
    this.detector = createDetector(policy.detector, policy.safety)
    this.fallback = createDetector('thr', 0.7)
    this.selection = createSelection(policy.selection, hosts, random)
    this.excluded = new Uint8Array(hosts.hostCount)
    this.excludedUnder = new Uint8Array(hosts.hostCount)
    this.demandScratch = new Float64Array(hosts.vmCount)
  }

  isOverloaded(h: number, plus = -1): boolean {
    return this.detector.isOverloaded(this.hosts.load(h, plus, this.detector.historyNeeded))
  }

  optimize(time: number, explain: boolean): OptimizationResult {
    const H = this.hosts
    const n = H.hostCount
    const overloaded: number[] = []
    const verdicts = new Map<number, DetectorVerdict>()
    for (let h = 0; h < n; h++) {
      // An empty host is never over-loaded (its request is 0, its history too short for anything but THR).
      if (H.list[h]!.length === 0) continue
      if (explain) {
        const verdict = this.detector.explain(H.load(h))
        if (verdict.overloaded) {
          overloaded.push(h)
          verdicts.set(h, verdict)
        }
      } else if (this.isOverloaded(h)) overloaded.push(h)
    }
    H.beginTentative()

    // Phase 1: VMs leave over-loaded hosts until each is no longer over-loaded.
    const toMigrate: number[] = []
    const origin = new Map<number, number>()
    for (const h of overloaded) {
      for (;;) {
        const v = this.selection.select(h, time)
        if (v < 0) break
        toMigrate.push(v)
        origin.set(v, h)
        H.vmDestroy(h, v)
        if (!this.isOverloaded(h)) break
      }
    }
    this.excluded.fill(0)
    for (const h of overloaded) this.excluded[h] = 1
    const migrations: MigrationDecision[] = []
    for (const p of this.placeAll(toMigrate, time, false)) {
      const from = origin.get(p.vm)!
      migrations.push({
        vm: p.vm,
        from,
        to: p.to,
        reason: 'overload',
        sourceVerdict: verdicts.get(from),
        sourceUtilization: H.utilization(from),
        powerIncreaseW: p.powerIncreaseW,
        targetUtilizationAfter: p.targetUtilizationAfter,
      })
    }

    // Phase 2: empty the least-utilized hosts when all their VMs fit elsewhere.
    this.idleExcluded = true
    this.excludedUnder.fill(0)
    let excludedUnderCount = 0
    const excludeUnder = (h: number) => {
      if (!this.excludedUnder[h]) {
        this.excludedUnder[h] = 1
        excludedUnderCount++
      }
    }
    this.excluded.fill(0)
    for (const h of overloaded) {
      excludeUnder(h)
      this.excluded[h] = 1
    }
    for (let h = 0; h < n; h++) {
      if (H.utilMips[h] === 0) {
        excludeUnder(h)
        this.excluded[h] = 1
      }
    }
    let tried = 0
    const byUtilization = this.underUtilizationOrder()
    while (excludedUnderCount !== n) {
      const h = this.underUtilizedHost(byUtilization)
      if (h < 0) break
      excludeUnder(h)
      this.excluded[h] = 1
      tried++
      const vms = H.list[h]!.filter((v) => !H.inMigration[v])
      if (vms.length === 0) continue
      const placed = this.placeAll(vms, time, true)
      for (const p of placed) {
        excludeUnder(p.to)
        migrations.push({
          vm: p.vm,
          from: h,
          to: p.to,
          reason: 'underload',
          sourceUtilization: H.utilization(h),
          powerIncreaseW: p.powerIncreaseW,
          targetUtilizationAfter: p.targetUtilizationAfter,
        })
      }
    }

    this.idleExcluded = false
    H.endTentative()
    return { migrations, overloadedHosts: overloaded, underloadedHostsTried: tried }
  }

  /** Hosts with utilization in (0, 1), by utilization then id: it does not change during a round. */
  private underUtilizationOrder(): Int32Array {
    const H = this.hosts
    const ids: number[] = []
    for (let i = 0; i < H.busyCount; i++) {
      const h = H.busy[i]!
      const u = H.utilization(h)
      if (u > 0 && u < 1) ids.push(h)
    }
    ids.sort((a, b) => H.utilization(a) - H.utilization(b) || a - b)
    return Int32Array.from(ids)
  }

  /** getUnderUtilizedHost: the smallest utilization in (0, 1), skipping hosts whose VMs are all leaving or one is arriving. */
  private underUtilizedHost(order: Int32Array): number {
    for (const h of order) if (!this.excludedUnder[h] && !this.allMigratingOutOrAnyIn(h)) return h
    return -1
  }

  private allMigratingOutOrAnyIn(h: number): boolean {
    const H = this.hosts
    for (const v of H.list[h]!) {
      if (!H.inMigration[v]) return false
      if (H.migIn[h]!.includes(v)) return true
    }
    return true
  }

  /**
   * getNewVmPlacement / getNewVmPlacementFromUnderUtilizedHost: VMs sorted by demand (descending, stable),
   * each placed by PABFD and created tentatively. With `allOrNothing`, one failure cancels the whole set.
   */
  private placeAll(
    vms: number[],
    time: number,
    allOrNothing: boolean,
  ): Omit<MigrationDecision, 'from' | 'reason' | 'sourceUtilization'>[] {
    const H = this.hosts
    const demand = this.demandScratch
    for (const v of vms) demand[v] = H.demandMips(v, time)
    // stable, descending by demand (Collections.sort with a Double comparator)
    const order = vms.slice().sort((a, b) => compareDoubles(demand[b]!, demand[a]!))
    const placed: Omit<MigrationDecision, 'from' | 'reason' | 'sourceUtilization'>[] = []
    for (const v of order) {
      const host = this.findHostForVm(v)
      if (host >= 0) {
        H.vmCreate(host, v)
        placed.push({ vm: v, to: host, powerIncreaseW: this.foundScore, targetUtilizationAfter: this.foundUtilization })
      } else if (allOrNothing) {
        for (const p of placed) H.vmDestroy(p.to, p.vm)
        return []
      }
    }
    return placed
  }

  /**
   * PABFD (findHostForVm): among suitable hosts that would not become over-loaded, the one whose power
   * rises least; ties go to the lower host id. Same result as CloudSim's scan over all hosts, found faster:
   *   - busy hosts are scanned one by one, the score first, so the costly over-load check runs only for a
   *     host that would win;
   *   - idle hosts (no VMs, no load) of one type all score the same and are never over-loaded, so the
   *     lowest-id one stands for its type.
   */
  findHostForVm(v: number): number {
    const H = this.hosts
    const perPe = H.requestPerPe(v)
    const request = H.requestTotal(v)
    const instantiating = H.beingInstantiated[v] === 1
    const { busy, peMips, available, totalMips, powerLast, power } = H
    const excluded = this.excluded
    let best = -1
    let bestScore = Number.MAX_VALUE
    let bestU = 0
    // Arithmetic inlined on purpose: helper calls returning doubles would allocate on this hot loop.
    for (let i = 0; i < H.busyCount; i++) {
      const h = busy[i]!
      if (excluded[h] || (peMips[h] as number) < perPe || (available[h] as number) < request) continue
      if (instantiating && !H.isSuitable(h, v)) continue
      const inUse = H.inUseValid[h] ? (H.inUseCache[h] as number) : H.mipsInUse(h)
      const u = (inUse + request) / (totalMips[h] as number)
      if (u > 1) {
        // CloudSim would throw here unless the over-load check skips the host first.
        if (inUse !== 0 && this.isOverloaded(h, v)) continue
        throw new Error(`PABFD: host ${h} would exceed 100 % with VM ${v} (u = ${u})`)
      }
      // specPower(table, u) − power now, as in engine/power.ts
      const table = power[h]!
      const lo = Math.floor(u * 10)
      const hi = Math.ceil(u * 10)
      const p1 = table[lo] as number
      const after = lo === hi ? p1 : p1 + (((table[hi] as number) - p1) / 10) * (u - lo / 10) * 100
      const score = after - (powerLast[h] as number)
      if (score > bestScore || (score === bestScore && h > best)) continue
      if (inUse !== 0 && this.isOverloaded(h, v)) continue
      best = h
      bestScore = score
      bestU = u
    }
    // In the under-load phase every idle host is switched off, hence excluded.
    for (let t = 0; t < H.hostsOfType.length && !this.idleExcluded; t++) {
      let h = H.firstIdleOfType(t)
      if (h >= 0 && excluded[h]) h = this.firstIdle(H.hostsOfType[t]!)
      if (h < 0 || !H.isSuitable(h, v)) continue
      const u = request / (totalMips[h] as number)
      const score = specPower(power[h]!, u) - (powerLast[h] as number)
      if (score < bestScore || (score === bestScore && h < best)) {
        best = h
        bestScore = score
        bestU = u
      }
    }
    this.foundScore = bestScore
    this.foundUtilization = bestU
    return best
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

/** Java's Double.compareTo for finite values. */
function compareDoubles(a: number, b: number): number {
  return a < b ? -1 : a > b ? 1 : 0
}
