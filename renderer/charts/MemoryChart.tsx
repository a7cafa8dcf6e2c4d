// The report's memory section over time (lab mode, hosts managing memory): the cluster's resident memory
// against its RAM and the configured RAM of its VMs, what KSM and the balloons save, and what the hosts
// swap. Every point is one of the engine's MemoryReport.timeline points.
import { useMemo } from 'react'
import type { RunReport } from '../../engine/api/lab-api'
import { formatGiB } from '../../engine/api/units'
import { useRun } from '../state/use-run'
import { ChartCard } from './ChartCard'
import { LabChart, type ChartSeries, type ValueAxis } from './LabChart'
import { timeLabel, timeTick, timeTicks } from './axes'

type MemoryReport = NonNullable<RunReport['memory']>
type MemoryPoint = MemoryReport['timeline'][number]

const line = (id: string, label: string, color: string, value: (p: MemoryPoint) => number, strokeWidth = 1.25) =>
  ({ id, label, color, value, strokeWidth }) satisfies ChartSeries<MemoryPoint>

export const MEMORY_SERIES = {
  resident: line('resident', 'resident', '#2563eb', (p) => p.residentGiB, 1.75),
  configured: line('configured', 'configured in VMs', '#9ca3af', (p) => p.configuredGiB),
  ksm: line('ksm', 'saved by KSM', '#059669', (p) => p.ksmSavedGiB),
  balloon: line('balloon', 'taken by balloons', '#d97706', (p) => p.balloonGiB),
  swap: line('swap', 'host swap', '#dc2626', (p) => p.hostSwappedGiB),
  ram: { label: 'RAM of the hosts', color: '#111827' },
} as const

const LINES: ChartSeries<MemoryPoint>[] = [
  MEMORY_SERIES.resident,
  MEMORY_SERIES.configured,
  MEMORY_SERIES.ksm,
  MEMORY_SERIES.balloon,
  MEMORY_SERIES.swap,
]
const time = (p: MemoryPoint) => p.time
const gib = (v: number) => formatGiB(v)

export function MemoryChart({ memory, ramMB }: { memory: MemoryReport; ramMB: number }) {
  const duration = useRun((s) => s.info?.durationSeconds ?? 86400)
  const ramGiB = ramMB / 1024
  return (
    <ChartCard
      title="Memory over time (GiB)"
      legend={[...LINES, MEMORY_SERIES.ram]}
      className="memory-chart"
      testId="chart-memory"
    >
      {(size) => (
        <MemoryLines memory={memory} ramGiB={ramGiB} duration={duration} width={size.width} height={size.height} />
      )}
    </ChartCard>
  )
}

function MemoryLines(props: { memory: MemoryReport; ramGiB: number; duration: number; width: number; height: number }) {
  // the report changes only when the run pauses or steps: nothing to hold back while it plays
  const { memory, ramGiB, duration, width, height } = props
  const x = useMemo(
    () => ({ domain: [0, duration] as [number, number], ticks: timeTicks(duration), format: timeTick }),
    [duration],
  )
  const left = useMemo<ValueAxis>(
    () => ({
      domain: [0, (max) => Math.max(max, ramGiB)],
      format: (v) => `${Number(v.toPrecision(3))} GiB`,
      width: 60,
    }),
    [ramGiB],
  )
  const markers = useMemo(() => [{ y: ramGiB, color: MEMORY_SERIES.ram.color }], [ramGiB])
  return (
    <LabChart
      data={memory.timeline}
      time={time}
      width={width}
      height={height}
      x={x}
      left={left}
      series={LINES}
      markers={markers}
      timeLabel={timeLabel}
      valueLabel={gib}
    />
  )
}
