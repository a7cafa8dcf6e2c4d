// The run's report (RunReport, the same keys as `conlab run --json`), as of the simulated time it covers,
// with JSON and CSV export; in lab mode its HA section (host failures, restarts, lost work, recovery) and,
// where hosts manage memory, the memory section's timeline as a chart.
import type { LabInfo, RunReport } from '../../engine/api/lab-api'
import { useRun, useStore } from '../state/use-run'
import { MemoryChart } from '../charts/MemoryChart'
import { downloadBlob } from '../export/download'
import { reportFileName, reportToCsv, reportToJson } from '../export/report-file'
import { formatClock, formatDuration, formatNumber, formatPercent } from '../../engine/api/units'
import type { ReportFormat } from '../../engine/api/desktop-contract'
import { seriesFileName, seriesToCsv } from '../../engine/api/report-format'

const WIDE = new Set(['mode', 'migration outcomes', 'HA restarts', 'HA lost work', 'HA downtime per VM'])

const SHARD_PLACE: Record<LabInfo['shards']['where'], string> = {
  'in-thread': "in the lab's thread",
  'worker-threads': 'in worker threads',
  'web-workers': 'in Web Workers',
}

function download(report: RunReport, format: ReportFormat): void {
  const text = format === 'json' ? reportToJson(report) : reportToCsv(report)
  downloadBlob(
    new Blob([text], { type: format === 'json' ? 'application/json' : 'text/csv' }),
    reportFileName(report, format),
  )
}

/** The lab model's migration statistics (migrationStats), when the run has them. */
function migrationRows(report: RunReport): [string, string][] {
  const m = report.migrationStats
  if (!m) return []
  const rows: [string, string][] = [
    [
      'migration outcomes',
      `${formatNumber(m.completed)} moved, ${formatNumber(m.calledOff)} called off, ${formatNumber(m.lost)} lost`,
    ],
    ['migration time', `median ${formatDuration(m.medianSeconds)}, max ${formatDuration(m.maxSeconds)}`],
  ]
  if (m.medianDowntimeMs !== undefined)
    rows.push([
      'migration downtime',
      `median ${m.medianDowntimeMs.toFixed(0)} ms, max ${(m.maxDowntimeMs ?? 0).toFixed(0)} ms`,
    ])
  if (m.transferredGiB !== undefined) rows.push(['migration traffic', `${m.transferredGiB.toFixed(2)} GiB`])
  return rows
}

/** The lab model's memory section (hosts managing memory) and OOM kills, when the run has them. */
function memoryRows(report: RunReport): [string, string][] {
  const rows: [string, string][] = []
  const m = report.memory
  if (m) {
    const gib = (x: number) => `${x.toFixed(2)} GiB`
    rows.push(
      ['memory resident (end)', `${gib(m.final.residentGiB)} of ${gib(m.final.configuredGiB)} configured`],
      ['saved (end)', `KSM ${gib(m.final.ksmSavedGiB)}, balloons ${gib(m.final.balloonGiB)}`],
      ['host swap (peak)', gib(m.peak.hostSwappedGiB)],
      ['CPU lost to swap', `${m.lostCpuSeconds.toFixed(1)} s`],
    )
  }
  if (report.vmsKilled !== undefined) rows.push(['VMs killed (OOM)', formatNumber(report.vmsKilled)])
  return rows
}

/** The lab model's HA section: host failures, VMs restarted, work lost, downtime and time to recover. */
function haRows(report: RunReport): [string, string][] {
  const ha = report.ha
  if (!ha) return []
  const s = (x: number) => `${x.toFixed(1)} s`
  return [
    ['host failures', `${formatNumber(ha.hostFailures)} (${formatNumber(ha.hostRepairs)} repaired)`],
    [
      'HA restarts',
      `${formatNumber(ha.restarted)} of ${formatNumber(ha.vmsAffected)} VMs: ${formatNumber(ha.resumedFromCheckpoint)} from their checkpoint, ${formatNumber(ha.coldBooted)} cold-booted, ${formatNumber(ha.notRestarted)} not restarted`,
    ],
    [
      'HA lost work',
      `${s(ha.lostWorkSeconds.total)} (protected ${s(ha.lostWorkSeconds.protected)}, unprotected ${s(ha.lostWorkSeconds.unprotected)})`,
    ],
    [
      'HA downtime per VM',
      `median ${s(ha.downtimeSeconds.median)}, max ${s(ha.downtimeSeconds.max)}, total ${s(ha.downtimeSeconds.total)}`,
    ],
    ['time to recover', `median ${s(ha.timeToRecoverSeconds.median)}, max ${s(ha.timeToRecoverSeconds.max)}`],
    ['protection overhead', `${s(ha.protectionOverheadCpuSeconds)} CPU`],
  ]
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
        ['migration model', report.migrationModel ?? '–', info?.migrationNote],
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
        ['active hosts', `${formatNumber(report.activeHosts)} / ${formatNumber(report.hosts)}`],
        ...(report.shards !== undefined
          ? [['host shards', `${report.shards}${info ? ` ${SHARD_PLACE[info.shards.where]}` : ''}`] as [string, string]]
          : []),
        ...(report.resumedFrom
          ? [
              [
                'continued from',
                `“${report.resumedFrom.checkpoint}” at ${formatClock(report.resumedFrom.time)} (${report.resumedFrom.policy})`,
              ] as [string, string],
            ]
          : []),
        ...migrationRows(report),
        ...memoryRows(report),
        ...haRows(report),
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
        <button
          type="button"
          className="small"
          data-testid="save-series"
          title="one row per simulated step (the columns of conlab run --series)"
          onClick={() => {
            const { frames } = store.getState()
            if (report && info)
              downloadBlob(new Blob([seriesToCsv(frames, info.mode)], { type: 'text/csv' }), seriesFileName(report))
          }}
          disabled={!info || !report}
        >
          Save series
        </button>
      </header>
      <dl className="report-grid">
        {rows.map(([k, v, title]) => (
          <div key={k} className={`field${WIDE.has(k) ? ' wide' : ''}`} title={title}>
            <dt>{k}</dt>
            <dd data-testid={`report-${k.replace(/[^a-z]+/gi, '-')}`}>{v}</dd>
          </div>
        ))}
      </dl>
      {report?.memory && info && <MemoryChart memory={report.memory} ramMB={info.ramMB} />}
    </section>
  )
}
