// The run report as file text, for every front end: JSON (the report as the lab sent it, the keys of
// `conlab run --json`) and the engine's CSV (the columns of `conlab run --out FILE.csv`). The desktop
// app's save dialog and the browser's download both write these, so the files are the same.
import { reportsToCsv, type RunReport } from '../report'
import type { Frame, LabMode } from '../vocabulary'

export { reportsToCsv }

export type ReportFileFormat = 'json' | 'csv'

export function reportToJson(report: RunReport): string {
  return `${JSON.stringify(report, null, 2)}\n`
}

export function reportToCsv(report: RunReport): string {
  return reportsToCsv([report])
}

export function serializeReport(report: RunReport, format: ReportFileFormat): string {
  return format === 'json' ? reportToJson(report) : reportToCsv(report)
}

/** A file name for the report: scenario, policy and simulated hours. */
export function reportFileName(
  report: Pick<RunReport, 'scenario' | 'policy' | 'simulatedSeconds'>,
  format: ReportFileFormat,
): string {
  const slug = report.scenario
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
  return `${slug || 'run'}-${report.policy}-${Math.round(report.simulatedSeconds / 3600)}h.${format}`
}

/**
 * A file name for a run's order log: `<scenario>-<policy>-orders.yaml` (its events, for `conlab run --orders`)
 * or `<scenario>-<policy>-replay.yaml` (the whole scenario with the orders in it).
 */
export function ordersFileName(run: { scenario: string; policy: string }, what: 'events' | 'scenario'): string {
  const slug = run.scenario
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
  return `${slug || 'run'}-${run.policy}-${what === 'events' ? 'orders' : 'replay'}.yaml`
}

/**
 * The run's time series, one row per simulated step (`conlab run --series`, the app's "Save series"):
 * time (s, the step's end), Σ demand and grant of the VMs (MIPS), active hosts, power (W), energy so far
 * (kWh), migrations started in the step and in flight at its end, and the share of the step's demand not
 * granted; in lab mode then the hosts' memory (bytes): resident, saved by KSM, in balloons, swapped out.
 * Columns may be appended, never renamed.
 */
export const SERIES_COLUMNS = [
  'time',
  'demandMips',
  'grantedMips',
  'activeHosts',
  'powerW',
  'energyKWh',
  'migrationsStarted',
  'migrationsInFlight',
  'slaShortfall',
] as const
export const SERIES_MEMORY_COLUMNS = ['memoryUsedBytes', 'ksmSavedBytes', 'balloonBytes', 'swappedBytes'] as const

export function seriesHeader(mode: LabMode): string {
  return [...SERIES_COLUMNS, ...(mode === 'lab' ? SERIES_MEMORY_COLUMNS : [])].join(',')
}

/** What a row reads of a frame (either mode's). */
export type SeriesFrame = Pick<
  Frame,
  | 'time'
  | 'demandMips'
  | 'grantedMips'
  | 'activeHosts'
  | 'powerW'
  | 'energyKWh'
  | 'migrationsStarted'
  | 'migrationsInFlight'
  | 'memoryUsedBytes'
  | 'ksmSavedBytes'
  | 'balloonBytes'
  | 'swappedBytes'
>

/** One step's row (a frame of an older file, without the new fields, leaves their cells empty). */
export function seriesRow(f: SeriesFrame, mode: LabMode): string {
  const cell = (x: number | undefined) => (x === undefined ? '' : String(x))
  const demand = f.demandMips
  const shortfall =
    demand === undefined || f.grantedMips === undefined
      ? undefined
      : demand > 0
        ? Math.max(0, demand - f.grantedMips) / demand
        : 0
  const cells = [
    f.time,
    demand,
    f.grantedMips,
    f.activeHosts,
    f.powerW,
    f.energyKWh,
    f.migrationsStarted,
    f.migrationsInFlight,
    shortfall,
  ].map(cell)
  if (mode === 'lab') cells.push(...[f.memoryUsedBytes, f.ksmSavedBytes, f.balloonBytes, f.swappedBytes].map(cell))
  return cells.join(',')
}

export function seriesToCsv(frames: readonly SeriesFrame[], mode: LabMode): string {
  return [seriesHeader(mode), ...frames.map((f) => seriesRow(f, mode))].join('\n') + '\n'
}

/** A file name for the series: the report's, with "-series". */
export function seriesFileName(report: Pick<RunReport, 'scenario' | 'policy' | 'simulatedSeconds'>): string {
  return reportFileName(report, 'csv').replace(/\.csv$/, '-series.csv')
}
