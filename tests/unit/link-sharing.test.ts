// Max-min fair sharing of NICs among migrations (each a flow out of its source, into its target).
import { describe, expect, it } from 'vitest'
import { linkHeadroom, shareLinks } from '../../engine/lab/link-sharing'

const nic = (bytes: Record<number, number>) => (h: number) => bytes[h] ?? 100

describe('shareLinks', () => {
  it('a lone flow gets its demand, capped by the slower NIC', () => {
    expect([...shareLinks([{ source: 0, target: 1, demand: 50 }], nic({}))]).toEqual([50])
    expect([...shareLinks([{ source: 0, target: 1, demand: Infinity }], nic({ 1: 40 }))]).toEqual([40])
  })

  it('flows out of one host share its NIC equally; a modest flow leaves the rest to the others', () => {
    const even = shareLinks(
      [
        { source: 0, target: 1, demand: Infinity },
        { source: 0, target: 2, demand: Infinity },
      ],
      nic({}),
    )
    expect([...even]).toEqual([50, 50])
    const uneven = shareLinks(
      [
        { source: 0, target: 1, demand: 20 },
        { source: 0, target: 2, demand: Infinity },
        { source: 0, target: 3, demand: Infinity },
      ],
      nic({}),
    )
    expect([...uneven]).toEqual([20, 40, 40])
  })

  it('sending and receiving are separate links (full duplex)', () => {
    const r = shareLinks(
      [
        { source: 0, target: 1, demand: Infinity },
        { source: 1, target: 0, demand: Infinity },
      ],
      nic({}),
    )
    expect([...r]).toEqual([100, 100])
  })

  it('max-min fair across bottlenecks: a flow held back at one NIC frees capacity at the other', () => {
    // host 0 sends to 1 and 2; host 3 also sends to 2 whose NIC is 60: flows into 2 get 30 each,
    // the flow 0 → 1 takes what host 0 has left (70)
    const r = shareLinks(
      [
        { source: 0, target: 1, demand: Infinity },
        { source: 0, target: 2, demand: Infinity },
        { source: 3, target: 2, demand: Infinity },
      ],
      nic({ 2: 60 }),
    )
    expect([...r].map((x) => Math.round(x * 1e9) / 1e9)).toEqual([70, 30, 30])
  })

  it('never gives a NIC more than it has', () => {
    const flows = Array.from({ length: 12 }, (_, i) => ({ source: i % 3, target: 3 + (i % 4), demand: 10 + 7 * i }))
    const r = shareLinks(flows, nic({ 0: 35, 4: 20 }))
    const out = new Map<number, number>()
    const into = new Map<number, number>()
    flows.forEach((f, i) => {
      expect(r[i]!).toBeLessThanOrEqual(f.demand + 1e-9)
      out.set(f.source, (out.get(f.source) ?? 0) + r[i]!)
      into.set(f.target, (into.get(f.target) ?? 0) + r[i]!)
    })
    for (const [h, used] of [...out, ...into]) expect(used).toBeLessThanOrEqual(nic({ 0: 35, 4: 20 })(h) + 1e-9)
  })
})

describe('linkHeadroom: what a flow could use while the others keep their rates', () => {
  it("a lone pre-copy capped at 128 MiB/s on 10 GbE still has the link's 1.25 GB/s for its switch-over", () => {
    const flows = [{ source: 0, target: 1, demand: 128 * 2 ** 20 }]
    const speed = () => 1.25e9
    const rates = shareLinks(flows, speed)
    expect([...rates]).toEqual([128 * 2 ** 20])
    expect([...linkHeadroom(flows, rates, speed)]).toEqual([1.25e9])
  })

  it('flows sharing a NIC keep their fair share; a modest flow leaves the rest to the others', () => {
    const flows = [
      { source: 0, target: 1, demand: 20 },
      { source: 0, target: 2, demand: Infinity },
      { source: 0, target: 3, demand: Infinity },
    ]
    const rates = shareLinks(flows, nic({}))
    // NIC 0 sends 100: flow 0 has 100 − 40 − 40 = 20; flows 1 and 2 have 100 − 20 − 40 = 40 each
    expect([...linkHeadroom(flows, rates, nic({}))]).toEqual([20, 40, 40])
    // a slow receiving NIC bounds its flow: 30 on host 4, though host 5 sends at 100
    const slow = [{ source: 5, target: 4, demand: 10 }]
    expect([...linkHeadroom(slow, shareLinks(slow, nic({ 4: 30 })), nic({ 4: 30 }))]).toEqual([30])
  })
})
