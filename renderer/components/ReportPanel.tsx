// The run's report (RunReport, the same keys as `conlab run --json`), as of the simulated time it covers,
// with JSON and CSV export.
import type { RunReport } from '../../engine/api/lab-api'
import { useRun, useStore } from '../state/use-run'
import { downloadBlob } from '../export/download'
import { reportFileName, reportToCsv, reportToJson } from '../export/report-file'
import { formatClock, formatNumber, formatPercent } from '../format'
import type { ReportFormat } from '../lab/bridge-contract'

function download(report: RunReport, format: ReportFormat): void {
  const text = format === 'json' ? reportToJson(report) : reportToCsv(report)
  downloadBlob(
    new Blob([text], { type: format === 'json' ? 'application/json' : 'text/csv' }),
    reportFileName(report, format),
  )
}

export function ReportPanel() {
  const store = useStore()
  const report = useRun((s) => s.report)
  const info = useRun((s) => s.info)
  const done = useRun((s) => s.done)
  const playing = useRun((s) => s.playing)
  const rows: [string, string, string?][] = report
    ? [
        ['scenario', report.scenario],
        [
          'mode',
          report.mode === 'cloudsim' ? 'cloudsim — CloudSim 3.0.3 model, quirks included' : 'lab — the lab model',
          info?.modeNote,
        ],
        ['policy', report.policy],
        ['seed', String(report.seed)],
        ['hosts / VMs', `${report.hosts} / ${report.vms}`],
        ['simulated', formatClock(report.simulatedSeconds)],
        ['energy', `${report.energyKWh.toFixed(2)} kWh`],
        ['migrations', formatNumber(report.migrations)],
        ['SLATAH', formatPercent(report.slatah, 2)],
        ['PDM', formatPercent(report.pdm, 3)],
        ['SLAV', report.slav.toExponential(3)],
        ['ESV', report.esv.toExponential(3)],
        ['overall SLA violation', formatPercent(report.overallSla, 3)],
        ['average SLA violation', formatPercent(report.averageSla, 2)],
        ['host shutdowns', formatNumber(report.hostShutdowns)],
        ...(report.vmsRemovedForZeroDemand !== undefined
          ? [['VMs removed (zero demand)', formatNumber(report.vmsRemovedForZeroDemand)] as [string, string]]
          : []),
        ['workload', `${report.workload.traces} traces, ${report.workload.traceOrder}`],
        ['binding digest', report.workload.bindingDigest],
        ['state hash', report.stateHash],
        ['lab wall time', `${report.wallMs.toFixed(0)} ms`],
      ]
    : []
  return (
    <section className="panel report-panel" aria-labelledby="report-title" data-testid="report">
      <header className="panel-head">
        <h2 id="report-title">Report</h2>
        <span className="muted">
          {report ? (done ? 'final' : `so far (${formatClock(report.simulatedSeconds)})`) : ''}
          {playing ? ' · updates when paused' : ''}
        </span>
        <div className="spacer" />
        <button type="button" className="small" onClick={() => void store.refreshReport()} disabled={!info}>
          Refresh
        </button>
        <button
          type="button"
          className="small"
          data-testid="save-json"
          onClick={() => void store.saveReport('json', download)}
          disabled={!info}
        >
          Save JSON
        </button>
        <button
          type="button"
          className="small"
          data-testid="save-csv"
          onClick={() => void store.saveReport('csv', download)}
          disabled={!info}
        >
          Save CSV
        </button>
      </header>
      <dl className="report-grid">
        {rows.map(([k, v, title]) => (
          <div key={k} className={`field${k === 'mode' ? ' wide' : ''}`} title={title}>
            <dt>{k}</dt>
            <dd data-testid={`report-${k.replace(/[^a-z]+/gi, '-')}`}>{v}</dd>
          </div>
        ))}
      </dl>
    </section>
  )
}
