// Details of the selected host or VM, as the lab reports them (hostDetails / vmDetails), with their
// history charts. Refreshed by the play loop after every advance. In lab mode a host can be failed and
// repaired from here (HA restarts its VMs elsewhere), and a VM shows its snapshot tree (VmSnapshots) and the
// live progress of a migration in flight (query-migrate).
import { useMemo } from 'react'
import {
  HOST_STATE,
  type HostDetails,
  type HostModeInfo,
  type LabInfo,
  type SeriesPoint,
  type VmDetails,
  type VmMigration,
} from '../../engine/api/lab-api'
import { vmsLeftText } from '../placement/evacuation'
import { useOrderAllowed, useRun, useStore } from '../state/use-run'
import type { HostSample } from '../state/run-store'
import { ChartCard } from '../charts/ChartCard'
import { VmSnapshots } from './VmSnapshots'
import { VmOrders } from './VmOrders'
import { LabChart, type ChartSeries, type ValueAxis } from '../charts/LabChart'
import { useStaggered } from '../charts/stagger'
import { agoLabel, agoTick, agoTicks, clockAxis, timeLabel, timeTick, timeTicks } from '../charts/axes'
import {
  formatBytes,
  formatClock,
  formatDuration,
  formatMiB,
  formatMips,
  formatPercent,
  formatSeconds,
  formatWatts,
} from '../../engine/api/units'

const STATE_LABEL: Record<number, string> = {
  [HOST_STATE.off]: 'off',
  [HOST_STATE.on]: 'on',
  [HOST_STATE.booting]: 'booting',
  [HOST_STATE.failed]: 'failed',
  [HOST_STATE.maintenance]: 'maintenance',
  [HOST_STATE.evacuating]: 'evacuating',
  [HOST_STATE.standby]: 'standby',
}
const PALETTE = ['#2563eb', '#059669', '#d97706', '#7c3aed', '#db2777', '#0891b2', '#65a30d', '#dc2626', '#4f46e5']
/** details charts redraw at most this often while the run plays */
const DETAIL_CHART_MS = 500
const pctFine = (v: number) => `${(v * 100).toFixed(1)} %`
const UNIT: ValueAxis = { domain: [0, 1], format: (v) => `${Math.round(v * 100)} %`, width: 44 }

export function DetailsPanel() {
  const selection = useRun((s) => s.selection)
  const host = useRun((s) => s.host)
  const vm = useRun((s) => s.vm)
  const store = useStore()
  return (
    <section
      className="panel details-panel"
      aria-labelledby="details-title"
      data-testid="details"
      data-kind={selection?.kind ?? 'none'}
    >
      <header className="panel-head">
        <h2 id="details-title">
          {selection?.kind === 'host'
            ? `Host ${selection.host}`
            : selection?.kind === 'vm'
              ? `VM ${selection.vm}`
              : 'Details'}
        </h2>
        <div className="spacer" />
        {selection && (
          <button type="button" className="small" onClick={() => void store.select(undefined)}>
            Close
          </button>
        )}
      </header>
      {!selection && <p className="muted hint">Click a host or a VM on the placement map, or an event in the log.</p>}
      {selection?.kind === 'host' && host && <HostView host={host} />}
      {selection?.kind === 'vm' && vm && <VmView vm={vm} />}
    </section>
  )
}

function Field({ label, value, testId, title }: { label: string; value: string; testId?: string; title?: string }) {
  return (
    <div className="field" title={title}>
      <dt>{label}</dt>
      <dd data-testid={testId}>{value}</dd>
    </div>
  )
}

/** How admission arrives at a host's capacity, in words. */
function admissionRule(host: HostDetails, admission: LabInfo['admission']): string {
  if (!admission) return "CloudSim's model checks a VM's RAM against the host's RAM when it places the VM"
  const reserved = admission.reservedHostMemoryMB
  const base =
    reserved > 0 ? `(${formatMiB(host.ramMB)} − ${formatMiB(reserved)} kept for the host)` : formatMiB(host.ramMB)
  return `Admission capacity = ${base} × RAM allocation ratio ${admission.ramAllocationRatio}, as OpenStack's scheduler counts it: the VMs' configured RAM may exceed the physical RAM where hosts overcommit memory`
}

