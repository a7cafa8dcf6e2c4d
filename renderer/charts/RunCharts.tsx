// The run's charts, live while it plays: every plotted value is a field of an engine Frame.
import { memo, useMemo } from 'react'
import { Area, AreaChart, CartesianGrid, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts'
import type { Frame } from '../../engine/api/lab-api'
import { useRun } from '../state/use-run'
import { ChartCard } from './ChartCard'
import { pickPoints } from './points'
import { useStaggered } from './stagger'
import { timeLabel, timeTick, timeTicks } from './axes'

export const SERIES = {
  cpu: { label: 'cluster CPU utilization', color: '#2563eb' },
  active: { label: 'active hosts', color: '#059669' },
  overloaded: { label: 'overloaded hosts', color: '#dc2626' },
  power: { label: 'power (W)', color: '#d97706' },
  energy: { label: 'energy (kWh)', color: '#7c3aed' },
  slatah: { label: 'SLATAH so far', color: '#b91c1c' },
  slaShare: { label: 'SLA-violation share of the interval', color: '#0891b2' },
  migrations: { label: 'migrations started', color: '#6366f1' },
} as const

const MARGIN = { top: 6, right: 12, bottom: 0, left: 0 }
const AXIS = { fontSize: 11 }
const UNIT = [0, 1]
const pct = (v: unknown) => (typeof v === 'number' ? `${(v * 100).toFixed(0)}%` : String(v))
const pctFine = (v: unknown) => (typeof v === 'number' ? `${(v * 100).toFixed(2)} %` : String(v))
const num = (digits: number) => (v: unknown) => (typeof v === 'number' ? v.toFixed(digits) : String(v))
/** The power axis with its unit: "800 W", "45 kW". */
const wattsTick = (v: unknown) =>
  typeof v !== 'number' ? String(v) : v >= 10_000 ? `${Number((v / 1000).toFixed(1))} kW` : `${v.toFixed(0)} W`
/** The energy axis with its unit; short runs use a few hundredths of a kWh. */
const kwhTick = (kwh: number) => {
  const digits = kwh < 1 ? 3 : kwh < 10 ? 2 : 0
  return (v: unknown) => (typeof v === 'number' ? `${v.toFixed(digits)} kWh` : String(v))
}
/** SLA shares start at 0; a run without violations shows 0–100 % instead of recharts' 0–4. */
const SLA_DOMAIN = [0, (max: number) => (max > 0 ? max : 1)] as [number, (max: number) => number]

interface ChartProps {
  data: Frame[]
  duration: number
  width: number
  height: number
}

/** The time axis; the same object for the same duration, so recharts sees unchanged props. */
const axisCache = new Map<number, ReturnType<typeof makeAxisProps>>()
function makeAxisProps(duration: number) {
  return {
    dataKey: 'time',
    type: 'number' as const,
    domain: [0, duration],
    ticks: timeTicks(duration),
    tickFormatter: timeTick,
    tick: AXIS,
    interval: 0,
    allowDataOverflow: true,
  }
}
function axisProps(duration: number) {
  let props = axisCache.get(duration)
  if (!props) axisCache.set(duration, (props = makeAxisProps(duration)))
  return props
}

const CpuChart = memo(function CpuChart({ data: latest, duration, width, height }: ChartProps) {
  const data = useStaggered(latest)
  // the same element while the shown data is unchanged: React skips the whole chart
  return useMemo(
    () => (
      <LineChart width={width} height={height} data={data} margin={MARGIN}>
        <CartesianGrid stroke="#eceef1" vertical={false} />
        <XAxis {...axisProps(duration)} />
        <YAxis domain={UNIT} tickFormatter={pct} tick={AXIS} interval={0} width={40} />
        <Tooltip isAnimationActive={false} labelFormatter={timeLabel} formatter={pctFine} />
        <Line
          dataKey="cpuUtilization"
          name={SERIES.cpu.label}
          stroke={SERIES.cpu.color}
          dot={false}
          strokeWidth={1.5}
          isAnimationActive={false}
        />
      </LineChart>
    ),
    [data, duration, width, height],
  )
})

const HostsChart = memo(function HostsChart({ data: latest, duration, width, height }: ChartProps) {
  const data = useStaggered(latest)
  // the same element while the shown data is unchanged: React skips the whole chart
  return useMemo(
    () => (
      <LineChart width={width} height={height} data={data} margin={MARGIN}>
        <CartesianGrid stroke="#eceef1" vertical={false} />
        <XAxis {...axisProps(duration)} />
        <YAxis allowDecimals={false} tick={AXIS} interval={0} width={40} />
        <Tooltip isAnimationActive={false} labelFormatter={timeLabel} />
        <Line
          dataKey="activeHosts"
          name={SERIES.active.label}
          stroke={SERIES.active.color}
          dot={false}
          strokeWidth={1.5}
          type="stepAfter"
          isAnimationActive={false}
        />
        <Line
          dataKey="overloadedHosts"
          name={SERIES.overloaded.label}
          stroke={SERIES.overloaded.color}
          dot={false}
          strokeWidth={1}
          type="stepAfter"
          isAnimationActive={false}
        />
      </LineChart>
    ),
    [data, duration, width, height],
  )
})

const PowerChart = memo(function PowerChart({ data: latest, duration, width, height }: ChartProps) {
  const data = useStaggered(latest)
  // the same element while the shown data is unchanged: React skips the whole chart
  return useMemo(
    () => (
      <LineChart width={width} height={height} data={data} margin={{ ...MARGIN, right: 0 }}>
        <CartesianGrid stroke="#eceef1" vertical={false} />
        <XAxis {...axisProps(duration)} />
        <YAxis yAxisId="w" interval={0} tick={AXIS} width={52} tickFormatter={wattsTick} />
        <YAxis
          yAxisId="kwh"
          orientation="right"
          interval={0}
          tick={AXIS}
          width={64}
          tickFormatter={kwhTick(data.at(-1)?.energyKWh ?? 0)}
        />
        <Tooltip isAnimationActive={false} labelFormatter={timeLabel} formatter={num(2)} />
        <Line
          yAxisId="w"
          dataKey="powerW"
          name={SERIES.power.label}
          stroke={SERIES.power.color}
          dot={false}
          strokeWidth={1.5}
          isAnimationActive={false}
        />
        <Line
          yAxisId="kwh"
          dataKey="energyKWh"
          name={SERIES.energy.label}
          stroke={SERIES.energy.color}
          dot={false}
          strokeWidth={1.5}
          isAnimationActive={false}
        />
      </LineChart>
    ),
    [data, duration, width, height],
  )
})

const SlaChart = memo(function SlaChart({ data: latest, duration, width, height }: ChartProps) {
  const data = useStaggered(latest)
  // the same element while the shown data is unchanged: React skips the whole chart
  return useMemo(
    () => (
      <LineChart width={width} height={height} data={data} margin={MARGIN}>
        <CartesianGrid stroke="#eceef1" vertical={false} />
        <XAxis {...axisProps(duration)} />
        <YAxis domain={SLA_DOMAIN} tickFormatter={pct} tick={AXIS} interval={0} width={40} />
        <Tooltip isAnimationActive={false} labelFormatter={timeLabel} formatter={pctFine} />
        <Line
          dataKey="slaViolationShare"
          name={SERIES.slaShare.label}
          stroke={SERIES.slaShare.color}
          dot={false}
          strokeWidth={1}
          isAnimationActive={false}
        />
        <Line
          dataKey="slatah"
          name={SERIES.slatah.label}
          stroke={SERIES.slatah.color}
          dot={false}
          strokeWidth={1.75}
          isAnimationActive={false}
        />
      </LineChart>
    ),
    [data, duration, width, height],
  )
})

// One stepped area rather than a bar per interval: a single SVG path re-renders far faster than 288 bars.
const MigrationsChart = memo(function MigrationsChart({ data: latest, duration, width, height }: ChartProps) {
  const data = useStaggered(latest)
  // the same element while the shown data is unchanged: React skips the whole chart
  return useMemo(
    () => (
      <AreaChart width={width} height={height} data={data} margin={MARGIN}>
        <CartesianGrid stroke="#eceef1" vertical={false} />
        <XAxis {...axisProps(duration)} />
        <YAxis allowDecimals={false} tick={AXIS} interval={0} width={40} />
        <Tooltip isAnimationActive={false} labelFormatter={timeLabel} />
        <Area
          dataKey="migrationsStarted"
          name={SERIES.migrations.label}
          stroke={SERIES.migrations.color}
          fill={SERIES.migrations.color}
          fillOpacity={0.35}
          type="stepAfter"
          isAnimationActive={false}
        />
      </AreaChart>
    ),
    [data, duration, width, height],
  )
})

export function RunCharts() {
  const frames = useRun((s) => s.chartFrames)
  const info = useRun((s) => s.info)
  const data = useMemo(() => pickPoints(frames), [frames])
  const duration = info?.durationSeconds ?? 86400
  return (
    <div className="charts" data-testid="charts" data-points={data.length}>
      <ChartCard title="Cluster CPU utilization" legend={[SERIES.cpu]} testId="chart-cpu">
        {(s) => <CpuChart data={data} duration={duration} {...s} />}
      </ChartCard>
      <ChartCard title="Active hosts" legend={[SERIES.active, SERIES.overloaded]} testId="chart-hosts">
        {(s) => <HostsChart data={data} duration={duration} {...s} />}
      </ChartCard>
      <ChartCard title="Power and energy" legend={[SERIES.power, SERIES.energy]} testId="chart-power">
        {(s) => <PowerChart data={data} duration={duration} {...s} />}
      </ChartCard>
      <ChartCard title="SLA violations" legend={[SERIES.slatah, SERIES.slaShare]} testId="chart-sla">
        {(s) => <SlaChart data={data} duration={duration} {...s} />}
      </ChartCard>
      <ChartCard
        title="Migrations per interval"
        legend={[SERIES.migrations]}
        testId="chart-migrations"
        className="wide"
      >
        {(s) => <MigrationsChart data={data} duration={duration} {...s} />}
      </ChartCard>
    </div>
  )
}
