// The report's memory section over time (lab mode, hosts managing memory): the cluster's resident memory
// against its RAM and the configured RAM of its VMs, what KSM and the balloons save, and what the hosts
// swap. Every point is one of the engine's MemoryReport.timeline points.
import { useMemo } from 'react'
import { CartesianGrid, Line, LineChart, ReferenceLine, Tooltip, XAxis, YAxis } from 'recharts'
import type { RunReport } from '../../engine/api/lab-api'
import { useRun } from '../state/use-run'
import { ChartCard } from './ChartCard'
import { timeLabel, timeTick, timeTicks } from './axes'

type MemoryReport = NonNullable<RunReport['memory']>

export const MEMORY_SERIES = {
  resident: { key: 'residentGiB', label: 'resident (GiB)', color: '#2563eb' },
  configured: { key: 'configuredGiB', label: 'configured in VMs', color: '#9ca3af' },
  ksm: { key: 'ksmSavedGiB', label: 'saved by KSM', color: '#059669' },
  balloon: { key: 'balloonGiB', label: 'taken by balloons', color: '#d97706' },
  swap: { key: 'hostSwappedGiB', label: 'host swap', color: '#dc2626' },
  ram: { label: 'RAM of the hosts', color: '#111827' },
} as const

const MARGIN = { top: 6, right: 12, bottom: 0, left: 0 }
const AXIS = { fontSize: 11 }
const gib = (v: unknown) => (typeof v === 'number' ? `${v.toFixed(2)} GiB` : String(v))
const tick = (v: unknown) => (typeof v === 'number' ? v.toFixed(0) : String(v))

export function MemoryChart({ memory, ramMB }: { memory: MemoryReport; ramMB: number }) {
  const duration = useRun((s) => s.info?.durationSeconds ?? 86400)
  const ramGiB = ramMB / 1024
  const lines = [MEMORY_SERIES.resident, MEMORY_SERIES.configured, MEMORY_SERIES.ksm, MEMORY_SERIES.balloon]
  return (
    <ChartCard
      title="Memory over time"
      legend={[...lines, MEMORY_SERIES.swap, MEMORY_SERIES.ram]}
      className="memory-chart"
      testId="chart-memory"
    >
      {(size) => <MemoryLines memory={memory} ramGiB={ramGiB} duration={duration} {...size} />}
    </ChartCard>
  )
}

function MemoryLines(props: { memory: MemoryReport; ramGiB: number; duration: number; width: number; height: number }) {
  const { memory, ramGiB, duration, width, height } = props
  return useMemo(
    () => (
      <LineChart width={width} height={height} data={memory.timeline} margin={MARGIN}>
        <CartesianGrid stroke="#eceef1" vertical={false} />
        <XAxis
          dataKey="time"
          type="number"
          domain={[0, duration]}
          ticks={timeTicks(duration)}
          tickFormatter={timeTick}
          tick={AXIS}
          interval={0}
          allowDataOverflow
        />
        <YAxis tick={AXIS} width={44} tickFormatter={tick} domain={[0, (max: number) => Math.max(max, ramGiB)]} />
        <Tooltip isAnimationActive={false} labelFormatter={timeLabel} formatter={gib} />
        <ReferenceLine y={ramGiB} stroke={MEMORY_SERIES.ram.color} strokeDasharray="4 3" />
        {[
          MEMORY_SERIES.resident,
          MEMORY_SERIES.configured,
          MEMORY_SERIES.ksm,
          MEMORY_SERIES.balloon,
          MEMORY_SERIES.swap,
        ].map((s) => (
          <Line
            key={s.key}
            dataKey={s.key}
            name={s.label}
            stroke={s.color}
            dot={false}
            strokeWidth={s === MEMORY_SERIES.resident ? 1.75 : 1.25}
            isAnimationActive={false}
          />
        ))}
      </LineChart>
    ),
    [memory, ramGiB, duration, width, height],
  )
}
