// The latest frame's figures in a strip under the top bar. Each carries the engine's raw value in
// data-value (the end-to-end tests compare it with a CLI run).
import type { Frame } from '../../engine/api/lab-api'
import { useRun } from '../state/use-run'
import { formatKWh, formatNumber, formatPercent, formatWatts } from '../../engine/api/units'

interface Kpi {
  id: string
  label: string
  value: (f: Frame) => number
  format: (x: number) => string
}

const KPIS: Kpi[] = [
  { id: 'energy', label: 'energy', value: (f) => f.energyKWh, format: formatKWh },
  { id: 'power', label: 'power', value: (f) => f.powerW, format: formatWatts },
  { id: 'active-hosts', label: 'active hosts', value: (f) => f.activeHosts, format: (x) => formatNumber(x) },
  { id: 'cpu', label: 'cluster CPU', value: (f) => f.cpuUtilization, format: (x) => formatPercent(x) },
  { id: 'migrations', label: 'migrations', value: (f) => f.migrations, format: (x) => formatNumber(x) },
  { id: 'slatah', label: 'SLATAH', value: (f) => f.slatah, format: (x) => formatPercent(x, 2) },
  { id: 'vms-running', label: 'VMs running', value: (f) => f.vmsRunning, format: (x) => formatNumber(x) },
  { id: 'overloaded', label: 'overloaded hosts', value: (f) => f.overloadedHosts, format: (x) => formatNumber(x) },
]

export function Kpis() {
  const frame = useRun((s) => s.frames.at(-1))
  const info = useRun((s) => s.info)
  return (
    <div className="kpis" data-testid="kpis">
      {KPIS.map((k) => (
        <div className="kpi" key={k.id}>
          <div className="kpi-label">{k.label}</div>
          <div className="kpi-value" data-testid={`kpi-${k.id}`} data-value={frame ? k.value(frame) : ''}>
            {frame ? k.format(k.value(frame)) : '–'}
            {k.id === 'active-hosts' && info ? <span className="muted"> / {info.hosts}</span> : null}
          </div>
        </div>
      ))}
    </div>
  )
}
