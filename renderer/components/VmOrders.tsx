// A VM's operator controls in its details (lab mode): Migrate… opens a target picker that lists every host
// as the lab's filters judge it for a manual move now (LabApi.eligibility: eligible, or the first filter that
// refuses it — state or mode, core speed, RAM or vCPU admission, a must rule — in words), with the analytic
// pre-copy model's predicted time and downtime for eligible hosts; a host that breaks a should rule asks for
// confirmation and the move goes with `force`. Also: cancel a migration in flight, pin and unpin. Every
// control is an order for the lab's next step; what the lab did, or why it refused, arrives as events.
import { useEffect, useState } from 'react'
import type { HostEligibility, VmDetails } from '../../engine/api/lab-api'
import { formatDuration } from '../../engine/api/units'
import { useOrderAllowed, useRun, useStore } from '../state/use-run'
import { useStaggered } from '../charts/stagger'

/** hosts listed before "Show all" (a 10,000-host cluster's picker stays quick to open) */
const FIRST_ROWS = 200
const PICKER_REFRESH_MS = 500

export function VmOrders({ vm }: { vm: VmDetails }) {
  const store = useStore()
  const labActions = useRun((s) => s.info?.labActions ?? false)
  const pending = useRun((s) => s.pendingOrders)
  const [picking, setPicking] = useState(false)
  const allows = useOrderAllowed()
  // a VM dropped on a host of the map: the picker opens with that host first
  const dropped = useRun((s) => (s.pickTarget?.vm === vm.vm ? s.pickTarget.host : undefined))
  if (!labActions) return null
  const open = picking || dropped !== undefined
  const close = () => {
    setPicking(false)
    store.clearPickTarget()
  }
  const running = vm.state === 'running' || vm.state === 'migrating'
  const mine = pending.filter((o) => o.vm === vm.vm)
  const moving = vm.migratingTo !== undefined
  return (
    <section className="vm-orders" data-testid="vm-orders">
      <div className="host-actions">
        <button
          type="button"
          className="small"
          data-testid="migrate-vm"
          hidden={!allows('migrate')}
          aria-expanded={open}
          disabled={!running || moving}
          onClick={() => (open ? close() : setPicking(true))}
          title="Choose a host to move the VM to (live migration), with each host's eligibility"
        >
          Migrate…
        </button>
        {moving && (
          <button
            type="button"
            className="small"
            data-testid="cancel-migration"
            hidden={!allows('cancelMigration')}
            disabled={mine.length > 0}
            onClick={() => void store.order({ cancelMigration: { vm: vm.vm } })}
            title="Call the migration off: the VM stays on its source"
          >
            Cancel migration
          </button>
        )}
        <button
          type="button"
          className="small"
          data-testid="pin-vm"
          hidden={!allows('pin')}
          aria-pressed={vm.pinned ?? false}
          disabled={!running || mine.length > 0}
          onClick={() => void store.order({ pin: { vm: vm.vm, pinned: !vm.pinned } })}
          title={
            vm.pinned
              ? 'Consolidation and evacuation may move the VM again'
              : 'Consolidation and evacuation never move the VM (it blocks maintenance of its host)'
          }
        >
          {vm.pinned ? 'Unpin' : 'Pin'}
        </button>
        {mine.map((o, i) => (
          <span key={i} className="muted" data-testid="vm-pending-order">
            {o.label} at the next step
          </span>
        ))}
      </div>
      {(vm.pinned || (vm.rules?.length ?? 0) > 0) && (
        <p className="muted hint" data-testid="vm-operator">
          {vm.pinned && 'pinned: consolidation and evacuation leave it where it is. '}
          {(vm.rules?.length ?? 0) > 0 && `rules: ${vm.rules!.join(', ')}`}
        </p>
      )}
      {open && running && !moving && <TargetPicker vm={vm.vm} first={dropped} onDone={close} />}
    </section>
  )
}

