// Apache CloudStack's cluster DRS (4.19+), as its Administration Guide ("CloudStack DRS") and its sources
// (org.apache.cloudstack.cluster.Balanced, Condensed) define it: every drs.automatic.interval (60 minutes) a
// plan of at most drs.max.migrations (50) moves, built by repeatedly choosing the single best move. The
// imbalance is the standard deviation over the mean of the chosen metric (drs.metric: allocated memory by
// default, or allocated CPU) over the cluster's hosts. Balanced runs while the imbalance is above
// 1 − drs.imbalance (0.4 → 0.6) and takes the move that lowers it most; condensed runs while it is below
// drs.imbalance and takes the move that raises it most (packing). CloudStack's cost and benefit are
// constants today (a TODO in its sources): the best move is the one with the largest improvement. The lab
// measures the allocated share per host (allocation ÷ capacity), so hosts of different sizes compare.
import { activeHosts, LoadSpread, type ClusterView } from './cluster-view'
import type { CloudStackParams } from './presets'
import type { PresetMove, PresetResult } from './preset-result'

/** A VM's allocation and a host's capacity in the chosen metric (MB of RAM, or MIPS of vCPUs). */
function metricOf(view: ClusterView, p: CloudStackParams) {
  return p.metric === 'memory'
    ? { vm: (v: number) => view.vmRam(v), cap: (h: number) => view.ramCapacity(h) }
    : { vm: (v: number) => view.vmCapacity(v), cap: (h: number) => view.capacity(h) }
}

/** σ/μ of the allocated share over the active hosts. */
export function cloudStackImbalance(view: ClusterView, p: CloudStackParams): number {
  const { vm, cap } = metricOf(view, p)
  const shares = activeHosts(view).map((h) => view.vms(h).reduce((s, v) => s + vm(v), 0) / cap(h))
  const spread = new LoadSpread(shares)
  const mean = spread.mean()
  return mean > 0 ? spread.std() / mean : 0
}

export function cloudStackPass(view: ClusterView, p: CloudStackParams): PresetResult {
  const hosts = activeHosts(view)
  const n = hosts.length
  if (n < 2) return { moves: [], power: [] }
  const { vm, cap } = metricOf(view, p)
  const share = new Float64Array(n)
  for (let i = 0; i < n; i++) share[i] = view.vms(hosts[i]!).reduce((s, v) => s + vm(v), 0) / cap(hosts[i]!)
  const spread = new LoadSpread(share)
  const imbalance = () => {
    const mean = spread.mean()
    return mean > 0 ? spread.std() / mean : 0
  }
  const balanced = p.algorithm === 'balanced'
  const trigger = balanced ? 1 - p.imbalance : p.imbalance
  const moves: PresetMove[] = []
  while (moves.length < p.maxMigrations) {
    const before = imbalance()
    if (balanced ? !(before > trigger) : !(before < trigger)) break
    let best: { i: number; j: number; v: number; after: number; gain: number } | undefined
    for (let i = 0; i < n; i++) {
      const s = hosts[i]!
      for (const v of view.vms(s)) {
        if (!view.movable(v)) continue
        const a = vm(v)
        for (let j = 0; j < n; j++) {
          if (j === i) continue
          const t = hosts[j]!
          const after = spread.imbalanceAfter(share[i]!, share[i]! - a / cap(s), share[j]!, share[j]! + a / cap(t))
          const gain = balanced ? before - after : after - before
          if (
            best &&
            (gain < best.gain || (gain === best.gain && (v > best.v || (v === best.v && t > hosts[best.j]!))))
          )
            continue
          if (!view.admits(v, t)) continue
          best = { i, j, v, after, gain }
        }
      }
    }
    if (!best || best.gain <= 0) break
    const { i, j, v, after } = best
    const s = hosts[i]!
    const t = hosts[j]!
    const [si, sj] = [share[i]!, share[j]!]
    share[i] = si - vm(v) / cap(s)
    share[j] = sj + vm(v) / cap(t)
    spread.move(si, share[i], sj, share[j])
    view.move(v, t)
    moves.push({
      vm: v,
      from: s,
      to: t,
      priority: 3,
      metricBefore: before,
      metricAfter: after,
      why: `CloudStack DRS (${p.algorithm}): imbalance of allocated ${p.metric} (standard deviation ÷ mean over ${n} hosts) ${before.toFixed(3)} is ${balanced ? 'above' : 'below'} ${trigger.toFixed(2)}; the best single move, VM ${v} from host ${s} to host ${t}, ${balanced ? 'lowers' : 'raises'} it to ${after.toFixed(3)} (move ${moves.length + 1} of at most ${p.maxMigrations})`,
    })
  }
  return { moves, power: [] }
}
