// The run report as file text, for every front end: JSON (the report as the lab sent it, the keys of
// `conlab run --json`) and the engine's CSV (the columns of `conlab run --out FILE.csv`). The desktop
// app's save dialog and the browser's download both write these, so the files are the same.
import { reportsToCsv, type RunReport } from '../report'

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
export function reportFileName(report: RunReport, format: ReportFileFormat): string {
  const slug = report.scenario
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
  return `${slug || 'run'}-${report.policy}-${Math.round(report.simulatedSeconds / 3600)}h.${format}`
}
