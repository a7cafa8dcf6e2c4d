// The record of every migration a lab run carried out, and its summary for the report: how many moved,
// how many were called off or lost, and the spread of their times, downtimes and bytes.
import type { MigrationInfo } from '../migration'

export interface MigrationRecord {
  vm: number
  source: number
  target: number
  /** simulated seconds the migration started and ended */
  start: number
  end: number
  /** where the VM ended up */
  location: 'source' | 'destination' | 'lost'
  /** query-migrate statistics (live migration models; absent in the cloudsim model) */
  info?: MigrationInfo
}

export interface MigrationStats {
  completed: number
  /** ended with the VM on its source (cancelled, aborted, timed out) */
  calledOff: number
  lost: number
  /** total-time, s: median and maximum over the completed ones */
  medianSeconds: number
  maxSeconds: number
  /** downtime, ms: median and maximum over the completed ones (live models) */
  medianDowntimeMs?: number
  maxDowntimeMs?: number
  /** bytes put on the wire by all of them, GiB (live models) */
  transferredGiB?: number
}

function median(xs: number[]): number {
  if (xs.length === 0) return 0
  const s = [...xs].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

export function migrationStats(records: readonly MigrationRecord[]): MigrationStats {
  const done = records.filter((r) => r.location === 'destination')
  const seconds = done.map((r) => r.end - r.start)
  const live = records.some((r) => r.info)
  const downtimes = done.flatMap((r) => (r.info?.downtime !== undefined ? [r.info.downtime] : []))
  return {
    completed: done.length,
    calledOff: records.filter((r) => r.location === 'source').length,
    lost: records.filter((r) => r.location === 'lost').length,
    medianSeconds: median(seconds),
    maxSeconds: seconds.length ? Math.max(...seconds) : 0,
    ...(live
      ? {
          medianDowntimeMs: median(downtimes),
          maxDowntimeMs: downtimes.length ? Math.max(...downtimes) : 0,
          transferredGiB: records.reduce((a, r) => a + (r.info?.ram.transferred ?? 0), 0) / 2 ** 30,
        }
      : {}),
  }
}
