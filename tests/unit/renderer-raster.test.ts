// The placement map's pixels: a hand-made cluster of two hosts and three VMs rasterized into a buffer, and
// the pixels read back — each tile's fill by its state, each VM block coloured by its CPU demand, the steal
// cap, a migrating VM's outline and its target's corner, the utilization bar, the frame — and only the rows
// in view are drawn.
import { describe, expect, it } from 'vitest'
import type { LabInfo, PlacementView } from '../../engine/api/lab-api'
import { HOST_STATE } from '../../engine/api/lab-api'
import { UTIL_BAR, gridLayout, tileOrigin, vmSlices } from '../../renderer/placement/layout'
import { COLORS, countPlacement, rasterizePlacement, rgb, type PixelBuffer } from '../../renderer/placement/raster'
import { RAMP_RGB } from '../../renderer/placement/colors'

const info = {
  hosts: 2,
  vms: 3,
  hostTypes: [{ id: 'h', name: 'h', cores: 4, totalMips: 4000, ramMB: 8192, power: [] }],
  hostType: new Int32Array([0, 0]),
  vmTypes: [{ id: 'v', name: 'v', vcpus: 1, mips: 1000, ramMB: 1024 }],
  vmType: new Int32Array([0, 0, 0]),
} as unknown as LabInfo

/** Host 0 on (40 % busy) runs VMs 0, 1 and 2; VM 1 gets less than it asks; VM 2 migrates to host 1, which is off. */
const view: PlacementView = {
  time: 300,
  hostState: new Uint8Array([HOST_STATE.on, HOST_STATE.off]),
  hostCpu: new Float64Array([0.4, 0]),
  hostRam: new Float64Array([3072 / 8192, 0]),
  vmHost: new Int32Array([0, 0, 0]),
  vmDemandMips: new Float64Array([500, 1000, 100]),
  vmGrantedMips: new Float64Array([500, 600, 100]),
  vmRamMB: new Float64Array([1024, 1024, 1024]),
  vmMigratingTo: new Int32Array([-1, -1, 1]),
}

const ramp = (u: number) => {
  const [r, g, b] = RAMP_RGB[Math.round(u * 100)]!
  return rgb(r, g, b)
}

function render(width: number, height: number, top = 0) {
  const g = gridLayout(2, width, height)
  const slices = vmSlices(info, view, 'cpu', g.tileW)
  const b: PixelBuffer = { width, height, pixels: new Uint32Array(width * height) }
  const drawn = rasterizePlacement(b, g, info, view, slices, { scale: 1, top })
  const at = (x: number, y: number) => b.pixels[Math.floor(y - top) * width + Math.floor(x)]!
  return { g, slices, b, drawn, at }
}

describe('the placement map’s pixels', () => {
  it('draw each host and VM as the view says', () => {
    const { g, slices, drawn, at } = render(400, 200)
    expect(drawn).toBe(2)
    expect(g.tileW).toBe(180)
    const h0 = tileOrigin(g, 0)
    const h1 = tileOrigin(g, 1)
    const mid = h0.y + (g.tileH - UTIL_BAR) / 2
    const centre = (v: number) => h0.x + (slices.x0[v]! + slices.x1[v]!) / 2
    // VM blocks coloured by demand over the VM's MIPS: 50 %, 100 %, 10 %
    expect(at(centre(0), mid)).toBe(ramp(0.5))
    expect(at(centre(1), mid)).toBe(ramp(1))
    expect(at(centre(2), mid)).toBe(ramp(0.1))
    // VM 1 asked for 1000 MIPS and got 600: the dark cap along the top of its block
    expect(at(centre(1), h0.y + 1)).toBe(COLORS.steal)
    expect(at(centre(0), h0.y + 1)).toBe(ramp(0.5))
    // VM 2 migrates: outlined; its target (host 1, off) gets the purple corner
    expect(at(Math.round(h0.x + slices.x0[2]!), mid)).toBe(COLORS.migration)
    expect(at(h1.x + g.tileW - 1, h1.y)).toBe(COLORS.migration)
    expect(at(h1.x + g.tileW / 2, h1.y + g.tileH / 2)).toBe(COLORS.off)
    // host 0's utilization bar: 40 % filled with the ramp's colour, the rest the track's
    const barY = h0.y + g.tileH - UTIL_BAR
    expect(at(h0.x + 1 + 0.2 * (g.tileW - 2), barY)).toBe(ramp(0.4))
    expect(at(h0.x + 1 + 0.8 * (g.tileW - 2), barY)).toBe(COLORS.barTrack)
    // an off host has no bar and no frame
    expect(at(h1.x + g.tileW / 2, barY)).toBe(COLORS.off)
    // host 0's frame, and nothing between the tiles
    expect(at(h0.x, h0.y + g.tileH / 2)).toBe(COLORS.frame)
    expect(at(h0.x + g.tileW + g.gap / 2, h0.y + g.tileH / 2)).toBe(0)
    expect(countPlacement(g, view, slices)).toEqual({ hosts: 2, vms: 3, migrating: 1 })
  })

  it('draw only the rows in view of a scrolled map', () => {
    // 2000 hosts in a 200 × 100 view: 8-pixel tiles, the map scrolls; draw 60 px from 400 px down
    const g = gridLayout(2000, 200, 100)
    const many = {
      ...info,
      hosts: 2000,
      hostType: new Int32Array(2000),
    } as LabInfo
    const state = new Uint8Array(2000).fill(HOST_STATE.on)
    const empty: PlacementView = {
      ...view,
      hostState: state,
      hostCpu: new Float64Array(2000),
      hostRam: new Float64Array(2000),
      vmHost: new Int32Array([-1, -1, -1]),
    }
    const slices = vmSlices(many, empty, 'cpu', g.tileW)
    const b: PixelBuffer = { width: 200, height: 60, pixels: new Uint32Array(200 * 60) }
    const drawn = rasterizePlacement(b, g, many, empty, slices, { scale: 1, top: 400 })
    const rowH = g.tileH + g.gap
    const rows = Math.floor((400 + 60 - g.pad) / rowH) - Math.floor((400 - g.pad) / rowH) + 1
    expect(drawn).toBe(rows * g.cols)
    // a host of the second row in view sits where the map puts it, moved up by the scroll; above it, a gap
    const first = Math.floor((400 - g.pad) / rowH) * g.cols
    const o = tileOrigin(g, first + g.cols + 1)
    expect(b.pixels[(o.y - 400 + 1) * 200 + o.x + 2]).toBe(COLORS.on)
    expect(b.pixels[(o.y - 400 - 1) * 200 + o.x + 2]).toBe(0)
  })
})
