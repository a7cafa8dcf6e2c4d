// Saving a run's report from the desktop app: the format follows the chosen extension, the text comes from
// the engine's own serializers (engine/api/report-format.ts: the same as `conlab run --out` and as the
// browser's download), and the write is atomic.
import { extname } from 'node:path'
import { writeFileAtomic } from '../engine/platform/node/atomic-write'
import { reportFileName, serializeReport } from '../engine/api/report-format'
import type { RunReport } from '../engine/report'
import type { ReportFormat } from './bridge-contract'

export { serializeReport }

/** A file name for the save dialog: scenario, policy and simulated hours. */
export function defaultReportFileName(report: RunReport, format: ReportFormat): string {
  return reportFileName(report, format)
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
