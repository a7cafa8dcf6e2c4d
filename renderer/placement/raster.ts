// The placement map's tiles as pixels: every host's tile, its VM blocks, the steal caps, the migration
// outlines, the utilization bar and the frame are written straight into a 32-bit pixel buffer at device
// resolution, then put on the canvas in one call. 10,000 hosts and 20,000 VMs are ~100,000 rectangles: as
// canvas calls they took 15–25 ms a frame (software raster in the browser's main thread); as pixel writes a few.
// Pure: a buffer in, pixels out (tests read them back). What is rare or slanted — a failed host's cross, the
// hover and selection frames, migration arrows — is drawn on top with canvas calls (draw.ts).
import { HOST_STATE, type LabInfo, type PlacementView } from '../../engine/api/lab-api'
import { UTIL_BAR, type GridLayout, type VmSlices } from './layout'
import { RAMP_RGB } from './colors'

/** Device pixels, row-major, one RGBA pixel per element in the platform's byte order (ImageData's). */
export interface PixelBuffer {
  width: number
  height: number
  pixels: Uint32Array
}

export interface RasterOptions {
  /** device pixels per CSS pixel */
  scale: number
  /** the map's CSS pixel row at the buffer's top (the map box scrolls; only what is in view is drawn) */
  top?: number
}

export interface DrawCount {
  hosts: number
  vms: number
  migrating: number
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1

/** An opaque colour as a pixel value in ImageData's byte order (R, G, B, A in memory). */
export function rgb(r: number, g: number, b: number): number {
  return LITTLE_ENDIAN ? ((255 << 24) | (b << 16) | (g << 8) | r) >>> 0 : ((r << 24) | (g << 16) | (b << 8) | 255) >>> 0
}

function hex(color: string): number {
  const n = parseInt(color.slice(1), 16)
  return rgb((n >> 16) & 255, (n >> 8) & 255, n & 255)
}

export const COLORS = {
  off: hex('#e4e6ea'),
  on: hex('#ffffff'),
  booting: hex('#fff4d6'),
  failed: hex('#f8d7d7'),
  /** the operator's modes: being emptied, in maintenance (on, empty), in standby (powered off) */
  evacuating: hex('#efe3fb'),
  maintenance: hex('#dbeafe'),
  standby: hex('#cfd3da'),
  steal: hex('#7a1010'),
  migration: hex('#7b3fc4'),
  barTrack: hex('#d9dce1'),
  frame: hex('#c3c8d0'),
  overfull: hex('#d14343'),
  bootingFrame: hex('#c98a00'),
} as const

const STATE_FILL: Record<number, number> = {
  [HOST_STATE.off]: COLORS.off,
  [HOST_STATE.on]: COLORS.on,
  [HOST_STATE.booting]: COLORS.booting,
  [HOST_STATE.failed]: COLORS.failed,
  [HOST_STATE.evacuating]: COLORS.evacuating,
  [HOST_STATE.maintenance]: COLORS.maintenance,
  [HOST_STATE.standby]: COLORS.standby,
}

const RAMP32 = RAMP_RGB.map(([r, g, b]) => rgb(r, g, b))

function ramp(fraction: number): number {
  const i = Math.round(Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0)) * 100)
  return RAMP32[i]!
}

/** Fills [x0, x1) × [y0, y1) of the buffer, clipped to it. */
function fill(b: PixelBuffer, x0: number, y0: number, x1: number, y1: number, color: number): void {
  const xa = Math.max(0, x0)
  const xb = Math.min(b.width, x1)
  const ya = Math.max(0, y0)
  const yb = Math.min(b.height, y1)
  if (xa >= xb || ya >= yb) return
  const p = b.pixels
  const w = b.width
  for (let y = ya; y < yb; y++) {
    const row = y * w
    // short spans (most of them: tiles are a few pixels wide) are cheaper as a loop than as a fill() call
    if (xb - xa < 24) for (let x = row + xa; x < row + xb; x++) p[x] = color
    else p.fill(color, row + xa, row + xb)
  }
}

/** A frame `t` pixels thick just inside [x0, x1) × [y0, y1). */
function frame(b: PixelBuffer, x0: number, y0: number, x1: number, y1: number, t: number, color: number): void {
  fill(b, x0, y0, x1, y0 + t, color)
  fill(b, x0, y1 - t, x1, y1, color)
  fill(b, x0, y0 + t, x0 + t, y1 - t, color)
  fill(b, x1 - t, y0 + t, x1, y1 - t, color)
}

/** A dashed one-pixel frame (2 on, 2 off), as a booting host's. */
function dashedFrame(b: PixelBuffer, x0: number, y0: number, x1: number, y1: number, color: number): void {
  for (let x = x0; x < x1; x += 4) {
    fill(b, x, y0, Math.min(x + 2, x1), y0 + 1, color)
    fill(b, x, y1 - 1, Math.min(x + 2, x1), y1, color)
  }
  for (let y = y0; y < y1; y += 4) {
    fill(b, x0, y, x0 + 1, Math.min(y + 2, y1), color)
    fill(b, x1 - 1, y, x1, Math.min(y + 2, y1), color)
  }
}

