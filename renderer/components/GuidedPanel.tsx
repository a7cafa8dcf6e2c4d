// The guided lab beside its run: the objectives checklist, updated live as the run plays (met / not yet /
// failed, with the value now against the target), the hints with their cost (asked before revealing), the
// solution (asked too: it scores 0), Submit — the lab grades the run's settings and order log by replay — and
// the debrief: each objective's value against its target, when it was decided and the events that decided it
// (each a link into the event log), and the submission file `conlab lab grade` reads.
import { useState } from 'react'
import type { LabBriefing, LabGrade, ObjectiveState } from '../../engine/api/lab-api'
import { formatClock } from '../../engine/api/units'
import { useRun, useStore } from '../state/use-run'
import type { GuidedRun } from '../state/run-store'
import { downloadBlob } from '../export/download'
import { formatInUnit } from '../../engine/api/lab-comparators'
import { formatTarget } from '../labs/lab-words'
import { FieldMessage } from './FieldMessage'
import { Markdown } from './Markdown'

const STATE_WORDS: Record<ObjectiveState['state'], string> = { met: 'met', 'not-yet': 'not yet', failed: 'failed' }

function unitOf(lab: LabBriefing, id: string): string {
  return lab.objectives.find((o) => o.id === id)?.unit ?? 'number'
}

export function GuidedPanel() {
  const guided = useRun((s) => s.guided)
  if (!guided) return null
  return (
    <section
      className="panel guided-panel"
      aria-labelledby="guided-title"
      data-testid="guided"
      data-lab={guided.lab.id}
    >
      <GuidedHead guided={guided} />
      <Checklist lab={guided.lab} />
      <Hints guided={guided} />
      {guided.grade && <Debrief lab={guided.lab} grade={guided.grade} />}
    </section>
  )
}

function GuidedHead({ guided }: { guided: GuidedRun }) {
  const store = useStore()
  const busy = useRun((s) => s.busy)
  const [trainee, setTrainee] = useState('')
  const { lab, status } = guided
  const maxScore = lab.objectives.reduce((sum, o) => sum + o.points, 0)
  const download = (fileName: string, text: string) =>
    downloadBlob(new Blob([text], { type: 'application/yaml' }), fileName)
  return (
    <>
      <header className="panel-head">
        <h2 id="guided-title">Lab: {lab.title}</h2>
        <span className="muted" data-testid="guided-cost">
          {maxScore} points
          {status.hintCost > 0 && ` · hints −${status.hintCost}`}
          {status.solutionSeen && ' · solution seen: scores 0'}
        </span>
        <button
          type="button"
          className="small"
          onClick={() => {
            void store.showBriefing(lab.id)
            void store.showLabs()
          }}
        >
          Briefing
        </button>
        <button
          type="button"
          className="small"
          data-testid="retry-lab"
          disabled={busy}
          onClick={() => void store.restart({})}
          title="Open the lab again from t = 0 with the same settings (hints revealed stay revealed)"
        >
          Retry from the start
        </button>
      </header>
      {guided.settings.length > 0 && (
        <p className="muted" data-testid="guided-settings">
          Your settings: {guided.settings.join(', ')}
        </p>
      )}
      <div className="guided-actions">
        <span className="field-anchor">
          <button
            type="button"
            className="primary"
            data-testid="submit-lab"
            disabled={busy}
            onClick={() => void store.submitLab()}
            title="Grade this run: its settings and orders replayed from t = 0 to the end"
          >
            Submit
          </button>
          <FieldMessage field="labSubmit" testId="submit-error" />
        </span>
        <label>
          <span>Trainee</span>
          <input
            data-testid="trainee"
            value={trainee}
            onChange={(e) => setTrainee(e.target.value)}
            placeholder="your name (optional)"
          />
        </label>
        <button
          type="button"
          className="small"
          data-testid="export-submission"
          onClick={() => void store.exportSubmission(trainee, download)}
          title="The submission file: lab, its hash, your settings, hints used and the order log (conlab lab grade reads it)"
        >
          Export submission
        </button>
      </div>
    </>
  )
}

function Checklist({ lab }: { lab: LabBriefing }) {
  const objectives = useRun((s) => s.objectives)
  const seconds = useRun((s) => (s.info?.intervalSeconds ?? 60) < 60)
  if (!objectives) return null
  return (
    <ul className="checklist" data-testid="checklist">
      {objectives.map((o) => {
        const unit = unitOf(lab, o.id)
        return (
          <li
            key={o.id}
            className={`objective state-${o.state}`}
            data-testid="objective"
            data-id={o.id}
            data-state={o.state}
            data-value={o.value ?? ''}
          >
            <span className="objective-state">{STATE_WORDS[o.state]}</span>
            <span className="objective-text">{o.text}</span>
            <span className="objective-value" data-testid="objective-value">
              {formatInUnit(o.value, unit)} (target {formatTarget(o.comparator, o.target, unit)}
              {o.at !== undefined ? ` at ${formatClock(o.at, seconds)}` : ' at the end'})
              {o.state === 'not-yet' && (o.holdsNow ? ' · holds now' : ' · misses now')}
              {o.decidedAt !== undefined && ` · decided at ${formatClock(o.decidedAt, seconds)}`}
            </span>
            <span className="muted objective-points">{o.points} pts</span>
          </li>
        )
      })}
    </ul>
  )
}

