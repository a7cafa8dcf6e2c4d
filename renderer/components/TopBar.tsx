// The top bar: what runs (scenario, policy, seed, mode) and the playback controls and clock.
import { useRef, useState, type ChangeEvent } from 'react'
import { useRun, useStore } from '../state/use-run'
import { SPEEDS, type Speed } from '../state/run-store'
import { formatClock } from '../../engine/api/units'
import type { MigrationModel } from '../../engine/api/lab-api'

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
  const time = useRun((s) => s.placement?.time ?? 0)
  const seconds = useRun((s) => (s.info?.intervalSeconds ?? 60) < 60)
  const fileInput = useRef<HTMLInputElement>(null)

  const onScenario = (e: ChangeEvent<HTMLSelectElement>) => {
    if (e.target.value === FILE_CHOICE) return
    void store.open({ kind: 'builtin', id: e.target.value })
  }
  const openFile = () => {
    if (store.canUseDesktop) void store.openFromDisk()
    else fileInput.current?.click()
  }
  const onFile = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0]
    e.target.value = ''
    if (!file) return
    await store.open({ kind: 'file', file: { fileName: file.name, text: await file.text() } })
  }
  const policies = info ? (info.policies.includes(info.policy) ? info.policies : [info.policy, ...info.policies]) : []
  const canRun = !!info && !busy && !done

  return (
    <header className="topbar">
      <div className="brand">Consolidation Lab</div>
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
          </select>
        </label>
        <button type="button" onClick={openFile} disabled={busy} title="Open a scenario file (YAML or JSON)">
          Open file…
        </button>
        <input
          ref={fileInput}
          type="file"
          accept=".yaml,.yml,.json"
          className="hidden"
          data-testid="scenario-file"
          onChange={(e) => void onFile(e)}
        />
        <label>
          <span>Policy</span>
          <select
            data-testid="policy"
            value={info?.policy ?? ''}
            disabled={!info || busy}
            onChange={(e) => void store.restart({ policy: e.target.value })}
          >
            {policies.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
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
          disabled={!playing && !canRun}
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
        <PauseAtInput key={`${pauseAt}`} pauseAt={pauseAt} />
      </div>
      <div
        className="clock"
        data-testid="clock"
        data-time={time}
        data-state={busy ? 'busy' : playing ? 'playing' : done ? 'done' : 'paused'}
      >
        <span className="clock-time">{formatClock(time, seconds)}</span>
        <span className="muted"> / {formatClock(info?.durationSeconds ?? 0, seconds)}</span>
      </div>
    </header>
  )
}

function SeedInput({ seed, disabled }: { seed: number | undefined; disabled: boolean }) {
  const store = useStore()
  const [text, setText] = useState(seed === undefined ? '' : String(seed))
  const apply = () => {
    const n = Number(text)
    if (text.trim() === '' || !Number.isInteger(n) || n < 0 || n > 2 ** 32 - 1) {
      setText(seed === undefined ? '' : String(seed))
      return
    }
    if (n !== seed) void store.restart({ seed: n })
  }
  return (
    <label>
      <span>Seed</span>
      <input
        data-testid="seed"
        className="seed"
        inputMode="numeric"
        value={text}
        disabled={disabled}
        onChange={(e) => setText(e.target.value)}
        onBlur={apply}
        onKeyDown={(e) => {
          if (e.key === 'Enter') apply()
        }}
      />
    </label>
  )
}

/** Simulated hours at which playback pauses (empty: play to the end). */
function PauseAtInput({ pauseAt }: { pauseAt: number | undefined }) {
  const store = useStore()
  const [text, setText] = useState(pauseAt === undefined ? '' : String(pauseAt / 3600))
  const apply = () => {
    const hours = Number(text)
    store.setPauseAt(text.trim() === '' || !(hours > 0) ? undefined : hours * 3600)
  }
  return (
    <label title="Pause when the simulated clock reaches this many hours">
      <span>Pause at</span>
      <input
        data-testid="pause-at"
        className="pause-at"
        inputMode="decimal"
        placeholder="end"
        value={text}
        onChange={(e) => setText(e.target.value)}
        onBlur={apply}
        onKeyDown={(e) => {
          if (e.key === 'Enter') apply()
        }}
      />
      <span className="muted">h</span>
    </label>
  )
}

function baseName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path
}
