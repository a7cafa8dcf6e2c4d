// The coordinator's side of host failures: hosts failing (scenario events, orders, seeded MTBF draws, a
// worker that died) and repaired, the VMs HA restarts once a failure is detected, and HA's admission
// control (failover capacity kept powered on). The failure and restart bookkeeping itself is ha.ts.
import type { ClusterModel } from '../model/cluster-model'
import { HOST_STATE, type LabEvent } from '../vocabulary'
import { failoverReserve, HaManager, type FailoverReserve } from './ha'
import type { MigrationQueue } from './migration-queue'
import type { LabPlan } from './plan'
import type { ShardOrders } from './shard-orders'
import type { RuleBook } from './rule-book'
import type { PlacementLog } from './placement-log'
import type { HaReserveReport, Waiting } from './ha'
import { acceptsVms } from '../policies/filters'
import { brokenRule, breaksRule, type ActiveRule } from '../policies/rules'
import { admitsAll } from './initial-placement'
import type { Proposal } from './recommendations'
import { moveEffect } from './expected'

export type FailureCause = 'scheduled' | 'ordered' | 'random'

export class HaCoordinator {
  readonly ha: HaManager
  /** hosts failing at the end of the current step */
  failing: number[] = []
  /** VMs HA could not place yet (told once) */
  readonly stuck = new Set<number>()
  /** the reserve could not be held (told once until it holds again) */
  private reserveShort = false

  constructor(
    private readonly model: ClusterModel,
    private readonly plan: LabPlan,
    private readonly orders: ShardOrders,
    private readonly migrations: MigrationQueue,
    private readonly rules: RuleBook,
  ) {
    this.ha = new HaManager(model)
  }

  /**
   * Random failures due in this step, repairs due, and the restarts HA can make now. With `waits` (manual
   * automation) a restart is not made: it is returned as a priority-1 recommendation, and the VM waits.
   */
  step(time: number, dt: number, events: LabEvent[], placements?: PlacementLog, waits = false): Proposal[] {
    const proposals: Proposal[] = []
    const tentative: number[] = []
    for (const h of this.ha.randomFailures(time + dt)) this.failHost(h, time + dt, events, 'random')
    for (const h of this.ha.repairsDue(time)) this.repairHost(h, time, events)
    const P = this.plan
    const restarted = new Set<number>()
    // VMs whose failure is detected during this step restart now, paused until detection + boot
    const ready = this.ha.ready(time + dt)
    for (const w of ready) {
      if (restarted.has(w.vm)) continue
      // a must-affinity group's members restart together, on one host that admits them all
      const mates = P.rules.any && P.rules.inMustAffinity(w.vm) ? this.groupWaiting(w, ready) : [w]
      const { host: h, soft } = this.restartHost(mates.map((m) => m.vm))
      if (h < 0) {
        for (const m of mates) {
          if (this.stuck.has(m.vm)) continue
          this.stuck.add(m.vm)
          events.push({
            time,
            kind: 'warning',
            vm: m.vm,
            message:
              mates.length > 1
                ? `HA cannot restart VM ${m.vm} yet: no host admits its must-affinity group (VMs ${mates.map((x) => x.vm).join(', ')}) together within the rules; it waits for capacity`
                : `HA cannot restart VM ${m.vm} yet: no host admits it (RAM ${P.vmRam[m.vm]} MB, ${P.vmVcpus[m.vm]} vCPUs)${P.rules.of(m.vm).length ? ' within its rules' : ''}; it waits for capacity`,
          })
        }
        continue
      }
      if (waits) {
        for (const m of mates) {
          restarted.add(m.vm)
          proposals.push({
            kind: 'restart',
            vm: m.vm,
            from: m.host,
            to: h,
            priority: 1,
            reason: `HA: VM ${m.vm} of failed host ${m.host} ${m.protected ? 'resumes from its last checkpoint' : 'cold-boots'} on host ${h}, the powered-on host with the most free RAM that admits ${mates.length > 1 ? 'its must-affinity group' : 'it'}${P.rules.of(m.vm).length ? ' within its rules' : ''} (mandatory)`,
            expected: moveEffect(P, this.model, m.vm, -1, h),
          })
          // planned for the next VMs' choice only: undone below
          P.place(m.vm, h)
          tentative.push(m.vm)
        }
        continue
      }
      for (const m of mates) {
        restarted.add(m.vm)
        this.restart(m, h, time, events, placements)
      }
      for (const r of soft) {
        this.rules.brokenOnPurpose(r)
        events.push({
          time,
          kind: 'rule',
          vm: mates[0]!.vm,
          host: h,
          message: `${r.must ? 'must' : 'should'} rule "${r.name}" broken on purpose by HA restarting VM ${mates.map((m) => m.vm).join(', ')} on host ${h}: ${r.must ? 'ha.respectAntiAffinity is false' : 'no host that keeps it admits the VM'}`,
        })
      }
    }
    for (const v of tentative.reverse()) P.drop(v)
    return proposals
  }

