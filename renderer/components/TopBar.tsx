// The top bar: what runs (scenario, policy, seed, mode) and the playback controls and clock.
import { useRef, useState, type ChangeEvent } from 'react'
import { useRun, useStore } from '../state/use-run'
import { SPEEDS, type Speed } from '../state/run-store'
import { formatClock } from '../../engine/api/units'
import type { MigrationModel } from '../../engine/api/lab-api'
import { parsePauseAt, parseSeed } from '../state/inputs'
import { FieldMessage, useFieldInvalid } from './FieldMessage'

const FILE_CHOICE = '__file__'
const MIGRATION_LABEL: Record<MigrationModel, string> = {
  cloudsim: 'migration: cloudsim',
  precopy: 'migration: pre-copy',
  postcopy: 'migration: post-copy',
  hybrid: 'migration: hybrid',
}

export function TopBar() {
  const store = useStore()
  const info = useRun((s) => s.info)
  const scenarios = useRun((s) => s.scenarios)
  const choice = useRun((s) => s.choice)
  const playing = useRun((s) => s.playing)
  const done = useRun((s) => s.done)
  const busy = useRun((s) => s.busy)
  const speed = useRun((s) => s.speed)
  const pauseAt = useRun((s) => s.pauseAt)
  const view = useRun((s) => s.view)
  const fileInput = useRef<HTMLInputElement>(null)
  const scenarioInvalid = useFieldInvalid('scenario')
  const pauseAtInvalid = useFieldInvalid('pauseAt')

  const onScenario = (e: ChangeEvent<HTMLSelectElement>) => {
    if (e.target.value === FILE_CHOICE) return
    void store.open({ kind: 'builtin', id: e.target.value }, {}, 'scenario')
  }
  const openFile = () => {
    if (store.canUseDesktop) void store.openFromDisk()
    else fileInput.current?.click()
  }
  const onFile = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0]
    e.target.value = ''
    if (!file) return
    await store.open({ kind: 'file', file: { fileName: file.name, text: await file.text() } }, {}, 'scenario')
  }
  const policies = info ? (info.policies.includes(info.policy) ? info.policies : [info.policy, ...info.policies]) : []
  const canRun = !!info && !busy && !done

  return (
    <header className="topbar">
      <div className="brand">Consolidation Lab</div>
      <div className="group">
        <button
          type="button"
          data-testid="labs-button"
          aria-pressed={view === 'labs'}
          onClick={() => (view === 'labs' ? store.showRun() : void store.showLabs())}
          title={view === 'labs' ? 'Back to the run' : 'Guided labs: a task, objectives, hints and a grade'}
        >
          {view === 'labs' ? '← Run' : 'Labs'}
        </button>
      </div>
      <div className="group">
        <label>
          <span>Scenario</span>
          <select
            data-testid="scenario"
            value={choice?.kind === 'builtin' ? choice.id : choice ? FILE_CHOICE : ''}
            onChange={onScenario}
            disabled={busy}
          >
            {scenarios.map((s) => (
              <option key={s.id} value={s.id} title={s.description}>
                {s.name}
              </option>
            ))}
            {choice?.kind === 'file' && (
              <option value={FILE_CHOICE}>{`file: ${baseName(choice.file.fileName)}`}</option>
            )}
            {choice?.kind === 'lab' && <option value={FILE_CHOICE}>{`lab: ${choice.id}`}</option>}
          </select>
        </label>
        <span className="field-anchor">
          <button
            type="button"
            onClick={openFile}
            disabled={busy}
            title="Open a scenario file (YAML or JSON)"
            aria-invalid={scenarioInvalid}
            aria-describedby={scenarioInvalid ? 'scenario-error' : undefined}
          >
            Open file…
          </button>
          <FieldMessage field="scenario" testId="scenario-error" />
        </span>
        <input
          ref={fileInput}
          type="file"
          accept=".yaml,.yml,.json"
          className="hidden"
          data-testid="scenario-file"
          onChange={(e) => void onFile(e)}
        />
        <label className="field-anchor">
          <span>Policy</span>
          <select
            data-testid="policy"
            value={info?.policy ?? ''}
            disabled={!info || busy}
            onChange={(e) => void store.restart({ policy: e.target.value }, 'policy')}
          >
            {policies.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
          <FieldMessage field="policy" testId="policy-error" />
        </label>
        <SeedInput key={`${info?.seed}`} seed={info?.seed} disabled={!info || busy} />
        {info && (
          <span className={`badge mode-${info.mode}`} title={info.modeNote} data-testid="mode">
            {info.mode}
          </span>
        )}
        {info && (
          <span
            className={`badge migration migration-${info.migrationModel}`}
            title={`Migration model: ${info.migrationNote}${info.settings.length ? `\nSettings: ${info.settings.join(', ')}` : ''}`}
            data-testid="migration-model"
          >
            {MIGRATION_LABEL[info.migrationModel]}
          </span>
        )}
      </div>
      <div className="group controls">
        <button
          type="button"
          onClick={() => void store.restart({})}
          disabled={!info || busy}
          title="Start again from t = 0"
          aria-label="Restart"
        >
          ⟲
        </button>
        <button
          type="button"
          className="primary"
          data-testid="play"
          onClick={() => (playing ? store.pause() : store.play())}
          disabled={!playing && (!canRun || pauseAtInvalid)}
          title={!playing && pauseAtInvalid ? 'Correct “Pause at” first' : undefined}
        >
          {playing ? '❚❚ Pause' : '▶ Play'}
        </button>
        <button type="button" data-testid="step" onClick={() => void store.step()} disabled={playing || !canRun}>
          Step
        </button>
        <label>
          <span>Speed</span>
          <select
            data-testid="speed"
            value={String(speed)}
            onChange={(e) => store.setSpeed((e.target.value === 'max' ? 'max' : Number(e.target.value)) as Speed)}
          >
            {SPEEDS.map((s) => (
              <option key={s} value={String(s)}>
                {s === 'max' ? 'full speed' : `${s} step${s === 1 ? '' : 's'}/s`}
              </option>
            ))}
          </select>
        </label>
        <PauseAtInput key={`${pauseAt}`} pauseAt={pauseAt} duration={info?.durationSeconds ?? 0} disabled={!info} />
      </div>
      <Clock />
    </header>
  )
}

