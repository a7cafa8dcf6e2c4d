// Geometry of the placement map: hosts as tiles in a grid, each host's VMs as side-by-side slices whose
// widths are the VM's share of the host (CPU: demanded MIPS / host MIPS; RAM: VM RAM / host RAM), and
// hit-testing a point back to a host or VM. Pure functions over the engine's PlacementView.
import type { LabInfo, PlacementView } from '../../engine/api/lab-api'

export type SizeBy = 'cpu' | 'ram'

export interface GridLayout {
  hosts: number
  cols: number
  rows: number
  tileW: number
  tileH: number
  gap: number
  pad: number
  /** canvas size in CSS pixels */
  width: number
  height: number
}

/** Height of the host-utilization bar at the bottom of each tile. */
export const UTIL_BAR = 3
/** VMs narrower than this are widened to it so every placed VM stays visible and clickable. */
export const MIN_SLICE = 2

/** Tiles never grow wider than this (a handful of hosts gets large tiles, not the whole map). */
export const MAX_TILE = 180

/** The largest tiles (aspect 5:4) that fit `hosts` into width × height; below 8 px the map scrolls. */
export function gridLayout(hosts: number, width: number, height: number): GridLayout {
  const gap = 2
  const pad = 4
  const n = Math.max(1, hosts)
  for (let tileW = MAX_TILE; tileW >= 8; tileW--) {
    const tileH = Math.round(tileW * 0.8)
    const cols = Math.max(1, Math.floor((width - 2 * pad + gap) / (tileW + gap)))
    const rows = Math.ceil(n / cols)
    const needed = 2 * pad + rows * (tileH + gap) - gap
    if (needed <= height || tileW === 8) {
      return { hosts, cols, rows, tileW, tileH, gap, pad, width, height: Math.max(height, needed) }
    }
  }
  throw new Error('unreachable')
}

export function tileOrigin(g: GridLayout, host: number): { x: number; y: number } {
  const col = host % g.cols
  const row = Math.floor(host / g.cols)
  return { x: g.pad + col * (g.tileW + g.gap), y: g.pad + row * (g.tileH + g.gap) }
}

export function hostAt(g: GridLayout, x: number, y: number): number | undefined {
  const cx = x - g.pad
  const cy = y - g.pad
  if (cx < 0 || cy < 0) return undefined
  const col = Math.floor(cx / (g.tileW + g.gap))
  const row = Math.floor(cy / (g.tileH + g.gap))
  if (col >= g.cols || cx - col * (g.tileW + g.gap) >= g.tileW) return undefined
  if (cy - row * (g.tileH + g.gap) >= g.tileH) return undefined
  const host = row * g.cols + col
  return host < g.hosts ? host : undefined
}

/** Where each VM is drawn inside its host's tile (x offsets relative to the tile's left edge). */
export interface VmSlices {
  /** VMs of host h: order[start[h] .. start[h + 1]) */
  start: Int32Array
  order: Int32Array
  x0: Float32Array
  x1: Float32Array
  /** 1 where the host's VMs add up to more than the host has (drawn scaled to fit, and flagged) */
  overfull: Uint8Array
  /** share of the host each VM takes, as the engine's numbers say (before any widening or scaling) */
  share: Float64Array
}

/** Arrays vmSlices may write into instead of allocating (one map's, reused from one view to the next). */
export interface SliceBuffers {
  start: Int32Array
  fill: Int32Array
  order: Int32Array
  x0: Float32Array
  x1: Float32Array
  overfull: Uint8Array
  share: Float64Array
}

export function sliceBuffers(hosts: number, vms: number): SliceBuffers {
  return {
    start: new Int32Array(hosts + 1),
    fill: new Int32Array(hosts),
    order: new Int32Array(vms),
    x0: new Float32Array(vms),
    x1: new Float32Array(vms),
    overfull: new Uint8Array(hosts),
    share: new Float64Array(vms),
  }
}

/** vmSlices for one map: the arrays of one view's slices are reused for the next. */
export class Slicer {
  private buffers: SliceBuffers | undefined

  slice(info: LabInfo, view: PlacementView, sizeBy: SizeBy, tileW: number): VmSlices {
    const hosts = view.hostState.length
    const vms = view.vmHost.length
    if (!this.buffers || this.buffers.fill.length !== hosts || this.buffers.order.length !== vms)
      this.buffers = sliceBuffers(hosts, vms)
    return vmSlices(info, view, sizeBy, tileW, this.buffers)
  }
}

/**
 * Each host's VMs as slices of its tile. With `buffers` (sized for the view), their arrays are overwritten
 * rather than allocated: at 20,000 VMs a view's slices are 400 kB that would be garbage a few frames later.
 */
export function vmSlices(
  info: LabInfo,
  view: PlacementView,
  sizeBy: SizeBy,
  tileW: number,
  buffers?: SliceBuffers,
): VmSlices {
  const hosts = view.hostState.length
  const vms = view.vmHost.length
  const b =
    buffers && buffers.fill.length === hosts && buffers.order.length === vms ? buffers : sliceBuffers(hosts, vms)
  const start = b.start.fill(0)
  for (let v = 0; v < vms; v++) {
    const h = view.vmHost[v]!
    if (h >= 0 && h < hosts) start[h + 1]!++
  }
  for (let h = 0; h < hosts; h++) start[h + 1]! += start[h]!
  const fill = b.fill
  fill.set(start.subarray(0, hosts))
  const order = b.order.subarray(0, start[hosts])
  for (let v = 0; v < vms; v++) {
    const h = view.vmHost[v]!
    if (h >= 0 && h < hosts) order[fill[h]!++] = v
  }
  const share = b.share.fill(0)
  const x0 = b.x0.fill(0)
  const x1 = b.x1.fill(0)
  const overfull = b.overfull.fill(0)
  const inner = tileW - 2
  for (let h = 0; h < hosts; h++) {
    const type = info.hostTypes[info.hostType[h]!]!
    const capacity = sizeBy === 'cpu' ? type.totalMips : type.ramMB
    let total = 0
    let widths = 0
    for (let i = start[h]!; i < start[h + 1]!; i++) {
      const v = order[i]!
      const s = (sizeBy === 'cpu' ? view.vmDemandMips[v]! : view.vmRamMB[v]!) / capacity
      share[v] = s
      total += s
      widths += Math.max(MIN_SLICE, s * inner)
    }
    if (total > 1 + 1e-9) overfull[h] = 1
    const scale = widths > inner ? inner / widths : 1
    let x = 1
    for (let i = start[h]!; i < start[h + 1]!; i++) {
      const v = order[i]!
      const w = Math.max(MIN_SLICE, share[v]! * inner) * scale
      x0[v] = x
      x1[v] = x + w
      x += w
    }
  }
  return { start, order, x0, x1, overfull, share }
}

export interface Hit {
  host: number
  vm?: number
}

/** The host (and VM, if the point is on one) under a point of the canvas. */
export function hitTest(g: GridLayout, slices: VmSlices | undefined, x: number, y: number): Hit | undefined {
  const host = hostAt(g, x, y)
  if (host === undefined) return undefined
  if (!slices) return { host }
  const o = tileOrigin(g, host)
  const dx = x - o.x
  const dy = y - o.y
  if (dy < 1 || dy >= g.tileH - UTIL_BAR - 1) return { host }
  for (let i = slices.start[host]!; i < slices.start[host + 1]!; i++) {
    const v = slices.order[i]!
    if (dx >= slices.x0[v]! && dx < slices.x1[v]!) return { host, vm: v }
  }
  return { host }
}