  /**
   * An approved restart: VM v (with the waiting members of its must-affinity group) on host h now, or why not
   * (it no longer waits, the host no longer admits it).
   */
  approveRestart(
    v: number,
    h: number,
    time: number,
    dt: number,
    events: LabEvent[],
    placements?: PlacementLog,
  ): string | undefined {
    const P = this.plan
    const ready = this.ha.ready(time + dt)
    const w = ready.find((x) => x.vm === v)
    if (!w) return `VM ${v} no longer waits for a restart`
    const mates = P.rules.any && P.rules.inMustAffinity(v) ? this.groupWaiting(w, ready) : [w]
    const vms = mates.map((m) => m.vm)
    if (!acceptsVms(P.hostState[h]!, P.hostMode[h]) || !(vms.length === 1 ? P.admits(h, v) : admitsAll(P, h, vms)))
      return `host ${h} no longer admits ${vms.length > 1 ? `VMs ${vms.join(', ')}` : `VM ${v}`}`
    for (const u of vms) {
      const broken = P.rules.any
        ? brokenRule(P.rules, P, u, h, { companions: vms, antiAffinity: this.model.ha.respectAntiAffinity })
        : undefined
      if (broken?.must) return `it would break must rule "${broken.name}"`
    }
    for (const m of mates) this.restart(m, h, time, events, placements)
    return undefined
  }

  /** The waiting, detected members of w's must-affinity group (w first). */
  private groupWaiting(w: Waiting, ready: Waiting[]): Waiting[] {
    const group = this.plan.rules.mustGroup(w.vm)
    return [w, ...ready.filter((x) => x !== w && group.includes(x.vm))]
  }

  private restart(w: Waiting, h: number, time: number, events: LabEvent[], placements?: PlacementLog): void {
    const P = this.plan
    this.stuck.delete(w.vm)
    P.place(w.vm, h)
    placements?.add(time, w.vm, h, 'restarted')
    // a host switched on for the restart has to boot first
    const hostBoot = P.hostState[h] === HOST_STATE.on ? 0 : this.model.hostTypes[P.hostType[h]!]!.bootSeconds
    if (P.hostState[h] === HOST_STATE.off) {
      this.orders.power.push({ host: h, on: true })
      P.hostState[h] = hostBoot > 0 ? HOST_STATE.booting : HOST_STATE.on
    }
    const from = Math.max(time, w.readyAt) + hostBoot
    const { bootSeconds, lostWork } = this.ha.restarted(w, from)
    const pause = from - time + bootSeconds
    this.orders.arrivals.push({ ...w.transfer, host: h, pauseLeft: (w.transfer.pauseLeft ?? 0) + pause })
    events.push({
      time,
      kind: 'ha-restart',
      vm: w.vm,
      host: h,
      message: w.protected
        ? `HA: VM ${w.vm} resumes on host ${h} from its last checkpoint (failover ${bootSeconds} s; lost ${lostWork.toFixed(2)} s of uncommitted work; running ${(from + bootSeconds - w.failedAt).toFixed(0)} s after its host failed)`
        : `HA: VM ${w.vm} cold-boots on host ${h} (${bootSeconds} s); its memory state of ${lostWork.toFixed(0)} s is lost; running ${(from + bootSeconds - w.failedAt).toFixed(0)} s after its host failed`,
    })
  }

