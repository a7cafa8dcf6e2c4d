// The report of a run: the keys of `conlab run --json` (a contract outside checks rely on — extend, never
// rename) and the text forms (summary table, CSV, Markdown).
import type { ClusterModel } from './model/cluster-model'
import { StateHasher } from './hash'
import type { MigrationRecord, MigrationStats } from './lab/migration-log'
import type { MemoryReport } from './lab/memory-report'
import type { HaReport } from './lab/ha'
import type { SlaCauses } from './lab/lab-accounts'
import type { TraceSourceReport } from './workload/trace-import'
import { formatPercent } from './api/units'
import type { RulesReport } from './lab/rule-book'
import type { ModeRequest } from './lab/host-modes'
import type { LoggedOrder } from './lab/lab-state'
import type { RecommendationReport } from './lab/recommendations'

export interface RunReport {
  scenario: string
  mode: 'cloudsim' | 'lab'
  policy: string
  seed: number
  hosts: number
  vms: number
  simulatedSeconds: number
  energyKWh: number
  migrations: number
  /** SLA time per active host, a fraction */
  slatah: number
  /** performance degradation due to migration, a fraction */
  pdm: number
  /** slatah × pdm */
  slav: number
  /** energy × slav */
  esv: number
  hostShutdowns: number
  stateHash: string
  wallMs: number
  overallSla: number
  averageSla: number
  /** hosts running VMs (utilization above zero) at the end of the covered time, counted as the frames count them */
  activeHosts: number
  /** cloudsim mode: VMs CloudSim destroyed because their demand fell to exactly 0 */
  vmsRemovedForZeroDemand?: number
  /** how VMs were bound to traces and types (the largest hidden parameter of CloudSim's results) */
  workload: WorkloadBinding
  /** lab mode: how many host shards stepped the hosts */
  shards?: number
  /** how migrations were modelled: cloudsim (RAM ÷ bandwidth) or a live model (precopy, postcopy, hybrid) */
  migrationModel?: 'cloudsim' | 'precopy' | 'postcopy' | 'hybrid'
  /** lab mode: counts and spread of the migrations' times, downtimes and bytes */
  migrationStats?: MigrationStats
  /** lab mode: every migration, with QEMU query-migrate statistics under `info` for the live models */
  migrationsDetail?: MigrationRecord[]
  /** lab mode: VMs ended by a host's out-of-memory killer */
  vmsKilled?: number
  /** lab mode: the SLA shortfall's tolerance, and what caused the violations and the lost CPU */
  slaCauses?: SlaCauses
  /** lab mode, hosts managing memory: what KSM and the balloons saved and what overcommit cost, over time */
  memory?: MemoryReport
  /** lab mode, when hosts can fail or VMs are protected: host failures, HA restarts, lost work, recovery */
  ha?: HaReport
  /**
   * lab mode: the placement rules — violations measured on where VMs ran (starts of violated periods and
   * their seconds, in whole steps) and placements that broke a rule on purpose — in total (`hard`: must
   * rules, `soft`: should rules) and per rule
   */
  rules?: RulesReport
  /** lab mode: every request to enter maintenance or standby: when, when entered (null: not yet), what blocks it */
  maintenance?: ModeRequest[]
  /** lab mode: the orders given during the run, with the simulated time each was applied at */
  orders?: LoggedOrder[]
  /**
   * lab mode: the recommendations — proposed (each counted once, however many passes repeat it), applied (by
   * full automation or approved), dismissed, expired (the state they were made on gone) — and those still waiting
   */
  recommendations?: RecommendationReport
  /** lab mode: the DRS standard deviation of CPU load (planned demand ÷ capacity over the hosts in service) at the end */
  loadStdDev?: number
  /** lab mode, a run resumed or branched from a checkpoint: where it started */
  resumedFrom?: { checkpoint: string; time: number; policy: string }
}

export interface WorkloadBinding {
  traceOrder: string
  traces: number
  firstTrace?: string
  lastTrace?: string
  /** FNV-1a over the trace names in VM order and each VM's type */
  bindingDigest: string
  vmsPerType: Record<string, number>
  /** imported traces (bitbrains, azure, alibaba, csv): window, skipped rows, gaps, clipping, disk and network */
  sources?: TraceSourceReport[]
}

export function workloadBinding(model: ClusterModel): WorkloadBinding {
  const vmsPerType: Record<string, number> = {}
  // FNV-1a is streaming, so one pass over the names joined is the same digest as a pass per name (and
  // at the start of a run, before anything is optimized, one loop costs less than two thousand calls)
  const names: string[] = []
  for (let v = 0; v < model.vmCount; v++) {
    const type = model.vmTypes[model.vmType[v]!]!.id
    vmsPerType[type] = (vmsPerType[type] ?? 0) + 1
    const trace = model.vmTrace[v]!
    names.push(trace >= 0 ? model.traces.names[trace]! : `generated:${model.vmGroup[v]}`, type)
  }
  const hasher = new StateHasher().text(names.join(''))
  const orders = new Set(model.workloads.map((w) => (w.kind === 'planetlab' ? `planetlab-${w.order}` : w.kind)))
  return {
    traceOrder: [...orders].join(', '),
    traces: model.traces.names.length,
    firstTrace: model.traces.names[0],
    lastTrace: model.traces.names.at(-1),
    bindingDigest: hasher.hex(),
    vmsPerType,
    ...(model.traces.sources ? { sources: model.traces.sources } : {}),
  }
}

const PERCENT = (x: number, digits = 2) => formatPercent(x, digits)

