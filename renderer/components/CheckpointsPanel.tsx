// Whole-lab checkpoints and the runs made of the open scenario: take a checkpoint (kept by the lab's session),
// rewind to any of them, branch from one with another policy or settings, save one as a file (a native dialog
// in the desktop app, a download in the browser) or continue from a file; and the runs' final reports side by
// side once they have run to the end. Every figure is the lab's (LabApi.checkpoints).
import { useRef, useState, type ChangeEvent } from 'react'
import type { BranchSummary, CheckpointFile, CheckpointSummary, RunReport } from '../../engine/api/lab-api'
import { useRun, useStore } from '../state/use-run'
import { downloadBlob } from '../export/download'
import { formatBytes, formatClock, formatNumber, formatPercent } from '../../engine/api/units'
import { parseSettings } from '../state/inputs'
import { runStatus, type LiveRun } from '../state/run-status'
import { FieldMessage, useFieldInvalid } from './FieldMessage'

function download(file: CheckpointFile): void {
  const bytes = new Uint8Array(file.bytes)
  downloadBlob(new Blob([bytes], { type: 'application/octet-stream' }), file.fileName)
}

export function CheckpointsPanel() {
  const store = useStore()
  const info = useRun((s) => s.info)
  const checkpoints = useRun((s) => s.checkpoints)
  const branches = useRun((s) => s.branches)
  const busy = useRun((s) => s.busy)
  const [name, setName] = useState('')
  const fileInput = useRef<HTMLInputElement>(null)
  if (!info) return null
  const lab = info.labActions

  const take = async () => {
    store.pause()
    const taken = await store.takeCheckpoint(name)
    if (taken) setName('')
  }
  const load = () => {
    if (store.canUseDesktop) void store.loadCheckpointFromDisk()
    else fileInput.current?.click()
  }
  const onFile = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0]
    e.target.value = ''
    if (!file) return
    await store.restore({ bytes: new Uint8Array(await file.arrayBuffer()), fileName: file.name }, {}, 'checkpointFile')
  }

  return (
    <section className="panel checkpoints-panel" aria-labelledby="checkpoints-title" data-testid="checkpoints">
      <header className="panel-head">
        <h2 id="checkpoints-title">Checkpoints and branches</h2>
        <span className="muted" data-testid="checkpoints-note">
          {lab
            ? 'rewind the whole lab to a checkpoint, or branch from one with another policy'
            : 'CloudSim’s model keeps no checkpoints (it replays CloudSim 3.0.3 as it ran): take them in a lab-mode scenario. Load file… continues a lab checkpoint file, which brings its own scenario. Runs with other policies or seeds are compared below.'}
        </span>
        <div className="spacer" />
        {lab && (
          <>
            <input
              className="checkpoint-name"
              data-testid="checkpoint-name"
              placeholder="name (optional)"
              value={name}
              onChange={(e) => setName(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter') void take()
              }}
            />
            <button type="button" className="small primary" data-testid="take-checkpoint" onClick={() => void take()}>
              Take checkpoint
            </button>
          </>
        )}
        <span className="field-anchor">
          <button
            type="button"
            className="small"
            data-testid="load-checkpoint"
            onClick={load}
            disabled={busy}
            title="Continue from a checkpoint file (.ckpt, also those of conlab run --checkpoint-every): the file brings its lab-mode scenario, policy and settings"
          >
            Load file…
          </button>
          <FieldMessage field="checkpointFile" testId="checkpoint-file-error" />
        </span>
        <input
          ref={fileInput}
          type="file"
          accept=".ckpt"
          className="hidden"
          data-testid="checkpoint-file"
          onChange={(e) => void onFile(e)}
        />
      </header>
      {lab && <CheckpointTable checkpoints={checkpoints} policies={info.policies} busy={busy} />}
      <BranchTable branches={branches} />
    </section>
  )
}

function CheckpointTable(props: { checkpoints: CheckpointSummary[]; policies: string[]; busy: boolean }) {
  const { checkpoints, policies, busy } = props
  if (checkpoints.length === 0)
    return (
      <p className="muted hint" data-testid="checkpoint-list" data-count={0}>
        No checkpoints yet: <em>Take checkpoint</em> keeps the whole lab as it is now — every host and VM, migrations in
        flight, the policy’s state, metrics so far.
      </p>
    )
  return (
    <table className="data-table checkpoint-table" data-testid="checkpoint-list" data-count={checkpoints.length}>
      <thead>
        <tr>
          <th>checkpoint</th>
          <th className="num">time</th>
          <th>policy</th>
          <th className="num">size</th>
          <th>continue from it</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {checkpoints.map((c) => (
          <CheckpointRow key={c.id} checkpoint={c} policies={policies} busy={busy} />
        ))}
      </tbody>
    </table>
  )
}

