// The run's charts, live while it plays, drawn with recharts (LabChart): every plotted value is a field of an
// engine Frame. They redraw a few times a second (the store's chartFrames), one chart per animation frame; each
// series is drawn from the frames its chart's pixel columns can show, each column keeping its lowest and highest
// frame, so a short spike in a week still shows.
import { memo, useMemo } from 'react'
import type { Frame } from '../../engine/api/lab-api'
import { formatNumber } from '../../engine/api/units'
import { useRun } from '../state/use-run'
import { ChartCard } from './ChartCard'
import { LabChart, type ChartSeries, type Marker, type TimeAxis, type ValueAxis } from './LabChart'
import { timeLabel, timeTick, timeTicks } from './axes'
import { useStaggered } from './stagger'
import { metricValue } from '../state/recommendation-words'

const series = (
  id: string,
  label: string,
  color: string,
  value: (f: Frame) => number,
  more: Partial<ChartSeries<Frame>> = {},
): ChartSeries<Frame> => ({ id, label, color, value, ...more })

export const SERIES = {
  cpu: series('cpu', 'cluster CPU utilization', '#2563eb', (f) => f.cpuUtilization),
  active: series('active', 'active hosts', '#059669', (f) => f.activeHosts, { shape: 'step' }),
  overloaded: series('overloaded', 'overloaded hosts', '#dc2626', (f) => f.overloadedHosts, {
    shape: 'step',
    strokeWidth: 1,
  }),
  power: series('power', 'power (W)', '#d97706', (f) => f.powerW),
  energy: series('energy', 'energy (kWh)', '#7c3aed', (f) => f.energyKWh, { axis: 'right' }),
  slatah: series('slatah', 'SLATAH so far', '#b91c1c', (f) => f.slatah, { strokeWidth: 1.75 }),
  slaShare: series('sla-share', 'SLA-violation share of the interval', '#0891b2', (f) => f.slaViolationShare, {
    strokeWidth: 1,
  }),
  migrations: series('migrations', 'migrations started', '#6366f1', (f) => f.migrationsStarted, { shape: 'area' }),
} as const

const time = (f: Frame) => f.time
const pct = (v: number) => `${Math.round(v * 100)} %`
const pctFine = (v: number) => `${(v * 100).toFixed(2)} %`
const count = (v: number) => formatNumber(v)
/** The power axis with its unit: "800 W", "45 kW" (an empty chart's axis runs 0–1 W). */
const watts = (v: number) => (v >= 10_000 ? `${Number((v / 1000).toFixed(1))} kW` : `${Number(v.toPrecision(3))} W`)
const kwh = (v: number) => `${Number(v.toPrecision(3))} kWh`

const UNIT: ValueAxis = { domain: [0, 1], format: pct, width: 44 }
const COUNT: ValueAxis = { format: count, width: 44, integer: true }
const WATTS: ValueAxis = { format: watts, width: 56 }
const KWH: ValueAxis = { format: kwh, width: 64 }
/** SLA shares start at 0; a run without violations shows 0–100 % */
const SLA: ValueAxis = { domain: [0, (max) => (max > 0 ? max : 1)], format: pct, width: 44 }

const CPU = [SERIES.cpu]
const HOSTS = [SERIES.active, SERIES.overloaded]
const POWER = [SERIES.power, SERIES.energy]
const SLA_SERIES = [SERIES.slaShare, SERIES.slatah]
const MIGRATIONS = [SERIES.migrations]

const valueText = (v: number, s: ChartSeries<Frame>): string =>
  s === SERIES.power
    ? `${v.toFixed(0)} W`
    : s === SERIES.energy
      ? `${v.toFixed(2)} kWh`
      : s === SERIES.cpu || s === SERIES.slatah || s === SERIES.slaShare
        ? pctFine(v)
        : formatNumber(v)

/** The time axis; the same object for the same duration, so the charts see unchanged props. */
const axisCache = new Map<number, TimeAxis>()
function timeAxis(duration: number): TimeAxis {
  let axis = axisCache.get(duration)
  if (!axis) axisCache.set(duration, (axis = { domain: [0, duration], ticks: timeTicks(duration), format: timeTick }))
  return axis
}

interface ChartProps {
  data: readonly Frame[]
  duration: number
  width: number
  height: number
  /** out of view while the run plays: keep what is drawn */
  hold: boolean
  /** a time marked on every chart (the event a debrief link points at) */
  markers?: Marker[]
}

