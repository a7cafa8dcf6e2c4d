// A small SVG chart for the lab's series: lines, stepped lines and stepped areas (stacked or not) over time,
// one or two value axes with their units, reference lines, and a tooltip with the exact values of the point
// under the pointer. It draws one <path> per series from the points a pixel column can show (thin.ts keeps
// each column's lowest and highest), so a week of frames redraws in well under a millisecond — recharts took
// 20–30 ms a chart, a dropped frame or two at every refresh while the run played.
import { memo, useId, useMemo, useState, type MouseEvent } from 'react'
import { thinIndices } from './thin'

export interface ChartSeries<T> {
  /** a key for the series (data-series of its path) */
  id: string
  label: string
  color: string
  value: (d: T) => number
  /** line (default), step (holds each value until the next point), area (a stepped area from 0) */
  shape?: 'line' | 'step' | 'area'
  /** areas only: on top of the stacked areas before it */
  stacked?: boolean
  axis?: 'left' | 'right'
  strokeWidth?: number
}

export interface ValueAxis {
  /** fixed bounds, or a lower bound and a rule for the upper one from the data's maximum */
  domain?: [number, number] | [number, (max: number) => number]
  format: (v: number) => string
  width: number
  /** whole numbers only (counts) */
  integer?: boolean
}

export interface TimeAxis {
  domain: [number, number]
  ticks: number[]
  format: (t: number) => string
}

export interface Marker {
  /** a vertical line at this time, or a horizontal one at this value */
  x?: number
  y?: number
  axis?: 'left' | 'right'
  color: string
}

export interface SvgChartProps<T> {
  data: readonly T[]
  time: (d: T) => number
  width: number
  height: number
  x: TimeAxis
  left: ValueAxis
  right?: ValueAxis
  series: ChartSeries<T>[]
  markers?: Marker[]
  /** the tooltip's heading for a time, and a value's text */
  timeLabel: (t: number) => string
  valueLabel: (v: number, s: ChartSeries<T>) => string
}

const TOP = 8
const BOTTOM = 20
const RIGHT_PAD = 12
const GRID = '#eceef1'
const TICK = { fontSize: 11, fill: '#6b7280' }

/** About five round ticks from lo to a round number at or above hi (steps of 1, 2 or 5 × 10^k). */
export function niceTicks(lo: number, hi: number, integer = false, count = 5): number[] {
  const span = hi - lo
  if (!(span > 0)) return [lo]
  const raw = span / count
  const mag = 10 ** Math.floor(Math.log10(raw))
  let step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag
  if (integer) step = Math.max(1, Math.ceil(step))
  const ticks: number[] = []
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)))
  if (ticks[ticks.length - 1]! < hi - step * 1e-9) ticks.push(Number((ticks[ticks.length - 1]! + step).toPrecision(12)))
  return ticks
}

interface Scale {
  lo: number
  hi: number
  ticks: number[]
}

function valueScale(axis: ValueAxis, max: number): Scale {
  const [lo, upper] = axis.domain ?? [0, (m: number) => m]
  if (typeof upper === 'number') {
    const ticks = niceTicks(lo, upper, axis.integer).filter((t) => t <= upper + 1e-9)
    return { lo, hi: upper, ticks }
  }
  const hi = upper(max)
  // an empty or flat series still gets an axis from lo upwards
  const ticks = niceTicks(lo, hi > lo ? hi : lo + 1, axis.integer)
  return { lo, hi: ticks[ticks.length - 1]!, ticks }
}

