// oVirt's (Red Hat Virtualization's) built-in scheduling policies, as its Administration Guide describes them:
// a policy is filters, weights and one load balancer, run every minute, moving at most one VM per run.
// Evenly_Distributed: a host above HighUtilization (80 % CPU) for CpuOverCommitDurationMinutes (2) sheds a
// VM to the least loaded host that stays below it. Power_Saving: the same for over-utilized hosts, toward
// the busiest host that stays below HighUtilization; and a host below LowUtilization (20 %) for that long
// is drained, one VM per run, so that it can be powered off (HostsInReserve idle hosts stay on).
// VM_Evenly_Distributed: a host with more than HighVmCount (10) VMs, and MigrationThreshold (5) more than
// the host with the fewest, gives one VM to that host. Which VM moves (the one using the least CPU, as a
// cheap move) is the lab's reading; the guide does not say.
import { activeHosts, meanDemand, type ClusterView } from './cluster-view'
import type { OvirtParams } from './presets'
import type { PresetMove, PresetResult } from './preset-result'
import { formatPercent as pct } from '../api/units'

/** Each active host's CPU utilization in each of the newest `steps` steps (its planned VMs' history). */
function utilizationSteps(view: ClusterView, hosts: number[], steps: number): Map<number, Float64Array> {
  const out = new Map<number, Float64Array>()
  for (const h of hosts) {
    const u = new Float64Array(steps)
    for (const v of view.vms(h))
      for (let i = 0; i < steps; i++) u[i] = u[i]! + (view.utilization(v, i) * view.vmCapacity(v)) / view.capacity(h)
    out.set(h, u)
  }
  return out
}

/** oVirt's pass: at most one migration. */
export function ovirtPass(view: ClusterView, p: OvirtParams): PresetResult {
  const move = p.balancer === 'vm-evenly' ? vmEvenly(view, p) : cpuBalance(view, p)
  return { moves: move ? [move] : [], power: [] }
}

/** The steps CpuOverCommitDurationMinutes spans (at least the last one). */
function durationSteps(view: ClusterView, p: OvirtParams): number {
  return Math.max(1, Math.min(30, Math.round(p.overCommitDuration / view.interval)))
}

function cpuBalance(view: ClusterView, p: OvirtParams): PresetMove | undefined {
  const hosts = activeHosts(view)
  const steps = durationSteps(view, p)
  const u = utilizationSteps(view, hosts, steps)
  const now = (h: number) => u.get(h)![0]!
  const over = hosts.filter((h) => u.get(h)!.every((x) => x > p.highUtilization))
  const under = new Set(hosts.filter((h) => u.get(h)!.every((x) => x < p.lowUtilization)))
  const packing = p.balancer === 'power-saving'
  const name = packing ? 'Power_Saving' : 'Evenly_Distributed'
  const demand = (v: number) => meanDemand(view, v, 1)
  /** the target for VM v leaving host s: below HighUtilization after; least loaded (evenly) or busiest (power saving) */
  const target = (v: number, s: number, avoidUnder: boolean): number => {
    let best = -1
    for (const t of hosts) {
      if (t === s || over.includes(t) || (avoidUnder && under.has(t))) continue
      if (now(t) + demand(v) / view.capacity(t) > p.highUtilization || !view.admits(v, t)) continue
      if (best < 0 || (packing ? now(t) > now(best) : now(t) < now(best))) best = t
    }
    return best
  }
  /** the movable VMs of host s, least CPU first */
  const candidates = (s: number) =>
    view
      .vms(s)
      .filter((v) => view.movable(v))
      .sort((a, b) => demand(a) - demand(b) || a - b)
  /** The first of host s's movable VMs, least CPU first, that has a target, moved; its move, or undefined. */
  const moveOne = (
    s: number,
    drain: boolean,
    priority: number,
    why: (v: number, t: number, before: number) => string,
  ): PresetMove | undefined => {
    for (const v of candidates(s)) {
      const t = target(v, s, drain)
      if (t < 0) continue
      const before = now(t)
      view.move(v, t)
      return {
        vm: v,
        from: s,
        to: t,
        priority,
        metricBefore: Number.NaN,
        metricAfter: Number.NaN,
        why: why(v, t, before),
      }
    }
    return undefined
  }
  const forSteps = `for ${steps} step${steps > 1 ? 's' : ''}`
  for (const s of over.sort((a, b) => now(b) - now(a) || a - b)) {
    const moved = moveOne(
      s,
      false,
      2,
      (v, t, before) =>
        `${name}: host ${s} above HighUtilization ${pct(p.highUtilization)} ${forSteps} (${pct(now(s))} now); VM ${v}, its least CPU-hungry, to host ${t} (${pct(before)} → ${pct(before + demand(v) / view.capacity(t))}, the ${packing ? 'busiest' : 'least loaded'} host that stays below it)`,
    )
    if (moved) return moved
  }
  if (!packing) return undefined
  // power saving: drain the least utilized under-utilized host, one VM, onto a host that is not under-utilized
  for (const s of [...under].sort((a, b) => now(a) - now(b) || a - b)) {
    if (!view.vms(s).every((v) => view.movable(v))) continue
    const moved = moveOne(
      s,
      true,
      3,
      (v, t, before) =>
        `Power_Saving: host ${s} below LowUtilization ${pct(p.lowUtilization)} ${forSteps} (${pct(now(s))} now) is drained to be powered off; VM ${v} to host ${t} (${pct(before)} → ${pct(before + demand(v) / view.capacity(t))}, the busiest host that stays below ${pct(p.highUtilization)})`,
    )
    if (moved) return moved
  }
  return undefined
}

function vmEvenly(view: ClusterView, p: OvirtParams): PresetMove | undefined {
  const hosts = activeHosts(view)
  if (hosts.length < 2) return undefined
  const count = (h: number) => view.vms(h).length
  const sources = hosts.filter((h) => count(h) > p.highVmCount).sort((a, b) => count(b) - count(a) || a - b)
  const demand = (v: number) => meanDemand(view, v, 1)
  for (const s of sources) {
    const targets = hosts.filter((t) => t !== s && count(s) - count(t) > p.migrationThreshold)
    targets.sort((a, b) => count(a) - count(b) || a - b)
    const vms = view
      .vms(s)
      .filter((v) => view.movable(v))
      .sort((a, b) => demand(a) - demand(b) || a - b)
    for (const t of targets)
      for (const v of vms) {
        if (!view.admits(v, t)) continue
        const [cs, ct] = [count(s), count(t)]
        view.move(v, t)
        return {
          vm: v,
          from: s,
          to: t,
          priority: 2,
          metricBefore: Number.NaN,
          metricAfter: Number.NaN,
          why: `VM_Evenly_Distributed: host ${s} runs ${cs} VMs, above HighVmCount ${p.highVmCount} and ${cs - ct} more than host ${t} (MigrationThreshold ${p.migrationThreshold}); VM ${v}, its least CPU-hungry, moves there`,
        }
      }
  }
  return undefined
}

/** VM_Evenly_Distributed's measure: the spread of VM counts over the active hosts (most − fewest). */
export function vmCountSpread(view: ClusterView): number {
  const hosts = activeHosts(view)
  if (hosts.length === 0) return 0
  let most = 0
  let fewest = Number.POSITIVE_INFINITY
  for (const h of hosts) {
    const c = view.vms(h).length
    most = Math.max(most, c)
    fewest = Math.min(fewest, c)
  }
  return most - fewest
}
