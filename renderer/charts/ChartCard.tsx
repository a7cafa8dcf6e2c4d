// A chart's frame: title, legend, a PNG export of what is drawn (saying which run it shows: scenario, policy,
// seed, simulated time), and a body measured so the chart is always given an explicit, non-zero size.
import { useRef, useState, type ReactNode } from 'react'
import { useElementSize } from '../use-element-size'
import { chartToPng, type LegendEntry } from '../export/chart-png'
import { chartFileName, chartSource } from '../export/chart-source'
import { downloadBlob } from '../export/download'
import { useRun, useStore } from '../state/use-run'
import { useInView } from '../use-in-view'

export interface ChartCardProps {
  title: string
  legend: LegendEntry[]
  testId?: string
  className?: string
  /** the chart at the body's size; `hold`: out of view while the run plays (skip redraws until it is back) */
  children: (size: { width: number; height: number; hold: boolean }) => ReactNode
}

export function ChartCard({ title, legend, testId, className, children }: ChartCardProps) {
  const store = useStore()
  const bodyRef = useRef<HTMLDivElement>(null)
  const size = useElementSize(bodyRef)
  const inView = useInView(bodyRef)
  const playing = useRun((s) => s.playing)
  const hold = playing && !inView
  const [exportError, setExportError] = useState<string>()
  const exportPng = async () => {
    const svg = bodyRef.current?.querySelector<SVGSVGElement>('svg.recharts-surface')
    if (!svg) return
    try {
      const state = store.getState()
      downloadBlob(await chartToPng(svg, title, legend, chartSource(state)), chartFileName(state, title))
      setExportError(undefined)
    } catch (e) {
      setExportError(e instanceof Error ? e.message : String(e))
    }
  }
  return (
    <section className={`chart-card ${className ?? ''}`} data-testid={testId}>
      <header>
        <h3>{title}</h3>
        <ul className="chart-legend">
          {legend.map((l) => (
            <li key={l.label}>
              <i style={{ background: l.color }} />
              {l.label}
            </li>
          ))}
        </ul>
        <button
          type="button"
          className="small"
          onClick={() => void exportPng()}
          title={exportError ?? `Save “${title}” as PNG`}
        >
          PNG
        </button>
      </header>
      <div className="chart-body" ref={bodyRef}>
        {size.width > 0 && size.height > 0 ? children({ width: size.width, height: size.height, hold }) : null}
      </div>
    </section>
  )
}