function SvgChartImpl<T>(props: SvgChartProps<T>) {
  const { data, time, width, height, x, left, right, series, markers } = props
  const [hover, setHover] = useState<number | undefined>()
  const clipId = `chart-clip-${useId().replace(/:/g, '')}`
  const plotLeft = left.width
  const plotRight = width - (right ? right.width : RIGHT_PAD)
  const plotW = Math.max(1, plotRight - plotLeft)
  const plotH = Math.max(1, height - TOP - BOTTOM)
  const [x0, x1] = x.domain
  const sx = useMemo(() => (t: number) => plotLeft + ((t - x0) / (x1 - x0 || 1)) * plotW, [plotLeft, plotW, x0, x1])

  const drawn = useMemo(() => {
    // stacked areas add up row by row; every other series is thinned to what the plot's columns can show
    const stackBase = new Float64Array(data.length)
    const maxOf = { left: 0, right: 0 }
    const tops = new Map<string, Float64Array>()
    for (const s of series) {
      const top = new Float64Array(data.length)
      for (let i = 0; i < data.length; i++) {
        const v = s.value(data[i]!)
        top[i] = s.stacked ? stackBase[i]! + v : v
      }
      if (s.stacked) stackBase.set(top)
      tops.set(s.id, top)
      const axis = s.axis ?? 'left'
      for (let i = 0; i < top.length; i++) if (top[i]! > maxOf[axis]) maxOf[axis] = top[i]!
    }
    const scales = { left: valueScale(left, maxOf.left), right: right ? valueScale(right, maxOf.right) : undefined }
    const paths = series.map((s) => {
      const scale = (s.axis === 'right' ? scales.right : scales.left) ?? scales.left
      const sy = (v: number) => TOP + plotH - ((v - scale.lo) / (scale.hi - scale.lo || 1)) * plotH
      const top = tops.get(s.id)!
      const base = s.stacked ? stackBaseBefore(series, s, tops, data.length) : undefined
      // stacked areas keep every row (their rows must line up); others keep each pixel column's extremes
      const keep = s.stacked ? undefined : thinIndices(data.length, (i) => top[i]!, plotW)
      const idx = keep ?? Array.from({ length: data.length }, (_, i) => i)
      return {
        s,
        d: seriesPath(
          idx,
          (i) => sx(time(data[i]!)),
          (i) => sy(top[i]!),
          s.shape ?? 'line',
          base && ((i) => sy(base[i]!)),
          sy(scale.lo),
        ),
      }
    })
    return { scales, paths }
  }, [data, time, series, left, right, plotW, plotH, sx])

  const { scales, paths } = drawn
  const syOf = (axis: 'left' | 'right' | undefined) => {
    const scale = (axis === 'right' ? scales.right : scales.left) ?? scales.left
    return (v: number) => TOP + plotH - ((v - scale.lo) / (scale.hi - scale.lo || 1)) * plotH
  }
  const syLeft = syOf('left')

  const onMove = (e: MouseEvent<SVGSVGElement>) => {
    if (data.length === 0) return
    const r = e.currentTarget.getBoundingClientRect()
    const t = x0 + ((e.clientX - r.left - plotLeft) / plotW) * (x1 - x0)
    setHover(nearest(data, time, t))
  }
  const hovered = hover !== undefined && hover < data.length ? data[hover] : undefined

  return (
    <div className="svg-chart" style={{ width, height }}>
      <svg
        className="chart-surface"
        width={width}
        height={height}
        viewBox={`0 0 ${width} ${height}`}
        onMouseMove={onMove}
        onMouseLeave={() => setHover(undefined)}
      >
        <defs>
          <clipPath id={clipId}>
            <rect x={plotLeft} y={TOP} width={plotW} height={plotH} />
          </clipPath>
        </defs>
        <g className="chart-grid">
          {scales.left.ticks.map((v) => (
            <line key={v} x1={plotLeft} x2={plotRight} y1={syLeft(v)} y2={syLeft(v)} stroke={GRID} />
          ))}
        </g>
        <g className="chart-axis chart-axis-x">
          <line x1={plotLeft} x2={plotRight} y1={TOP + plotH} y2={TOP + plotH} stroke="#9ca3af" />
          {x.ticks.map((t) => (
            <text key={t} x={sx(t)} y={height - 5} textAnchor="middle" {...TICK} className="chart-tick">
              {x.format(t)}
            </text>
          ))}
        </g>
        <g className="chart-axis chart-axis-left">
          {scales.left.ticks.map((v) => (
            <text key={v} x={plotLeft - 4} y={syLeft(v) + 4} textAnchor="end" {...TICK} className="chart-tick">
              {left.format(v)}
            </text>
          ))}
        </g>
        {right && scales.right && (
          <g className="chart-axis chart-axis-right">
            {scales.right.ticks.map((v) => (
              <text
                key={v}
                x={plotRight + 4}
                y={syOf('right')(v) + 4}
                textAnchor="start"
                {...TICK}
                className="chart-tick"
              >
                {right.format(v)}
              </text>
            ))}
          </g>
        )}
        <g clipPath={`url(#${clipId})`}>
          {paths.map(({ s, d }) =>
            s.shape === 'area' ? (
              <path
                key={s.id}
                className="chart-area"
                data-series={s.id}
                d={d}
                fill={s.color}
                fillOpacity={0.45}
                stroke={s.color}
                strokeWidth={1}
              />
            ) : (
              <path
                key={s.id}
                className="chart-line"
                data-series={s.id}
                d={d}
                fill="none"
                stroke={s.color}
                strokeWidth={s.strokeWidth ?? 1.5}
              />
            ),
          )}
          {markers?.map((m, i) =>
            m.x !== undefined ? (
              <line
                key={i}
                x1={sx(m.x)}
                x2={sx(m.x)}
                y1={TOP}
                y2={TOP + plotH}
                stroke={m.color}
                strokeDasharray="3 3"
              />
            ) : m.y !== undefined ? (
              <line
                key={i}
                x1={plotLeft}
                x2={plotRight}
                y1={syOf(m.axis)(m.y)}
                y2={syOf(m.axis)(m.y)}
                stroke={m.color}
                strokeDasharray="4 3"
              />
            ) : null,
          )}
          {hovered && <line x1={sx(time(hovered))} x2={sx(time(hovered))} y1={TOP} y2={TOP + plotH} stroke="#9ca3af" />}
        </g>
      </svg>
      {hovered && (
        <div
          className="chart-tooltip"
          role="tooltip"
          style={
            sx(time(hovered)) > width / 2 ? { right: width - sx(time(hovered)) + 8 } : { left: sx(time(hovered)) + 8 }
          }
        >
          <div className="chart-tooltip-time">{props.timeLabel(time(hovered))}</div>
          {series.map((s) => (
            <div key={s.id}>
              <i style={{ background: s.color }} /> {s.label}: {props.valueLabel(s.value(hovered), s)}
            </div>
          ))}
        </div>
      )}
    </div>
  )
}

