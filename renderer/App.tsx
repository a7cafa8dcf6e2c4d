// The lab's window: top bar, the guided lab (objectives, hints, debrief) when one is open, current figures, placement map with details, charts, events, checkpoints and
// branches, report. The Labs view (the guided labs and a lab's briefing) takes the place of the run.
import { useRun, useStore } from './state/use-run'
import { TopBar } from './components/TopBar'
import { Kpis } from './components/Kpis'
import { PlacementMap } from './components/PlacementMap'
import { DetailsPanel } from './components/DetailsPanel'
import { EventLog } from './components/EventLog'
import { ReportPanel } from './components/ReportPanel'
import { CheckpointsPanel } from './components/CheckpointsPanel'
import { RulesPanel } from './components/RulesPanel'
import { RecommendationsPanel } from './components/RecommendationsPanel'
import { RunCharts } from './charts/RunCharts'
import { LabsView } from './components/LabsView'
import { GuidedPanel } from './components/GuidedPanel'

function Banners() {
  const store = useStore()
  const error = useRun((s) => s.error)
  const notice = useRun((s) => s.notice)
  return (
    <>
      {error && (
        <div className="banner error" role="alert" data-testid="error">
          <pre>{error}</pre>
          <button type="button" className="small" onClick={() => store.dismissError()}>
            Dismiss
          </button>
        </div>
      )}
      {notice && (
        <div className="banner notice" role="status" data-testid="notice">
          <span>{notice}</span>
          <button type="button" className="small" onClick={() => store.dismissNotice()}>
            OK
          </button>
        </div>
      )}
    </>
  )
}

function intervalText(seconds: number): string {
  return seconds < 60 ? `${seconds}-second` : `${seconds / 60}-minute`
}

function Description() {
  const info = useRun((s) => s.info)
  const transport = useRun((s) => s.transport)
  const version = useRun((s) => s.version)
  if (!info) return null
  return (
    <p className="scenario-line">
      <strong>{info.scenario}</strong> · {info.hosts} hosts · {info.vms} VMs · {intervalText(info.intervalSeconds)}{' '}
      intervals · lab {version}{' '}
      {transport === 'web' ? 'running in this page (Web Worker)' : 'running in the desktop app'}
      {info.shards.where !== 'in-thread' && (
        <span data-testid="shards" data-count={info.shards.count} data-where={info.shards.where}>
          {' '}
          · hosts in {info.shards.count} shards on{' '}
          {info.shards.where === 'web-workers' ? 'their own Web Workers' : 'worker threads'}
        </span>
      )}
    </p>
  )
}

export function App() {
  const view = useRun((s) => s.view)
  if (view === 'labs')
    return (
      <div className="app">
        <TopBar />
        <Banners />
        <LabsView />
      </div>
    )
  return (
    <div className="app">
      <TopBar />
      <Banners />
      <GuidedPanel />
      <Kpis />
      <Description />
      <main className="layout">
        <div className="col-main">
          <PlacementMap />
          <RunCharts />
        </div>
        <div className="col-side">
          <DetailsPanel />
        </div>
      </main>
      <EventLog />
      <RecommendationsPanel />
      <RulesPanel />
      <CheckpointsPanel />
      <ReportPanel />
    </div>
  )
}
