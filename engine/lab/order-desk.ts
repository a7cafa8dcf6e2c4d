// Orders to a running lab — a scenario's scheduled events and the trainee's orders (the app, a script) —
// checked against the plan as a real cluster would check them, then turned into work for the coordinator
// and the shards. A refused order says why, in the event log.
import type { ClusterModel } from '../model/cluster-model'
import { HOST_STATE, type LabEvent } from '../vocabulary'
import type { HaCoordinator } from './ha-coordinator'
import type { LabOrder, LoggedOrder, RecommendationAction } from './lab-state'
import type { MigrationQueue } from './migration-queue'
import type { LabPlan } from './plan'
import type { ShardOrders } from './shard-orders'
import type { HostModes } from './host-modes'
import type { RuleBook } from './rule-book'
import { REJECTION } from '../policies/filters'
import { resolveRule, ruleSentence, ruleViolation, listIds } from '../policies/rules'
import { hostVerdict, verdictSentence } from './placement-choice'

export type OrderSource = 'scheduled' | 'ordered'

/** The coordinator's side of the orders about recommendations (approve, approve all, dismiss, automation). */
export interface RecommendationDesk {
  recommendationOrder(action: RecommendationAction, time: number, events: LabEvent[], by: OrderSource): void
}

/** Whether an action is about recommendations: applied before the step's other events and orders. */
export function isRecommendationAction(a: LabOrder): a is RecommendationAction {
  return 'approve' in a || 'approveAll' in a || 'dismiss' in a || 'automation' in a
}

export class OrderDesk {
  /** orders given since the last step: applied at the start of the next one */
  given: LabOrder[] = []
  /** the scenario's next scheduled event, and its next host failure (applied one step ahead) */
  nextEvent = 0
  nextFailureEvent = 0
  /** every order given during the run, with the simulated time it was applied at */
  log: LoggedOrder[] = []

  constructor(
    private readonly model: ClusterModel,
    private readonly plan: LabPlan,
    private readonly orders: ShardOrders,
    private readonly migrations: MigrationQueue,
    private readonly ha: HaCoordinator,
    private readonly modes: HostModes,
    private readonly rules: RuleBook,
    private readonly recommendations?: RecommendationDesk,
  ) {}

  give(action: LabOrder): void {
    this.given.push(action)
  }

  /**
   * The scenario's scheduled actions due at the start of this step, then the orders given meanwhile. Approvals,
   * dismissals and automation changes (scheduled, then ordered) come first: they complete the pass the last
   * step ended with, where full automation applied its decisions (docs/policies.md).
   */
  applyDue(time: number, events: LabEvent[]): void {
    const list = this.model.events
    const due: LabOrder[] = []
    while (this.nextEvent < list.length && list[this.nextEvent]!.at <= time) {
      const { at: _at, ...action } = list[this.nextEvent++]!
      // host failures are applied one step ahead (below)
      if (!('failHost' in action)) due.push(action)
    }
    const given = this.given
    this.given = []
    for (const action of due) if (isRecommendationAction(action)) this.apply(action, time, events, 'scheduled')
    for (const action of given)
      if (isRecommendationAction(action)) {
        this.log.push({ time, action })
        this.apply(action, time, events, 'ordered')
      }
    for (const action of due) if (!isRecommendationAction(action)) this.apply(action, time, events, 'scheduled')
    // a host failing at t fails at the end of the step that ends at t: its VMs ran until then
    const end = time + this.model.interval
    while (this.nextFailureEvent < list.length && list[this.nextFailureEvent]!.at <= end) {
      const e = list[this.nextFailureEvent++]!
      if ('failHost' in e) this.ha.failHost(e.failHost.host, end, events, 'scheduled')
    }
    for (const action of given) {
      if (isRecommendationAction(action)) continue
      this.log.push({ time, action })
      this.apply(action, time, events, 'ordered')
    }
  }

