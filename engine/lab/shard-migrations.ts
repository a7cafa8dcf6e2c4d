// The migrations a shard carries out, under the scenario's migration model:
//   cloudsim — RAM ÷ half of the slower NIC, the VM losing 10 % of its CPU while it moves (CloudSim's);
//   precopy, postcopy, hybrid — QEMU's algorithms on the VM's real memory image (engine/migration), at the
//   bandwidth the coordinator allots, the guest paying throttling, downtime and post-copy faults.
// The source shard runs a migration from start to end; the VM then moves to the target's shard.
import type { ClusterModel } from '../model/cluster-model'
import type { LabEvent } from '../vocabulary'
import { cloudSimMigrationSeconds } from '../policies/migration-cost'
import { LiveMigration, startMigration, type MigrationInfo, type MigrationParams } from '../migration'
import type { VmMemoryBank } from './vm-memory'
import type { MigrationSnapshot } from './protocol'

/** In the cloudsim model a migrating VM loses this share of its CPU (CloudSim's 10 %). */
const CLOUDSIM_DEGRADATION = 0.1

export interface MigrationStep {
  /** MIPS the VM gets once the migration's cost is taken */
  granted: number
  /** MIPS × seconds the VM lost to the migration this step */
  lossMipsSeconds: number
  /** of which to auto-converge's throttling */
  throttleMipsSeconds: number
  /** MIPS the source host spends sending */
  sourceMips: number
  /** the migration ended this step (completed, cancelled or failed) */
  ended: boolean
  /** where the VM is when it ended */
  location: 'source' | 'destination' | 'lost'
  /** simulated time it ended */
  endTime: number
  seconds: number
  info?: MigrationInfo
}

interface Timed {
  kind: 'timed'
  target: number
  left: number
  total: number
  /** called off: ends at the next step with the VM on the source */
  cancelled: boolean
}

interface Live {
  kind: 'live'
  source: number
  target: number
  migration: LiveMigration
  started: number
}

export class ShardMigrations {
  private readonly running = new Map<number, Timed | Live>()
  private readonly params: Partial<MigrationParams>

  constructor(
    private readonly model: ClusterModel,
    private readonly memory: VmMemoryBank | undefined,
  ) {
    const m = model.migration
    this.params =
      model.migrationModel === 'cloudsim'
        ? {}
        : {
            mode: model.migrationModel,
            maxBandwidth: m.maxBandwidth,
            downtimeLimit: m.downtimeLimit,
            autoConverge: m.autoConverge,
            postcopyAfterRounds: m.postcopyAfterRounds,
            completionTimeout: m.timeout ?? 0,
            timeoutAction: m.timeoutAction,
            syncRule: m.syncRule,
            setupTime: m.setupTime,
            resumeTime: m.resumeTime,
            deviceStateBytes: m.deviceState,
          }
  }

  has(v: number): boolean {
    return this.running.has(v)
  }

  target(v: number): number {
    return this.running.get(v)?.target ?? -1
  }

  /** The VMs whose migration is in flight, in the order they started. */
  vms(): IterableIterator<number> {
    return this.running.keys()
  }

  /** Starts moving VM v from `source` to `target` at `time`. */
  start(v: number, source: number, target: number, time: number): void {
    const M = this.model
    if (M.migrationModel === 'cloudsim') {
      const a = M.hostTypes[M.hostType[source]!]!
      const b = M.hostTypes[M.hostType[target]!]!
      // CloudSim's assumption, over the slower of the two NICs
      const seconds = cloudSimMigrationSeconds(M.vmTypes[M.vmType[v]!]!.ramMB, Math.min(a.bwKbps, b.bwKbps))
      this.running.set(v, { kind: 'timed', target, left: seconds, total: seconds, cancelled: false })
      return
    }
    const memory = this.memory!
    memory.settle(v)
    memory.followTrace(v, time)
    const vcpus = M.vmTypes[M.vmType[v]!]!.vcpus
    // the guest writes through its memory, so its use counts, balloon and KSM sharing stay exact
    const migration = startMigration(memory.image(v), memory.writer(v), { ...this.params, vcpus }, memory.guest(v))
    this.running.set(v, { kind: 'live', source, target, migration, started: time })
  }

  /**
   * Calls a migration off at the trainee's request: the VM stays on the source. A live migration already
   * running on the destination (post-copy) cannot be called off; it goes on, and the call says so.
   */
  cancel(v: number, time: number, events: LabEvent[]): boolean {
    const m = this.running.get(v)
    if (!m) return false
    if (m.kind === 'timed') {
      m.cancelled = true
      return true
    }
    if (!m.migration.cancel('cancelled by the trainee')) return false
    this.report(v, m, time, events)
    return true
  }

  /** The target host failed: pre-copy is aborted (the VM stays on the source); in post-copy the VM is lost. */
  targetFailed(v: number, time: number, events: LabEvent[]): void {
    const m = this.running.get(v)
    if (!m) return
    if (m.kind === 'timed') m.cancelled = true
    else if (m.migration.hostFailed('destination')) this.report(v, m, time, events)
  }

