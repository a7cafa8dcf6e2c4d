// The Labs view: the guided labs (built-in and from lab packs) with each one's topics, level and the best
// grade the trainee has had; a lab's briefing with its objectives, what it allows and its hints' costs; the
// settings the lab lets the trainee choose before it starts; loading a lab pack (a folder of lab files).
import { useRef, useState, type ChangeEvent } from 'react'
import type { LabBriefing } from '../../engine/api/lab-api'
import { formatDuration } from '../../engine/api/units'
import { useRun, useStore } from '../state/use-run'
import { formatTarget, packFromFiles } from '../labs/lab-words'
import type { BestGrade } from '../labs/progress'
import { FieldMessage } from './FieldMessage'
import { Markdown } from './Markdown'

function Best({ best, hash }: { best: BestGrade | undefined; hash?: string }) {
  if (!best) return <span className="muted">not yet graded</span>
  return (
    <span className={best.passed ? 'good' : 'bad'} title={`graded ${best.at}`}>
      {best.score}/{best.maxScore} {best.passed ? 'passed' : 'not passed'}
      {hash && best.labHash !== hash && <span className="muted"> (an earlier version of the lab)</span>}
    </span>
  )
}

export function LabsView() {
  const briefing = useRun((s) => s.briefing)
  return (
    <main className="labs-view" data-testid="labs-view">
      {briefing ? <Briefing lab={briefing} /> : <LabList />}
    </main>
  )
}