  private apply(action: LabOrder, time: number, events: LabEvent[], by: OrderSource): void {
    const P = this.plan
    const say = (kind: LabEvent['kind'], message: string, extra: Partial<LabEvent> = {}) =>
      events.push({ time, kind, message: `${by}: ${message}`, ...extra })
    if (isRecommendationAction(action)) {
      if (this.recommendations) this.recommendations.recommendationOrder(action, time, events, by)
      else say('warning', 'recommendation orders need the lab coordinator')
    } else if ('migrate' in action) {
      const { vm, to, force } = action.migrate
      const refuse = (why: string) =>
        say('warning', `migration of VM ${vm} to host ${to} refused: ${why}`, { vm, targetHost: to })
      // the trainee's move is refused by the host's state and mode, admission (RAM, vCPUs, core speed) and
      // must rules, not by the CPU the VM's demand would take: a manual move may overload a host, as vMotion allows
      const verdict = P.vmHost[vm]! >= 0 ? hostVerdict(P, vm, to, Number.NaN) : undefined
      const group = P.rules.any ? P.rules.inMustAffinity(vm) : undefined
      if (P.vmHost[vm]! < 0) refuse('the VM is not running')
      else if (P.vmTarget[vm]! >= 0) refuse(`the VM is already moving to host ${P.vmTarget[vm]}`)
      else if (P.vmHost[vm] === to) refuse('the VM already runs there')
      else if (verdict!.rejection !== REJECTION.none) refuse(verdictSentence(P, vm, to, Number.NaN, verdict!))
      else if (group)
        refuse(
          `must rule "${group.name}" (affinity): VM ${vm} would leave VMs ${listIds(group.vms.filter((u) => u !== vm))} of its group`,
        )
      else if (verdict!.rule && !force)
        refuse(
          `it would break ${ruleSentence(verdict!.rule, P, vm, to)}; give the order with force: true to move it anyway`,
        )
      else {
        const from = P.vmHost[vm]!
        if (verdict!.rule) {
          this.rules.brokenOnPurpose(verdict!.rule)
          say('rule', `forced move of VM ${vm} to host ${to} breaks ${ruleSentence(verdict!.rule, P, vm, to)}`, {
            vm,
            host: to,
          })
        }
        P.move(vm, to)
        if (P.hostState[to] === HOST_STATE.off) {
          this.orders.power.push({ host: to, on: true })
          P.hostState[to] = this.model.hostTypes[P.hostType[to]!]!.bootSeconds > 0 ? HOST_STATE.booting : HOST_STATE.on
        }
        this.migrations.enqueue(vm, to, time)
        say('info', `migrate VM ${vm} from host ${from} to host ${to}`, { vm, host: from, targetHost: to })
      }
    } else if ('cancelMigration' in action) {
      const { vm } = action.cancelMigration
      const M = this.migrations
      const queued = M.queue.findIndex((q) => q.vm === vm)
      const flight = M.inFlight.get(vm)
      if (queued >= 0) {
        P.unmove(vm, M.queue[queued]!.target)
        M.queue.splice(queued, 1)
        say('info', `migration of VM ${vm} cancelled before it started`, { vm })
      } else if (flight) {
        this.orders.cancel.push({ vm, source: flight.source })
        say('info', `cancel the migration of VM ${vm}`, { vm })
      } else say('warning', `cancel: VM ${vm} is not migrating`, { vm })
    } else if ('failHost' in action) {
      this.ha.failHost(action.failHost.host, time + this.model.interval, events, by)
    } else if ('repairHost' in action) {
      const h = action.repairHost.host
      if (P.hostState[h] !== HOST_STATE.failed) say('warning', `repair: host ${h} has not failed`, { host: h })
      else {
        say('info', `repair host ${h}`, { host: h })
        this.ha.repairHost(h, time, events)
      }
    } else if ('maintenance' in action) {
      this.modes.maintenance(action.maintenance.host, action.maintenance.enter, time, (kind, message, extra = {}) =>
        say(kind, message, extra),
      )
    } else if ('standby' in action) {
      this.modes.standby(action.standby.host, action.standby.on, time, (kind, message, extra = {}) =>
        say(kind, message, extra),
      )
    } else if ('pin' in action) {
      const { vm, pinned } = action.pin
      if ((P.vmPinned[vm] === 1) === pinned)
        say('warning', `${pinned ? 'pin' : 'unpin'}: VM ${vm} is already ${pinned ? 'pinned' : 'not pinned'}`, { vm })
      else {
        P.vmPinned[vm] = pinned ? 1 : 0
        say(
          'info',
          pinned
            ? `VM ${vm} pinned: consolidation and evacuation leave it where it is`
            : `VM ${vm} unpinned: consolidation and evacuation may move it`,
          { vm },
        )
      }
    } else if ('addRule' in action) {
      const rule = action.addRule
      const { rule: resolved, problems } = resolveRule(rule, this.model.ruleNames)
      const refuse = (why: string) => say('warning', `rule "${rule.name}" refused: ${why}`)
      if (!resolved) refuse(problems.map((p) => `${p.path.join('.')}: ${p.message}`).join('; '))
      else if (P.rules.find(rule.name)) refuse('a rule of that name is in force')
      else {
        const active = this.rules.add(resolved, time)
        // a must rule has to hold from now on: not on a placement that breaks it now (running or planned)
        const planned = Int32Array.from(P.vmTarget, (t, v) => (t >= 0 ? t : P.vmHost[v]!))
        const broken = active.must ? (ruleViolation(active, P.vmHost) ?? ruleViolation(active, planned)) : undefined
        if (broken !== undefined) {
          this.rules.remove(rule.name, time)
          this.rules.accounts.pop()
          refuse(`the placement breaks it now (${broken}); move the VMs first, or add it as a should rule`)
        } else
          say(
            'rule',
            `${resolved.must ? 'must' : 'should'} rule "${rule.name}" (${rule.kind}, VMs ${listIds(resolved.vms)}${resolved.hosts ? `, ${resolved.runOn ? 'run on' : 'not on'} hosts ${listIds(resolved.hosts)}` : ''}) in force`,
          )
      }
    } else if ('removeRule' in action) {
      const name = action.removeRule.name
      if (!this.rules.remove(name, time)) say('warning', `remove rule: no rule "${name}" is in force`)
      else say('rule', `rule "${name}" removed`)
    } else if ('balloon' in action) {
      const { vm, target } = action.balloon
      if (P.vmHost[vm]! < 0) say('warning', `balloon: VM ${vm} is not running`, { vm })
      else if (!this.model.memoryManaged) say('warning', 'balloon: hosts do not manage memory in this scenario', { vm })
      else this.orders.balloons.push({ vm, targetBytes: target })
    } else {
      // VM snapshots: carried out by the shard holding the VM
      const vm =
        'snapshot' in action ? action.snapshot.vm : 'revert' in action ? action.revert.vm : action.deleteSnapshot.vm
      if (P.vmHost[vm]! < 0) say('warning', `snapshot operation: VM ${vm} is not running`, { vm })
      else if (!this.model.memoryImages)
        say('warning', 'snapshot operation: VMs have no memory images in this scenario (set memory.images: true)', {
          vm,
        })
      else if ('snapshot' in action) this.orders.snapshots.push({ vm, take: action.snapshot })
      else if ('revert' in action) this.orders.snapshots.push({ vm, revert: action.revert.snapshot })
      else
        this.orders.snapshots.push({
          vm,
          delete: { snapshot: action.deleteSnapshot.snapshot, children: action.deleteSnapshot.children },
        })
    }
  }
}