function Hints({ guided }: { guided: GuidedRun }) {
  const store = useStore()
  const [asking, setAsking] = useState<string>()
  const { lab, solution, status } = guided
  const ask = (id: string) => setAsking(asking === id ? undefined : id)
  return (
    <div className="hints" data-testid="hints">
      {lab.hints.map((h) => (
        <div key={h.id} className="hint" data-testid="hint" data-id={h.id} data-revealed={h.revealed}>
          {h.revealed ? (
            <>
              <strong>Hint “{h.id}”</strong> <span className="muted">(−{h.cost} points)</span>
              <Markdown text={h.text ?? ''} testId="hint-text" />
            </>
          ) : asking === h.id ? (
            <span role="group" aria-label={`reveal hint ${h.id}`}>
              Reveal hint “{h.id}”? It takes {h.cost} points off your score.{' '}
              <button
                type="button"
                className="small"
                data-testid="confirm-hint"
                onClick={() => {
                  setAsking(undefined)
                  void store.revealHint(h.id)
                }}
              >
                Reveal (−{h.cost})
              </button>{' '}
              <button type="button" className="small" onClick={() => setAsking(undefined)}>
                Cancel
              </button>
            </span>
          ) : (
            <button type="button" className="small" data-testid="ask-hint" onClick={() => ask(h.id)}>
              Hint “{h.id}” (−{h.cost} points)
            </button>
          )}
        </div>
      ))}
      <div className="hint" data-testid="solution" data-revealed={status.solutionSeen}>
        {solution ? (
          <>
            <strong>Solution</strong> <span className="muted">(a submission now scores 0)</span>
            <Markdown text={solution.approach} testId="solution-text" />
            {solution.settings.length > 0 && <p>Settings: {solution.settings.join(', ')}</p>}
            {solution.orders.length > 0 && (
              <pre className="solution-orders">{solution.orders.map((o) => JSON.stringify(o)).join('\n')}</pre>
            )}
          </>
        ) : asking === '#solution' ? (
          <span role="group" aria-label="show the solution">
            Show the solution? A submission then scores 0.{' '}
            <button
              type="button"
              className="small"
              data-testid="confirm-solution"
              onClick={() => {
                setAsking(undefined)
                void store.revealSolution()
              }}
            >
              Show it
            </button>{' '}
            <button type="button" className="small" onClick={() => setAsking(undefined)}>
              Cancel
            </button>
          </span>
        ) : (
          <button type="button" className="small" data-testid="ask-solution" onClick={() => ask('#solution')}>
            Give up: show the solution
          </button>
        )}
      </div>
    </div>
  )
}

function Debrief({ lab, grade }: { lab: LabBriefing; grade: LabGrade }) {
  const store = useStore()
  const seconds = useRun((s) => (s.info?.intervalSeconds ?? 60) < 60)
  return (
    <div className="debrief" data-testid="debrief" data-passed={grade.passed} data-score={grade.score}>
      <h3>
        Debrief:{' '}
        <span className={grade.passed ? 'good' : 'bad'} data-testid="grade-score">
          {grade.score}/{grade.maxScore}
        </span>{' '}
        {grade.passed ? 'passed' : 'not passed'}
      </h3>
      <p className="muted">
        Graded by replaying your settings and orders from t = 0 to {formatClock(grade.simulatedSeconds, seconds)}
        {grade.hintCost > 0 && ` · hints −${grade.hintCost} (${grade.hintsUsed.join(', ')})`}
        {grade.solutionSeen && ' · solution seen'} · state <code data-testid="grade-state-hash">{grade.stateHash}</code>
      </p>
      <table className="debrief-table">
        <thead>
          <tr>
            <th>Objective</th>
            <th>Value</th>
            <th>Target</th>
            <th>Decided at</th>
            <th>Events that bore on it</th>
          </tr>
        </thead>
        <tbody>
          {grade.objectives.map((o) => {
            const unit = unitOf(lab, o.id)
            return (
              <tr key={o.id} data-testid="grade-objective" data-id={o.id} data-passed={o.passed}>
                <td>
                  <span className={o.passed ? 'good' : 'bad'}>{o.passed ? '✓' : '✗'}</span> {o.text}{' '}
                  <span className="muted">({o.points} pts)</span>
                  {o.note && <div className="muted">{o.note}</div>}
                </td>
                <td data-testid="grade-value" data-value={o.value ?? ''}>
                  {formatInUnit(o.value, unit)}
                </td>
                <td data-testid="grade-target">
                  {formatTarget(o.comparator, o.target, unit)}
                  {o.at !== undefined && ` at ${formatClock(o.at, seconds)}`}
                </td>
                <td data-testid="grade-decided" data-time={o.decidedAt}>
                  {formatClock(o.decidedAt, seconds)}
                </td>
                <td>
                  {o.events.length === 0 ? (
                    <span className="muted">none</span>
                  ) : (
                    <ul className="debrief-events">
                      {o.events.map((e) => (
                        <li key={e.index}>
                          <button
                            type="button"
                            className="link"
                            data-testid="debrief-event"
                            data-index={e.index}
                            data-time={e.time}
                            onClick={() => void store.focusEvent(e)}
                            title="Show it in the event log"
                          >
                            {formatClock(e.time, seconds)} {e.kind}
                          </button>{' '}
                          <span className="muted">{e.message}</span>
                        </li>
                      ))}
                    </ul>
                  )}
                </td>
              </tr>
            )
          })}
        </tbody>
      </table>
      {grade.solution && (
        <div data-testid="debrief-approach">
          <h3>The solution’s approach</h3>
          <Markdown text={grade.solution.approach} />
        </div>
      )}
    </div>
  )
}