function LabList() {
  const store = useStore()
  const labs = useRun((s) => s.labs)
  const progress = useRun((s) => s.progress)
  const progressStore = useRun((s) => s.progressStore)
  const desktop = store.canUseDesktop
  const folderInput = useRef<HTMLInputElement>(null)
  const filesInput = useRef<HTMLInputElement>(null)
  const onFiles = async (e: ChangeEvent<HTMLInputElement>) => {
    const list = [...(e.target.files ?? [])]
    e.target.value = ''
    if (!list.length) return
    const picked = await Promise.all(
      list.map(async (f) => ({ name: f.name, relativePath: f.webkitRelativePath, text: await f.text() })),
    )
    await store.loadLabPack(packFromFiles(picked))
  }
  return (
    <section className="panel" aria-labelledby="labs-title">
      <header className="panel-head">
        <h2 id="labs-title">Guided labs</h2>
        <span className="muted">a task, objectives the lab checks, hints, and a grade by replay</span>
        <span className="field-anchor">
          {desktop ? (
            <button type="button" className="small" onClick={() => void store.loadLabPackFromDisk()}>
              Open lab pack folder…
            </button>
          ) : (
            <>
              <button type="button" className="small" onClick={() => folderInput.current?.click()}>
                Open lab pack folder…
              </button>{' '}
              <button type="button" className="small" onClick={() => filesInput.current?.click()}>
                Open lab files…
              </button>
            </>
          )}
          <FieldMessage field="labPack" testId="lab-pack-error" />
        </span>
        <input
          ref={folderInput}
          type="file"
          className="hidden"
          data-testid="lab-pack-folder"
          multiple
          {...{ webkitdirectory: '' }}
          onChange={(e) => void onFiles(e)}
        />
        <input
          ref={filesInput}
          type="file"
          className="hidden"
          data-testid="lab-pack-files"
          accept=".yaml,.yml,.json"
          multiple
          onChange={(e) => void onFiles(e)}
        />
      </header>
      <table className="labs-table" data-testid="lab-list" data-count={labs.length} data-progress-store={progressStore}>
        <thead>
          <tr>
            <th>Lab</th>
            <th>Level</th>
            <th>Topics</th>
            <th>Length</th>
            <th>Best grade</th>
          </tr>
        </thead>
        <tbody>
          {labs.map((l) => (
            <tr key={l.id} data-testid="lab-row" data-id={l.id}>
              <td>
                <button type="button" className="link" onClick={() => void store.showBriefing(l.id)}>
                  {l.title}
                </button>
                <div className="muted">
                  {l.id}
                  {l.source !== 'built-in' && ` · pack ${l.source}`}
                </div>
              </td>
              <td className={`level level-${l.level}`}>{l.level}</td>
              <td>{l.topics.join(', ')}</td>
              <td>{formatDuration(l.durationSeconds)}</td>
              <td data-testid="lab-best">
                <Best best={progress[l.id]} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {(progressStore === 'localStorage' || progressStore === 'none') && (
        <p className="muted" data-testid="progress-store-note">
          {progressStore === 'localStorage'
            ? 'Best grades and hints revealed are kept in this browser’s localStorage (IndexedDB did not open).'
            : 'Best grades and hints revealed are kept only until the page closes (this browser offers no storage).'}
        </p>
      )}
    </section>
  )
}

/** A setting the lab allows, as the trainee chooses it: one of its values, or `path=value` texts. */
function SettingsChooser({ lab, onChange }: { lab: LabBriefing; onChange: (settings: string[]) => void }) {
  const [chosen, setChosen] = useState<Record<string, string>>({})
  const [free, setFree] = useState('')
  const withValues = lab.allowed.settings.filter((a) => a.values)
  const open = lab.allowed.settings.filter((a) => !a.values)
  const update = (next: Record<string, string>, text: string) => {
    setChosen(next)
    setFree(text)
    onChange([
      ...Object.entries(next)
        .filter(([, v]) => v !== '')
        .map(([path, v]) => `${path}=${v}`),
      ...text
        .split(/[\n,]/)
        .map((s) => s.trim())
        .filter(Boolean),
    ])
  }
  if (!lab.allowed.settings.length) return <p className="muted">This lab has no settings to choose: orders only.</p>
  return (
    <div className="lab-settings">
      {withValues.map((a) => (
        <label key={a.path}>
          <span>{a.path}</span>
          <select
            data-testid={`lab-setting-${a.path}`}
            value={chosen[a.path] ?? ''}
            onChange={(e) => update({ ...chosen, [a.path]: e.target.value }, free)}
          >
            <option value="">the lab’s own</option>
            {a.values!.map((v) => (
              <option key={String(v)} value={String(v)}>
                {String(v)}
              </option>
            ))}
          </select>
        </label>
      ))}
      {open.length > 0 && (
        <label className="lab-settings-free">
          <span>
            Settings (<code>path=value</code>, one a line) under {open.map((a) => a.path).join(', ')}
          </span>
          <textarea
            data-testid="lab-settings-text"
            rows={3}
            value={free}
            onChange={(e) => update(chosen, e.target.value)}
            placeholder={`${open[0]!.path}…=…`}
          />
        </label>
      )}
    </div>
  )
}

function Briefing({ lab }: { lab: LabBriefing }) {
  const store = useStore()
  const busy = useRun((s) => s.busy)
  const best = useRun((s) => s.progress[lab.id])
  const [settings, setSettings] = useState<string[]>([])
  return (
    <section className="panel briefing" aria-labelledby="briefing-title" data-testid="briefing" data-lab={lab.id}>
      <header className="panel-head">
        <button type="button" className="small" onClick={() => void store.showBriefing(undefined)}>
          ← All labs
        </button>
        <h2 id="briefing-title">{lab.title}</h2>
        <span className={`level level-${lab.level}`}>{lab.level}</span>
        <span className="muted">
          {lab.topics.join(', ')} · {formatDuration(lab.durationSeconds)} simulated · best:{' '}
        </span>
        <Best best={best} hash={lab.hash} />
      </header>
      <Markdown text={lab.briefing} testId="briefing-text" />
      <h3>Objectives</h3>
      <ol className="objective-list" data-testid="briefing-objectives">
        {lab.objectives.map((o) => (
          <li key={o.id} data-testid="briefing-objective" data-id={o.id}>
            {o.text}{' '}
            <span className="muted">
              ({o.points} points · checked: {o.check}; target {formatTarget(o.comparator, o.target, o.unit)})
            </span>
          </li>
        ))}
      </ol>
      <h3>What you may change</h3>
      <ul className="lab-limits" data-testid="briefing-limits">
        <li>
          Settings:{' '}
          {lab.allowed.settings.length
            ? lab.allowed.settings
                .map((a) => (a.values ? `${a.path} (${a.values.map(String).join(', ')})` : `${a.path} and below`))
                .join('; ')
            : 'none'}
        </li>
        <li>Orders: {lab.allowed.orders.length ? lab.allowed.orders.join(', ') : 'none'}</li>
        <li>Hints: {lab.hints.length ? lab.hints.map((h) => `${h.id} (−${h.cost} points)`).join(', ') : 'none'}</li>
      </ul>
      <SettingsChooser key={lab.id} lab={lab} onChange={setSettings} />
      <div className="field-anchor">
        <button
          type="button"
          className="primary"
          data-testid="start-lab"
          disabled={busy}
          onClick={() => void store.startLab(lab.id, settings)}
        >
          Start the lab
        </button>
        <FieldMessage field="labSettings" testId="lab-settings-error" />
      </div>
    </section>
  )
}