  /**
   * Where HA restarts VMs (one, or a must-affinity group together): the running host with the most free RAM
   * that admits them, else a booting one, else an off one (which boots first) — among hosts in service (not in, or entering, maintenance or
   * standby) that break no must rule (VM-host always; VM-VM anti-affinity unless ha.respectAntiAffinity is
   * false) and, when one exists, no should rule. `soft`: the rules the chosen host breaks (counted).
   */
  private restartHost(vms: number[]): { host: number; soft: ActiveRule[] } {
    const P = this.plan
    const single = vms.length === 1
    const v = vms[0]!
    const rulesInPlay = P.rules.any && vms.some((u) => P.rules.of(u).length > 0)
    const respectAnti = this.model.ha.respectAntiAffinity
    /** 0: keeps every rule; 1: breaks a should rule; 2: breaks anti-affinity HA is set to ignore; 3: refused */
    const grade = (h: number): number => {
      if (!acceptsVms(P.hostState[h]!, P.hostMode[h])) return 3
      if (single ? !P.admits(h, v) : !admitsAll(P, h, vms)) return 3
      if (!rulesInPlay) return 0
      let g = 0
      for (const u of vms) {
        const broken = brokenRule(P.rules, P, u, h, { companions: vms, antiAffinity: respectAnti })
        if (broken?.must) return 3
        if (broken) g = Math.max(g, 1)
        if (
          !respectAnti &&
          P.rules.of(u).some((r) => r.kind === 'anti-affinity' && breaksRule(r, P, u, h, { companions: vms }))
        )
          g = Math.max(g, 2)
      }
      return g
    }
    for (let level = 0; level <= (rulesInPlay ? 2 : 0); level++) {
      let best = -1
      for (const wanted of [HOST_STATE.on, HOST_STATE.booting]) {
        let bestFree = -Infinity
        for (let h = 0; h < P.hostCount; h++) {
          if (P.hostState[h] !== wanted || grade(h) !== level) continue
          const free = (P.hostRam[h]! - P.hostRamUse[h]!) / P.hostRam[h]!
          if (free > bestFree) {
            best = h
            bestFree = free
          }
        }
        if (best >= 0) break
      }
      if (best < 0)
        for (let h = 0; h < P.hostCount; h++)
          if (P.hostState[h] === HOST_STATE.off && grade(h) === level) {
            best = h
            break
          }
      if (best >= 0) return { host: best, soft: level === 0 ? [] : this.brokenBy(vms, best) }
    }
    return { host: -1, soft: [] }
  }

  /** The rules placing `vms` together on host h breaks (anti-affinity included whatever HA's setting). */
  private brokenBy(vms: number[], h: number): ActiveRule[] {
    const P = this.plan
    const out = new Set<ActiveRule>()
    for (const u of vms) for (const r of P.rules.of(u)) if (breaksRule(r, P, u, h, { companions: vms })) out.add(r)
    return [...out]
  }

  /**
   * Host h fails at the end of this step (`end`): its shard stops its VMs then and hands their state over
   * for HA; the plan learns of it in `failedAtStepEnd`.
   */
  failHost(h: number, end: number, events: LabEvent[], by: FailureCause): void {
    const P = this.plan
    if (P.hostState[h] === HOST_STATE.failed || this.orders.failHosts.includes(h)) {
      events.push({
        time: end,
        kind: 'warning',
        host: h,
        message: `${by}: fail host ${h} refused: it has already failed`,
      })
      return
    }
    this.orders.failHosts.push(h)
    this.failing.push(h)
    const running = P.members[h]!.filter((v) => P.vmHost[v] === h).length
    events.push({
      time: end,
      kind: 'host-failed',
      host: h,
      message: `${by === 'random' ? 'random failure (MTBF)' : by}: host ${h} failed with ${running} VMs; HA restarts them after ${this.model.ha.detection} s of detection`,
    })
  }

