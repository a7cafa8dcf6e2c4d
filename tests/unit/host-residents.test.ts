// A shard's per-host VM lists in one flat table: id order kept through inserts and removals, rows widened
// when a host fills its own.
import { describe, expect, it } from 'vitest'
import { HostResidents } from '../../engine/lab/host-residents'

describe('host residents', () => {
  it('keeps each host’s VMs in id order, apart from the other hosts’', () => {
    const r = new HostResidents(3, 2)
    for (const v of [7, 3, 9, 1, 5]) r.insert(1, v)
    r.insert(0, 4)
    r.insert(2, 8)
    r.insert(2, 2)
    expect(r.list(0)).toEqual([4])
    expect(r.list(1)).toEqual([1, 3, 5, 7, 9])
    expect(r.list(2)).toEqual([2, 8])
    // two widenings, 2 → 4 → 8
    expect(r.stride).toBe(8)
    r.remove(1, 5)
    r.remove(1, 1)
    r.remove(2, 8)
    expect(r.list(1)).toEqual([3, 7, 9])
    expect(r.list(2)).toEqual([2])
    expect(Array.from(r.count)).toEqual([1, 3, 1])
    r.insert(1, 4)
    expect(r.list(1)).toEqual([3, 4, 7, 9])
  })

  it('matches a list of arrays through a long random run', () => {
    const hosts = 5
    const r = new HostResidents(hosts, 1)
    const ref: number[][] = Array.from({ length: hosts }, () => [])
    const where = new Map<number, number>()
    let seed = 12345
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648
      return seed % n
    }
    for (let step = 0; step < 5000; step++) {
      const v = rand(200)
      const at = where.get(v)
      if (at === undefined) {
        const h = rand(hosts)
        r.insert(h, v)
        ref[h]!.push(v)
        ref[h]!.sort((a, b) => a - b)
        where.set(v, h)
      } else {
        r.remove(at, v)
        ref[at]!.splice(ref[at]!.indexOf(v), 1)
        where.delete(v)
      }
    }
    for (let h = 0; h < hosts; h++) expect(r.list(h)).toEqual(ref[h])
    expect(() => r.remove(0, 1000)).toThrow(/VM 1000 is not on the shard's host 0/)
  })
})
