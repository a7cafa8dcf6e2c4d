// The lab's charts, drawn with recharts: lines, stepped lines and stepped areas (stacked or not) over time, one
// or two value axes with their units, reference lines, and recharts' tooltip with the exact values of the
// point under the pointer. What keeps it smooth while a run plays at 10,000 hosts:
//  - recharts gets bounded rows: each series' lowest and highest point of every 2-pixel column (chart-rows.ts,
//    thin.ts), at most MAX_COLUMNS columns, so peaks show and a week costs what a few hours cost;
//  - no animation, no dots, axes with fixed domains and ticks computed here (recharts measures and searches
//    nothing), fixed sizes from the card;
//  - the chart is rendered again only when its rows or its props change (memo, stable series and axes), and
//    callers hand it new data a few times a second, one chart per animation frame (stagger.ts).
import { memo, useMemo, useState } from 'react'
import { Area, CartesianGrid, ComposedChart, Line, ReferenceLine, Tooltip, XAxis, YAxis } from 'recharts'
import { axisMaxima, chartRows, type RowSeries } from './chart-rows'
import { valueScale, type ValueAxis } from './axes'

export type { ValueAxis } from './axes'

export interface ChartSeries<T> extends RowSeries<T> {
  label: string
  color: string
  /** line (default), step (holds each value until the next point), area (a stepped area from 0) */
  shape?: 'line' | 'step' | 'area'
  axis?: 'left' | 'right'
  strokeWidth?: number
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

export interface LabChartProps<T> {
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

const RIGHT_PAD = 12
/**
 * Pixels a column of kept points spans: each keeps its lowest and highest point, so 2 px columns draw the same
 * peaks with half the rows recharts lays out at every redraw (its cost grows with the rows).
 */
const PX_PER_COLUMN = 2
const MARGIN = { top: 8, right: RIGHT_PAD, bottom: 0, left: 0 }
const MARGIN_RIGHT_AXIS = { top: 8, right: 0, bottom: 0, left: 0 }
const X_AXIS_HEIGHT = 20
const GRID = '#eceef1'
const TICK = { fontSize: 11, fill: '#6b7280' }
const TOOLTIP_CONTENT = { fontSize: 11, padding: '4px 6px', borderRadius: 4, borderColor: '#dfe2e7' }
const TOOLTIP_LABEL = { fontWeight: 600, marginBottom: 2 }
const TOOLTIP_ITEM = { padding: 0 }

function LabChartImpl<T>(props: LabChartProps<T>) {
  const { data, time, width, height, x, left, right, series, markers, timeLabel, valueLabel } = props
  const plotWidth = Math.max(1, width - left.width - (right ? right.width : RIGHT_PAD))
  const columns = plotWidth / PX_PER_COLUMN
  const rows = useMemo(() => chartRows(data, time, series, columns), [data, time, series, columns])
  const max = useMemo(() => axisMaxima(rows, series), [rows, series])
  // the axes' props keep their identity while their bounds and ticks stay the same: recharts then updates
  // nothing but the series
  const leftScale = useStableScale(left, max.left)
  const rightScale = useStableScale(right, max.right)
  const tooltip = useMemo(() => {
    const byId = new Map(series.map((s) => [s.id, s]))
    return {
      formatter: (value: unknown, name: unknown, item: { dataKey?: unknown }) => {
        const s = byId.get(String(item.dataKey))
        return [typeof value === 'number' && s ? valueLabel(value, s) : String(value), String(name)] as [string, string]
      },
      label: (t: unknown) => (typeof t === 'number' ? timeLabel(t) : String(t)),
    }
  }, [series, valueLabel, timeLabel])

  // recharts' tooltip follows every update of the data: it is there only while the pointer is on the chart
  const [pointer, setPointer] = useState(false)

  // the axes, the series and the tooltip stay the same elements while only the data changes: recharts then
  // takes the new rows and redraws the series, without its items registering themselves again
  const items = useMemo(
    () => (
      <>
        <CartesianGrid stroke={GRID} vertical={false} yAxisId="left" />
        <XAxis
          dataKey="t"
          type="number"
          domain={x.domain}
          ticks={x.ticks}
          tickFormatter={x.format}
          interval={0}
          allowDataOverflow
          tick={TICK}
          height={X_AXIS_HEIGHT}
          stroke="#9ca3af"
          tickLine={false}
        />
        <YAxis
          yAxisId="left"
          domain={leftScale!.domain}
          ticks={leftScale!.ticks}
          tickFormatter={left.format}
          interval={0}
          allowDataOverflow
          width={left.width}
          tick={TICK}
          axisLine={false}
          tickLine={false}
        />
        {right && rightScale && (
          <YAxis
            yAxisId="right"
            orientation="right"
            domain={rightScale.domain}
            ticks={rightScale.ticks}
            tickFormatter={right.format}
            interval={0}
            allowDataOverflow
            width={right.width}
            tick={TICK}
            axisLine={false}
            tickLine={false}
          />
        )}
        {pointer && (
          <Tooltip
            isAnimationActive={false}
            formatter={tooltip.formatter}
            labelFormatter={tooltip.label}
            contentStyle={TOOLTIP_CONTENT}
            labelStyle={TOOLTIP_LABEL}
            itemStyle={TOOLTIP_ITEM}
          />
        )}
        {series.map((s) =>
          s.shape === 'area' ? (
            <Area
              key={s.id}
              className="chart-area"
              yAxisId={s.axis ?? 'left'}
              dataKey={s.id}
              name={s.label}
              type="stepAfter"
              stackId={s.stacked ? 'stack' : undefined}
              stroke={s.color}
              strokeWidth={1}
              fill={s.color}
              fillOpacity={0.45}
              dot={false}
              activeDot={false}
              isAnimationActive={false}
            />
          ) : (
            <Line
              key={s.id}
              className="chart-line"
              yAxisId={s.axis ?? 'left'}
              dataKey={s.id}
              name={s.label}
              type={s.shape === 'step' ? 'stepAfter' : 'linear'}
              stroke={s.color}
              strokeWidth={s.strokeWidth ?? 1.5}
              dot={false}
              activeDot={false}
              isAnimationActive={false}
            />
          ),
        )}
        {markers?.map((m, i) =>
          m.x !== undefined ? (
            <ReferenceLine key={i} yAxisId="left" x={m.x} stroke={m.color} strokeDasharray="3 3" ifOverflow="hidden" />
          ) : m.y !== undefined ? (
            <ReferenceLine
              key={i}
              yAxisId={m.axis ?? 'left'}
              y={m.y}
              stroke={m.color}
              strokeDasharray="4 3"
              ifOverflow="hidden"
            />
          ) : null,
        )}
      </>
    ),
    [leftScale, rightScale, x, left, right, series, markers, tooltip, pointer],
  )
  const chart = useMemo(
    () => (
      <ComposedChart
        width={width}
        height={height}
        data={rows}
        margin={right ? MARGIN_RIGHT_AXIS : MARGIN}
        className="lab-chart"
      >
        {items}
      </ComposedChart>
    ),
    [rows, width, height, right, items],
  )
  return (
    <div className="lab-chart-box" onMouseEnter={() => setPointer(true)} onMouseLeave={() => setPointer(false)}>
      {chart}
    </div>
  )
}

/** An axis's domain and ticks for the data's maximum: the same arrays as long as they hold the same numbers. */
function useStableScale(axis: ValueAxis | undefined, max: number) {
  const scale = axis ? valueScale(axis, max) : undefined
  // numbers print and parse back exactly: the key is the scale
  const key = scale ? [scale.lo, scale.hi, ...scale.ticks].join(' ') : ''
  return useMemo(() => {
    if (!key) return undefined
    const [lo, hi, ...ticks] = key.split(' ').map(Number)
    return { domain: [lo!, hi!] as [number, number], ticks }
  }, [key])
}

export const LabChart = memo(LabChartImpl) as typeof LabChartImpl
