// The report's `memory` section (lab mode, hosts managing memory): what KSM and the balloons saved, what
// overcommit cost (host swap, CPU lost to swap faults, OOM kills), cluster-wide and over time.
import type { ClusterModel } from '../model/cluster-model'
import { MEMORY_COL, MEMORY_FIELDS } from './protocol'

const GiB = 1024

export interface MemoryPoint {
  time: number
  configuredGiB: number
  residentGiB: number
  ksmSavedGiB: number
  balloonGiB: number
  hostSwappedGiB: number
  guestSwappedGiB: number
  /** CPU seconds lost to swap faults since the previous point */
  lostCpuSeconds: number
  /** hosts under memory pressure (free < 20 %) / critical (≤ 5 %) */
  pressuredHosts: number
  criticalHosts: number
}

export interface MemoryReport {
  settings: {
    ksm: string
    ballooning: string
    ramAllocationRatio: number
    pageSizeBytes: number
  }
  /** Σ over hosts at the end of the run */
  final: Omit<MemoryPoint, 'time' | 'lostCpuSeconds' | 'pressuredHosts' | 'criticalHosts'>
  /** the largest cluster-wide value seen */
  peak: { residentGiB: number; ksmSavedGiB: number; balloonGiB: number; hostSwappedGiB: number }
  /** time averages over the run */
  average: { residentGiB: number; ksmSavedGiB: number; balloonGiB: number; hostSwappedGiB: number }
  /** CPU seconds the VMs lost to swap faults, and VMs the OOM killer ended */
  lostCpuSeconds: number
  oomKills: number
  /** host swap faults (4 KiB pages), and host CPU seconds ksmd spent scanning */
  hostFaults: number
  ksmCpuSeconds: number
  /** ksm.rst counters summed over hosts at the end */
  ksm: {
    pages_shared: number
    pages_sharing: number
    pages_unshared: number
    pages_volatile: number
    full_scans: number
  }
  /** at most ~500 points, evenly spaced */
  timeline: MemoryPoint[]
}

export interface MemoryAccountState {
  steps: number
  lostSinceLast: number
  lostTotal: number
  kills: number
  faults?: number
  ksmCpu?: number
  sum: MemoryReport['average']
  peak: MemoryReport['peak']
  ksm: MemoryReport['ksm']
  last: MemoryPoint | null
  timeline: MemoryPoint[]
}

export class MemoryAccount {
  private readonly every: number
  private steps = 0
  private lostSinceLast = 0
  private readonly sum = { residentGiB: 0, ksmSavedGiB: 0, balloonGiB: 0, hostSwappedGiB: 0 }
  private readonly peak = { residentGiB: 0, ksmSavedGiB: 0, balloonGiB: 0, hostSwappedGiB: 0 }
  private lostTotal = 0
  private kills = 0
  private faults = 0
  private ksmCpu = 0
  private last: MemoryPoint | undefined
  private readonly ksm = { pages_shared: 0, pages_sharing: 0, pages_unshared: 0, pages_volatile: 0, full_scans: 0 }
  readonly timeline: MemoryPoint[] = []

  constructor(private readonly model: ClusterModel) {
    this.every = Math.max(1, Math.ceil(model.duration / model.interval / 500))
  }

