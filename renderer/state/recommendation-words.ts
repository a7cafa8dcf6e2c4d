// Recommendations in words for the recommendations panel: what one does (kind, VM, hosts), its priority as
// vSphere DRS numbers them, and its expected effect (loads, power, the policy's metric, the migration). Every
// figure is the engine's (LabApi.recommendations); only units and digits are chosen here.
import type { ExpectedEffect, Recommendation } from '../../engine/api/lab-api'
import { formatDuration, formatPercent } from '../../engine/api/units'

/** 1 (mandatory) … 5 (a slight improvement), as docs/policies.md numbers them. */
export function priorityText(priority: number): string {
  return priority === 1 ? '1 · mandatory' : `${priority}`
}

/** What applying it does: "migrate VM 3 from host 2 to host 1", "standby host 4", "power on host 4". */
export function recommendationAction(r: Pick<Recommendation, 'kind' | 'vm' | 'from' | 'to' | 'host'>): string {
  switch (r.kind) {
    case 'migrate':
      return `migrate VM ${r.vm} from host ${r.from} to host ${r.to}`
    case 'power-on':
      return `power on host ${r.host}`
    case 'standby':
      return `standby host ${r.host}`
    case 'restart':
      return `restart VM ${r.vm} on host ${r.to ?? r.host}`
  }
}

/** A load change: "host 2 load 45.0 % → 30.0 %". */
function loadLine(c: { host: number; before: number; after: number }): string {
  return `host ${c.host} load ${formatPercent(c.before)} → ${formatPercent(c.after)}`
}

/** A signed power change: "−35 W" saved, "+120 W" drawn. */
export function powerChange(w: number): string {
  const rounded = Math.round(w)
  return rounded === 0 ? '±0 W' : `${rounded < 0 ? '−' : '+'}${Math.abs(rounded)} W`
}

/** The policy's metric, to four significant digits (standard deviations and ratios are small numbers). */
export function metricValue(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toPrecision(4)
}

/** The expected effect as the panel lists it, one line per figure the engine gave. */
export function expectedLines(e: ExpectedEffect): string[] {
  const lines: string[] = []
  if (e.source) lines.push(loadLine(e.source))
  if (e.target) lines.push(loadLine(e.target))
  if (e.powerW !== undefined) lines.push(`power ${powerChange(e.powerW)}`)
  if (e.balance) lines.push(`${e.balance.metric} ${metricValue(e.balance.before)} → ${metricValue(e.balance.after)}`)
  const m = e.migration
  if (m)
    lines.push(
      !m.converges || m.seconds === null
        ? 'migration does not converge'
        : `migration ${formatDuration(m.seconds)}${m.downtimeMs === null ? '' : `, downtime ${m.downtimeMs.toFixed(m.downtimeMs < 10 ? 1 : 0)} ms`}`,
    )
  if (e.moves?.length) lines.push(`moves first: ${e.moves.map((v) => `VM ${v.vm} → host ${v.to}`).join(', ')}`)
  return lines
}