/** The top of the stacked areas before `s` (its base), row by row. */
function stackBaseBefore<T>(series: ChartSeries<T>[], s: ChartSeries<T>, tops: Map<string, Float64Array>, n: number) {
  let below: Float64Array | undefined
  for (const other of series) {
    if (other === s) break
    if (other.stacked) below = tops.get(other.id)
  }
  return below ?? new Float64Array(n)
}

/** The SVG path of a series through the kept points. */
function seriesPath(
  idx: number[],
  px: (i: number) => number,
  py: (i: number) => number,
  shape: 'line' | 'step' | 'area',
  base: ((i: number) => number) | undefined,
  zero: number,
): string {
  if (idx.length === 0) return ''
  const r = (v: number) => Math.round(v * 10) / 10
  let d = `M${r(px(idx[0]!))},${r(py(idx[0]!))}`
  for (let k = 1; k < idx.length; k++) {
    const i = idx[k]!
    d += shape === 'line' ? `L${r(px(i))},${r(py(i))}` : `H${r(px(i))}V${r(py(i))}`
  }
  if (shape !== 'area') return d
  // close the area along its base (the stack below it, stepped the same way, or zero), back to the start
  if (!base) return `${d}V${r(zero)}H${r(px(idx[0]!))}Z`
  const last = idx[idx.length - 1]!
  d += `L${r(px(last))},${r(base(last))}`
  for (let k = idx.length - 2; k >= 0; k--) d += `V${r(base(idx[k]!))}H${r(px(idx[k]!))}`
  return `${d}Z`
}

/** The index of the point nearest to time t (the data in time order). */
function nearest<T>(data: readonly T[], time: (d: T) => number, t: number): number {
  let lo = 0
  let hi = data.length - 1
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (time(data[mid]!) < t) lo = mid + 1
    else hi = mid
  }
  if (lo > 0 && Math.abs(time(data[lo - 1]!) - t) < Math.abs(time(data[lo]!) - t)) return lo - 1
  return lo
}

export const SvgChart = memo(SvgChartImpl) as typeof SvgChartImpl
