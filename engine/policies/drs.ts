// vSphere DRS load balancing with the legacy (pre-7.0) metric, and DPM. VMware's KB "Calculating the priority
// level of a VMware DRS migration recommendation": a host's load is Σ of its VMs' expected load ÷ its
// capacity, the current host load standard deviation (CHLSD) is the standard deviation of those loads over
// the hosts, and a balancing recommendation has priority 6 − ⌈CHLSD ÷ 0.1 × √N⌉; migration threshold k
// applies (here: makes) recommendations of priority ≤ k. DRS proposes, one at a time, the move that lowers
// CHLSD most, while CHLSD is above what the threshold tolerates. DPM (vSphere Resource Management guide)
// keeps each host's demand ÷ capacity near 63 % ± 18 %: above 81 % over a 5-minute window it brings a
// standby host back, below 45 % over a 40-minute window it empties a host and puts it in standby. Where
// VMware publishes no rule (the cost-benefit filter, which host to wake or empty, the priorities of DPM's
// recommendations) the lab's are docs/policies.md's.
import { activeHosts, LoadSpread, meanDemand, windowSteps, type ClusterView } from './cluster-view'
import type { DpmParams, DrsParams } from './presets'
import type { PresetMove, PresetPower, PresetResult } from './preset-result'
import { formatPercent as pct } from '../api/units'

/**
 * The legacy priority of a balancing recommendation, 6 − ⌈CHLSD ÷ 0.1 × √N⌉ read left to right, as the
 * formula gives it (it falls to 1 and below for a badly unbalanced cluster; 6 when CHLSD is 0).
 */
export function drsPriority(chlsd: number, hosts: number): number {
  return 6 - Math.ceil((chlsd / 0.1) * Math.sqrt(hosts))
}

/**
 * The priority a balancing move gets: the formula's, no better than 2 (priority 1 is for mandatory moves:
 * maintenance, standby, rules), or undefined when CHLSD is 0 (nothing to balance).
 */
export function balancingPriority(chlsd: number, hosts: number): number | undefined {
  const raw = drsPriority(chlsd, hosts)
  return raw >= 6 ? undefined : Math.max(2, raw)
}

/**
 * The largest CHLSD threshold k tolerates: priority ≤ k ⇔ ⌈CHLSD ÷ 0.1 × √N⌉ ≥ 6 − k ⇔ CHLSD > (5 − k) × 0.1 ÷ √N.
 * (k = 1: every imbalance is tolerated — only mandatory moves.)
 */
export function targetDeviation(threshold: number, hosts: number): number {
  return threshold <= 1 ? Number.POSITIVE_INFINITY : ((5 - threshold) * 0.1) / Math.sqrt(hosts)
}

/** Each VM's expected load for DRS (MIPS over the pass's window, or configured RAM) and each host's capacity. */
function drsMeasure(view: ClusterView, p: DrsParams): { vmLoad: (v: number) => number; cap: (h: number) => number } {
  if (p.resource === 'memory') return { vmLoad: (v) => view.vmRam(v), cap: (h) => view.ramCapacity(h) }
  const steps = windowSteps(view, p.every)
  return { vmLoad: (v) => meanDemand(view, v, steps), cap: (h) => view.capacity(h) }
}

/** CHLSD now: the standard deviation of the active hosts' loads (the balance metric of drs-k). */
export function currentChlsd(view: ClusterView, p: DrsParams): number {
  const { vmLoad, cap } = drsMeasure(view, p)
  const loads = activeHosts(view).map((h) => view.vms(h).reduce((s, v) => s + vmLoad(v), 0) / cap(h))
  return new LoadSpread(loads).std()
}

/** One DRS pass: DPM's power-on, the balancing moves, DPM's power-off (each within its threshold). */
export function drsPass(view: ClusterView, p: DrsParams): PresetResult {
  const power: PresetPower[] = []
  const touched = new Set<number>()
  if (p.dpm) {
    const on = dpmPowerOn(view, p.dpm)
    if (on && on.priority <= p.dpm.threshold) {
      view.powerOn(on.host)
      power.push(on)
      touched.add(on.host)
    }
  }
  const moves = drsBalance(view, p)
  for (const m of moves) {
    touched.add(m.from)
    touched.add(m.to)
  }
  if (p.dpm) {
    const off = dpmPowerOff(view, p.dpm, touched)
    if (off && off.priority <= p.dpm.threshold) power.push(off)
    // a power-off above DPM's threshold is not made: the moves it planned in the view go back
    else if (off) for (const m of [...off.moves!].reverse()) view.move(m.vm, m.from)
  }
  return { moves, power }
}