let incomingScratch = new Uint8Array(0)

/** A host-sized scratch array, kept from one picture to the next. */
function scratch(hosts: number): Uint8Array {
  if (incomingScratch.length < hosts) incomingScratch = new Uint8Array(hosts)
  return incomingScratch.subarray(0, hosts)
}

/** What the map shows: hosts, placed VMs, VMs migrating (for its header and its label). */
export function countPlacement(g: GridLayout, view: PlacementView, slices: VmSlices): DrawCount {
  let migrating = 0
  for (let i = 0; i < slices.order.length; i++) if (view.vmMigratingTo[slices.order[i]!]! >= 0) migrating++
  return { hosts: g.hosts, vms: slices.order.length, migrating }
}

/** Writes the tiles of the map's rows in view into `b` (cleared first); returns how many hosts it drew. */
export function rasterizePlacement(
  b: PixelBuffer,
  g: GridLayout,
  info: LabInfo,
  view: PlacementView,
  slices: VmSlices,
  opts: RasterOptions,
): number {
  const s = opts.scale
  const top = opts.top ?? 0
  const px = (v: number) => Math.round(v * s)
  const py = (v: number) => Math.round((v - top) * s)
  b.pixels.fill(0)
  const rowH = g.tileH + g.gap
  const firstRow = Math.max(0, Math.floor((top - g.pad) / rowH))
  const lastRow = Math.floor((top + b.height / s - g.pad) / rowH)
  const from = Math.min(g.hosts, firstRow * g.cols)
  const to = Math.min(g.hosts, (lastRow + 1) * g.cols)
  const incoming = scratch(g.hosts).fill(0)
  for (let v = 0; v < view.vmMigratingTo.length; v++) {
    const target = view.vmMigratingTo[v]!
    if (target >= 0 && target < g.hosts && view.vmHost[v]! >= 0) incoming[target] = 1
  }
  const vmBody = g.tileH - UTIL_BAR - 2
  const capPx = Math.max(1, px(2))
  const vcpuMips = new Float64Array(info.vmTypes.length)
  for (let t = 0; t < info.vmTypes.length; t++) vcpuMips[t] = info.vmTypes[t]!.mips * info.vmTypes[t]!.vcpus
  for (let h = from; h < to; h++) {
    const col = h % g.cols
    const row = (h - col) / g.cols
    const x = g.pad + col * (g.tileW + g.gap)
    const y = g.pad + row * (g.tileH + g.gap)
    const x0 = px(x)
    const y0 = py(y)
    const x1 = px(x + g.tileW)
    const y1 = py(y + g.tileH)
    const state = view.hostState[h]!
    fill(b, x0, y0, x1, y1, STATE_FILL[state] ?? COLORS.on)
    // VMs: blocks as wide as their share, coloured by their CPU demand
    const by0 = py(y + 1)
    const by1 = py(y + 1 + vmBody)
    for (let i = slices.start[h]!; i < slices.start[h + 1]!; i++) {
      const v = slices.order[i]!
      const bx0 = px(x + slices.x0[v]!)
      const bx1 = Math.max(bx0 + 1, px(x + slices.x0[v]! + Math.max(1, slices.x1[v]! - slices.x0[v]! - 0.5)))
      const demand = view.vmDemandMips[v]!
      fill(b, bx0, by0, bx1, by1, ramp(demand / vcpuMips[info.vmType[v]!]!))
      // CPU the VM asked for and did not get (steal): a dark cap on the block
      if (view.vmGrantedMips[v]! < demand - 1e-9) fill(b, bx0, by0, bx1, by0 + capPx, COLORS.steal)
      if (view.vmMigratingTo[v]! >= 0) frame(b, bx0, by0, bx1, by1, 1, COLORS.migration)
    }
    // the host's CPU utilization (the engine's hostCpu) as a bar along the bottom
    if (state !== HOST_STATE.off) {
      const u = view.hostCpu[h]!
      const barY0 = py(y + g.tileH - UTIL_BAR - 1)
      const barY1 = py(y + g.tileH - 1)
      const barX0 = px(x + 1)
      fill(b, barX0, barY0, px(x + g.tileW - 1), barY1, COLORS.barTrack)
      fill(b, barX0, barY0, px(x + 1 + Math.min(1, u) * (g.tileW - 2)), barY1, ramp(u))
    }
    // frame: booting dashed; on or failed grey, red when its VMs add up to more than it has
    if (state === HOST_STATE.booting) dashedFrame(b, x0, y0, x1, y1, COLORS.bootingFrame)
    else if (state !== HOST_STATE.off) frame(b, x0, y0, x1, y1, 1, slices.overfull[h] ? COLORS.overfull : COLORS.frame)
    // VMs on their way here: a purple corner
    if (incoming[h]) {
      const size = Math.min(px(7), Math.floor((y1 - y0) / 2))
      for (let r = 0; r < size; r++) fill(b, x1 - (size - r), y0 + r, x1, y0 + r + 1, COLORS.migration)
    }
  }
  return to - from
}
