// The event log: the lab's events, newest first, filterable by kind and by the selected host or VM.
// Virtualized: only the rows in view exist in the DOM, so a day's 30,000+ events stay instant.
import { useEffect, useMemo, useRef, useState } from 'react'
import type { LabEventKind } from '../../engine/api/lab-api'
import { useRun, useStore } from '../state/use-run'
import type { Selection } from '../state/run-store'
import { useElementSize } from '../use-element-size'
import { formatClock, formatNumber } from '../../engine/api/units'
import { FilteredEvents } from '../state/event-filter'

export const EVENT_KINDS: { kind: LabEventKind; label: string }[] = [
  { kind: 'migration-start', label: 'migrations' },
  { kind: 'migration-end', label: 'migration ends' },
  { kind: 'overload', label: 'overloads' },
  { kind: 'host-on', label: 'hosts on' },
  { kind: 'host-off', label: 'hosts off' },
  { kind: 'vm-removed', label: 'VM removals' },
  { kind: 'snapshot', label: 'VM snapshots' },
  { kind: 'host-failed', label: 'host failures' },
  { kind: 'ha-restart', label: 'HA restarts' },
  { kind: 'info', label: 'info' },
  { kind: 'warning', label: 'warnings' },
]

const ROW_HEIGHT = 22

/** Scrolls the details panel into view when its top is off screen (the log sits below it). */
function revealDetails(): void {
  const panel = document.querySelector<HTMLElement>('[data-testid=details]')
  if (!panel) return
  const top = panel.getBoundingClientRect().top
  if (top < 0 || top > window.innerHeight - 120) panel.scrollIntoView({ block: 'start', behavior: 'smooth' })
}

export function EventLog() {
  const store = useStore()
  const events = useRun((s) => s.events)
  const count = useRun((s) => s.eventCount)
  const selection = useRun((s) => s.selection)
  /** runs stepped in seconds (live-migration scenarios) show seconds */
  const seconds = useRun((s) => (s.info?.intervalSeconds ?? 60) < 60)
  const [hidden, setHidden] = useState<ReadonlySet<LabEventKind>>(() => new Set(['migration-end']))
  const [onlySelected, setOnlySelected] = useState(false)
  const [scrollTop, setScrollTop] = useState(0)
  const scrollRef = useRef<HTMLDivElement>(null)
  const { height } = useElementSize(scrollRef)

  // a debrief link: its event is shown (its kind, whatever the selection) until a filter is changed again
  const focus = useRun((s) => s.focusEvent)
  const focusKind = focus !== undefined ? events[focus]?.kind : undefined
  const shownHidden = useMemo(
    () => (focusKind && hidden.has(focusKind) ? new Set([...hidden].filter((k) => k !== focusKind)) : hidden),
    [hidden, focusKind],
  )
  const [filtered] = useState(() => new FilteredEvents())
  const visible = filtered.update(
    events,
    count,
    shownHidden,
    onlySelected && focus === undefined ? selection : undefined,
  )
  const perKind = visible.perKind
  const focusRow = focus !== undefined ? visible.rowOf(focus) : -1
  useEffect(() => {
    const el = scrollRef.current
    if (focusRow < 0 || !el) return
    el.scrollTop = Math.max(0, focusRow * ROW_HEIGHT - el.clientHeight / 2)
    setScrollTop(el.scrollTop)
    el.closest('section')?.scrollIntoView({ block: 'nearest' })
  }, [focus, focusRow])

  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - 2)
  const last = Math.min(visible.length, first + Math.ceil(height / ROW_HEIGHT) + 5)
  const rows: number[] = []
  for (let r = first; r < last; r++) rows.push(r)

  const toggle = (kind: LabEventKind) => {
    store.clearFocusEvent()
    setHidden((h) => {
      const next = new Set(h)
      if (next.has(kind)) next.delete(kind)
      else next.add(kind)
      return next
    })
  }

  return (
    <section className="panel log-panel" aria-labelledby="log-title">
      <header className="panel-head">
        <h2 id="log-title">Events</h2>
        <span className="muted" data-testid="log-count">
          {formatNumber(visible.length)} of {formatNumber(count)}
        </span>
      </header>
      <div className="log-filters">
        {EVENT_KINDS.filter(({ kind }) => (perKind.get(kind) ?? 0) > 0 || kind === 'migration-start').map(
          ({ kind, label }) => (
            <label key={kind} className={`chip kind-${kind}`}>
              <input type="checkbox" checked={!shownHidden.has(kind)} onChange={() => toggle(kind)} />
              {label} <span className="muted">{formatNumber(perKind.get(kind) ?? 0)}</span>
            </label>
          ),
        )}
        <label className="chip">
          <input
            type="checkbox"
            checked={onlySelected && focus === undefined}
            disabled={!selection}
            onChange={(e) => {
              store.clearFocusEvent()
              setOnlySelected(e.target.checked)
            }}
          />
          only the selected {selection?.kind === 'vm' ? 'VM' : 'host'}
        </label>
      </div>
      <div
        className="log-scroll"
        ref={scrollRef}
        data-testid="event-log"
        onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
      >
        <div className="log-spacer" style={{ height: visible.length * ROW_HEIGHT }}>
          {rows.map((r) => {
            const index = visible.at(r)
            const e = events[index]!
            const target: Selection =
              e.vm !== undefined
                ? { kind: 'vm', vm: e.vm }
                : e.host !== undefined
                  ? { kind: 'host', host: e.host }
                  : undefined
            return (
              <button
                type="button"
                key={r}
                className={`log-row kind-${e.kind}${index === focus ? ' focused' : ''}`}
                data-testid={index === focus ? 'focused-event' : undefined}
                data-index={index}
                style={{ top: r * ROW_HEIGHT }}
                title={e.message}
                disabled={!target}
                onClick={() => {
                  void store.select(target)
                  revealDetails()
                }}
              >
                <span className={`log-time${seconds ? ' wide' : ''}`}>{formatClock(e.time, seconds)}</span>
                <span className="log-kind">{e.kind}</span>
                <span className="log-message">{e.message}</span>
              </button>
            )
          })}
        </div>
      </div>
    </section>
  )
}