  /** One step's per-host memory table (hosts in id order), at the end of the step. */
  absorb(time: number, t: Float64Array): void {
    const p: MemoryPoint = {
      time,
      configuredGiB: 0,
      residentGiB: 0,
      ksmSavedGiB: 0,
      balloonGiB: 0,
      hostSwappedGiB: 0,
      guestSwappedGiB: 0,
      lostCpuSeconds: 0,
      pressuredHosts: 0,
      criticalHosts: 0,
    }
    const k = this.ksm
    k.pages_shared = k.pages_sharing = k.pages_unshared = k.pages_volatile = k.full_scans = 0
    for (let o = 0; o < t.length; o += MEMORY_FIELDS) {
      p.configuredGiB += t[o + MEMORY_COL.configuredMB]! / GiB
      p.residentGiB += t[o + MEMORY_COL.residentMB]! / GiB
      p.ksmSavedGiB += t[o + MEMORY_COL.ksmSavedMB]! / GiB
      p.balloonGiB += t[o + MEMORY_COL.balloonMB]! / GiB
      p.hostSwappedGiB += t[o + MEMORY_COL.hostSwappedMB]! / GiB
      p.guestSwappedGiB += t[o + MEMORY_COL.guestSwappedMB]! / GiB
      p.lostCpuSeconds += t[o + MEMORY_COL.lostCpuSeconds]!
      if (t[o + MEMORY_COL.pressure]! >= 1) p.pressuredHosts++
      if (t[o + MEMORY_COL.pressure]! >= 2) p.criticalHosts++
      this.kills += t[o + MEMORY_COL.oomKills]!
      this.faults += t[o + MEMORY_COL.hostFaults]!
      this.ksmCpu += t[o + MEMORY_COL.ksmCpuSeconds]!
      k.pages_shared += t[o + MEMORY_COL.ksmPagesShared]!
      k.pages_sharing += t[o + MEMORY_COL.ksmPagesSharing]!
      k.pages_unshared += t[o + MEMORY_COL.ksmPagesUnshared]!
      k.pages_volatile += t[o + MEMORY_COL.ksmPagesVolatile]!
      k.full_scans = Math.max(k.full_scans, t[o + MEMORY_COL.ksmFullScans]!)
    }
    this.steps++
    this.lostTotal += p.lostCpuSeconds
    this.lostSinceLast += p.lostCpuSeconds
    for (const key of ['residentGiB', 'ksmSavedGiB', 'balloonGiB', 'hostSwappedGiB'] as const) {
      this.sum[key] += p[key]
      this.peak[key] = Math.max(this.peak[key], p[key])
    }
    this.last = p
    if (this.steps % this.every === 0) {
      this.timeline.push({ ...p, lostCpuSeconds: this.lostSinceLast })
      this.lostSinceLast = 0
    }
  }

  /** Everything accumulated so far, for a whole-lab checkpoint. */
  state(): MemoryAccountState {
    return {
      steps: this.steps,
      lostSinceLast: this.lostSinceLast,
      lostTotal: this.lostTotal,
      kills: this.kills,
      faults: this.faults,
      ksmCpu: this.ksmCpu,
      sum: { ...this.sum },
      peak: { ...this.peak },
      ksm: { ...this.ksm },
      last: this.last ? { ...this.last } : null,
      timeline: this.timeline.map((p) => ({ ...p })),
    }
  }

  restore(s: MemoryAccountState): void {
    this.steps = s.steps
    this.lostSinceLast = s.lostSinceLast
    this.lostTotal = s.lostTotal
    this.kills = s.kills
    this.faults = s.faults ?? 0
    this.ksmCpu = s.ksmCpu ?? 0
    Object.assign(this.sum, s.sum)
    Object.assign(this.peak, s.peak)
    Object.assign(this.ksm, s.ksm)
    this.last = s.last ? { ...s.last } : undefined
    this.timeline.length = 0
    this.timeline.push(...s.timeline.map((p) => ({ ...p })))
  }

  report(): MemoryReport {
    const m = this.model
    const last = this.last
    const n = Math.max(1, this.steps)
    return {
      settings: {
        ksm: m.memory.ksm.mode,
        ballooning: m.memory.ballooning,
        ramAllocationRatio: m.admission.ramAllocationRatio,
        pageSizeBytes: m.pageSize,
      },
      final: {
        configuredGiB: last?.configuredGiB ?? 0,
        residentGiB: last?.residentGiB ?? 0,
        ksmSavedGiB: last?.ksmSavedGiB ?? 0,
        balloonGiB: last?.balloonGiB ?? 0,
        hostSwappedGiB: last?.hostSwappedGiB ?? 0,
        guestSwappedGiB: last?.guestSwappedGiB ?? 0,
      },
      peak: { ...this.peak },
      average: {
        residentGiB: this.sum.residentGiB / n,
        ksmSavedGiB: this.sum.ksmSavedGiB / n,
        balloonGiB: this.sum.balloonGiB / n,
        hostSwappedGiB: this.sum.hostSwappedGiB / n,
      },
      lostCpuSeconds: this.lostTotal,
      oomKills: this.kills,
      hostFaults: this.faults,
      ksmCpuSeconds: this.ksmCpu,
      ksm: { ...this.ksm },
      timeline: this.timeline,
    }
  }
}