const MODE_LABEL: Record<HostModeInfo['mode'], string> = {
  'in-service': 'in service',
  'entering-maintenance': 'entering maintenance',
  maintenance: 'in maintenance',
  'entering-standby': 'entering standby',
  standby: 'in standby',
}

/**
 * Lab mode: the operator's controls of a host — maintenance (evacuate, keep empty) and its exit, standby
 * (evacuate, power off) and power on, fail and repair — and its mode with what is left to evacuate.
 */
function HostActions({ host }: { host: HostDetails }) {
  const store = useStore()
  const labActions = useRun((s) => s.info?.labActions ?? false)
  const pending = useRun((s) => s.pendingOrders)
  const seconds = useRun((s) => (s.info?.intervalSeconds ?? 60) < 60)
  const allows = useOrderAllowed()
  if (!labActions) return null
  const failed = host.state === HOST_STATE.failed
  const mine = pending.filter((o) => o.host === host.host)
  const busy = mine.length > 0
  const mode = host.mode?.mode ?? 'in-service'
  const inMaintenance = mode === 'entering-maintenance' || mode === 'maintenance'
  const inStandby = mode === 'entering-standby' || mode === 'standby'
  const h = host.host
  return (
    <>
      <div className="host-actions">
        {inMaintenance ? (
          <button
            type="button"
            className="small"
            data-testid="exit-maintenance"
            hidden={!allows('maintenance')}
            disabled={busy}
            onClick={() => void store.order({ maintenance: { host: h, enter: false } })}
            title="The host takes VMs again"
          >
            Exit maintenance
          </button>
        ) : (
          <button
            type="button"
            className="small"
            data-testid="enter-maintenance"
            hidden={!allows('maintenance')}
            disabled={busy || inStandby}
            onClick={() => void store.order({ maintenance: { host: h, enter: true } })}
            title="The host takes no more VMs; its VMs are evacuated within the rules, and it stays on, empty"
          >
            Enter maintenance
          </button>
        )}
        {inStandby ? (
          <button
            type="button"
            className="small"
            data-testid="power-on"
            hidden={!allows('standby')}
            disabled={busy}
            onClick={() => void store.order({ standby: { host: h, on: false } })}
            title="Power the host on (its boot time and energy); it takes VMs again"
          >
            Power on
          </button>
        ) : (
          <button
            type="button"
            className="small"
            data-testid="standby-host"
            hidden={!allows('standby')}
            disabled={busy || inMaintenance || failed}
            onClick={() => void store.order({ standby: { host: h, on: true } })}
            title="Evacuate the host, then power it off: nothing places VMs on it until it is powered on"
          >
            Standby
          </button>
        )}
        <button
          type="button"
          className="small danger"
          data-testid="fail-host"
          hidden={!allows('failHost')}
          disabled={failed || busy}
          onClick={() => void store.order({ failHost: { host: h } })}
          title="The host fails at the end of the next step: its VMs stop, and HA restarts them on other hosts by priority"
        >
          Fail host
        </button>
        <button
          type="button"
          className="small"
          data-testid="repair-host"
          hidden={!allows('repairHost')}
          disabled={!failed || busy}
          onClick={() => void store.order({ repairHost: { host: h } })}
          title="The failed host comes back (switched off, ready to use)"
        >
          Repair host
        </button>
        {mine.map((o, i) => (
          <span key={i} className="muted" data-testid="host-pending-order">
            {o.label} at the next step
          </span>
        ))}
      </div>
      {host.mode && mode !== 'in-service' && (
        <p className="host-mode" data-testid="host-mode" data-mode={mode}>
          {MODE_LABEL[mode]}
          {host.mode.requestedAt !== undefined && ` · asked at ${formatClock(host.mode.requestedAt, seconds)}`}
          {host.mode.enteredAt != null && ` · entered at ${formatClock(host.mode.enteredAt, seconds)}`}
          {host.mode.enteredAt == null && <span data-testid="host-vms-left"> · {vmsLeftText(host.mode.vmsLeft)}</span>}
          {host.mode.heldOn && ' · powered on by the operator'}
          {host.mode.blockedBy.length > 0 && (
            <span className="blocked" data-testid="host-blocked-by">
              {' '}
              · blocked: {host.mode.blockedBy.join('; ')}
            </span>
          )}
        </p>
      )}
    </>
  )
}