/**
 * The balancing moves of a pass, greedily: each the move that lowers CHLSD most (sources above the mean
 * load, targets below it; among hosts of one capacity the least loaded target that admits the VM is the
 * best), while the priority CHLSD gives is within the threshold, the move lowers CHLSD by at least
 * `minImprovement` of it (the lab's cost-benefit rule) and neither host has used its migration slots in
 * this pass (vMotion's concurrency).
 */
export function drsBalance(view: ClusterView, p: DrsParams): PresetMove[] {
  const hosts = activeHosts(view)
  const n = hosts.length
  if (n < 2 || p.threshold <= 1) return []
  const { vmLoad, cap } = drsMeasure(view, p)
  const load = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    const h = hosts[i]!
    let sum = 0
    for (const v of view.vms(h)) sum += vmLoad(v)
    load[i] = sum / cap(h)
  }
  const spread = new LoadSpread(load)
  const used = new Int32Array(n)
  // hosts of one capacity are interchangeable for the metric: the least loaded of a group is its best target
  const byCapacity = new Map<number, number[]>()
  for (let i = 0; i < n; i++) {
    const c = cap(hosts[i]!)
    const group = byCapacity.get(c) ?? []
    group.push(i)
    byCapacity.set(c, group)
  }
  const groups = [...byCapacity.values()]
  const what = p.resource === 'memory' ? 'memory' : 'CPU'
  const moves: PresetMove[] = []
  for (;;) {
    const sigma = spread.std()
    const priority = balancingPriority(sigma, n)
    if (priority === undefined || priority > p.threshold) break
    const mean = spread.mean()
    for (const g of groups) g.sort((a, b) => load[a]! - load[b]! || hosts[a]! - hosts[b]!)
    let best: { i: number; j: number; v: number; after: number; gain: number } | undefined
    for (let i = 0; i < n; i++) {
      const s = hosts[i]!
      if (load[i]! <= mean || used[i]! >= view.migrationSlots(s)) continue
      for (const v of view.vms(s)) {
        if (!view.movable(v)) continue
        const e = vmLoad(v)
        if (e <= 0) continue
        const aS = e / cap(s)
        for (const g of groups) {
          for (const j of g) {
            if (load[j]! >= mean) break
            const t = hosts[j]!
            if (j === i || used[j]! >= view.migrationSlots(t) || !view.admits(v, t)) continue
            const after = spread.stdAfter(load[i]!, load[i]! - aS, load[j]!, load[j]! + e / cap(t))
            const gain = sigma - after
            if (
              !best ||
              gain > best.gain ||
              (gain === best.gain && (v < best.v || (v === best.v && t < hosts[best.j]!)))
            )
              best = { i, j, v, after, gain }
            break
          }
        }
      }
    }
    if (!best || best.gain <= 0 || best.gain < p.minImprovement * sigma) break
    const { i, j, v, after } = best
    const s = hosts[i]!
    const t = hosts[j]!
    const e = vmLoad(v)
    const [ls, lt] = [load[i]!, load[j]!]
    view.move(v, t)
    load[i] = ls - e / cap(s)
    load[j] = lt + e / cap(t)
    spread.move(ls, load[i], lt, load[j])
    used[i]!++
    used[j]!++
    moves.push({
      vm: v,
      from: s,
      to: t,
      priority,
      metricBefore: sigma,
      metricAfter: after,
      why: `balances ${what} load: host load standard deviation ${sigma.toFixed(4)} over ${n} hosts gives priority ${priority} (6 − ⌈${sigma.toFixed(4)} ÷ 0.1 × √${n}⌉${drsPriority(sigma, n) < 2 ? ` = ${drsPriority(sigma, n)}, 2 at best for balancing` : ''}; threshold ${p.threshold} takes ≤ ${p.threshold}); VM ${v} from host ${s} (${pct(ls)}) to host ${t} (${pct(lt)} → ${pct(load[j])}) lowers it to ${after.toFixed(4)}`,
    })
  }
  return moves
}

/** A host's demand ÷ capacity over the newest `steps` steps (its planned VMs' mean demand). */
export function demandShare(view: ClusterView, h: number, steps: number): number {
  let sum = 0
  for (const v of view.vms(h)) sum += meanDemand(view, v, steps)
  return sum / view.capacity(h)
}

/** DPM's priority for a power-on, 1..3, by the busiest host's demand: ≥ 100 % → 1, ≥ 90 % → 2, else 3 (lab's). */
export function powerOnPriority(busiest: number): number {
  return busiest >= 1 ? 1 : busiest >= 0.9 ? 2 : 3
}

