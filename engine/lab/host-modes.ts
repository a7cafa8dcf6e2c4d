// The operator's host modes: maintenance and standby (vSphere's maintenance mode and DPM standby, oVirt's
// maintenance). A host entering either takes no VMs (the filters' state rejection) and is evacuated by the
// policy core — power-aware best fit among eligible hosts, rules respected, an off host switched on only
// when nothing else fits — a few VMs per step, within the host's free migration slots. It is in
// maintenance only once it runs and expects no VM; in standby it is then powered off and stays off until
// the operator powers it on. A VM that cannot leave (pinned, in a must-affinity group, no host takes it)
// blocks the host, and the reason is shown. A host in maintenance stays powered on (the operator works on
// it), drawing its idle power; a host the operator powered on stays on until it receives a VM.
import { HOST_MODE, HOST_STATE, type LabEvent } from '../vocabulary'
import type { ClusterModel } from '../model/cluster-model'
import { modeWords } from '../policies/filters'
import type { LabPlan } from './plan'
import type { MigrationQueue } from './migration-queue'
import type { ShardOrders } from './shard-orders'
import type { RuleBook } from './rule-book'
import { evacuationTarget, refusalSentence } from './placement-choice'
import { VM_AUTOMATION } from '../model/cluster-model'
import type { Proposal } from './recommendations'
import { moveEffect } from './expected'

/** One request to enter maintenance or standby, as the report lists it. */
export interface ModeRequest {
  host: number
  mode: 'maintenance' | 'standby'
  requestedAt: number
  /** when the host ran and expected no VM any more (null: not yet, or the request was withdrawn first) */
  enteredAt: number | null
  /** when the operator took it out again (null: still in that mode, or entering it) */
  exitedAt: number | null
  /** what keeps it from entering (empty once entered) */
  blockedBy: string[]
  /** who asked: the operator (absent), or the policy (DPM's standby: the policy may wake it again) */
  by?: 'policy'
}

export interface HostModesState {
  requests: ModeRequest[]
  heldOn: Uint8Array
}

export type Say = (kind: LabEvent['kind'], message: string, extra?: Partial<LabEvent>) => void

export class HostModes {
  requests: ModeRequest[] = []
  /** hosts the operator powered on: kept on until they receive a VM */
  readonly heldOn: Uint8Array

  constructor(
    private readonly model: ClusterModel,
    private readonly plan: LabPlan,
    private readonly orders: ShardOrders,
    private readonly migrations: MigrationQueue,
    private readonly rules: RuleBook,
  ) {
    this.heldOn = new Uint8Array(model.hostCount)
  }

  /** The open request of host h (entering, or in, a mode). */
  private current(h: number): ModeRequest | undefined {
    for (let i = this.requests.length - 1; i >= 0; i--) {
      const r = this.requests[i]!
      if (r.host === h && r.exitedAt === null) return r
    }
    return undefined
  }

  /** `maintenance: { host, enter }` */
  maintenance(h: number, enter: boolean, time: number, say: Say): void {
    const P = this.plan
    const mode = P.hostMode[h]!
    if (enter) {
      if (mode === HOST_MODE.maintenance || mode === HOST_MODE.enteringMaintenance)
        return say('warning', `maintenance: host ${h} is already ${modeWords(mode)}`, { host: h })
      this.close(h, time)
      this.enter(h, 'maintenance', time, say)
      return
    }
    if (mode !== HOST_MODE.maintenance && mode !== HOST_MODE.enteringMaintenance)
      return say('warning', `exit maintenance: host ${h} is not in maintenance (it is ${this.describe(h)})`, {
        host: h,
      })
    this.close(h, time)
    P.hostMode[h] = HOST_MODE.normal
    say('host-mode', `host ${h} leaves maintenance: it takes VMs again`, { host: h })
  }

