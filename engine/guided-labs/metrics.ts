// What a guided lab's objectives can measure: every metric is read from the run's report (engine/report.ts)
// or from the engine's own events, never estimated by the grader. One table: the lab schema takes its names
// from it, `conlab lab show` and docs/labs.md describe them from it, and a new metric is one more entry — or,
// without any entry, `report` with the path of a number in the report.
import type { RunReport } from '../report'
import type { LabEvent } from '../vocabulary'

/** What an objective's check names besides the metric: which VM, snapshot, hosts, order kinds or report path. */
export interface MetricParams {
  vm?: number
  snapshot?: string
  hosts?: number[]
  kinds?: string[]
  path?: string
}

/** A successful revert of a VM to one of its snapshots, as the engine's snapshot event said it. */
export interface RevertRecord {
  time: number
  vm: number
  snapshot: string
}

/** What a metric is read from: the report as of the time checked, and the reverts seen so far. */
export interface MetricContext {
  report: RunReport
  reverts: readonly RevertRecord[]
}

export type MetricParam = keyof MetricParams

export interface MetricSpec {
  /** one line for `conlab lab show`, the app and docs/labs.md */
  description: string
  unit: 'kWh' | 'fraction' | 'count' | 'ms' | 's' | 'GiB' | 'number'
  /**
   * up: the metric never decreases during a run (energy, counts, maxima so far): a `below`/`atMost` target once
   * missed stays missed, an `atLeast`/`above` one once met stays met — the live checklist says so before the
   * end. any: it can go either way; only the time checked decides.
   */
  trend: 'up' | 'any'
  /** the parameters it needs, and those it may take */
  requires?: readonly MetricParam[]
  accepts?: readonly MetricParam[]
  /** the value, or undefined when the report has no such figure (the objective then fails, saying so) */
  read(ctx: MetricContext, p: MetricParams): number | undefined
  /** events of the run that bear on it (the debrief lists the last ones before the outcome was settled) */
  events?(e: LabEvent, p: MetricParams): boolean
}

const kinds =
  (...list: LabEvent['kind'][]) =>
  (e: LabEvent) =>
    list.includes(e.kind)

const onHosts = (e: LabEvent, p: MetricParams) =>
  e.kind === 'host-mode' && (p.hosts === undefined || (e.host !== undefined && p.hosts.includes(e.host)))

/** Hosts (of `hosts`, or all) whose latest request put them in `mode` and that are in it now. */
function hostsIn(report: RunReport, mode: 'maintenance' | 'standby', hosts: number[] | undefined): number | undefined {
  if (!report.maintenance) return undefined
  const latest = new Map<number, (typeof report.maintenance)[number]>()
  for (const r of report.maintenance) latest.set(r.host, r)
  let n = 0
  for (const [host, r] of latest)
    if ((hosts === undefined || hosts.includes(host)) && r.mode === mode && r.enteredAt !== null && r.exitedAt === null)
      n++
  return n
}

/** The number at a dotted path of the report (`recommendations.applied`, `ha.reserve.movesRefused`), if any. */
export function reportNumber(report: RunReport, path: string): number | undefined {
  let v: unknown = report
  for (const key of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined
    v = (v as Record<string, unknown>)[key]
  }
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined
}

