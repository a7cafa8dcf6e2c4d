// The placement map: every host a tile, its VMs blocks inside it, drawn on one canvas; clicks and hovers
// are hit-tested against the same geometry the drawing used. A host being evacuated also gets a badge over its
// tile with the VMs left to move (a DOM element for each such host in view, none for the others).
import { useLayoutEffect, useMemo, useRef, useState, type MouseEvent } from 'react'
import { HOST_STATE, type LabInfo, type PlacementView } from '../../engine/api/lab-api'
import { useRun, useStore } from '../state/use-run'
import { useElementSize } from '../use-element-size'
import { Slicer, gridLayout, hitTest, tileOrigin, type Hit, type SizeBy, type VmSlices } from '../placement/layout'
import { evacuations, vmsLeftText } from '../placement/evacuation'
import { PlacementImage, drawOverlays } from '../placement/draw'
import { countPlacement } from '../placement/raster'
import { RAMP } from '../placement/colors'
import { formatMiB, formatMips, formatPercent } from '../../engine/api/units'

const STATE_NAMES: Record<number, string> = {
  [HOST_STATE.off]: 'off',
  [HOST_STATE.on]: 'on',
  [HOST_STATE.booting]: 'booting',
  [HOST_STATE.failed]: 'failed',
  [HOST_STATE.evacuating]: 'evacuating (entering maintenance or standby)',
  [HOST_STATE.maintenance]: 'in maintenance',
  [HOST_STATE.standby]: 'in standby',
}

/** What the map's kept pixels were drawn from. */
interface Drawn {
  placement: PlacementView
  slices: VmSlices
  w: number
  h: number
  top: number
}

