// The recommendations of a lab-mode run (issue 18): those waiting for the operator — priority (1 mandatory … 5),
// what each does, the reason in numbers, the expected effect — with Apply / Dismiss and Apply all; the latest
// resolved; the counts; the automation level (full / partial / manual) and the option to pause the clock when
// new ones arrive. Apply, Dismiss, Apply all and the level are orders for the lab's next step (LabApi.order),
// recorded in the order log like every other.
import { useEffect } from 'react'
import type { AutomationLevel, Recommendation } from '../../engine/api/lab-api'
import { formatClock } from '../../engine/api/units'
import { useOrderAllowed, useRun, useStore } from '../state/use-run'
import { useStaggered } from '../charts/stagger'
import { expectedLines, priorityText, recommendationAction } from '../state/recommendation-words'

/** recommendations are asked for again at most this often while the run plays */
const REFRESH_MS = 500

const LEVELS: { level: AutomationLevel; label: string }[] = [
  { level: 'full', label: 'full: applied as they are made' },
  { level: 'partial', label: 'partial: initial placement automatic, moves wait' },
  { level: 'manual', label: 'manual: everything waits' },
]

export function RecommendationsPanel() {
  const store = useStore()
  const allows = useOrderAllowed()
  const info = useRun((s) => s.info)
  const time = useRun((s) => s.placement?.time ?? 0)
  const pending = useRun((s) => s.pendingOrders)
  const view = useRun((s) => s.recommendations)
  const pauseOn = useRun((s) => s.pauseOnRecommendations)
  const seconds = useRun((s) => (s.info?.intervalSeconds ?? 60) < 60)
  const now = useStaggered(time, REFRESH_MS)
  const labActions = info?.labActions ?? false
  useEffect(() => {
    if (labActions) void store.refreshRecommendations()
  }, [store, labActions, now, info])
  if (!info || !labActions || !view) return null
  // an approve or dismiss given and not yet carried out: its buttons wait for the next step
  const ordered = new Set(
    pending.flatMap((o) =>
      'approve' in o.action ? [o.action.approve.id] : 'dismiss' in o.action ? [o.action.dismiss.id] : [],
    ),
  )
  const allOrdered = pending.some((o) => 'approveAll' in o.action)
  const pendingLevel = pending.findLast((o) => 'automation' in o.action)?.action
  const level = pendingLevel && 'automation' in pendingLevel ? pendingLevel.automation.level : view.automation
  const { counts } = view
  return (
    <section
      className="panel recommendations-panel"
      aria-labelledby="recommendations-title"
      data-testid="recommendations"
      data-waiting={view.waiting.length}
      data-automation={view.automation}
    >
      <header className="panel-head">
        <h2 id="recommendations-title">Recommendations</h2>
        <span className="muted" data-testid="recommendation-counts">
          {view.waiting.length} waiting · {counts.proposed} proposed · {counts.applied} applied · {counts.dismissed}{' '}
          dismissed · {counts.expired} expired
        </span>
        <div className="spacer" />
        <label className="inline">
          automation{' '}
          <select
            data-testid="automation"
            aria-label="automation level"
            value={level}
            disabled={!allows('automation')}
            title="What waits for approval (vSphere DRS's automation levels); changes at the next step"
            onChange={(e) => void store.order({ automation: { level: e.target.value as AutomationLevel } })}
          >
            {LEVELS.map((l) => (
              <option key={l.level} value={l.level}>
                {l.label}
              </option>
            ))}
          </select>
        </label>
        <label className="inline" title="Pause the clock at the step where more recommendations wait than before">
          <input
            type="checkbox"
            data-testid="pause-on-recommendations"
            checked={pauseOn}
            onChange={(e) => store.setPauseOnRecommendations(e.target.checked)}
          />{' '}
          pause when new ones arrive
        </label>
        <button
          type="button"
          className="small"
          data-testid="apply-all"
          hidden={!allows('approveAll')}
          disabled={view.waiting.length === 0 || allOrdered}
          onClick={() => void store.order({ approveAll: true })}
        >
          Apply all
        </button>
      </header>
      <table className="rules-table recommendations-table">
        <thead>
          <tr>
            <th className="num">#</th>
            <th title="1 mandatory … 5 a slight improvement">priority</th>
            <th>recommendation</th>
            <th>expected effect</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {view.waiting.map((r) => (
            <tr key={r.id} data-testid="recommendation" data-id={r.id} data-kind={r.kind}>
              <td className="num">{r.id}</td>
              <td data-testid="recommendation-priority" className={r.priority === 1 ? 'rule-violated' : undefined}>
                {priorityText(r.priority)}
              </td>
              <td>
                <strong data-testid="recommendation-action">{recommendationAction(r)}</strong>
                <div className="muted" data-testid="recommendation-reason">
                  {r.reason}
                </div>
              </td>
              <td>
                <Expected r={r} />
              </td>
              <td className="actions">
                <button
                  type="button"
                  className="small"
                  data-testid="apply-recommendation"
                  hidden={!allows('approve')}
                  disabled={ordered.has(r.id) || allOrdered}
                  onClick={() => void store.order({ approve: { id: r.id } })}
                >
                  Apply
                </button>{' '}
                <button
                  type="button"
                  className="small"
                  data-testid="dismiss-recommendation"
                  hidden={!allows('dismiss')}
                  disabled={ordered.has(r.id) || allOrdered}
                  onClick={() => void store.order({ dismiss: { id: r.id } })}
                >
                  Dismiss
                </button>
              </td>
            </tr>
          ))}
          {view.waiting.length === 0 && (
            <tr>
              <td colSpan={5} className="muted">
                none waiting{view.automation === 'full' ? ' (full automation applies them as they are made)' : ''}
              </td>
            </tr>
          )}
        </tbody>
      </table>
      {view.recent.length > 0 && (
        <details className="recent-recommendations">
          <summary>latest resolved ({view.recent.length})</summary>
          <ul>
            {[...view.recent].reverse().map((r) => (
              <li key={r.id} data-testid="resolved-recommendation" data-id={r.id} data-state={r.state}>
                #{r.id} {recommendationAction(r)}: <strong>{r.state}</strong>
                {r.resolvedAt !== undefined && ` at ${formatClock(r.resolvedAt, seconds)}`}
              </li>
            ))}
          </ul>
        </details>
      )}
    </section>
  )
}

function Expected({ r }: { r: Recommendation }) {
  return (
    <ul className="expected" data-testid="recommendation-expected">
      {expectedLines(r.expected).map((line) => (
        <li key={line}>{line}</li>
      ))}
    </ul>
  )
}
