// A VM's snapshot tree in its details (lab mode), as vSphere's snapshot manager shows it: every snapshot
// with its time and the size it stores (a child stores only the pages changed since its parent), "You are
// here" under the snapshot the VM's state follows; take (name, description, with memory), revert and delete
// go to the lab as orders for its next step, and what the lab did — or why it refused — comes back as events,
// the latest of which are shown here.
import { useMemo, useState, type ReactNode } from 'react'
import type { LabEvent, SnapshotInfo, VmDetails } from '../../engine/api/lab-api'
import { useOrderAllowed, useRun, useStore } from '../state/use-run'
import { formatBytes, formatClock } from '../../engine/api/units'

/** snapshot-related events shown in the panel (the newest) */
const RECENT = 4

/** The newest events about the VM's snapshots: what the lab did, and its refusals. */
function snapshotEvents(events: readonly LabEvent[], count: number, vm: number): LabEvent[] {
  const out: LabEvent[] = []
  for (let i = count - 1; i >= 0 && out.length < RECENT; i--) {
    const e = events[i]!
    if (e.vm !== vm) continue
    if (e.kind === 'snapshot' || (e.kind === 'warning' && /snapshot|revert/i.test(e.message))) out.push(e)
  }
  return out
}

export function VmSnapshots({ vm }: { vm: VmDetails }) {
  const store = useStore()
  const info = useRun((s) => s.info)
  const events = useRun((s) => s.events)
  const count = useRun((s) => s.eventCount)
  const pending = useRun((s) => s.pendingOrders)
  const seconds = useRun((s) => (s.info?.intervalSeconds ?? 60) < 60)
  const [name, setName] = useState('')
  const [description, setDescription] = useState('')
  const [memory, setMemory] = useState(true)
  const allows = useOrderAllowed()
  const recent = useMemo(() => snapshotEvents(events, count, vm.vm), [events, count, vm.vm])
  const list = useMemo(() => vm.snapshots ?? [], [vm.snapshots])
  const children = useMemo(() => {
    const m = new Map<number | null, SnapshotInfo[]>()
    for (const s of list) m.set(s.parent, [...(m.get(s.parent) ?? []), s])
    return m
  }, [list])
  if (!info?.labActions || !vm.snapshots) return null
  const here = list.find((s) => s.current)
  const mine = pending.filter((o) => o.vm === vm.vm)
  const running = vm.state !== 'lost' && vm.state !== 'removed'

  const n = name.trim()
  /** orders name the snapshot to revert or delete: a second snapshot of the same name could not be picked */
  const taken = list.some((s) => s.name === n)
  const take = () => {
    if (!n || taken) return
    void store.order({ snapshot: { vm: vm.vm, name: n, description: description.trim(), memory } })
    setName('')
    setDescription('')
  }

  const youAreHere = (
    <li className="you-are-here" data-testid="you-are-here" key="here">
      ▸ You are here
    </li>
  )
  const branch = (parent: number | null): ReactNode[] => {
    const nodes: ReactNode[] = (children.get(parent) ?? []).map((s) => (
      <li key={s.id} data-testid="snapshot" data-name={s.name} data-current={s.current}>
        <div className="snapshot-row">
          <span className="snapshot-name" title={s.description || undefined}>
            {s.name}
          </span>
          <span className="muted">{formatClock(s.time, seconds)}</span>
          <span className="muted" data-testid="snapshot-size" title={`${s.storedPages} pages stored`}>
            {formatBytes(s.sizeBytes)}
          </span>
          <span className={`badge-small ${s.memory ? 'with-memory' : ''}`}>{s.memory ? 'memory' : 'disk'}</span>
          <button
            type="button"
            className="small"
            data-testid="snapshot-revert"
            hidden={!allows('revert')}
            disabled={!running}
            onClick={() => void store.order({ revert: { vm: vm.vm, snapshot: s.name } })}
          >
            Revert
          </button>
          <button
            type="button"
            className="small"
            data-testid="snapshot-delete"
            hidden={!allows('deleteSnapshot')}
            onClick={() => void store.order({ deleteSnapshot: { vm: vm.vm, snapshot: s.name, children: false } })}
            title="Delete it; the snapshots based on it take over its pages"
          >
            Delete
          </button>
          {s.children.length > 0 && (
            <button
              type="button"
              className="small"
              hidden={!allows('deleteSnapshot')}
              onClick={() => void store.order({ deleteSnapshot: { vm: vm.vm, snapshot: s.name, children: true } })}
              title="Delete it and every snapshot below it"
            >
              Delete tree
            </button>
          )}
        </div>
        {s.description && <div className="snapshot-description muted">{s.description}</div>}
        {(s.children.length > 0 || s.current) && (
          <ul>
            {branch(s.id)}
            {s.current && youAreHere}
          </ul>
        )}
      </li>
    ))
    return nodes
  }

  return (
    <section className="snapshots" data-testid="vm-snapshots" data-count={list.length}>
      <h3>
        Snapshots <span className="muted">{list.length === 0 ? 'none' : `(${list.length})`}</span>
      </h3>
      {!info.memoryImages && (
        <p className="muted hint">
          VMs in this scenario have no memory images, so the lab refuses snapshots (set <code>memory.images: true</code>
          ).
        </p>
      )}
      <ul className="snapshot-tree">
        {branch(null)}
        {!here && youAreHere}
      </ul>
      <div className="snapshot-take">
        <input
          data-testid="snapshot-name"
          placeholder="name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') take()
          }}
        />
        <input
          data-testid="snapshot-description"
          placeholder="description"
          value={description}
          onChange={(e) => setDescription(e.target.value)}
        />
        <label title="Save memory and the running state (the VM pauses while it is saved)">
          <input
            type="checkbox"
            data-testid="snapshot-memory"
            checked={memory}
            onChange={(e) => setMemory(e.target.checked)}
          />
          memory
        </label>
        <button
          type="button"
          className="small primary"
          data-testid="snapshot-take"
          hidden={!allows('snapshot')}
          disabled={!n || taken || !running}
          onClick={take}
          title={
            taken
              ? `VM ${vm.vm} has a snapshot named "${n}" already: revert and delete pick snapshots by name`
              : undefined
          }
        >
          Take snapshot
        </button>
      </div>
      {mine.length > 0 && (
        <ul className="pending-orders" data-testid="vm-pending-orders">
          {mine.map((o, i) => (
            <li key={i}>{o.label} — at the next step</li>
          ))}
        </ul>
      )}
      {recent.length > 0 && (
        <ul className="snapshot-events" data-testid="snapshot-events">
          {recent.map((e, i) => (
            <li key={`${e.time}-${i}`} className={`kind-${e.kind}`} data-kind={e.kind}>
              <span className="muted">{formatClock(e.time, seconds)}</span> {e.message}
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}
