// The placement index (engine/lab/placement-index.ts) lets a best-fit placement skip hosts. That is only
// exact if (1) every host with room for the VM is in a group the placement visits, (2) hosts it leaves out
// for lack of room would have been refused by the admission test, and (3) each group's bound is below the
// power rise of every host in it. Checked on random hosts of three types against a scan of them all: the
// best host found by visiting the index as the lab's placement does is the scan's best.
import { describe, expect, it } from 'vitest'
import { PlacementIndex } from '../../engine/lab/placement-index'
import { specPower } from '../../engine/power'
import { streamFor } from '../../engine/random'

const TABLES = [
  Float64Array.from([54.1, 78.4, 88.5, 99.5, 115, 126, 143, 165, 196, 226, 243]),
  Float64Array.from([49.8, 114, 137, 159, 182, 208, 240, 277, 319, 376, 432]),
  Float64Array.from([86, 89.4, 92.6, 96, 99.5, 102, 106, 108, 112, 114, 117]),
]
const TYPE_MIPS = [41600, 151200, 3720]
const TYPE_RAM = [98304, 393216, 4096]
const SIZES = [613, 870, 1740, 4096, 8192, 16384, 65536]

describe('placement index', () => {
  it('finds the host a scan of all hosts finds, visiting only hosts with room', () => {
    const random = streamFor(3, 'test', 0)
    const n = 3000
    const hostType = Int32Array.from({ length: n }, (_, h) => h % 3)
    const capacity = Float64Array.from(hostType, (t) => TYPE_MIPS[t]!)
    const ram = Float64Array.from(hostType, (t) => TYPE_RAM[t]!)
    const power = Array.from(hostType, (t) => TABLES[t]!)
    const vmRam = Float64Array.from({ length: 500 }, () => SIZES[random.int(0, SIZES.length - 1)]!)
    const index = new PlacementIndex(hostType, capacity, power, 3, vmRam)
    const demand = new Float64Array(n)
    const ramUse = new Float64Array(n)
    const before = new Float64Array(n)
    for (let h = 0; h < n; h++) {
      demand[h] = random.float() * capacity[h]!
      // many hosts nearly full, as on a consolidated cluster
      ramUse[h] = random.float() < 0.6 ? ram[h]! - random.int(0, 4096) : random.float() * ram[h]!
      before[h] = specPower(power[h]!, demand[h]! / capacity[h]!)
      index.set(h, demand[h]! / capacity[h]!, false, index.roomFor(ramUse[h]!, ram[h]!))
    }
    const rise = (h: number, mips: number, size: number) => {
      if (ramUse[h]! + size > ram[h]! || demand[h]! + mips > capacity[h]!) return Number.POSITIVE_INFINITY
      return specPower(power[h]!, (demand[h]! + mips) / capacity[h]!) - before[h]!
    }
    let visitedAll = 0
    let skipped = 0
    for (let k = 0; k < 300; k++) {
      const size = vmRam[random.int(0, vmRam.length - 1)]!
      const mips = random.float() * 8000
      let scanBest = -1
      for (let h = 0; h < n; h++) {
        const r = rise(h, mips, size)
        if (r !== Number.POSITIVE_INFINITY && (scanBest < 0 || r < rise(scanBest, mips, size))) scanBest = h
      }
      let best = -1
      let bestRise = Number.POSITIVE_INFINITY
      const seen = new Set<number>()
      const groups = index.prepare(mips, size)
      for (let i = 0; i < groups; i++) {
        const beaten = index.beaten(i, bestRise)
        for (let room = index.firstRoom; room <= index.lastRoom; room++) {
          for (const h of index.hostsAt(i, room)) {
            seen.add(h)
            if (ramUse[h]! + size > ram[h]!) expect({ h, ramUse: ramUse[h], size }).toBe('a host with room')
            const r = rise(h, mips, size)
            // a group that is beaten holds no host that could win or tie
            if (beaten && !(r > bestRise)) expect({ h, r, bestRise }).toBe('a host beaten by the best')
            else if (r < bestRise || (r === bestRise && h < best)) {
              best = h
              bestRise = r
            }
          }
        }
      }
      expect(best).toBe(scanBest)
      // every host left out had no room for the VM
      for (let h = 0; h < n; h++)
        if (!seen.has(h) && ramUse[h]! + size <= ram[h]!) expect({ h, size }).toBe('a host without room')
      visitedAll += seen.size
      skipped += n - seen.size
    }
    expect(skipped).toBeGreaterThan(visitedAll / 4)
  })
})
