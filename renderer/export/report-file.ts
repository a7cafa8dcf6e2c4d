// The run report as downloadable JSON or CSV. JSON is the report as the lab sent it (the keys of
// `conlab run --json`); CSV is one header row and one value row with nested fields flattened
// ("workload.vmsPerType.small").
import type { RunReport } from '../../engine/api/lab-api'

export function reportToJson(report: RunReport): string {
  return `${JSON.stringify(report, null, 2)}\n`
}

function flatten(value: unknown, prefix: string, out: [string, string][]): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out)
  } else if (value !== undefined) {
    out.push([prefix, scalar(value)])
  }
}

function scalar(value: unknown): string {
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  return JSON.stringify(value)
}

function csvCell(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s
}

export function reportToCsv(report: RunReport): string {
  const cells: [string, string][] = []
  flatten(report, '', cells)
  return `${cells.map(([k]) => csvCell(k)).join(',')}\n${cells.map(([, v]) => csvCell(v)).join(',')}\n`
}

export function reportFileName(report: RunReport, ext: 'json' | 'csv'): string {
  const slug = report.scenario
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
  return `${slug || 'run'}-${report.policy}-${Math.round(report.simulatedSeconds / 3600)}h.${ext}`
}