  repairHost(h: number, time: number, events: LabEvent[]): void {
    this.plan.hostState[h] = HOST_STATE.off
    this.orders.repairs.push(h)
    this.ha.hostRepaired(h, time)
    events.push({
      time,
      kind: 'host-failed',
      host: h,
      message: `host ${h} repaired: back in the cluster (switched off)`,
    })
  }

  /** Before the shards' failed VMs are taken in: HA's records of the hosts failing at the end of this step. */
  recordFailures(end: number): void {
    for (const h of this.failing) this.ha.hostFailed(h, end)
  }

  /**
   * After the step in which hosts failed: the plan without them, migrations into them aborted, and the VMs
   * that finished moving onto one of them gone down with it.
   */
  failedAtStepEnd(end: number, placements?: PlacementLog): void {
    if (this.failing.length === 0) return
    const P = this.plan
    const M = this.migrations
    const dead = new Set(this.failing)
    for (const h of this.failing) {
      P.hostState[h] = HOST_STATE.failed
      for (const [v, m] of [...M.inFlight].sort((a, b) => a[0] - b[0]))
        if (m.target === h) this.orders.targetFailed.push({ vm: v, source: m.source })
      for (const q of M.queue) if (q.target === h) P.unmove(q.vm, h)
      M.queue = M.queue.filter((q) => q.target !== h)
      this.orders.power = this.orders.power.filter((p) => p.host !== h)
    }
    this.failing = []
    for (const a of this.orders.arrivals.filter((x) => dead.has(x.host))) {
      placements?.add(end, a.vm, a.host, 'stopped')
      P.drop(a.vm)
      this.ha.vmFailed(a, a.host, end)
    }
    this.orders.arrivals = this.orders.arrivals.filter((a) => !dead.has(a.host))
  }

  /**
   * Hosts gone with their worker: failed for the rest of the run. The VMs running there are lost, and so
   * are the migrations out of them; migrations into them are aborted by their source shard (the VM stays
   * on the source in pre-copy, is lost in post-copy) and reported back as completions. Returns the VMs lost.
   */
  workerLost(hostIds: Int32Array, now: number, placements?: PlacementLog): number[] {
    const P = this.plan
    const M = this.migrations
    const dead = new Set(hostIds)
    const lost: number[] = []
    for (const [v, m] of [...M.inFlight].sort((a, b) => a[0] - b[0])) {
      if (dead.has(m.source)) M.lose(v, now)
      else if (dead.has(m.target)) this.orders.targetFailed.push({ vm: v, source: m.source })
    }
    for (let v = 0; v < P.vmCount; v++) {
      const host = P.vmHost[v]!
      const target = P.vmTarget[v]!
      if (host >= 0 && dead.has(host)) {
        lost.push(v)
        placements?.add(now, v, host, 'stopped')
        P.drop(v)
      } else if (target >= 0 && dead.has(target) && !M.inFlight.has(v)) P.unmove(v, target)
    }
    M.queue = M.queue.filter((q) => P.vmHost[q.vm]! >= 0 && !dead.has(q.target))
    for (const h of hostIds) P.hostState[h] = HOST_STATE.failed
    this.orders.arrivals = this.orders.arrivals.filter((a) => !dead.has(a.host))
    return lost
  }