  /**
   * `standby: { host, on }`: on = evacuate and power off; off = power on (boot time and boot energy). `by`: the
   * policy (DPM) rather than the operator: it may wake the host again by itself.
   */
  standby(h: number, on: boolean, time: number, say: Say, by?: 'policy'): void {
    const P = this.plan
    const mode = P.hostMode[h]!
    if (on) {
      if (mode === HOST_MODE.standby || mode === HOST_MODE.enteringStandby)
        return say('warning', `standby: host ${h} is already ${modeWords(mode)}`, { host: h })
      this.close(h, time)
      this.enter(h, 'standby', time, say, by)
      return
    }
    if (mode !== HOST_MODE.standby && mode !== HOST_MODE.enteringStandby)
      return say('warning', `power on: host ${h} is not in standby (it is ${this.describe(h)})`, { host: h })
    this.close(h, time)
    P.hostMode[h] = HOST_MODE.normal
    if (mode === HOST_MODE.enteringStandby)
      return say('host-mode', `host ${h} stays on: its standby is called off`, { host: h })
    if (P.hostState[h] === HOST_STATE.off) {
      this.orders.power.push({ host: h, on: true })
      const boot = this.model.hostTypes[P.hostType[h]!]!.bootSeconds
      P.hostState[h] = boot > 0 ? HOST_STATE.booting : HOST_STATE.on
      this.heldOn[h] = 1
      say('host-on', `host ${h} powered on by the operator (boots in ${boot} s); it stays on until it runs VMs`, {
        host: h,
      })
    } else say('host-mode', `host ${h} leaves standby`, { host: h })
  }

  /**
   * The policy (or an approved recommendation) powers a host on: out of its standby if it is in one, switched
   * on. `planned`: its pass already set it booting in the plan. `hold`: keep it on until it receives a VM (an
   * approved power-on waits for the moves the operator approves next).
   */
  wake(h: number, time: number, say: Say, planned: boolean, hold: boolean): void {
    const P = this.plan
    const mode = P.hostMode[h]!
    if (mode === HOST_MODE.standby || mode === HOST_MODE.enteringStandby) this.close(h, time)
    P.hostMode[h] = HOST_MODE.normal
    if (!planned) {
      if (P.hostState[h] !== HOST_STATE.off) return
      P.hostState[h] = this.model.hostTypes[P.hostType[h]!]!.bootSeconds > 0 ? HOST_STATE.booting : HOST_STATE.on
    }
    this.orders.power.push({ host: h, on: true })
    if (hold) this.heldOn[h] = 1
    say(
      'host-on',
      `host ${h} powered on by the policy (boots in ${this.model.hostTypes[P.hostType[h]!]!.bootSeconds} s)`,
      {
        host: h,
      },
    )
  }

  /** Whether host h is in (or entering) a standby the policy ordered. */
  policyStandby(h: number): boolean {
    return this.current(h)?.by === 'policy'
  }

  private describe(h: number): string {
    const P = this.plan
    if (P.hostMode[h] !== HOST_MODE.normal) return modeWords(P.hostMode[h])
    return P.hostState[h] === HOST_STATE.failed ? 'failed' : P.hostState[h] === HOST_STATE.off ? 'off' : 'in service'
  }

  /** The open request of host h ends now (the operator changed its mode). */
  private close(h: number, time: number): void {
    const r = this.current(h)
    if (r) r.exitedAt = time
  }

  private enter(h: number, mode: 'maintenance' | 'standby', time: number, say: Say, by?: 'policy'): void {
    const P = this.plan
    const M = this.migrations
    P.hostMode[h] = mode === 'maintenance' ? HOST_MODE.enteringMaintenance : HOST_MODE.enteringStandby
    this.heldOn[h] = 0
    this.requests.push({
      host: h,
      mode,
      requestedAt: time,
      enteredAt: null,
      exitedAt: null,
      blockedBy: [],
      ...(by ? { by } : {}),
    })
    // moves into the host are called off: queued ones at once, those in flight by their source
    let calledOff = 0
    for (const q of M.queue) if (q.target === h) P.unmove(q.vm, h)
    calledOff += M.queue.filter((q) => q.target === h).length
    M.queue = M.queue.filter((q) => q.target !== h)
    for (const [vm, m] of [...M.inFlight].sort((a, b) => a[0] - b[0]))
      if (m.target === h) {
        this.orders.cancel.push({ vm, source: m.source })
        calledOff++
      }
    say(
      'host-mode',
      `host ${h} ${mode === 'maintenance' ? 'enters maintenance' : 'goes to standby'}: it takes no VMs; ${P.runningAt[h]} VMs to evacuate${calledOff ? `, ${calledOff} moves into it called off` : ''}`,
      { host: h },
    )
  }