export function PlacementMap() {
  const store = useStore()
  const info = useRun((s) => s.info)
  const placement = useRun((s) => s.placement)
  const selection = useRun((s) => s.selection)
  const rules = useRun((s) => s.rules)
  const violating = useMemo(() => new Set(rules.flatMap((r) => r.violating)), [rules])
  /** a VM being dragged (lab mode): dropped on another host, it opens the VM's target picker with that host */
  const dragRef = useRef<{ vm: number; host: number; moved: boolean } | undefined>(undefined)
  const [sizeBy, setSizeBy] = useState<SizeBy>('cpu')
  const [hover, setHover] = useState<{ hit: Hit; x: number; y: number } | undefined>()
  /** the map box's scroll position: the canvas shows the rows in view (CSS pixels from the map's top) */
  const [scrollTop, setScrollTop] = useState(0)
  const boxRef = useRef<HTMLDivElement>(null)
  const canvasRef = useRef<HTMLCanvasElement>(null)
  const countsRef = useRef<HTMLSpanElement>(null)
  const [image] = useState(() => new PlacementImage())
  /** what the kept pixels show: a hover or a selection redraws only the overlay */
  const drawnRef = useRef<Drawn | undefined>(undefined)
  const { width, height } = useElementSize(boxRef)

  const grid = useMemo(
    () => (info && width > 0 && height > 0 ? gridLayout(info.hosts, width, height) : undefined),
    [info, width, height],
  )
  const [slicer] = useState(() => new Slicer())
  const slices = useMemo(
    () =>
      info && placement && grid && placement.hostState.length === info.hosts
        ? slicer.slice(info, placement, sizeBy, grid.tileW)
        : undefined,
    [slicer, info, placement, grid, sizeBy],
  )
  /** hosts being evacuated, with their VMs left (none: one pass over the host states) */
  const evacuating = useMemo(() => (placement ? evacuations(placement) : []), [placement])
  const selectedHost = selection?.kind === 'host' ? selection.host : undefined
  const selectedVm = selection?.kind === 'vm' ? selection.vm : undefined
  const hoverHost = hover?.hit.host
  const viewHeight = grid ? Math.min(grid.height, height) : 0
  const top = grid ? Math.max(0, Math.min(scrollTop, grid.height - viewHeight)) : 0

  useLayoutEffect(() => {
    const canvas = canvasRef.current
    if (!canvas || !grid || !info || !placement || !slices) return
    const dpr = window.devicePixelRatio || 1
    const w = Math.round(grid.width * dpr)
    const h = Math.round(viewHeight * dpr)
    if (canvas.width !== w || canvas.height !== h) {
      canvas.width = w
      canvas.height = h
      canvas.style.width = `${grid.width}px`
      canvas.style.height = `${viewHeight}px`
    }
    const ctx = canvas.getContext('2d')
    if (!ctx) return
    const drawn = drawnRef.current
    if (
      !drawn ||
      drawn.placement !== placement ||
      drawn.slices !== slices ||
      drawn.w !== w ||
      drawn.h !== h ||
      drawn.top !== top
    ) {
      image.render(w, h, grid, info, placement, slices, dpr, top)
      drawnRef.current = { placement, slices, w, h, top }
      // What the map shows, for assistive technology and for the end-to-end tests.
      const c = countPlacement(grid, placement, slices)
      canvas.dataset.hostsDrawn = String(c.hosts)
      canvas.dataset.vmsDrawn = String(c.vms)
      canvas.dataset.grid = `${grid.cols} ${grid.rows} ${grid.tileW} ${grid.tileH} ${grid.gap} ${grid.pad}`
      canvas.setAttribute(
        'aria-label',
        `Placement map: ${c.hosts} hosts, ${c.vms} VMs, ${c.migrating} migrating. Click a host or VM for details.`,
      )
      // written here rather than through React state: no second render of the map per frame
      if (countsRef.current)
        countsRef.current.textContent = `${c.hosts} hosts · ${c.vms} VMs · ${c.migrating} migrating`
    }
    ctx.setTransform(1, 0, 0, 1, 0, 0)
    image.put(ctx)
    ctx.setTransform(dpr, 0, 0, dpr, 0, -top * dpr)
    drawOverlays(ctx, grid, placement, slices, { selectedHost, selectedVm, hoverHost, violating })
    canvas.dataset.violating = String(violating.size)
  }, [image, grid, info, placement, slices, selectedHost, selectedVm, hoverHost, violating, viewHeight, top])

  /** The pointer in the map's coordinates (CSS pixels from its top left, whatever the scroll). */
  const mapPoint = (e: MouseEvent<HTMLCanvasElement>) => {
    const r = e.currentTarget.getBoundingClientRect()
    return { x: e.clientX - r.left, y: e.clientY - r.top + top }
  }
  const hitAt = (e: MouseEvent<HTMLCanvasElement>): Hit | undefined => {
    if (!grid) return undefined
    const p = mapPoint(e)
    return hitTest(grid, slices, p.x, p.y)
  }

  return (
    <section className="panel map-panel" aria-labelledby="map-title">
      <header className="panel-head">
        <h2 id="map-title">Placement</h2>
        <span className="muted" data-testid="map-counts" ref={countsRef} />
        <div className="spacer" />
        <div className="segmented" role="group" aria-label="Size VMs by">
          <button type="button" aria-pressed={sizeBy === 'cpu'} onClick={() => setSizeBy('cpu')}>
            CPU
          </button>
          <button type="button" aria-pressed={sizeBy === 'ram'} onClick={() => setSizeBy('ram')}>
            RAM
          </button>
        </div>
      </header>
      <div className="map-box" ref={boxRef} onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}>
        <div className="map-content" style={{ height: grid?.height }}>
          <canvas
            ref={canvasRef}
            className="map-canvas"
            data-testid="placement-canvas"
            role="img"
            onMouseDown={(e) => {
              const hit = hitAt(e)
              dragRef.current =
                info?.labActions && hit?.vm !== undefined ? { vm: hit.vm, host: hit.host, moved: false } : undefined
            }}
            onMouseMove={(e) => {
              const hit = hitAt(e)
              setHover(hit ? { hit, ...mapPoint(e) } : undefined)
              const drag = dragRef.current
              if (drag && e.buttons === 1 && hit && hit.host !== drag.host) {
                drag.moved = true
                e.currentTarget.style.cursor = 'grabbing'
              }
            }}
            onMouseLeave={() => {
              setHover(undefined)
              dragRef.current = undefined
            }}
            onMouseUp={(e) => {
              e.currentTarget.style.cursor = ''
              const drag = dragRef.current
              const hit = hitAt(e)
              if (!drag?.moved || !hit || hit.host === drag.host) return
              // a drop, not a click: the click that follows is ignored
              dragRef.current = { ...drag, host: -1 }
              void store.pickTarget(drag.vm, hit.host)
            }}
            onClick={(e) => {
              const drag = dragRef.current
              dragRef.current = undefined
              if (drag?.host === -1) return
              const hit = hitAt(e)
              if (!hit) return
              void store.select(hit.vm !== undefined ? { kind: 'vm', vm: hit.vm } : { kind: 'host', host: hit.host })
            }}
          />
          {grid &&
            evacuating.map(({ host, vmsLeft }) => {
              const { x, y } = tileOrigin(grid, host)
              if (host >= grid.hosts || y + grid.tileH < top || y > top + viewHeight) return null
              return (
                <span
                  key={host}
                  className="evac-badge"
                  data-testid="evac-badge"
                  data-host={host}
                  data-vms-left={vmsLeft}
                  role="img"
                  aria-label={`Host ${host}: ${vmsLeftText(vmsLeft)}`}
                  style={{ left: x + grid.tileW - 1, top: y + 1 }}
                >
                  ↦{vmsLeft}
                </span>
              )
            })}
          {hover && info && placement && (
            <MapTooltip
              hit={hover.hit}
              x={hover.x}
              y={hover.y}
              flipX={hover.x > width - 340}
              flipY={hover.y - top > height - 90}
              info={info}
              view={placement}
              vmsLeft={evacuating.find((e) => e.host === hover.hit.host)?.vmsLeft}
            />
          )}
        </div>
      </div>
      <MapLegend sizeBy={sizeBy} operator={info?.labActions ?? false} />
    </section>
  )
}

