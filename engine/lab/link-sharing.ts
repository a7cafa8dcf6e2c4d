// Max-min fair sharing of the hosts' NICs among the live migrations running over them. Each migration is
// a flow out of its source's NIC and into its target's (full duplex: sending and receiving are separate
// links). Progressive filling: all unfrozen flows grow together; a flow freezes when it reaches its own
// demand or when a link it crosses is full. Pure function of its inputs; flows are in the caller's order.

export interface Flow {
  source: number
  target: number
  /** bytes/s the flow would use if the links allowed it (Infinity: as much as it can get) */
  demand: number
}

/** Bytes per second for each flow. `nicBytesPerSecond(h)` is host h's NIC speed each way. */
export function shareLinks(flows: readonly Flow[], nicBytesPerSecond: (host: number) => number): Float64Array {
  const n = flows.length
  const rate = new Float64Array(n)
  if (n === 0) return rate
  // links: 2h = host h sending, 2h + 1 = host h receiving
  const left = new Map<number, number>()
  const users = new Map<number, number>()
  const linksOf = (f: Flow): [number, number] => [2 * f.source, 2 * f.target + 1]
  for (const f of flows) {
    for (const [link, host] of [
      [2 * f.source, f.source],
      [2 * f.target + 1, f.target],
    ] as const) {
      if (!left.has(link)) left.set(link, nicBytesPerSecond(host))
      users.set(link, (users.get(link) ?? 0) + 1)
    }
  }
  const frozen = new Uint8Array(n)
  let active = n
  while (active > 0) {
    // the smallest increment that fills a link or satisfies a flow
    let step = Infinity
    for (const [link, capacity] of left) {
      const u = users.get(link)!
      if (u > 0) step = Math.min(step, capacity / u)
    }
    for (let i = 0; i < n; i++) if (!frozen[i]) step = Math.min(step, flows[i]!.demand - rate[i]!)
    if (!Number.isFinite(step)) throw new Error('link sharing: a flow with unbounded demand crosses no finite link')
    for (let i = 0; i < n; i++) {
      if (frozen[i]) continue
      rate[i] = rate[i]! + step
      for (const link of linksOf(flows[i]!)) left.set(link, left.get(link)! - step)
    }
    // freeze the flows that got what they asked for or cross a full link
    for (let i = 0; i < n; i++) {
      if (frozen[i]) continue
      const [out, into] = linksOf(flows[i]!)
      const full =
        left.get(out)! <= 1e-9 * nicBytesPerSecond(flows[i]!.source) ||
        left.get(into)! <= 1e-9 * nicBytesPerSecond(flows[i]!.target)
      if (full || rate[i]! >= flows[i]!.demand) {
        frozen[i] = 1
        active--
        users.set(out, users.get(out)! - 1)
        users.set(into, users.get(into)! - 1)
      }
    }
  }
  return rate
}

/**
 * What each flow could use on its path while the others keep their rates: for each of its two links, the
 * link's speed less the other flows' rates there; the smaller of the two. A live migration's pre-copy is
 * capped by max-bandwidth below that, and its final stop-and-copy and post-copy page requests, which QEMU
 * does not rate-limit, run at it: over a 10 GbE path with no other traffic, the switch-over goes at
 * 1.25 GB/s while pre-copy goes at 128 MiB/s.
 */
export function linkHeadroom(
  flows: readonly Flow[],
  rates: Float64Array,
  nicBytesPerSecond: (host: number) => number,
): Float64Array {
  const used = new Map<number, number>()
  flows.forEach((f, i) => {
    used.set(2 * f.source, (used.get(2 * f.source) ?? 0) + rates[i]!)
    used.set(2 * f.target + 1, (used.get(2 * f.target + 1) ?? 0) + rates[i]!)
  })
  const out = new Float64Array(flows.length)
  flows.forEach((f, i) => {
    const r = rates[i]!
    const send = nicBytesPerSecond(f.source) - used.get(2 * f.source)! + r
    const receive = nicBytesPerSecond(f.target) - used.get(2 * f.target + 1)! + r
    out[i] = Math.max(r, Math.min(send, receive))
  })
  return out
}
