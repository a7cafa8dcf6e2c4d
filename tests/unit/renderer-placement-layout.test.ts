// The placement map's geometry over a real PlanetLab placement: every host gets a tile, every placed VM a
// slice inside its host's tile, and hit-testing a slice's centre finds that VM.
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import type { LabInfo, PlacementView } from '../../engine/api/lab-api'
import { LabSession } from '../../engine/api/lab-session'
import { nodeScenarioCatalog } from '../../engine/platform/node/catalog'
import {
  MAX_TILE,
  MIN_SLICE,
  Slicer,
  UTIL_BAR,
  gridLayout,
  hitTest,
  hostAt,
  tileOrigin,
  vmSlices,
  type GridLayout,
} from '../../renderer/placement/layout'
import { utilizationColor } from '../../renderer/placement/colors'
import { ROOT } from '../helpers'

let info: LabInfo
let view: PlacementView

beforeAll(async () => {
  const lab = new LabSession(nodeScenarioCatalog(join(ROOT, 'scenarios')))
  info = await lab.open({ builtin: 'planetlab-cloudsim', policy: 'lr-mmt-1.2' })
  await lab.advance({ untilSeconds: 2 * 3600 })
  view = await lab.placement()
})

describe('grid layout', () => {
  it('fits 800 hosts into the map box with the largest tiles that fit', () => {
    const g = gridLayout(800, 1000, 460)
    expect(g.cols * g.rows).toBeGreaterThanOrEqual(800)
    expect(g.height).toBe(460)
    const bigger = gridLayout(800, 1000, 460 - 1)
    expect(bigger.tileW).toBeLessThanOrEqual(g.tileW)
    const last = tileOrigin(g, 799)
    expect(last.x + g.tileW).toBeLessThanOrEqual(g.width - g.pad)
    expect(last.y + g.tileH).toBeLessThanOrEqual(g.height)
  })
  it('scrolls (grows taller) rather than shrinking tiles below 8 px', () => {
    const g = gridLayout(10_000, 600, 200)
    expect(g.tileW).toBe(8)
    expect(g.height).toBeGreaterThan(200)
  })
  it('gives a handful of hosts large tiles, no larger than the cap', () => {
    const two = gridLayout(2, 1000, 430)
    expect(two.tileW).toBe(MAX_TILE)
    expect(two.tileH).toBe(144)
    expect(two.cols).toBeGreaterThanOrEqual(2)
    const twenty = gridLayout(20, 1000, 430)
    expect(twenty.tileW).toBeLessThan(MAX_TILE)
    expect(twenty.cols * twenty.rows).toBeGreaterThanOrEqual(20)
    expect(2 * twenty.pad + twenty.rows * (twenty.tileH + twenty.gap) - twenty.gap).toBeLessThanOrEqual(430)
  })
  it('maps every tile centre back to its host, and gaps to nothing', () => {
    const g = gridLayout(800, 1200, 500)
    for (let h = 0; h < 800; h++) {
      const o = tileOrigin(g, h)
      expect(hostAt(g, o.x + g.tileW / 2, o.y + g.tileH / 2)).toBe(h)
    }
    const o = tileOrigin(g, 0)
    expect(hostAt(g, o.x + g.tileW + g.gap / 2, o.y + 2)).toBeUndefined()
    expect(hostAt(g, 0, 0)).toBeUndefined()
  })
})

describe('VM slices', () => {
  let g: GridLayout
  beforeAll(() => {
    g = gridLayout(info.hosts, 1200, 520)
  })

  for (const sizeBy of ['cpu', 'ram'] as const) {
    it(`place every running VM inside its host's tile (${sizeBy})`, () => {
      const s = vmSlices(info, view, sizeBy, g.tileW)
      const placed = [...view.vmHost].filter((h) => h >= 0).length
      expect(s.order.length).toBe(placed)
      for (let h = 0; h < info.hosts; h++) {
        for (let i = s.start[h]!; i < s.start[h + 1]!; i++) {
          const v = s.order[i]!
          expect(view.vmHost[v]).toBe(h)
          expect(s.x0[v]!).toBeGreaterThanOrEqual(1)
          expect(s.x1[v]!).toBeLessThanOrEqual(g.tileW - 1 + 1e-4)
          expect(s.x1[v]! - s.x0[v]!).toBeGreaterThan(0)
        }
      }
    })
  }

  it('size CPU slices by demanded MIPS over host MIPS, and flag hosts whose VMs exceed their RAM', () => {
    const cpu = vmSlices(info, view, 'cpu', g.tileW)
    const v = [...view.vmHost].findIndex((h) => h >= 0)
    const h = view.vmHost[v]!
    expect(cpu.share[v]).toBeCloseTo(view.vmDemandMips[v]! / info.hostTypes[info.hostType[h]!]!.totalMips, 12)
    const ram = vmSlices(info, view, 'ram', g.tileW)
    for (let host = 0; host < info.hosts; host++) expect(ram.overfull[host] === 1).toBe(view.hostRam[host]! > 1 + 1e-9)
    // CloudSim mode checks RAM only at placement, so some hosts do end up over-full after migrations
    expect([...ram.overfull].some((x) => x === 1)).toBe(true)
  })

  it('hit-test slice centres back to their VM, and the utilization bar to the host', () => {
    const s = vmSlices(info, view, 'cpu', g.tileW)
    let checked = 0
    for (let h = 0; h < info.hosts; h++) {
      const o = tileOrigin(g, h)
      for (let i = s.start[h]!; i < s.start[h + 1]!; i++) {
        const v = s.order[i]!
        if (s.x1[v]! - s.x0[v]! < MIN_SLICE * 0.5) continue
        expect(hitTest(g, s, o.x + (s.x0[v]! + s.x1[v]!) / 2, o.y + g.tileH / 2 - 1)).toEqual({ host: h, vm: v })
        checked++
      }
      expect(hitTest(g, s, o.x + 2, o.y + g.tileH - UTIL_BAR)).toEqual({ host: h })
    }
    expect(checked).toBeGreaterThan(100)
  })
})

describe('a map’s slicer', () => {
  it('gives, reusing its arrays from one view to the next, what a fresh computation gives', async () => {
    const lab = new LabSession(nodeScenarioCatalog(join(ROOT, 'scenarios')))
    const i = await lab.open({ builtin: 'planetlab-cloudsim', policy: 'lr-mmt-1.2' })
    const slicer = new Slicer()
    for (let k = 0; k < 4; k++) {
      await lab.advance({ steps: 40 })
      const v = await lab.placement()
      for (const sizeBy of ['cpu', 'ram'] as const) {
        const reused = slicer.slice(i, v, sizeBy, 12)
        const fresh = vmSlices(i, v, sizeBy, 12)
        expect([...reused.order]).toEqual([...fresh.order])
        expect(reused.start).toEqual(fresh.start)
        expect(reused.x0).toEqual(fresh.x0)
        expect(reused.x1).toEqual(fresh.x1)
        expect(reused.overfull).toEqual(fresh.overfull)
        expect(reused.share).toEqual(fresh.share)
      }
    }
  })
})

describe('colour ramp', () => {
  it('clamps and covers 0..1', () => {
    expect(utilizationColor(-1)).toBe(utilizationColor(0))
    expect(utilizationColor(7)).toBe(utilizationColor(1))
    expect(utilizationColor(Number.NaN)).toBe(utilizationColor(0))
    expect(utilizationColor(0)).not.toBe(utilizationColor(1))
  })
})