  /**
   * At the start of a step: hosts entering a mode and now empty enter it (a standby host is powered off);
   * the others' VMs are planned out, as many as the host has free migration slots; VMs that cannot leave
   * are named with the reason (an event when the reasons change). A move that `waits` (the automation level,
   * the VM's own) is not made: it is returned as a priority-1 recommendation.
   */
  progress(time: number, events: LabEvent[], waits: (v: number) => boolean = () => false): Proposal[] {
    const P = this.plan
    for (let h = 0; h < P.hostCount; h++) if (this.heldOn[h] && P.members[h]!.length > 0) this.heldOn[h] = 0
    const proposals: Proposal[] = []
    const tentative: { vm: number; to: number; powerOn: boolean }[] = []
    for (const r of this.requests) {
      if (r.exitedAt !== null || r.enteredAt !== null) continue
      const h = r.host
      const say: Say = (kind, message, extra = {}) => events.push({ time, kind, message, host: h, ...extra })
      if (P.hostState[h] === HOST_STATE.failed) {
        this.block(r, new Map([[-1, 'the host has failed']]), say)
        continue
      }
      if (P.runningAt[h] === 0 && P.members[h]!.length === 0 && P.incoming[h] === 0) {
        this.entered(r, time, say)
        continue
      }
      this.evacuate(r, time, events, say, waits, proposals, tentative)
    }
    // the waiting moves were planned only so that the next VMs' targets saw them
    for (const t of tentative.reverse()) {
      P.unmove(t.vm, t.to)
      if (t.powerOn && P.members[t.to]!.length === 0) P.hostState[t.to] = HOST_STATE.off
    }
    return proposals
  }

  private entered(r: ModeRequest, time: number, say: Say): void {
    const P = this.plan
    const h = r.host
    r.enteredAt = time
    r.blockedBy = []
    if (r.mode === 'maintenance') {
      P.hostMode[h] = HOST_MODE.maintenance
      say('host-mode', `host ${h} is in maintenance (${time - r.requestedAt} s after the request)`)
      return
    }
    P.hostMode[h] = HOST_MODE.standby
    if (P.hostState[h] === HOST_STATE.on || P.hostState[h] === HOST_STATE.booting) {
      this.orders.power.push({ host: h, on: false })
      P.hostState[h] = HOST_STATE.off
    }
    say('host-off', `host ${h} is in standby: evacuated and powered off (${time - r.requestedAt} s after the request)`)
  }

  /** Free migration slots of host h: its limit (by NIC, as vMotion) less the migrations in flight or queued at it. */
  private freeSlots(h: number): number {
    const P = this.plan
    let busy = 0
    for (const m of this.migrations.inFlight.values()) if (m.source === h || m.target === h) busy++
    for (const q of this.migrations.queue) if (P.vmHost[q.vm] === h || q.target === h) busy++
    return this.model.hostTypes[P.hostType[h]!]!.maxMigrations - busy
  }

