// OpenStack Watcher's strategies, as its documentation and sources (watcher/decision_engine/strategy/
// strategies/) describe them. VM workload consolidation, in four phases: offload over-loaded hosts (most
// loaded first, their VMs least CPU first, each to the first host that fits, the busiest first), consolidate
// under-loaded ones (least loaded first, their VMs most CPU first, toward the busiest hosts that fit), reduce
// the migrations (a VM moved twice moves once, from where it was to where it ends; one moved back does not
// move), and disable the emptied hosts (the lab switches idle hosts off). Workload balance: hosts whose CPU
// utilization is at or above the threshold (25 %) are sources, busiest first; from the first that has one,
// the VM whose workload comes closest to, without exceeding, the host's excess over the cluster's average;
// to the least utilized host that stays below the threshold with it; one migration per audit. A host fits
// a VM when CPU (the mean over the audit period) and RAM stay within capacity × the capacity coefficient.
import { activeHosts, meanDemand, windowSteps, type ClusterView } from './cluster-view'
import type { WatcherParams } from './presets'
import type { PresetMove, PresetResult } from './preset-result'
import { formatPercent as pct } from '../api/units'

export function watcherPass(view: ClusterView, p: WatcherParams): PresetResult {
  return { moves: p.strategy === 'balance' ? balance(view, p) : consolidate(view, p), power: [] }
}

function balance(view: ClusterView, p: WatcherParams): PresetMove[] {
  const hosts = activeHosts(view)
  if (hosts.length === 0) return []
  const steps = windowSteps(view, p.every)
  const workload = new Map<number, number>()
  let cluster = 0
  const vmLoad = (v: number) => meanDemand(view, v, steps)
  for (const h of hosts) {
    const w = view.vms(h).reduce((s, v) => s + vmLoad(v), 0)
    workload.set(h, w)
    cluster += w
  }
  const average = cluster / hosts.length
  const util = (h: number) => workload.get(h)! / view.capacity(h)
  const sources = hosts.filter((h) => util(h) >= p.threshold).sort((a, b) => util(b) - util(a) || a - b)
  const targets = hosts.filter((h) => util(h) < p.threshold)
  if (sources.length === 0 || targets.length === 0) return []
  for (const s of sources) {
    const delta = workload.get(s)! - average
    let chosen = -1
    let smallest = Number.POSITIVE_INFINITY
    for (const v of view.vms(s)) {
      if (!view.movable(v)) continue
      const rest = delta - vmLoad(v)
      if (rest >= 0 && rest < smallest) {
        smallest = rest
        chosen = v
      }
    }
    if (chosen < 0) continue
    const load = vmLoad(chosen)
    let dest = -1
    for (const t of targets) {
      if (!view.admits(chosen, t) || load + workload.get(t)! >= p.threshold * view.capacity(t)) continue
      if (dest < 0 || util(t) < util(dest)) dest = t
    }
    // Watcher gives up the audit when its one VM has nowhere to go
    if (dest < 0) return []
    const before = util(dest)
    view.move(chosen, dest)
    return [
      {
        vm: chosen,
        from: s,
        to: dest,
        priority: 2,
        metricBefore: Number.NaN,
        metricAfter: Number.NaN,
        why: `workload balance: host ${s} at ${pct(util(s))} CPU over the audit period, at or above the threshold ${pct(p.threshold)}; VM ${chosen} (${load.toFixed(0)} MIPS, the closest to the host's ${delta.toFixed(0)} MIPS above the cluster average) to host ${dest}, the least utilized that stays below it (${pct(before)} → ${pct(before + load / view.capacity(dest))})`,
      },
    ]
  }
  return []
}