/** The simulated clock: its own component, the only part of the bar that changes with every step. */
function Clock() {
  const time = useRun((s) => s.placement?.time ?? 0)
  const duration = useRun((s) => s.info?.durationSeconds ?? 0)
  const seconds = useRun((s) => (s.info?.intervalSeconds ?? 60) < 60)
  const state = useRun((s) => (s.busy ? 'busy' : s.playing ? 'playing' : s.done ? 'done' : 'paused'))
  return (
    <div className="clock" data-testid="clock" data-time={time} data-state={state}>
      <span className="clock-time">{formatClock(time, seconds)}</span>
      <span className="muted"> / {formatClock(duration, seconds)}</span>
    </div>
  )
}

/** The seed: checked here (a 32-bit whole number, as the scenario schema has it), then the run restarts with it. */
function SeedInput({ seed, disabled }: { seed: number | undefined; disabled: boolean }) {
  const store = useStore()
  const invalid = useFieldInvalid('seed')
  const [text, setText] = useState(seed === undefined ? '' : String(seed))
  const apply = () => {
    const parsed = parseSeed(text)
    if (!parsed.ok) {
      store.setFieldError('seed', { message: parsed.error, others: 0 })
      return
    }
    store.setFieldError('seed', undefined)
    if (parsed.value !== seed) void store.restart({ seed: parsed.value }, 'seed')
  }
  return (
    <label className="field-anchor">
      <span>Seed</span>
      <input
        data-testid="seed"
        className="seed"
        inputMode="numeric"
        value={text}
        disabled={disabled}
        aria-invalid={invalid}
        aria-describedby={invalid ? 'seed-error' : undefined}
        onChange={(e) => setText(e.target.value)}
        onBlur={apply}
        onKeyDown={(e) => {
          if (e.key === 'Enter') apply()
        }}
      />
      <FieldMessage field="seed" testId="seed-error" />
    </label>
  )
}

/** Simulated hours at which playback pauses (empty: play to the end); a time after now, within the run. */
function PauseAtInput(props: { pauseAt: number | undefined; duration: number; disabled: boolean }) {
  const { pauseAt, duration, disabled } = props
  const store = useStore()
  const invalid = useFieldInvalid('pauseAt')
  const [text, setText] = useState(pauseAt === undefined ? '' : String(pauseAt / 3600))
  const apply = () => {
    const parsed = parsePauseAt(text, store.getState().placement?.time ?? 0, duration)
    if (!parsed.ok) {
      store.setFieldError('pauseAt', { message: parsed.error, others: 0 })
      return
    }
    store.setFieldError('pauseAt', undefined)
    if (parsed.value !== pauseAt) store.setPauseAt(parsed.value)
  }
  return (
    <label className="field-anchor" title="Pause when the simulated clock reaches this many hours">
      <span>Pause at</span>
      <input
        data-testid="pause-at"
        className="pause-at"
        inputMode="decimal"
        placeholder="end"
        value={text}
        disabled={disabled}
        aria-invalid={invalid}
        aria-describedby={invalid ? 'pause-at-error' : undefined}
        onChange={(e) => setText(e.target.value)}
        onBlur={apply}
        onKeyDown={(e) => {
          if (e.key === 'Enter') apply()
        }}
      />
      <span className="muted">h</span>
      <FieldMessage field="pauseAt" testId="pause-at-error" />
    </label>
  )
}

function baseName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path
}