  /** The last event of a live migration ended between steps, into the lab's event log. */
  private report(v: number, m: Live, time: number, events: LabEvent[]): void {
    const e = m.migration.history().at(-1)
    if (!e) return
    events.push({
      time,
      kind: 'warning',
      vm: v,
      host: m.source,
      targetHost: m.target,
      message: `VM ${v} migration: ${e.message}`,
    })
  }

  /** The VM died on its source (OOM killer, host failure): whatever was moving it stops. */
  drop(v: number): void {
    this.running.delete(v)
  }

  /** query-migrate of a live migration in flight (undefined: none, or the cloudsim model). */
  progress(v: number): MigrationInfo | undefined {
    const m = this.running.get(v)
    return m?.kind === 'live' ? m.migration.info() : undefined
  }

  /** VM v's migration in flight, for a checkpoint (undefined: none). */
  snapshot(v: number): MigrationSnapshot | undefined {
    const m = this.running.get(v)
    if (!m) return undefined
    if (m.kind === 'timed')
      return { kind: 'timed', target: m.target, left: m.left, total: m.total, cancelled: m.cancelled }
    return { kind: 'live', source: m.source, target: m.target, started: m.started, state: m.migration.state() }
  }

  /** Resumes a migration from a checkpoint (the VM's memory already restored). */
  restore(v: number, s: MigrationSnapshot): void {
    if (s.kind === 'timed') {
      this.running.set(v, { ...s })
      return
    }
    const memory = this.memory!
    const migration = LiveMigration.fromState(s.state, memory.image(v), memory.writer(v), memory.guest(v))
    this.running.set(v, { kind: 'live', source: s.source, target: s.target, migration, started: s.started })
  }

  /** Bytes per second a live migration wants next (the coordinator shares NICs among them). */
  demand(v: number): number {
    const m = this.running.get(v)
    return m?.kind === 'live' ? m.migration.bandwidthDemand() : 0
  }

  /**
   * One step of VM v's migration, which got `got` MIPS of a `capMips` capacity from its host, with
   * `bandwidth` bytes/s allotted. Live migrations also issue the guest's page writes for the step.
   */
  advance(
    v: number,
    host: number,
    time: number,
    dt: number,
    bandwidth: number,
    got: number,
    capMips: number,
    events: LabEvent[],
  ): MigrationStep {
    const m = this.running.get(v)!
    if (m.kind === 'timed') {
      if (m.cancelled) {
        this.running.delete(v)
        return {
          granted: got,
          lossMipsSeconds: 0,
          throttleMipsSeconds: 0,
          sourceMips: 0,
          ended: true,
          location: 'source',
          endTime: time,
          seconds: m.total - m.left,
        }
      }
      const moving = Math.min(dt, m.left)
      const loss = got * CLOUDSIM_DEGRADATION * moving
      m.left -= dt
      const ended = m.left <= 0
      if (ended) this.running.delete(v)
      return {
        granted: got - loss / dt,
        lossMipsSeconds: loss,
        throttleMipsSeconds: 0,
        sourceMips: loss / dt,
        ended,
        location: ended ? 'destination' : 'source',
        endTime: time + moving,
        seconds: m.total,
      }
    }
    const activity = capMips > 0 ? got / capMips : 0
    if (m.migration.isFinished()) {
      // called off or failed between steps (cancel, target failure)
      this.running.delete(v)
      const location = m.migration.vmLocation
      if (location === 'source') this.memory!.accrue(v, dt, activity)
      return {
        granted: location === 'lost' ? 0 : got,
        lossMipsSeconds: location === 'lost' ? got * dt : 0,
        throttleMipsSeconds: 0,
        sourceMips: 0,
        ended: true,
        location,
        endTime: time,
        seconds: time - m.started,
        info: m.migration.info(),
      }
    }
    const slice = m.migration.advance(dt, bandwidth, activity)
    for (const e of slice.events) {
      events.push({
        time: m.started + e.time,
        kind: e.kind === 'failed' || e.kind === 'cancelled' || e.kind === 'not-converging' ? 'warning' : 'info',
        vm: v,
        host,
        targetHost: m.target,
        message: `VM ${v} migration: ${e.message}`,
      })
    }
    const peMips = this.model.hostTypes[this.model.hostType[host]!]!.mipsPerCore
    const step: MigrationStep = {
      granted: got * slice.runFraction,
      lossMipsSeconds: got * (dt - slice.runSeconds),
      throttleMipsSeconds: got * slice.throttledSeconds,
      sourceMips: (slice.sourceCpuSeconds * peMips) / dt,
      ended: slice.endedAt >= 0,
      location: slice.location,
      endTime: time + (slice.endedAt >= 0 ? slice.endedAt : dt),
      seconds: time + (slice.endedAt >= 0 ? slice.endedAt : dt) - m.started,
    }
    if (step.ended) {
      step.info = m.migration.info()
      this.running.delete(v)
    }
    return step
  }
}