  /**
   * HA admission control (N host failures tolerated, ha.ts failoverReserve): what the N fullest powered-on
   * hosts hold must fit in the others' admission room. Undefined when no reserve is asked for.
   */
  failoverReserve(): FailoverReserve | undefined {
    const n = this.model.ha.reserveHosts
    return n === 0 ? undefined : failoverReserve(this.plan, n)
  }

  /** The reserve's account and warning state (undone with a tentative pass). */
  reserveState(): { report: HaReserveReport; short: boolean } {
    return { report: { ...this.ha.reserve }, short: this.reserveShort }
  }

  restoreReserveState(s: { report: HaReserveReport; short: boolean }): void {
    Object.assign(this.ha.reserve, s.report)
    this.reserveShort = s.short
  }

  /** The reserve as it stands at the end of a step, into the report. */
  noteReserve(): void {
    const r = this.failoverReserve()
    if (r) this.ha.noteReserve(r)
  }

  /**
   * Admission control holds the reserve after the step's decisions: a consolidation move that eats it is
   * refused (undone, latest first) when no switched-off host is left to make up for it; then switched-off
   * hosts are powered on, in id order, until it holds (as vSphere DPM brings hosts out of standby for HA).
   * Returns the decisions kept.
   */
  holdReserve<D extends { vm: number; to: number; powerOn?: boolean }>(
    decisions: D[],
    time: number,
    events: LabEvent[],
  ): D[] {
    const n = this.model.ha.reserveHosts
    if (n === 0) return decisions
    const P = this.plan
    const off = (): number => {
      // a host in standby (or entering a mode) is the operator's: not switched on for the reserve
      for (let h = 0; h < P.hostCount; h++) if (P.hostState[h] === HOST_STATE.off && P.hostMode[h] === 0) return h
      return -1
    }
    let r = failoverReserve(P, n)
    const kept = decisions.slice()
    while (!r.held && off() < 0 && kept.length > 0) {
      const d = kept.pop()!
      P.unmove(d.vm, d.to)
      // a host it was switching on for the move stays off
      if (d.powerOn && P.members[d.to]!.length === 0) P.hostState[d.to] = HOST_STATE.off
      this.ha.reserve.movesRefused++
      const after = failoverReserve(P, n)
      events.push({
        time,
        kind: 'warning',
        vm: d.vm,
        host: d.to,
        message: `HA admission control refused moving VM ${d.vm} to host ${d.to}: it would leave ${gib(r.spareRamMB)} of spare RAM for the ${gib(r.needRamMB)} that ${n} failed host(s) would need restarted, and no host is left to switch on`,
      })
      r = after
    }
    while (!r.held) {
      const h = off()
      if (h < 0) {
        if (!this.reserveShort) {
          this.reserveShort = true
          events.push({
            time,
            kind: 'warning',
            message: `HA admission control cannot hold the reserve for ${n} host failure(s): ${gib(r.spareRamMB)} of spare RAM and ${r.spareVcpus} vCPUs for ${gib(r.needRamMB)} and ${r.needVcpus}, every usable host on`,
          })
        }
        break
      }
      const boot = this.model.hostTypes[P.hostType[h]!]!.bootSeconds
      P.hostState[h] = boot > 0 ? HOST_STATE.booting : HOST_STATE.on
      this.orders.power.push({ host: h, on: true })
      this.ha.reserve.hostsPoweredOn++
      const before = r
      r = failoverReserve(P, n)
      events.push({
        time,
        kind: 'host-on',
        host: h,
        message: `host ${h} switched on by HA admission control: ${n} host failure(s) would need ${gib(before.needRamMB)} of RAM and ${before.needVcpus} vCPUs restarted, the others had room for ${gib(before.spareRamMB)} and ${before.spareVcpus}${before.spareRamMB >= before.needRamMB && before.spareVcpus >= before.needVcpus ? ' in all, but not for every VM whole on one host' : ''}`,
      })
    }
    if (r.held) this.reserveShort = false
    return kept
  }
}

function gib(mb: number): string {
  return `${(mb / 1024).toFixed(1)} GiB`
}
