// The placement map: every host a tile, its VMs blocks inside it, drawn on one canvas; clicks and hovers
// are hit-tested against the same geometry the drawing used.
import { useLayoutEffect, useMemo, useRef, useState, type MouseEvent } from 'react'
import { HOST_STATE, type LabInfo, type PlacementView } from '../../engine/api/lab-api'
import { useRun, useStore } from '../state/use-run'
import { useElementSize } from '../use-element-size'
import { gridLayout, hitTest, vmSlices, type Hit, type SizeBy } from '../placement/layout'
import { drawPlacement, type DrawCount } from '../placement/draw'
import { RAMP } from '../placement/colors'
import { formatMiB, formatMips, formatPercent } from '../../engine/api/units'

const STATE_NAMES: Record<number, string> = {
  [HOST_STATE.off]: 'off',
  [HOST_STATE.on]: 'on',
  [HOST_STATE.booting]: 'booting',
  [HOST_STATE.failed]: 'failed',
}

export function PlacementMap() {
  const store = useStore()
  const info = useRun((s) => s.info)
  const placement = useRun((s) => s.placement)
  const selection = useRun((s) => s.selection)
  const [sizeBy, setSizeBy] = useState<SizeBy>('cpu')
  const [hover, setHover] = useState<{ hit: Hit; x: number; y: number } | undefined>()
  const [counts, setCounts] = useState<DrawCount | undefined>()
  const boxRef = useRef<HTMLDivElement>(null)
  const canvasRef = useRef<HTMLCanvasElement>(null)
  const { width, height } = useElementSize(boxRef)

  const grid = useMemo(
    () => (info && width > 0 && height > 0 ? gridLayout(info.hosts, width, height) : undefined),
    [info, width, height],
  )
  const slices = useMemo(
    () =>
      info && placement && grid && placement.hostState.length === info.hosts
        ? vmSlices(info, placement, sizeBy, grid.tileW)
        : undefined,
    [info, placement, grid, sizeBy],
  )
  const selectedHost = selection?.kind === 'host' ? selection.host : undefined
  const selectedVm = selection?.kind === 'vm' ? selection.vm : undefined
  const hoverHost = hover?.hit.host

  useLayoutEffect(() => {
    const canvas = canvasRef.current
    if (!canvas || !grid || !info || !placement || !slices) return
    const dpr = window.devicePixelRatio || 1
    const w = Math.round(grid.width * dpr)
    const h = Math.round(grid.height * dpr)
    if (canvas.width !== w || canvas.height !== h) {
      canvas.width = w
      canvas.height = h
      canvas.style.width = `${grid.width}px`
      canvas.style.height = `${grid.height}px`
    }
    const ctx = canvas.getContext('2d')
    if (!ctx) return
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0)
    const drawn = drawPlacement(ctx, grid, info, placement, slices, { selectedHost, selectedVm, hoverHost })
    // What was actually drawn, for assistive technology and for the end-to-end tests.
    canvas.dataset.hostsDrawn = String(drawn.hosts)
    canvas.dataset.vmsDrawn = String(drawn.vms)
    canvas.dataset.grid = `${grid.cols} ${grid.rows} ${grid.tileW} ${grid.tileH} ${grid.gap} ${grid.pad}`
    canvas.setAttribute(
      'aria-label',
      `Placement map: ${drawn.hosts} hosts, ${drawn.vms} VMs, ${drawn.migrating} migrating. Click a host or VM for details.`,
    )
    setCounts((c) =>
      c && c.hosts === drawn.hosts && c.vms === drawn.vms && c.migrating === drawn.migrating ? c : drawn,
    )
  }, [grid, info, placement, slices, selectedHost, selectedVm, hoverHost])

  const hitAt = (e: MouseEvent<HTMLCanvasElement>): Hit | undefined => {
    if (!grid) return undefined
    const r = e.currentTarget.getBoundingClientRect()
    return hitTest(grid, slices, e.clientX - r.left, e.clientY - r.top)
  }

  return (
    <section className="panel map-panel" aria-labelledby="map-title">
      <header className="panel-head">
        <h2 id="map-title">Placement</h2>
        <span className="muted" data-testid="map-counts">
          {counts ? `${counts.hosts} hosts · ${counts.vms} VMs · ${counts.migrating} migrating` : ''}
        </span>
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
      <div className="map-box" ref={boxRef}>
        <canvas
          ref={canvasRef}
          className="map-canvas"
          data-testid="placement-canvas"
          role="img"
          onMouseMove={(e) => {
            const hit = hitAt(e)
            const r = e.currentTarget.getBoundingClientRect()
            setHover(hit ? { hit, x: e.clientX - r.left, y: e.clientY - r.top } : undefined)
          }}
          onMouseLeave={() => setHover(undefined)}
          onClick={(e) => {
            const hit = hitAt(e)
            if (!hit) return
            void store.select(hit.vm !== undefined ? { kind: 'vm', vm: hit.vm } : { kind: 'host', host: hit.host })
          }}
        />
        {hover && info && placement && (
          <MapTooltip
            hit={hover.hit}
            x={hover.x}
            y={hover.y}
            flipX={hover.x > width - 340}
            flipY={hover.y > height - 90}
            info={info}
            view={placement}
          />
        )}
      </div>
      <MapLegend sizeBy={sizeBy} />
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

function MapLegend({ sizeBy }: { sizeBy: SizeBy }) {
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