export const METRICS = {
  energyKWh: {
    description: 'energy the hosts drew so far (the report’s energyKWh)',
    unit: 'kWh',
    trend: 'up',
    read: ({ report }) => report.energyKWh,
    events: kinds('host-on', 'host-off'),
  },
  slatah: {
    description: 'SLA time per active host: the share of active-host time with a VM short of CPU (SLATAH)',
    unit: 'fraction',
    trend: 'any',
    read: ({ report }) => report.slatah,
    events: kinds('overload'),
  },
  pdm: {
    description: 'performance degradation due to migration (PDM): the share of demand lost to migrations',
    unit: 'fraction',
    trend: 'any',
    read: ({ report }) => report.pdm,
    events: kinds('migration-end'),
  },
  slav: {
    description: 'SLA violation, SLATAH × PDM (SLAV)',
    unit: 'fraction',
    trend: 'any',
    read: ({ report }) => report.slav,
  },
  overallSla: {
    description: 'the share of all CPU demand the VMs did not get',
    unit: 'fraction',
    trend: 'any',
    read: ({ report }) => report.overallSla,
    events: kinds('overload'),
  },
  migrations: {
    description: 'migrations started (the report’s migrations)',
    unit: 'count',
    trend: 'up',
    read: ({ report }) => report.migrations,
    events: kinds('migration-start'),
  },
  migrationsCompleted: {
    description: 'migrations that finished with the VM on its target',
    unit: 'count',
    trend: 'up',
    read: ({ report }) => report.migrationStats?.completed ?? 0,
    events: kinds('migration-end'),
  },
  migrationsCalledOff: {
    description: 'migrations that ended with the VM still on its source (cancelled, aborted, timed out)',
    unit: 'count',
    trend: 'up',
    read: ({ report }) => report.migrationStats?.calledOff ?? 0,
    events: kinds('migration-end', 'warning'),
  },
  maxDowntimeMs: {
    description: 'the longest switch-over pause of a completed live migration, ms (0: none completed)',
    unit: 'ms',
    trend: 'up',
    read: ({ report }) => report.migrationStats?.maxDowntimeMs ?? 0,
    events: kinds('migration-end'),
  },
  vmMigrations: {
    description: 'migrations of VM `vm` that ended (moved, or called off), whoever started them',
    unit: 'count',
    trend: 'up',
    requires: ['vm'],
    read: ({ report }, p) => (report.migrationsDetail ?? []).filter((m) => m.vm === p.vm).length,
    events: (e, p) => (e.kind === 'migration-start' || e.kind === 'migration-end') && e.vm === p.vm,
  },
  hostShutdowns: {
    description: 'hosts the policy switched off',
    unit: 'count',
    trend: 'up',
    read: ({ report }) => report.hostShutdowns,
    events: kinds('host-off'),
  },
  activeHosts: {
    description: 'hosts running VMs at the time checked',
    unit: 'count',
    trend: 'any',
    read: ({ report }) => report.activeHosts,
    events: kinds('host-on', 'host-off'),
  },
  hardRuleViolations: {
    description: 'violations of must rules, measured on where the VMs ran (starts of violated periods)',
    unit: 'count',
    trend: 'up',
    read: ({ report }) => report.rules?.hard.violations ?? 0,
    events: kinds('rule'),
  },
  softRuleViolations: {
    description: 'violations of should rules (starts of violated periods)',
    unit: 'count',
    trend: 'up',
    read: ({ report }) => report.rules?.soft.violations ?? 0,
    events: kinds('rule'),
  },
  vmsRestarted: {
    description: 'VMs HA restarted after their host failed',
    unit: 'count',
    trend: 'up',
    read: ({ report }) => report.ha?.restarted ?? 0,
    events: kinds('ha-restart', 'host-failed'),
  },
  vmsNotRestarted: {
    description: 'VMs of failed hosts not running again at the time checked (HA disabled, or no capacity)',
    unit: 'count',
    trend: 'any',
    read: ({ report }) => report.ha?.notRestarted ?? 0,
    events: kinds('ha-restart', 'host-failed'),
  },
  lostWorkSeconds: {
    description: 'seconds of work the VMs of failed hosts lost (one epoch when protected, their uptime when not)',
    unit: 's',
    trend: 'up',
    read: ({ report }) => report.ha?.lostWorkSeconds.total ?? 0,
    events: kinds('ha-restart', 'host-failed'),
  },
  haMaxDowntimeSeconds: {
    description: 'the longest time a VM of a failed host was down before running again, s',
    unit: 's',
    trend: 'up',
    read: ({ report }) => report.ha?.downtimeSeconds.max ?? 0,
    events: kinds('ha-restart', 'host-failed'),
  },
  hostSwappedGiB: {
    description: 'the most memory the hosts had swapped out at once, GiB (0 without memory management)',
    unit: 'GiB',
    trend: 'up',
    read: ({ report }) => report.memory?.peak.hostSwappedGiB ?? 0,
  },
  balloonGiB: {
    description: 'the most guest memory the balloons held at once, GiB',
    unit: 'GiB',
    trend: 'up',
    read: ({ report }) => report.memory?.peak.balloonGiB ?? 0,
  },
  ksmSavedGiB: {
    description: 'the most memory KSM saved at once, GiB',
    unit: 'GiB',
    trend: 'up',
    read: ({ report }) => report.memory?.peak.ksmSavedGiB ?? 0,
  },
  memoryLostCpuSeconds: {
    description: 'CPU seconds the VMs lost waiting on host swap',
    unit: 's',
    trend: 'up',
    read: ({ report }) => report.memory?.lostCpuSeconds ?? 0,
  },
  vmsKilled: {
    description: 'VMs a host’s out-of-memory killer ended',
    unit: 'count',
    trend: 'up',
    read: ({ report }) => report.vmsKilled ?? 0,
    events: kinds('vm-removed', 'warning'),
  },
  hostsInMaintenance: {
    description: 'hosts (of `hosts`, or all) in maintenance at the time checked: evacuated and held empty',
    unit: 'count',
    trend: 'any',
    accepts: ['hosts'],
    read: ({ report }, p) => hostsIn(report, 'maintenance', p.hosts),
    events: onHosts,
  },
  hostsInStandby: {
    description: 'hosts (of `hosts`, or all) in standby at the time checked: evacuated and powered off',
    unit: 'count',
    trend: 'any',
    accepts: ['hosts'],
    read: ({ report }, p) => hostsIn(report, 'standby', p.hosts),
    events: onHosts,
  },
  loadStdDev: {
    description:
      'the DRS standard deviation of CPU load over the hosts in service at the time checked (planned demand ÷ capacity)',
    unit: 'fraction',
    trend: 'any',
    read: ({ report }) => report.loadStdDev,
    events: kinds('migration-end'),
  },
  recommendationsApplied: {
    description: 'recommendations applied, by full automation or approved (the report’s recommendations.applied)',
    unit: 'count',
    trend: 'up',
    read: ({ report }) => report.recommendations?.applied,
  },
  recommendationsDismissed: {
    description: 'recommendations the trainee dismissed (the report’s recommendations.dismissed)',
    unit: 'count',
    trend: 'up',
    read: ({ report }) => report.recommendations?.dismissed,
  },
  revertsTo: {
    description: 'times VM `vm` was reverted to its snapshot named `snapshot`',
    unit: 'count',
    trend: 'up',
    requires: ['vm', 'snapshot'],
    read: ({ reverts }, p) => reverts.filter((r) => r.vm === p.vm && r.snapshot === p.snapshot).length,
    events: (e, p) => e.kind === 'snapshot' && e.vm === p.vm,
  },
  orders: {
    description: 'orders the trainee gave (of the kinds in `kinds`, or all), from the run’s order log',
    unit: 'count',
    trend: 'up',
    accepts: ['kinds'],
    read: ({ report }, p) =>
      (report.orders ?? []).filter((o) => p.kinds === undefined || p.kinds.includes(Object.keys(o.action)[0]!)).length,
  },
  report: {
    description:
      'the number at `path` in the run’s JSON report (e.g. ha.reserve.movesRefused); the objective fails when the report has none',
    unit: 'number',
    trend: 'any',
    requires: ['path'],
    read: ({ report }, p) => reportNumber(report, p.path!),
  },
} as const satisfies Record<string, MetricSpec>

export type MetricName = keyof typeof METRICS
export const METRIC_NAMES = Object.keys(METRICS) as [MetricName, ...MetricName[]]

export function metricSpec(name: MetricName): MetricSpec {
  return METRICS[name]
}

/** The reverts a batch of the engine's events reports (successful ones only: a refusal is a warning). */
export function revertsIn(events: readonly LabEvent[]): RevertRecord[] {
  return events.flatMap((e) =>
    e.kind === 'snapshot' && e.snapshot?.op === 'revert' && e.vm !== undefined
      ? [{ time: e.time, vm: e.vm, snapshot: e.snapshot.name }]
      : [],
  )
}
