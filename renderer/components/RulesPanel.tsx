// The operator's side of a lab-mode run: the placement rules (LabApi.rules: in force or removed, satisfied or
// violated since when and why, the VMs breaking them, their counts), adding and removing them during the run
// — affinity, anti-affinity, and VM-host rules that pin VMs to hosts (run-on) or keep them off (not-run-on) —
// and the run's order log saved as a file `conlab run <scenario> --orders FILE` replays to the same state.
// Adding and removing are orders for the lab's next step; a must rule the placement breaks is refused there,
// with the reason in the event log.
import { useEffect, useState } from 'react'
import type { OrdersExport, RuleState } from '../../engine/api/lab-api'
import type { OrdersFileKind } from '../../engine/api/desktop-contract'
import { ordersFileName } from '../../engine/api/report-format'
import { formatClock, formatSeconds } from '../../engine/api/units'
import { useOrderAllowed, useRun, useStore } from '../state/use-run'
import { useStaggered } from '../charts/stagger'
import { downloadBlob } from '../export/download'
import { parseSelector } from '../state/inputs'

/** rules are asked for again at most this often while the run plays */
const RULES_REFRESH_MS = 500

type RuleKind = 'affinity' | 'anti-affinity' | 'run-on' | 'not-run-on'

const KIND_LABEL: Record<RuleKind, string> = {
  affinity: 'affinity: the VMs run on one host',
  'anti-affinity': 'anti-affinity: no two VMs on one host',
  'run-on': 'pin to hosts: the VMs run on these hosts',
  'not-run-on': 'keep off hosts: the VMs never run on these hosts',
}

function describeRule(r: RuleState): string {
  const vms = `VMs ${r.vms.join(', ')}`
  if (r.kind === 'vm-host')
    return `${vms} ${r.placement === 'run-on' ? 'run on' : 'never run on'} hosts ${r.hosts?.join(', ')}`
  return r.kind === 'affinity' ? `${vms} together on one host` : `${vms} on separate hosts`
}