/** Every host for the VM — the one it was dropped on first, then eligible ones — with the lab's verdict. */
function TargetPicker({ vm, first, onDone }: { vm: number; first?: number; onDone: () => void }) {
  const store = useStore()
  // asked again as the lab moves on, at most twice a second (a 10,000-host list is no per-frame request)
  const time = useRun((s) => s.placement?.time ?? 0)
  const now = useStaggered(time, PICKER_REFRESH_MS)
  const [hosts, setHosts] = useState<HostEligibility[]>()
  const [all, setAll] = useState(false)
  /** a host that breaks a should rule, waiting for "Move anyway" */
  const [confirm, setConfirm] = useState<HostEligibility>()
  useEffect(() => {
    let live = true
    void store.eligibility(vm).then((list) => {
      if (live && list)
        setHosts(
          [...list].sort(
            (a, b) =>
              Number(b.host === first) - Number(a.host === first) ||
              Number(b.eligible) - Number(a.eligible) ||
              a.host - b.host,
          ),
        )
    })
    return () => {
      live = false
    }
  }, [store, vm, now, first])
  const move = (h: HostEligibility, force: boolean) => {
    void store.order({ migrate: force ? { vm, to: h.host, force: true } : { vm, to: h.host } })
    setConfirm(undefined)
    onDone()
  }
  if (!hosts) return <p className="muted hint">Asking the lab which hosts may take the VM…</p>
  const eligible = hosts.filter((h) => h.eligible).length
  const shown = all ? hosts : hosts.slice(0, FIRST_ROWS)
  return (
    <div className="target-picker" data-testid="target-picker">
      <p className="muted hint">
        {eligible} of {hosts.length} hosts may take VM {vm} now. Predictions: the analytic pre-copy model for the
        VM&apos;s RAM and page-write rate over the slower of the two NICs.
      </p>
      {confirm && (
        <div className="confirm" role="alertdialog" data-testid="confirm-force">
          Moving VM {vm} to host {confirm.host} breaks the should rule “{confirm.breaksShould}” (counted in the report).{' '}
          <button
            type="button"
            className="small danger"
            data-testid="confirm-force-move"
            onClick={() => move(confirm, true)}
          >
            Move anyway
          </button>{' '}
          <button type="button" className="small" onClick={() => setConfirm(undefined)}>
            Cancel
          </button>
        </div>
      )}
      <table className="vm-table picker-table">
        <thead>
          <tr>
            <th>host</th>
            <th>verdict</th>
            <th className="num">time</th>
            <th className="num">downtime</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {shown.map((h) => (
            <tr
              key={h.host}
              data-testid="target"
              data-host={h.host}
              data-eligible={h.eligible}
              data-filter={h.filter ?? ''}
              data-first={h.host === first}
              className={`${h.eligible ? '' : 'refused'}${h.host === first ? ' first' : ''}`}
            >
              <td>{h.host}</td>
              <td className="verdict" data-testid="target-verdict">
                {h.eligible
                  ? h.breaksShould
                    ? `eligible, breaks should rule “${h.breaksShould}”`
                    : 'eligible'
                  : `${h.filter}: ${h.reason ?? ''}`}
              </td>
              <td className="num">{prediction(h).time}</td>
              <td className="num">{prediction(h).downtime}</td>
              <td>
                {h.eligible && (
                  <button
                    type="button"
                    className="small"
                    data-testid="move-here"
                    onClick={() => (h.breaksShould ? setConfirm(h) : move(h, false))}
                  >
                    Move here
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {!all && hosts.length > shown.length && (
        <button type="button" className="small" onClick={() => setAll(true)}>
          Show all {hosts.length} hosts
        </button>
      )}
    </div>
  )
}

function prediction(h: HostEligibility): { time: string; downtime: string } {
  const m = h.migration
  if (!m) return { time: '', downtime: '' }
  if (!m.converges || m.seconds === null) return { time: 'does not converge', downtime: '' }
  return {
    time: formatDuration(m.seconds),
    downtime: m.downtimeMs === null ? '' : `${m.downtimeMs.toFixed(m.downtimeMs < 10 ? 1 : 0)} ms`,
  }
}