function consolidate(view: ClusterView, p: WatcherParams): PresetMove[] {
  const steps = windowSteps(view, p.every)
  const cc = p.capacity
  const vmLoad = (v: number) => meanDemand(view, v, steps)
  const cpu = new Map<number, number>()
  const ram = new Map<number, number>()
  const active = activeHosts(view)
  // the offload phase may enable a disabled (switched-off) host when the active ones cannot take the load
  const spare: number[] = []
  for (let h = 0; h < view.hostCount; h++) if (view.wakeable(h)) spare.push(h)
  for (const h of [...active, ...spare]) {
    cpu.set(
      h,
      view.vms(h).reduce((s, v) => s + vmLoad(v), 0),
    )
    ram.set(
      h,
      view.vms(h).reduce((s, v) => s + view.vmRam(v), 0),
    )
  }
  const fits = (v: number, h: number) =>
    cpu.get(h)! + vmLoad(v) <= view.capacity(h) * cc &&
    ram.get(h)! + view.vmRam(v) <= view.ramCapacity(h) * cc &&
    view.admits(v, h)
  const overloaded = (h: number) => cpu.get(h)! > view.capacity(h) * cc
  const origin = new Map<number, number>()
  const destination = new Map<number, number>()
  const order: number[] = []
  const migrate = (v: number, from: number, to: number) => {
    if (!origin.has(v)) {
      origin.set(v, from)
      order.push(v)
    }
    destination.set(v, to)
    cpu.set(from, cpu.get(from)! - vmLoad(v))
    ram.set(from, ram.get(from)! - view.vmRam(v))
    cpu.set(to, cpu.get(to)! + vmLoad(v))
    ram.set(to, ram.get(to)! + view.vmRam(v))
    if (spare.includes(to)) {
      spare.splice(spare.indexOf(to), 1)
      view.powerOn(to)
      active.push(to)
    }
    view.move(v, to)
  }
  const util = (h: number) => cpu.get(h)! / view.capacity(h)
  const byLoad = (hosts: number[]) => [...hosts].sort((a, b) => cpu.get(a)! - cpu.get(b)! || a - b)
  const whyOf = new Map<number, string>()
  // 1. offload
  const nodes = byLoad(active)
  for (const h of [...nodes].reverse()) {
    if (!overloaded(h)) continue
    const vms = view
      .vms(h)
      .filter((v) => view.movable(v))
      .sort((a, b) => vmLoad(a) - vmLoad(b) || a - b)
    for (const v of vms) {
      const before = util(h)
      const dest = [...nodes].reverse().find((t) => t !== h && fits(v, t)) ?? spare.find((t) => fits(v, t))
      if (dest !== undefined) {
        migrate(v, h, dest)
        whyOf.set(
          v,
          `VM workload consolidation, offload phase: host ${h} over its capacity × ${cc} (${pct(before)} CPU over the audit period); VM ${v}, its least CPU-hungry, to host ${dest}, the busiest that fits it`,
        )
      }
      if (!overloaded(h)) break
    }
  }
  // 2. consolidation
  const sorted = byLoad(active)
  for (let asc = 0; asc < sorted.length; asc++) {
    const h = sorted[asc]!
    const vms = view
      .vms(h)
      .filter((v) => view.movable(v))
      .sort((a, b) => vmLoad(b) - vmLoad(a) || a - b)
    for (const v of vms) {
      for (let dsc = sorted.length - 1; dsc > asc; dsc--) {
        const t = sorted[dsc]!
        if (!fits(v, t)) continue
        const before = util(h)
        migrate(v, h, t)
        whyOf.set(
          v,
          `VM workload consolidation, consolidation phase: host ${h}, among the least loaded (${pct(before)} CPU over the audit period), gives VM ${v}, its most CPU-hungry first, to host ${t}, the busiest that fits it (${pct(util(t))} after)`,
        )
        break
      }
    }
  }
  // 3. fewer migrations: one move per VM, from where it ran to where it ends (none when it ends where it ran);
  // the lab's view never moves a VM twice in a pass (one planned to move is not movable), so this only guards
  const moves: PresetMove[] = []
  for (const v of order) {
    const from = origin.get(v)!
    const to = destination.get(v)!
    if (to === from) continue
    moves.push({
      vm: v,
      from,
      to,
      priority: 3,
      metricBefore: Number.NaN,
      metricAfter: Number.NaN,
      why: whyOf.get(v)!,
    })
  }
  // 4. the hosts emptied are disabled: the lab switches idle hosts off at the end of the step
  return moves
}

/** Watcher consolidation's measure: the mean CPU utilization of the active hosts (relative cluster utilization). */
export function relativeClusterUtilization(view: ClusterView, steps = 1): number {
  const hosts = activeHosts(view).filter((h) => view.vms(h).length > 0)
  if (hosts.length === 0) return 0
  let sum = 0
  for (const h of hosts) sum += view.vms(h).reduce((s, v) => s + meanDemand(view, v, steps), 0) / view.capacity(h)
  return sum / hosts.length
}