  private evacuate(
    r: ModeRequest,
    time: number,
    events: LabEvent[],
    say: Say,
    waits: (v: number) => boolean,
    proposals: Proposal[],
    tentative: { vm: number; to: number; powerOn: boolean }[],
  ): void {
    const P = this.plan
    const h = r.host
    const rules = P.rules
    let free = this.freeSlots(h)
    const staying = new Map<number, string>()
    const leaving = P.members[h]!.filter((v) => P.vmHost[v] === h && P.vmTarget[v]! < 0).sort(
      (a, b) => P.vmDemand[b]! - P.vmDemand[a]! || a - b,
    )
    for (const v of leaving) {
      if (P.vmPinned[v]) {
        staying.set(v, `VM ${v} is pinned (unpin it to let it leave)`)
        continue
      }
      if (this.model.vmAutomation[v] === VM_AUTOMATION.disabled) {
        staying.set(v, `VM ${v} has automation disabled (move it by hand)`)
        continue
      }
      const group = rules.any ? rules.inMustAffinity(v) : undefined
      if (group) {
        staying.set(v, `VM ${v} is in must-affinity rule "${group.name}": its group is never split`)
        continue
      }
      if (free <= 0) continue
      const { choice, refusals } = evacuationTarget(P, v, h)
      if (!choice) {
        staying.set(v, `VM ${v}: ${refusalSentence(refusals)}`)
        continue
      }
      free--
      const to = choice.host
      const why = `evacuates host ${h} (${r.mode === 'maintenance' ? 'entering maintenance' : 'going to standby'}); power-aware best fit among eligible hosts (+${choice.powerIncreaseW.toFixed(2)} W)`
      if (waits(v)) {
        proposals.push({
          kind: 'migrate',
          vm: v,
          from: h,
          to,
          priority: 1,
          reason: `VM ${v} → host ${to}: ${why}${choice.soft ? `, breaking should rule "${choice.soft.name}": no eligible host keeps it` : ''} (mandatory)`,
          expected: moveEffect(P, this.model, v, h, to),
        })
        staying.set(v, `VM ${v}: its move to host ${to} waits for approval`)
        if (choice.powerOn) P.hostState[to] = HOST_STATE.booting
        P.move(v, to)
        tentative.push({ vm: v, to, powerOn: choice.powerOn })
        continue
      }
      P.move(v, to)
      if (choice.powerOn) {
        this.orders.power.push({ host: to, on: true })
        P.hostState[to] = this.model.hostTypes[P.hostType[to]!]!.bootSeconds > 0 ? HOST_STATE.booting : HOST_STATE.on
        events.push({
          time,
          kind: 'host-on',
          host: to,
          message: `host ${to} switched on to receive VM ${v} from host ${h}`,
        })
      }
      this.migrations.enqueue(v, to, time)
      events.push({
        time,
        kind: 'migration-start',
        vm: v,
        host: h,
        targetHost: to,
        message: `VM ${v} → host ${to}: ${why}`,
      })
      if (choice.soft) {
        this.rules.brokenOnPurpose(choice.soft)
        events.push({
          time,
          kind: 'rule',
          vm: v,
          host: to,
          message: `should rule "${choice.soft.name}" broken on purpose: no eligible host keeps it for VM ${v} leaving host ${h}`,
        })
      }
    }
    this.block(r, staying, say)
  }

  /** The VMs that keep host h from entering its mode now; an event when the reasons change. */
  private block(r: ModeRequest, staying: Map<number, string>, say: Say): void {
    const reasons = [...staying.values()]
    const before = r.blockedBy
    r.blockedBy = reasons
    if (reasons.length && reasons.join('\n') !== before.join('\n'))
      say(
        'warning',
        `host ${r.host} cannot finish ${r.mode === 'maintenance' ? 'entering maintenance' : 'going to standby'}: ${reasons.join('; ')}`,
      )
  }

  /** Whether the idle-host switch-off must leave host h on (a mode, or the operator powered it on). */
  keepsOn(h: number): boolean {
    return this.plan.hostMode[h] !== HOST_MODE.normal || this.heldOn[h] === 1
  }

  /** The open request of host h, if any (for the views). */
  request(h: number): ModeRequest | undefined {
    return this.current(h)
  }

  state(): HostModesState {
    return { requests: this.requests.map((r) => ({ ...r, blockedBy: [...r.blockedBy] })), heldOn: this.heldOn.slice() }
  }

  restore(s: HostModesState): void {
    this.requests = s.requests.map((r) => ({ ...r, blockedBy: [...r.blockedBy] }))
    this.heldOn.set(s.heldOn)
  }
}
