// Drawing the placement map on a canvas as large as the map box's view (the box scrolls over the whole map):
// the tiles in view as pixels (raster.ts) put in one call, then on top, with canvas calls, what is rare or
// slanted — failed hosts' crosses, the hovered and selected host or VM, and arrows to and from the selected
// host for its migrations. The pixels are kept, so a hover or a selection redraws only the overlay.
import { HOST_STATE, type LabInfo, type PlacementView } from '../../engine/api/lab-api'
import { UTIL_BAR, tileOrigin, type GridLayout, type VmSlices } from './layout'
import { rasterizePlacement, type PixelBuffer } from './raster'

export interface OverlayOptions {
  selectedHost?: number
  selectedVm?: number
  hoverHost?: number
  /** VMs breaking a placement rule now (lab mode): a red dashed frame */
  violating?: ReadonlySet<number>
}

const MIGRATION = '#7b3fc4'
const VIOLATION = '#dc2626'

/** The tiles in view as an ImageData at device resolution (reused while the canvas keeps its size). */
export class PlacementImage {
  private image: ImageData | undefined
  private buffer: PixelBuffer | undefined
  /** hosts drawn in the last render (those in view) */
  drawn = 0

  /** Rasterizes the tiles for a canvas of width × height device pixels showing the map from CSS row `top`. */
  render(
    width: number,
    height: number,
    g: GridLayout,
    info: LabInfo,
    view: PlacementView,
    slices: VmSlices,
    scale: number,
    top: number,
  ): void {
    if (!this.image || this.image.width !== width || this.image.height !== height) {
      this.image = new ImageData(width, height)
      this.buffer = { width, height, pixels: new Uint32Array(this.image.data.buffer) }
    }
    this.drawn = rasterizePlacement(this.buffer!, g, info, view, slices, { scale, top })
  }

  /** Puts the tiles on the canvas (at device pixels, whatever its transform). */
  put(ctx: CanvasRenderingContext2D): void {
    if (this.image) ctx.putImageData(this.image, 0, 0)
  }
}

/**
 * Crosses on failed hosts, frames on VMs breaking a rule, the hover and selection frames, and the selected host's
 * migration arrows.
 */
export function drawOverlays(
  ctx: CanvasRenderingContext2D,
  g: GridLayout,
  view: PlacementView,
  slices: VmSlices,
  opts: OverlayOptions,
): void {
  for (let h = 0; h < g.hosts; h++) {
    if (view.hostState[h] !== HOST_STATE.failed) continue
    const { x, y } = tileOrigin(g, h)
    drawCross(ctx, x, y, g.tileW, g.tileH)
  }
  if (opts.violating?.size) {
    ctx.strokeStyle = VIOLATION
    ctx.lineWidth = 1.5
    ctx.setLineDash([3, 2])
    for (const v of opts.violating) {
      const h = view.vmHost[v]!
      if (h < 0) continue
      const { x, y } = tileOrigin(g, h)
      ctx.strokeRect(
        x + slices.x0[v]! + 0.75,
        y + 1.75,
        Math.max(2, slices.x1[v]! - slices.x0[v]! - 1.5),
        g.tileH - UTIL_BAR - 3.5,
      )
    }
    ctx.setLineDash([])
  }
  const vm = opts.selectedVm
  if (vm !== undefined && view.vmHost[vm]! >= 0) {
    const { x, y } = tileOrigin(g, view.vmHost[vm]!)
    const x0 = x + slices.x0[vm]!
    ctx.strokeStyle = '#111827'
    ctx.lineWidth = 2
    ctx.strokeRect(x0, y + 1, Math.max(2, slices.x1[vm]! - slices.x0[vm]!), g.tileH - UTIL_BAR - 2)
  }
  if (opts.hoverHost !== undefined && opts.hoverHost !== opts.selectedHost) {
    const { x, y } = tileOrigin(g, opts.hoverHost)
    ctx.strokeStyle = '#6b7280'
    ctx.lineWidth = 1
    ctx.strokeRect(x - 0.5, y - 0.5, g.tileW + 1, g.tileH + 1)
  }
  if (opts.selectedHost !== undefined) {
    const { x, y } = tileOrigin(g, opts.selectedHost)
    ctx.strokeStyle = '#111827'
    ctx.lineWidth = 2
    ctx.strokeRect(x - 1, y - 1, g.tileW + 2, g.tileH + 2)
    drawMigrationArrows(ctx, g, view, opts.selectedHost)
  }
}

/** Arrows from the selected host to where its VMs are migrating, and from where VMs come to it. */
function drawMigrationArrows(ctx: CanvasRenderingContext2D, g: GridLayout, view: PlacementView, host: number): void {
  ctx.strokeStyle = MIGRATION
  ctx.fillStyle = MIGRATION
  ctx.lineWidth = 1.5
  for (let v = 0; v < view.vmMigratingTo.length; v++) {
    const to = view.vmMigratingTo[v]!
    const from = view.vmHost[v]!
    if (to < 0 || from < 0 || (from !== host && to !== host)) continue
    const a = tileOrigin(g, from)
    const b = tileOrigin(g, to)
    const ax = a.x + g.tileW / 2
    const ay = a.y + g.tileH / 2
    const bx = b.x + g.tileW / 2
    const by = b.y + g.tileH / 2
    ctx.beginPath()
    ctx.moveTo(ax, ay)
    ctx.lineTo(bx, by)
    ctx.stroke()
    const angle = Math.atan2(by - ay, bx - ax)
    ctx.beginPath()
    ctx.moveTo(bx, by)
    ctx.lineTo(bx - 7 * Math.cos(angle - 0.4), by - 7 * Math.sin(angle - 0.4))
    ctx.lineTo(bx - 7 * Math.cos(angle + 0.4), by - 7 * Math.sin(angle + 0.4))
    ctx.closePath()
    ctx.fill()
  }
}

function drawCross(ctx: CanvasRenderingContext2D, x: number, y: number, w: number, h: number): void {
  ctx.strokeStyle = '#c62828'
  ctx.lineWidth = 1.5
  ctx.beginPath()
  ctx.moveTo(x + 3, y + 3)
  ctx.lineTo(x + w - 3, y + h - 3)
  ctx.moveTo(x + w - 3, y + 3)
  ctx.lineTo(x + 3, y + h - 3)
  ctx.stroke()
}
