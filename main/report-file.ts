// Saving a run's report from the desktop app: the format follows the chosen extension, the text comes from
// the engine's own serializers (the same as `conlab run --out`), and the write is atomic.
import { extname } from 'node:path'
import { writeFileAtomic } from '../engine/platform/node/atomic-write'
import { reportsToCsv, type RunReport } from '../engine/report'
import type { ReportFormat } from './bridge-contract'

export function serializeReport(report: RunReport, format: ReportFormat): string {
  return format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : reportsToCsv([report])
}

/** A file name for the save dialog: scenario, policy and simulated hours. */
export function defaultReportFileName(report: RunReport, format: ReportFormat): string {
  const slug = report.scenario
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
  const hours = Math.round(report.simulatedSeconds / 3600)
  return `${slug || 'run'}-${report.policy}-${hours}h.${format}`
}

/** Ensures the path ends in the format's extension (a save dialog may return a bare name). */
export function withExtension(path: string, format: ReportFormat): string {
  return extname(path).toLowerCase() === `.${format}` ? path : `${path}.${format}`
}

export function saveReportFile(path: string, report: RunReport, format: ReportFormat): string {
  const target = withExtension(path, format)
  writeFileAtomic(target, serializeReport(report, format))
  return target
}
