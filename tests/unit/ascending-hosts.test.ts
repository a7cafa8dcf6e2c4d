// The under-load phase takes its candidates from a heap instead of sorting them: the order must be the
// sort's, (key, id) ascending, ties included, however many are taken.
import { describe, expect, it } from 'vitest'
import { AscendingHosts } from '../../engine/lab/ascending-hosts'
import { streamFor } from '../../engine/random'

describe('AscendingHosts', () => {
  it('gives the hosts in the order of a sort by key, then id', () => {
    const random = streamFor(5, 'test', 0)
    const heap = new AscendingHosts()
    for (const n of [0, 1, 2, 7, 100, 1000]) {
      const key = Float64Array.from({ length: 2000 }, () => random.int(0, 20) / 20) // many ties
      const hosts = Array.from({ length: n }, () => random.int(0, 1999)).filter((h, i, all) => all.indexOf(h) === i)
      heap.reset(hosts, key)
      const taken: number[] = []
      for (let h = heap.next(); h >= 0; h = heap.next()) taken.push(h)
      expect(taken).toEqual(hosts.slice().sort((a, b) => key[a]! - key[b]! || a - b))
    }
  })
})