function chart(series: ChartSeries<Frame>[], left: ValueAxis, right?: ValueAxis) {
  return memo(function RunChart({ data: latest, duration, width, height, hold, markers }: ChartProps) {
    // the five charts take turns, one per animation frame, rather than all redrawing in one task
    const data = useStaggered(latest, 0, hold)
    return (
      <LabChart
        data={data}
        time={time}
        width={width}
        height={height}
        x={timeAxis(duration)}
        left={left}
        right={right}
        series={series}
        markers={markers}
        timeLabel={timeLabel}
        valueLabel={valueText}
      />
    )
  })
}

const CpuChart = chart(CPU, UNIT)
const HostsChart = chart(HOSTS, COUNT)
const PowerChart = chart(POWER, WATTS, KWH)
const SlaChart = chart(SLA_SERIES, SLA)
const MigrationsChart = chart(MIGRATIONS, COUNT)

/** The policy's balance metric (lab mode): small numbers (a standard deviation of loads, a ratio, a count). */
const BALANCE: ValueAxis = {
  format: (v) => (Number.isInteger(v) ? String(v) : Number(v.toPrecision(2)).toString()),
  width: 52,
}
const balanceValue = (f: Frame) => f.balance ?? 0
const balanceCache = new Map<string, ChartSeries<Frame>[]>()
/** The balance series, named after the active policy's metric (the same array for the same name). */
function balanceSeries(name: string): ChartSeries<Frame>[] {
  let s = balanceCache.get(name)
  if (!s) balanceCache.set(name, (s = [series('balance', name, '#0f766e', balanceValue)]))
  return s
}

const BalanceChart = memo(function BalanceChart({
  data: latest,
  duration,
  width,
  height,
  hold,
  markers,
  series: lines,
}: ChartProps & { series: ChartSeries<Frame>[] }) {
  const data = useStaggered(latest, 0, hold)
  return (
    <LabChart
      data={data}
      time={time}
      width={width}
      height={height}
      x={timeAxis(duration)}
      left={BALANCE}
      series={lines}
      markers={markers}
      timeLabel={timeLabel}
      valueLabel={(v) => metricValue(v)}
    />
  )
})

/** The colour of the time a debrief link marks (the page's accent). */
const FOCUS_COLOR = '#2563eb'

export function RunCharts() {
  const data = useRun((s) => s.chartFrames)
  const duration = useRun((s) => s.info?.durationSeconds ?? 86400)
  const labMode = useRun((s) => s.info?.labActions ?? false)
  const metric = useRun((s) => s.recommendations?.balanceMetric)
  const balance = balanceSeries(metric ? `${metric.name} (${metric.better} is better)` : 'balance')
  const focusTime = useRun((s) => (s.focusEvent !== undefined ? s.events[s.focusEvent]?.time : undefined))
  const markers = useMemo<Marker[] | undefined>(
    () => (focusTime !== undefined ? [{ x: focusTime, color: FOCUS_COLOR }] : undefined),
    [focusTime],
  )
  return (
    <div className="charts" data-testid="charts" data-points={data.length} data-marked-time={focusTime ?? ''}>
      <ChartCard title="Cluster CPU utilization" legend={CPU} testId="chart-cpu">
        {(s) => <CpuChart data={data} duration={duration} markers={markers} {...s} />}
      </ChartCard>
      <ChartCard title="Active hosts" legend={HOSTS} testId="chart-hosts">
        {(s) => <HostsChart data={data} duration={duration} markers={markers} {...s} />}
      </ChartCard>
      <ChartCard title="Power and energy" legend={POWER} testId="chart-power">
        {(s) => <PowerChart data={data} duration={duration} markers={markers} {...s} />}
      </ChartCard>
      <ChartCard title="SLA violations" legend={[SERIES.slatah, SERIES.slaShare]} testId="chart-sla">
        {(s) => <SlaChart data={data} duration={duration} markers={markers} {...s} />}
      </ChartCard>
      {labMode && (
        <ChartCard title="Cluster balance" legend={balance} testId="chart-balance" className="wide">
          {(s) => <BalanceChart data={data} duration={duration} markers={markers} series={balance} {...s} />}
        </ChartCard>
      )}
      <ChartCard title="Migrations per interval" legend={MIGRATIONS} testId="chart-migrations" className="wide">
        {(s) => <MigrationsChart data={data} duration={duration} markers={markers} {...s} />}
      </ChartCard>
    </div>
  )
}