function CheckpointRow(props: { checkpoint: CheckpointSummary; policies: string[]; busy: boolean }) {
  const { checkpoint: c, busy } = props
  const store = useStore()
  const field = `branch-${c.id}` as const
  const invalid = useFieldInvalid(field)
  const policies = props.policies.includes(c.policy) ? props.policies : [c.policy, ...props.policies]
  const [policy, setPolicy] = useState(c.policy)
  const [settings, setSettings] = useState('')
  const isBranch = policy !== c.policy || settings.trim() !== ''
  const branch = () => {
    const extra = parseSettings(settings)
    if (!extra.ok) return store.setFieldError(field, { message: extra.error, others: 0 })
    void store.restore(c.id, { policy, ...(extra.value.length ? { set: extra.value } : {}) }, field)
  }
  return (
    <tr data-testid="checkpoint-row" data-id={c.id} data-time={c.time}>
      <td className="ellipsis" title={`${c.scenario}${c.settings.length ? ` · ${c.settings.join(' ')}` : ''}`}>
        {c.name}
        {c.branch === undefined && <span className="muted"> (file)</span>}
      </td>
      <td className="num" data-testid="checkpoint-time">
        {formatClock(c.time)}
      </td>
      <td>{c.policy}</td>
      <td className="num">{formatBytes(c.sizeBytes)}</td>
      <td className="branch-form">
        <button
          type="button"
          className="small"
          data-testid="rewind"
          disabled={busy}
          onClick={() => void store.restore(c.id, {}, field)}
          title={`Rewind the lab to ${formatClock(c.time)} and go on with ${c.policy}`}
        >
          Rewind
        </button>
        <select
          data-testid="branch-policy"
          value={policy}
          onChange={(e) => setPolicy(e.target.value)}
          aria-label="policy of the branch"
        >
          {policies.map((p) => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
        </select>
        <span className="field-anchor">
          <input
            className="branch-settings"
            data-testid="branch-settings"
            placeholder="path=value …"
            value={settings}
            onChange={(e) => setSettings(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && isBranch && !busy) branch()
            }}
            aria-label="settings of the branch"
            aria-invalid={invalid}
            aria-describedby={invalid ? `branch-error-${c.id}` : undefined}
          />
          <FieldMessage field={field} testId={`branch-error-${c.id}`} />
        </span>
        <button
          type="button"
          className="small"
          data-testid="branch"
          disabled={busy || !isBranch}
          onClick={branch}
          title="Continue from this checkpoint with the chosen policy and settings"
        >
          Branch
        </button>
      </td>
      <td>
        <button
          type="button"
          className="small"
          data-testid="save-checkpoint"
          onClick={() => void store.saveCheckpoint(c.id, download)}
          title={`Save as ${c.fileName}`}
        >
          Save…
        </button>
      </td>
    </tr>
  )
}

const COLUMNS: { label: string; value: (r: RunReport) => string }[] = [
  { label: 'energy', value: (r) => `${r.energyKWh.toFixed(2)} kWh` },
  { label: 'migrations', value: (r) => formatNumber(r.migrations) },
  { label: 'SLATAH', value: (r) => formatPercent(r.slatah, 2) },
  { label: 'PDM', value: (r) => formatPercent(r.pdm, 3) },
  { label: 'SLAV', value: (r) => r.slav.toExponential(3) },
  { label: 'overall SLA', value: (r) => formatPercent(r.overallSla, 3) },
  { label: 'shutdowns', value: (r) => formatNumber(r.hostShutdowns) },
  {
    label: 'HA restarts',
    value: (r) => (r.ha ? `${formatNumber(r.ha.restarted)} / ${formatNumber(r.ha.vmsAffected)}` : '–'),
  },
]

function from(b: BranchSummary): string {
  return b.from ? `“${b.from.name}” (${formatClock(b.from.time)})` : 'the start'
}

/** The runs of this scenario; those that ran to the end with their final figures, side by side. */
function BranchTable({ branches }: { branches: BranchSummary[] }) {
  const playing = useRun((s) => s.playing)
  const done = useRun((s) => s.done)
  const time = useRun((s) => s.placement?.time ?? 0)
  if (branches.length === 0) return null
  const live: LiveRun = { playing, done, time }
  const finished = branches.filter((b) => b.report).length
  return (
    <>
      <h3 className="table-title">
        Runs of this scenario{' '}
        <span className="muted">
          {finished === 0
            ? '— a run’s final figures appear here once it reaches the end'
            : `— ${finished} ran to the end; figures cover the whole run`}
        </span>
      </h3>
      <table className="data-table branch-table" data-testid="branches" data-finished={finished}>
        <thead>
          <tr>
            <th>run</th>
            <th>from</th>
            <th className="num">seed</th>
            {COLUMNS.map((c) => (
              <th key={c.label} className="num">
                {c.label}
              </th>
            ))}
            <th>state hash</th>
          </tr>
        </thead>
        <tbody>
          {branches.map((b) => {
            const status = runStatus(b, live)
            return (
              <tr
                key={b.id}
                className={b.current ? 'current' : undefined}
                data-testid="branch-row"
                data-current={b.current}
                data-done={b.report ? 'true' : 'false'}
              >
                <td className="ellipsis" title={b.label}>
                  {b.label}
                  {status.tag && <span className="muted"> {status.tag}</span>}
                </td>
                <td className="ellipsis">{from(b)}</td>
                <td className="num">{b.seed}</td>
                {b.report ? (
                  COLUMNS.map((c) => (
                    <td key={c.label} className="num" data-testid={`branch-${c.label.replace(/[^a-z]+/gi, '-')}`}>
                      {c.value(b.report!)}
                    </td>
                  ))
                ) : (
                  <td colSpan={COLUMNS.length} className="muted" data-testid="branch-where">
                    {status.where}
                  </td>
                )}
                <td className="mono ellipsis" data-testid="branch-hash">
                  {b.report?.stateHash ?? ''}
                </td>
              </tr>
            )
          })}
        </tbody>
      </table>
    </>
  )
}