function HostView({ host }: { host: HostDetails }) {
  const store = useStore()
  const samples = useRun((s) => s.hostSamples)
  const admission = useRun((s) => s.info?.admission)
  return (
    <div className="details-body">
      <p className="details-sub">
        {host.typeName} ·{' '}
        <span className={`state state-${STATE_LABEL[host.state]}`} data-testid="host-state">
          {STATE_LABEL[host.state]}
        </span>
      </p>
      <HostActions host={host} />
      <dl className="fields">
        <Field label="CPU utilization" value={formatPercent(host.cpuUtilization)} testId="host-cpu" />
        <Field label="power" value={formatWatts(host.powerW)} />
        <Field label="CPU capacity" value={formatMips(host.totalMips)} />
        <Field label="RAM (physical)" value={formatMiB(host.ramMB)} testId="host-ram" />
        <Field
          label={host.memory ? 'RAM in use (resident)' : "RAM in use (its VMs')"}
          value={`${formatMiB(host.ramUsedMB)} (${formatPercent(host.ramUsedMB / host.ramMB)})`}
          testId="host-ram-used"
        />
        <Field
          label="admitted / admission capacity"
          title={admissionRule(host, admission)}
          value={`${formatMiB(host.admittedRamMB)} of ${formatMiB(host.admissionRamMB)}`}
          testId="host-ram-admission"
        />
        <Field label="SLA violation (time short of CPU)" value={formatSeconds(host.slaViolationSeconds)} />
        <Field label="active time" value={formatSeconds(host.activeSeconds)} />
        {host.memory && (
          <>
            <Field
              label="memory resident / configured"
              value={`${formatMiB(host.memory.residentMB)} / ${formatMiB(host.memory.configuredMB)}`}
              testId="host-memory-resident"
            />
            <Field label="saved by KSM" value={formatMiB(host.memory.ksmSavedMB)} testId="host-memory-ksm" />
            <Field label="taken by balloons" value={formatMiB(host.memory.balloonMB)} />
            <Field
              label="swapped (host / guests)"
              value={`${formatMiB(host.memory.hostSwappedMB)} / ${formatMiB(host.memory.guestSwappedMB)}`}
            />
            <Field label="memory pressure" value={host.memory.pressure} />
          </>
        )}
      </dl>
      <ChartCard
        title={`Host ${host.host}: CPU by VM`}
        legend={[{ label: 'granted MIPS / host MIPS, per VM, each sampled interval', color: PALETTE[0]! }]}
        className="detail-chart"
        testId="host-stack-chart"
      >
        {(s) => <HostStackChart samples={samples} {...s} />}
      </ChartCard>
      <ChartCard
        title={`Host ${host.host}: utilization history`}
        legend={[{ label: 'as the overload detector sees it', color: '#2563eb' }]}
        className="detail-chart"
        testId="host-history-chart"
      >
        {(s) => <HistoryChart history={host.utilizationHistory} color="#2563eb" {...s} />}
      </ChartCard>
      <table className="vm-table">
        <thead>
          <tr>
            <th>VM</th>
            <th>trace</th>
            <th className="num">demand</th>
            <th className="num">granted</th>
            <th className="num ram">RAM</th>
          </tr>
        </thead>
        <tbody>
          {host.vms.map((v) => (
            <tr key={v.vm} onClick={() => void store.select({ kind: 'vm', vm: v.vm })} className="clickable">
              <td
                title={
                  v.migratingTo !== undefined
                    ? `moving to host ${v.migratingTo}`
                    : v.migratingFrom !== undefined
                      ? `arriving from host ${v.migratingFrom} (still runs there)`
                      : v.migrating
                        ? 'migrating'
                        : undefined
                }
              >
                {v.vm}
                {v.migratingTo !== undefined ? ' →' : v.migratingFrom !== undefined ? ' ←' : v.migrating ? ' ⇄' : ''}
              </td>
              <td className="ellipsis" title={v.name}>
                {v.name}
              </td>
              <td className="num">{v.demandMips.toFixed(0)}</td>
              <td className="num">{v.grantedMips.toFixed(0)}</td>
              <td className="num ram">{formatMiB(v.ramMB)}</td>
            </tr>
          ))}
          {host.vms.length === 0 && (
            <tr>
              <td colSpan={5} className="muted">
                no VMs
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  )
}

type StackRow = { time: number; share: Map<number, number> }
const rowTime = (r: StackRow) => r.time

/** The host's CPU split by VM over the intervals sampled while the host was selected (stacked steps). */
function HostStackChart(props: { samples: HostSample[]; width: number; height: number; hold: boolean }) {
  const samples = useStaggered(props.samples, DETAIL_CHART_MS, props.hold)
  const { width, height } = props
  const { rows, series } = useMemo(() => {
    const vmSet = new Set<number>()
    const rows: StackRow[] = samples.map((sample) => {
      const share = new Map<number, number>()
      for (const v of sample.vms) {
        vmSet.add(v.vm)
        share.set(v.vm, v.grantedMips / sample.totalMips)
      }
      return { time: sample.time, share }
    })
    const series: ChartSeries<StackRow>[] = [...vmSet]
      .sort((a, b) => a - b)
      .map((vm, i) => ({
        id: `vm${vm}`,
        label: `VM ${vm}`,
        color: PALETTE[i % PALETTE.length]!,
        value: (r: StackRow) => r.share.get(vm) ?? 0,
        shape: 'area',
        stacked: true,
      }))
    return { rows, series }
  }, [samples])
  const x = useMemo(() => {
    const t0 = rows[0]?.time ?? 0
    const t1 = rows.at(-1)?.time ?? 0
    return { domain: [t0, t1] as [number, number], ...clockAxis(t0, t1, Math.max(2, Math.floor(width / 80))) }
  }, [rows, width])
  if (rows.length < 2)
    return <p className="muted hint">Sampled after every step while this host is selected: play or step to fill.</p>
  return (
    <LabChart
      data={rows}
      time={rowTime}
      width={width}
      height={height}
      x={x}
      left={UNIT}
      series={series}
      timeLabel={timeLabel}
      valueLabel={pctFine}
    />
  )
}

function VmView({ vm }: { vm: VmDetails }) {
  const store = useStore()
  const now = useRun((s) => s.placement?.time ?? 0)
  const duration = useRun((s) => s.info?.durationSeconds ?? 86400)
  return (
    <div className="details-body">
      <p className="details-sub ellipsis" title={vm.name} data-testid="vm-name">
        {vm.name}
      </p>
      <dl className="fields">
        <Field label="type" value={vm.typeName} />
        <Field label="state" value={vm.state} testId="vm-state" />
        <div className="field">
          <dt>host</dt>
          <dd>
            {vm.host >= 0 ? (
              <button type="button" className="link" onClick={() => void store.select({ kind: 'host', host: vm.host })}>
                host {vm.host}
              </button>
            ) : (
              '–'
            )}
          </dd>
        </div>
        <Field label="capacity" value={formatMips(vm.mips)} />
        <Field label="RAM" value={formatMiB(vm.ramMB)} />
        <Field label="CPU demand" value={formatMips(vm.demandMips)} testId="vm-demand" />
        <Field label="CPU granted" value={formatMips(vm.grantedMips)} />
        <Field label="steal (not granted)" value={formatMips(vm.stealMips)} />
        {vm.schedulerStealMips !== undefined && (
          <Field label="scheduler steal (contention, cap)" value={formatMips(vm.schedulerStealMips)} />
        )}
        {vm.migratingTo && (
          <div className="field">
            <dt>migrating to</dt>
            <dd data-testid="vm-migrating-to">
              <button
                type="button"
                className="link"
                onClick={() => void store.select({ kind: 'host', host: vm.migratingTo!.target })}
              >
                host {vm.migratingTo.target}
              </button>
              {vm.migratingTo.start !== undefined
                ? ` (since ${formatClock(vm.migratingTo.start, true)})`
                : vm.migratingTo.queuedSince !== undefined
                  ? ` (queued since ${formatClock(vm.migratingTo.queuedSince, true)}, waiting ${formatDuration(vm.migratingTo.queuedSeconds ?? 0)} for a free migration slot or its target to boot)`
                  : ' (queued for a free migration slot)'}
            </dd>
          </div>
        )}
      </dl>
      <VmOrders vm={vm} />
      <MigrationList migrations={vm.migrations} />
      <VmSnapshots vm={vm} />
      <ChartCard
        title={`VM ${vm.vm}: recent utilization`}
        legend={[{ label: 'utilization of its MIPS', color: '#059669' }]}
        className="detail-chart"
      >
        {(s) => <HistoryChart history={vm.utilizationHistory} color="#059669" {...s} />}
      </ChartCard>
      <ChartCard
        title={`VM ${vm.vm}: workload over the run`}
        legend={[{ label: 'workload CPU demand', color: '#d97706' }]}
        className="detail-chart"
        testId="vm-workload-chart"
      >
        {(s) => <WorkloadChart workload={vm.workload} now={now} duration={duration} {...s} />}
      </ChartCard>
    </div>
  )
}

const OUTCOME_LABEL: Record<VmMigration['outcome'], string> = {
  completed: 'completed',
  'called-off': 'called off',
  lost: 'VM lost',
  'in-flight': 'in flight',
}
/** migrations listed in the panel (the newest) */
const MAX_MIGRATIONS_SHOWN = 8

/** The VM's migrations with the figures of each (query-migrate's, for live migration), newest first. */
function MigrationList({ migrations }: { migrations: VmMigration[] }) {
  const shown = migrations.slice(-MAX_MIGRATIONS_SHOWN).reverse()
  return (
    <section className="migrations" data-testid="vm-migrations" data-count={migrations.length}>
      <h3>
        Migrations <span className="muted">{migrations.length === 0 ? 'none so far' : `(${migrations.length})`}</span>
      </h3>
      {migrations.length > shown.length && (
        <p className="muted hint">
          the {shown.length} newest of {migrations.length}
        </p>
      )}
      <ol>
        {shown.map((m) => (
          <li key={`${m.start}-${m.target}`} data-testid="vm-migration" data-outcome={m.outcome}>
            <div className="migration-head">
              <span>
                host {m.source} → host {m.target}
              </span>
              <span className={`outcome outcome-${m.outcome}`} data-testid="migration-outcome" title={m.reason}>
                {OUTCOME_LABEL[m.outcome]}
                {m.status && m.status !== m.outcome ? ` (${m.status})` : ''}
              </span>
            </div>
            <dl className="fields">
              <Field
                label="when"
                value={
                  m.end === undefined
                    ? `since ${formatClock(m.start, true)}`
                    : `${formatClock(m.start, true)}, took ${formatDuration(m.end - m.start)}`
                }
                testId="migration-when"
              />
              {m.outcome === 'in-flight' && m.phase !== undefined && (
                <Field label="phase" value={m.phase} testId="migration-phase" />
              )}
              {m.downtimeMs !== undefined && (
                <Field label="downtime" value={`${m.downtimeMs.toFixed(1)} ms`} testId="migration-downtime" />
              )}
              {m.transferredBytes !== undefined && (
                <Field
                  label="sent"
                  value={`${formatBytes(m.transferredBytes)}${m.totalBytes ? ` (${(m.transferredBytes / m.totalBytes).toFixed(2)} × RAM)` : ''}`}
                  testId="migration-transferred"
                />
              )}
              {m.remainingBytes !== undefined && (
                <Field label="remaining" value={formatBytes(m.remainingBytes)} testId="migration-remaining" />
              )}
              {m.expectedDowntimeMs !== undefined && (
                <Field
                  label="expected downtime"
                  value={`${m.expectedDowntimeMs.toFixed(1)} ms`}
                  testId="migration-expected-downtime"
                />
              )}
              {m.rounds !== undefined && (
                <Field label="pre-copy rounds" value={String(m.rounds)} testId="migration-rounds" />
              )}
              {m.outcome === 'in-flight' && m.throttlePercent !== undefined && (
                <Field label="throttle now" value={`${m.throttlePercent} %`} testId="migration-throttle-now" />
              )}
              {m.throttleSteps && m.throttleSteps.length > 0 && (
                <Field
                  label="auto-converge throttle"
                  value={m.throttleSteps.map((t) => `${t} %`).join(' → ')}
                  testId="migration-throttle"
                />
              )}
            </dl>
            {m.reason && m.outcome !== 'completed' && (
              <p className="migration-reason" data-testid="migration-reason">
                {m.reason}
              </p>
            )}
          </li>
        ))}
      </ol>
    </section>
  )
}

type AgoPoint = { ago: number; value: number }
const agoTime = (p: AgoPoint) => p.ago
const pointTime = (p: SeriesPoint) => p.time
const HISTORY_SERIES = new Map<string, ChartSeries<AgoPoint>[]>()
function historySeries(color: string): ChartSeries<AgoPoint>[] {
  let s = HISTORY_SERIES.get(color)
  if (!s) HISTORY_SERIES.set(color, (s = [{ id: 'utilization', label: 'utilization', color, value: (p) => p.value }]))
  return s
}
const WORKLOAD_SERIES: ChartSeries<SeriesPoint>[] = [
  { id: 'workload', label: 'workload', color: '#d97706', value: (p) => p.value },
]

/** Recent utilization, newest last, x = time ago (one point per interval). */
function HistoryChart(props: { history: number[]; color: string; width: number; height: number; hold: boolean }) {
  const history = useStaggered(props.history, DETAIL_CHART_MS, props.hold)
  const interval = useRun((s) => s.info?.intervalSeconds ?? 300)
  const { color, width, height } = props
  const data = useMemo(() => history.map((value, i) => ({ ago: -i * interval, value })).reverse(), [history, interval])
  const x = useMemo(() => {
    const span = Math.max(interval, (history.length - 1) * interval)
    return { domain: [-span, 0] as [number, number], ticks: agoTicks(span), format: agoTick }
  }, [history.length, interval])
  return (
    <LabChart
      data={data}
      time={agoTime}
      width={width}
      height={height}
      x={x}
      left={UNIT}
      series={historySeries(color)}
      timeLabel={agoLabel}
      valueLabel={pctFine}
    />
  )
}

/** The VM's trace over the whole run, with the current time marked. */
function WorkloadChart(props: {
  workload: SeriesPoint[]
  now: number
  duration: number
  width: number
  height: number
  hold: boolean
}) {
  const workload = useStaggered(props.workload, DETAIL_CHART_MS, props.hold)
  const now = useStaggered(props.now, DETAIL_CHART_MS, props.hold)
  const { duration, width, height } = props
  const x = useMemo(
    () => ({ domain: [0, duration] as [number, number], ticks: timeTicks(duration), format: timeTick }),
    [duration],
  )
  const markers = useMemo(() => [{ x: now, color: '#111827' }], [now])
  return (
    <LabChart
      data={workload}
      time={pointTime}
      width={width}
      height={height}
      x={x}
      left={UNIT}
      series={WORKLOAD_SERIES}
      markers={markers}
      timeLabel={timeLabel}
      valueLabel={pctFine}
    />
  )
}
