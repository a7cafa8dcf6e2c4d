// Drawing the placement map on a canvas: ~2,000 rectangles per frame is a few milliseconds, where as many
// DOM nodes would not keep up with playback. Colours encode engine figures; shapes encode host states.
import { HOST_STATE, type LabInfo, type PlacementView } from '../../engine/api/lab-api'
import { UTIL_BAR, tileOrigin, type GridLayout, type VmSlices } from './layout'
import { utilizationColor } from './colors'

export interface DrawOptions {
  selectedHost?: number
  selectedVm?: number
  hoverHost?: number
}

export interface DrawCount {
  hosts: number
  vms: number
  migrating: number
}

const STATE_FILL: Record<number, string> = {
  [HOST_STATE.off]: '#e4e6ea',
  [HOST_STATE.on]: '#ffffff',
  [HOST_STATE.booting]: '#fff4d6',
  [HOST_STATE.failed]: '#f8d7d7',
  [HOST_STATE.maintenance]: '#dde8f7',
}
const MIGRATION = '#7b3fc4'

export function drawPlacement(
  ctx: CanvasRenderingContext2D,
  g: GridLayout,
  info: LabInfo,
  view: PlacementView,
  slices: VmSlices,
  opts: DrawOptions,
): DrawCount {
  ctx.clearRect(0, 0, g.width, g.height)
  const count: DrawCount = { hosts: 0, vms: 0, migrating: 0 }
  const incoming = new Uint16Array(g.hosts)
  for (let v = 0; v < view.vmMigratingTo.length; v++) {
    const to = view.vmMigratingTo[v]!
    if (to >= 0 && to < g.hosts && view.vmHost[v]! >= 0) incoming[to] = incoming[to]! + 1
  }
  const vmBody = g.tileH - UTIL_BAR - 2
  for (let h = 0; h < g.hosts; h++) {
    const { x, y } = tileOrigin(g, h)
    const state = view.hostState[h]!
    ctx.fillStyle = STATE_FILL[state] ?? '#ffffff'
    ctx.fillRect(x, y, g.tileW, g.tileH)
    if (state === HOST_STATE.maintenance) drawStripes(ctx, x, y, g.tileW, g.tileH, '#9db7dd')
    if (state === HOST_STATE.failed) drawCross(ctx, x, y, g.tileW, g.tileH)
    // VMs
    for (let i = slices.start[h]!; i < slices.start[h + 1]!; i++) {
      const v = slices.order[i]!
      const x0 = x + slices.x0[v]!
      const w = slices.x1[v]! - slices.x0[v]!
      const type = info.vmTypes[info.vmType[v]!]!
      const demand = view.vmDemandMips[v]!
      ctx.fillStyle = utilizationColor(demand / (type.mips * type.vcpus))
      ctx.fillRect(x0, y + 1, Math.max(1, w - 0.5), vmBody)
      if (view.vmGrantedMips[v]! < demand - 1e-9) {
        // CPU the VM asked for and did not get (steal): a dark cap on the block
        ctx.fillStyle = '#7a1010'
        ctx.fillRect(x0, y + 1, Math.max(1, w - 0.5), 2)
      }
      if (view.vmMigratingTo[v]! >= 0) {
        count.migrating++
        ctx.strokeStyle = MIGRATION
        ctx.lineWidth = 1
        ctx.strokeRect(x0 + 0.5, y + 1.5, Math.max(1, w - 1.5), vmBody - 1)
      }
      if (v === opts.selectedVm) {
        ctx.strokeStyle = '#111827'
        ctx.lineWidth = 2
        ctx.strokeRect(x0, y + 1, Math.max(2, w), vmBody)
      }
      count.vms++
    }
    // host CPU utilization (the engine's hostCpu) as a bar along the bottom
    if (state !== HOST_STATE.off) {
      const u = view.hostCpu[h]!
      ctx.fillStyle = '#d9dce1'
      ctx.fillRect(x + 1, y + g.tileH - UTIL_BAR - 1, g.tileW - 2, UTIL_BAR)
      ctx.fillStyle = utilizationColor(u)
      ctx.fillRect(x + 1, y + g.tileH - UTIL_BAR - 1, Math.min(1, u) * (g.tileW - 2), UTIL_BAR)
    }
    // frame: state, RAM beyond the host's RAM, incoming migrations, hover, selection
    ctx.lineWidth = 1
    if (state === HOST_STATE.booting) {
      ctx.setLineDash([2, 2])
      ctx.strokeStyle = '#c98a00'
      ctx.strokeRect(x + 0.5, y + 0.5, g.tileW - 1, g.tileH - 1)
      ctx.setLineDash([])
    } else if (state !== HOST_STATE.off) {
      ctx.strokeStyle = slices.overfull[h] ? '#d14343' : '#c3c8d0'
      ctx.strokeRect(x + 0.5, y + 0.5, g.tileW - 1, g.tileH - 1)
    }
    if (incoming[h]! > 0) {
      ctx.fillStyle = MIGRATION
      ctx.beginPath()
      ctx.moveTo(x + g.tileW, y)
      ctx.lineTo(x + g.tileW, y + Math.min(7, g.tileH / 2))
      ctx.lineTo(x + g.tileW - Math.min(7, g.tileH / 2), y)
      ctx.closePath()
      ctx.fill()
    }
    if (h === opts.hoverHost && h !== opts.selectedHost) {
      ctx.strokeStyle = '#6b7280'
      ctx.strokeRect(x - 0.5, y - 0.5, g.tileW + 1, g.tileH + 1)
    }
    if (h === opts.selectedHost) {
      ctx.strokeStyle = '#111827'
      ctx.lineWidth = 2
      ctx.strokeRect(x - 1, y - 1, g.tileW + 2, g.tileH + 2)
    }
    count.hosts++
  }
  if (opts.selectedHost !== undefined) drawMigrationArrows(ctx, g, view, opts.selectedHost)
  return count
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

function drawStripes(ctx: CanvasRenderingContext2D, x: number, y: number, w: number, h: number, color: string): void {
  ctx.save()
  ctx.beginPath()
  ctx.rect(x, y, w, h)
  ctx.clip()
  ctx.strokeStyle = color
  ctx.lineWidth = 1
  for (let d = -h; d < w; d += 5) {
    ctx.beginPath()
    ctx.moveTo(x + d, y + h)
    ctx.lineTo(x + d + h, y)
    ctx.stroke()
  }
  ctx.restore()
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