/** DPM's priority for a power-off, 2..5, by how far the host is below the band: ≥ 30 points → 2 … < 10 → 5 (lab's). */
export function powerOffPriority(share: number, p: DpmParams): number {
  const below = p.target - p.tolerance - share
  return below >= 0.3 ? 2 : below >= 0.2 ? 3 : below >= 0.1 ? 4 : 5
}

/**
 * A host above target + tolerance (81 %) over the power-on window asks for a standby host: the lowest-id host
 * the policy may wake, unless one is still booting (its capacity comes first).
 */
export function dpmPowerOn(view: ClusterView, p: DpmParams): PresetPower | undefined {
  const steps = windowSteps(view, p.powerOnWindow)
  const high = p.target + p.tolerance
  let busiest = -1
  let share = 0
  for (let h = 0; h < view.hostCount; h++) {
    if (!view.active(h)) continue
    if (!view.running(h)) return undefined
    const u = demandShare(view, h, steps)
    if (u > share) {
      share = u
      busiest = h
    }
  }
  if (busiest < 0 || share <= high) return undefined
  let wake = -1
  for (let h = 0; h < view.hostCount && wake < 0; h++) if (view.wakeable(h)) wake = h
  if (wake < 0) return undefined
  const priority = powerOnPriority(share)
  return {
    kind: 'power-on',
    host: wake,
    priority,
    why: `DPM: host ${busiest} asks for ${pct(share)} of its CPU over ${steps} step${steps > 1 ? 's' : ''} (the power-on window), above ${pct(p.target)} + ${pct(p.tolerance)} = ${pct(high)}: host ${wake} comes out of standby (priority ${priority})`,
  }
}

/**
 * A host below target − tolerance (45 %) over the power-off window is emptied into standby when all its VMs
 * fit on the other active hosts with each staying at or below the target (63 %) over that window: the least
 * loaded such host, its VMs by decreasing demand each to the fullest host that keeps them (best fit). Hosts a
 * pass already moved VMs to or from, or powered on, are left alone; one host per pass.
 */
export function dpmPowerOff(view: ClusterView, p: DpmParams, touched: ReadonlySet<number>): PresetPower | undefined {
  const steps = windowSteps(view, p.powerOffWindow)
  const low = p.target - p.tolerance
  const hosts = activeHosts(view)
  if (hosts.length < 2) return undefined
  const share = new Map<number, number>()
  for (const h of hosts) share.set(h, demandShare(view, h, steps))
  const candidates = hosts
    .filter((h) => {
      const vms = view.vms(h)
      return (
        view.running(h) && !touched.has(h) && share.get(h)! < low && vms.length > 0 && vms.every((v) => view.movable(v))
      )
    })
    .sort((a, b) => share.get(a)! - share.get(b)! || a - b)
  for (const c of candidates) {
    const level = new Map(share)
    const planned: PresetMove[] = []
    const vms = view
      .vms(c)
      .map((v) => ({ v, d: meanDemand(view, v, steps) }))
      .sort((a, b) => b.d - a.d || a.v - b.v)
    let placed = true
    for (const { v, d } of vms) {
      let best = -1
      for (const t of hosts) {
        if (t === c) continue
        const after = level.get(t)! + d / view.capacity(t)
        if (after > p.target || !view.admits(v, t)) continue
        if (best < 0 || level.get(t)! > level.get(best)!) best = t
      }
      if (best < 0) {
        placed = false
        break
      }
      const before = level.get(best)!
      level.set(best, before + d / view.capacity(best))
      view.move(v, best)
      planned.push({
        vm: v,
        from: c,
        to: best,
        priority: 0,
        metricBefore: Number.NaN,
        metricAfter: Number.NaN,
        why: `DPM empties host ${c} for standby: VM ${v} to host ${best} (${pct(before)} → ${pct(level.get(best)!)}, at most ${pct(p.target)})`,
      })
    }
    if (!placed) {
      for (const m of planned.reverse()) view.move(m.vm, c)
      continue
    }
    const priority = powerOffPriority(share.get(c)!, p)
    for (const m of planned) m.priority = priority
    return {
      kind: 'standby',
      host: c,
      priority,
      moves: planned,
      why: `DPM: host ${c} asks for ${pct(share.get(c)!)} of its CPU over ${steps} step${steps > 1 ? 's' : ''} (the power-off window), below ${pct(p.target)} − ${pct(p.tolerance)} = ${pct(low)}, and its ${planned.length} VM${planned.length > 1 ? 's fit' : ' fits'} elsewhere within ${pct(p.target)}: into standby (priority ${priority})`,
    }
  }
  return undefined
}