export function RulesPanel() {
  const store = useStore()
  const allows = useOrderAllowed()
  const info = useRun((s) => s.info)
  const time = useRun((s) => s.placement?.time ?? 0)
  const pendingCount = useRun((s) => s.pendingOrders.length)
  const seconds = useRun((s) => (s.info?.intervalSeconds ?? 60) < 60)
  const now = useStaggered(time, RULES_REFRESH_MS)
  const rules = useRun((s) => s.rules)
  const labActions = info?.labActions ?? false
  useEffect(() => {
    if (labActions) void store.refreshRules()
  }, [store, labActions, now, info])
  if (!info || !labActions) return null
  const save = (what: OrdersFileKind) =>
    void store.saveOrders(what, (orders: OrdersExport, kind: OrdersFileKind) =>
      downloadBlob(
        new Blob([kind === 'events' ? orders.events : orders.scenario], { type: 'application/yaml' }),
        ordersFileName(info, kind),
      ),
    )
  const inForce = rules.filter((r) => r.state !== 'removed')
  return (
    <section className="panel rules-panel" aria-labelledby="rules-title" data-testid="rules">
      <header className="panel-head">
        <h2 id="rules-title">Placement rules and orders</h2>
        <span className="muted">
          {inForce.length} in force · {inForce.filter((r) => r.state === 'violated').length} violated
        </span>
        <div className="spacer" />
        <button
          type="button"
          className="small"
          data-testid="save-orders"
          onClick={() => save('events')}
          title="The orders given in this run as a scenario events list: conlab run <scenario> --orders FILE replays the run"
        >
          Save orders
        </button>
        <button
          type="button"
          className="small"
          data-testid="save-orders-scenario"
          onClick={() => save('scenario')}
          title="The whole scenario with this run's policy, seed, settings and orders written in"
        >
          Save as scenario
        </button>
      </header>
      <table className="rules-table">
        <thead>
          <tr>
            <th>rule</th>
            <th>what</th>
            <th>state</th>
            <th className="num">violations</th>
            <th className="num">broken on purpose</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {rules.map((r) => (
            <tr key={`${r.name}-${r.addedAt}`} data-testid="rule" data-name={r.name} data-state={r.state}>
              <td>
                <strong>{r.name}</strong> <span className="muted">{r.enforcement}</span>
              </td>
              <td>{describeRule(r)}</td>
              <td className={`rule-state rule-${r.state}`} data-testid="rule-state">
                {r.state === 'violated'
                  ? `violated since ${formatClock(r.violatedSince ?? 0, seconds)}${r.why ? `: ${r.why}` : ''}`
                  : r.state === 'removed'
                    ? `removed at ${formatClock(r.removedAt ?? 0, seconds)}`
                    : 'satisfied'}
              </td>
              <td className="num">
                {r.violations} ({formatSeconds(r.violationSeconds)})
              </td>
              <td className="num">{r.placements}</td>
              <td>
                {r.state !== 'removed' && (
                  <button
                    type="button"
                    className="small"
                    data-testid="remove-rule"
                    hidden={!allows('removeRule')}
                    disabled={pendingCount > 0}
                    onClick={() => void store.order({ removeRule: { name: r.name } })}
                  >
                    Remove
                  </button>
                )}
              </td>
            </tr>
          ))}
          {rules.length === 0 && (
            <tr>
              <td colSpan={6} className="muted">
                no rules
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <AddRule inForce={inForce.map((r) => r.name)} />
    </section>
  )
}

/** The form for a new rule: checked here for what the page can see, by the lab for the rest. */
function AddRule({ inForce }: { inForce: string[] }) {
  const store = useStore()
  const allows = useOrderAllowed()
  const [name, setName] = useState('')
  const [kind, setKind] = useState<RuleKind>('anti-affinity')
  const [vms, setVms] = useState('')
  const [hosts, setHosts] = useState('')
  const [enforcement, setEnforcement] = useState<'must' | 'should'>('must')
  const [error, setError] = useState<string>()
  const vmHost = kind === 'run-on' || kind === 'not-run-on'
  const add = () => {
    const n = name.trim()
    const vmList = parseSelector(vms)
    const hostList = parseSelector(hosts)
    const problem = !n
      ? 'expected a name for the rule'
      : inForce.includes(n)
        ? `a rule named "${n}" is in force already`
        : vmList.length === 0
          ? 'expected VMs: ids and/or VM group names, e.g. "3, 4" or "web"'
          : vmHost && hostList.length === 0
            ? 'expected hosts: ids and/or host group names'
            : undefined
    setError(problem)
    if (problem) return
    void store.order({
      addRule: vmHost
        ? { name: n, kind: 'vm-host', vms: vmList, hosts: hostList, placement: kind, enforcement }
        : { name: n, kind, vms: vmList, enforcement },
    })
    setName('')
    setVms('')
    setHosts('')
  }
  return (
    <form
      className="add-rule"
      data-testid="add-rule-form"
      onSubmit={(e) => {
        e.preventDefault()
        add()
      }}
    >
      <input
        data-testid="rule-name"
        placeholder="rule name"
        aria-label="rule name"
        value={name}
        onChange={(e) => setName(e.target.value)}
      />
      <select
        data-testid="rule-kind"
        aria-label="kind"
        value={kind}
        onChange={(e) => setKind(e.target.value as RuleKind)}
      >
        {(Object.keys(KIND_LABEL) as RuleKind[]).map((k) => (
          <option key={k} value={k}>
            {KIND_LABEL[k]}
          </option>
        ))}
      </select>
      <input
        data-testid="rule-vms"
        placeholder="VMs: 3, 4 or web"
        aria-label="VMs"
        value={vms}
        onChange={(e) => setVms(e.target.value)}
      />
      {vmHost && (
        <input
          data-testid="rule-hosts"
          placeholder="hosts: 12, 13 or a host group"
          aria-label="hosts"
          value={hosts}
          onChange={(e) => setHosts(e.target.value)}
        />
      )}
      <select
        data-testid="rule-enforcement"
        aria-label="enforcement"
        value={enforcement}
        onChange={(e) => setEnforcement(e.target.value as 'must' | 'should')}
      >
        <option value="must">must (never broken)</option>
        <option value="should">should (broken only when nothing else fits)</option>
      </select>
      <button type="submit" className="small" data-testid="add-rule" hidden={!allows('addRule')}>
        Add rule
      </button>
      {error && (
        <div className="field-error" role="alert" data-testid="rule-error">
          {error}
        </div>
      )}
    </form>
  )
}