/** The human summary printed after a run. */
export function formatSummary(r: RunReport): string {
  const rows: [string, string][] = [
    ['scenario', r.scenario],
    ['mode', r.mode === 'cloudsim' ? 'cloudsim (CloudSim 3.0.3 model, quirks included)' : 'lab'],
    ['policy', r.policy],
    ['seed', String(r.seed)],
    ['hosts / VMs', `${r.hosts} / ${r.vms}`],
    ['simulated', `${(r.simulatedSeconds / 3600).toFixed(2)} h`],
    ['energy', `${r.energyKWh.toFixed(2)} kWh`],
    ['migrations', String(r.migrations)],
    ['SLATAH', PERCENT(r.slatah)],
    ['PDM', PERCENT(r.pdm, 3)],
    ['SLAV', r.slav.toExponential(3)],
    ['ESV', r.esv.toExponential(3)],
    ['overall SLA violation', PERCENT(r.overallSla, 3)],
    ['host shutdowns', String(r.hostShutdowns)],
  ]
  const causes = r.slaCauses
  if (causes) {
    const hours = Object.entries(causes.violationSeconds).filter(([, s]) => s > 0)
    const lost = Object.entries(causes.lostMipsSeconds).filter(([, s]) => s > 0)
    rows.splice(
      rows.findIndex(([k]) => k === 'PDM'),
      0,
      [
        'SLA shortfall',
        `a VM losing > ${PERCENT(causes.tolerance, 0)} of its demand in a step; violations by cause: ${
          hours.length > 0 ? hours.map(([c, s]) => `${c} ${(s / 3600).toFixed(2)} host-h`).join(', ') : 'none'
        }; CPU lost: ${lost.length > 0 ? lost.map(([c, s]) => `${c} ${s >= 1e6 ? `${(s / 1e6).toFixed(2)} M` : s.toFixed(0)} MIPS·s`).join(', ') : 'none'}`,
      ],
    )
  }
  if (r.vmsRemovedForZeroDemand !== undefined)
    rows.push(['VMs removed (zero demand)', String(r.vmsRemovedForZeroDemand)])
  if (r.migrationModel) rows.splice(3, 0, ['migration model', r.migrationModel])
  const m = r.migrationStats
  if (m) {
    rows.push([
      'migration outcomes',
      `${m.completed} moved, ${m.calledOff} called off, ${m.lost} lost; median ${m.medianSeconds.toFixed(1)} s, max ${m.maxSeconds.toFixed(1)} s`,
    ])
    if (m.medianDowntimeMs !== undefined && m.completed > 0)
      rows.push([
        'migration downtime',
        `median ${m.medianDowntimeMs.toFixed(0)} ms, max ${m.maxDowntimeMs!.toFixed(0)} ms; ${m.transferredGiB!.toFixed(2)} GiB sent`,
      ])
  }
  const reserve = r.ha?.reserve
  if (reserve)
    rows.push([
      'HA reserve',
      `${reserve.hostsTolerated} host failure(s) tolerated; held at the end of ${reserve.stepsHeld} of ${reserve.steps} steps, tightest margin ${(reserve.minMarginRamMB / 1024).toFixed(1)} GiB of RAM; ${reserve.hostsPoweredOn} host(s) switched on for it, ${reserve.movesRefused} move(s) refused`,
    ])
  for (const t of r.workload.sources ?? [])
    rows.push([
      `trace (vms[${t.group}])`,
      `${t.kind}, ${t.vms} VMs, ${t.from} → ${t.to}${t.memory ? ', memory demand' : ''}; ${t.gapBins} intervals filled, ${t.skippedRows} rows skipped, ${t.clippedSamples} samples clipped`,
    ])
  rows.push(['state hash', r.stateHash], ['wall time', `${r.wallMs.toFixed(0)} ms`])
  const width = Math.max(...rows.map(([k]) => k.length))
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n')
}

const CSV_KEYS = [
  'scenario',
  'mode',
  'policy',
  'seed',
  'hosts',
  'vms',
  'simulatedSeconds',
  'energyKWh',
  'migrations',
  'slatah',
  'pdm',
  'slav',
  'esv',
  'overallSla',
  'hostShutdowns',
  'stateHash',
  'wallMs',
  'activeHosts',
  'migrationModel',
] as const

/** One header row and one row per report; the same columns for `conlab --out`, the desktop save and the browser download. */
export function reportsToCsv(reports: RunReport[]): string {
  const esc = (v: string | number | undefined) => {
    const s = v === undefined ? '' : String(v)
    return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s
  }
  return [CSV_KEYS.join(','), ...reports.map((r) => CSV_KEYS.map((k) => esc(r[k])).join(','))].join('\n') + '\n'
}

/** The CloudSim-style comparison table, one row per policy. */
export function reportsToMarkdown(reports: RunReport[]): string {
  const head = '| policy | energy (kWh) | migrations | SLATAH | PDM | SLAV | ESV | shutdowns | wall (ms) |'
  const rule = '|---|---:|---:|---:|---:|---:|---:|---:|---:|'
  const rows = reports.map(
    (r) =>
      `| ${r.policy} | ${r.energyKWh.toFixed(2)} | ${r.migrations} | ${PERCENT(r.slatah)} | ${PERCENT(r.pdm, 3)} | ${r.slav.toExponential(2)} | ${r.esv.toExponential(2)} | ${r.hostShutdowns} | ${r.wallMs.toFixed(0)} |`,
  )
  const mode = reports[0]?.mode === 'cloudsim' ? 'cloudsim (CloudSim 3.0.3 model)' : 'lab'
  return [`Mode: ${mode}. Scenario: ${reports[0]?.scenario ?? ''}.`, '', head, rule, ...rows].join('\n') + '\n'
}