function MapTooltip(props: {
  hit: Hit
  x: number
  y: number
  /** open to the left / above the pointer, so the tooltip never widens the scrolling map box */
  flipX: boolean
  flipY: boolean
  info: LabInfo
  view: PlacementView
  /** the host's VMs left to evacuate, where it is being evacuated */
  vmsLeft?: number
}) {
  const { hit, info, view } = props
  const h = hit.host
  const type = info.hostTypes[info.hostType[h]!]!
  let lines: string[]
  if (hit.vm !== undefined) {
    const v = hit.vm
    const to = view.vmMigratingTo[v]!
    lines = [
      `VM ${v} · ${info.vmNames[v] ?? ''}`,
      `${info.vmTypes[info.vmType[v]!]!.name} on host ${h}`,
      `demand ${formatMips(view.vmDemandMips[v]!)} · granted ${formatMips(view.vmGrantedMips[v]!)}`,
      `RAM ${formatMiB(view.vmRamMB[v]!)}${to >= 0 ? ` · migrating → host ${to}` : ''}`,
    ]
  } else {
    lines = [
      `Host ${h} · ${type.name}`,
      `${STATE_NAMES[view.hostState[h]!] ?? '?'} · CPU ${formatPercent(view.hostCpu[h]!)} · RAM ${formatPercent(view.hostRam[h]!)} of ${formatMiB(type.ramMB)}`,
      ...(props.vmsLeft !== undefined ? [vmsLeftText(props.vmsLeft)] : []),
    ]
  }
  return (
    <div
      className="map-tooltip"
      style={{
        left: props.flipX ? props.x - 14 : props.x + 14,
        top: props.flipY ? props.y - 14 : props.y + 14,
        transform: `translate(${props.flipX ? '-100%' : '0'}, ${props.flipY ? '-100%' : '0'})`,
      }}
      role="tooltip"
    >
      {lines.map((l) => (
        <div key={l}>{l}</div>
      ))}
    </div>
  )
}

/** `operator`: lab mode, where hosts can be put into maintenance and standby */
function MapLegend({ sizeBy, operator }: { sizeBy: SizeBy; operator: boolean }) {
  return (
    <footer className="map-legend">
      <span>
        VM width: {sizeBy === 'cpu' ? 'demanded MIPS / host MIPS' : 'VM RAM / host RAM'} · colour: VM CPU demand
      </span>
      <span className="ramp" aria-hidden="true">
        {[0, 25, 50, 75, 100].map((i) => (
          <i key={i} style={{ background: RAMP[i] }} />
        ))}
      </span>
      <span>0 → 100 %</span>
      <span className="legend-item">
        <i className="swatch off" /> off
      </span>
      <span className="legend-item">
        <i className="swatch booting" /> booting
      </span>
      <span className="legend-item">
        <i className="swatch failed" /> failed
      </span>
      {operator && (
        <>
          <span className="legend-item">
            <i className="swatch evacuating" /> evacuating (↦ VMs left)
          </span>
          <span className="legend-item">
            <i className="swatch maintenance" /> maintenance
          </span>
          <span className="legend-item">
            <i className="swatch standby" /> standby
          </span>
        </>
      )}
      <span className="legend-item">
        <i className="swatch migrating" /> migrating (▲ incoming)
      </span>
      <span className="legend-item">
        <i className="swatch steal" /> CPU not granted
      </span>
      <span className="legend-item">
        <i className="swatch overfull" /> VMs exceed host {sizeBy === 'cpu' ? 'MIPS' : 'RAM'}
      </span>
    </footer>
  )
}
