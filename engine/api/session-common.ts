// What LabSession's two kinds of run share: the interface each serves (cloudsim: session-cloudsim.ts,
// lab: session-lab.ts), the LabInfo of an open scenario, and the notes that say which model runs.
import type {
  AdvanceRequest,
  AdvanceResult,
  HostDetails,
  LabInfo,
  MigrationModel,
  ShardPlace,
  PlacementView,
  VmDetails,
  VmMigration,
} from './lab-api'
import type { ClusterModel } from '../model/cluster-model'
import type { RunReport } from '../report'
import type { MigrationRecord } from '../lab/migration-log'

/** One open scenario, whichever model runs it. */
export interface SessionRun {
  readonly info: LabInfo
  /** simulated seconds reached */
  readonly time: number
  readonly done: boolean
  advance(request: AdvanceRequest): Promise<AdvanceResult>
  placement(): PlacementView
  hostDetails(host: number): HostDetails
  vmDetails(vm: number): VmDetails
  report(): RunReport
  close(): Promise<void>
}

const MODE_NOTES = {
  cloudsim:
    "CloudSim-compatible mode: CloudSim 3.0.3's consolidation model, quirks included (idle hosts draw nothing, VMs with zero demand are removed, RAM only checked at start, migration = RAM ÷ half the link).",
  lab: "Lab mode: the lab's own model (RAM enforced, no VM removal, migrations that take time).",
}

const MIGRATION_MODEL_NAMES: Record<MigrationModel, string> = {
  cloudsim: "CloudSim's migration model (RAM ÷ half the slower NIC, the VM losing 10 % of its CPU while it moves)",
  precopy: "QEMU's pre-copy live migration on the VMs' memory images",
  postcopy: "QEMU's post-copy live migration on the VMs' memory images",
  hybrid: "QEMU's hybrid live migration (pre-copy rounds, then post-copy) on the VMs' memory images",
}

export function modeNote(model: ClusterModel): string {
  if (model.mode === 'cloudsim') return MODE_NOTES.cloudsim
  return `${MODE_NOTES.lab} Migrations: ${MIGRATION_MODEL_NAMES[model.migrationModel]}.`
}

function mebibytes(bytes: number): string {
  const mib = bytes / 1024 ** 2
  return Number.isInteger(mib) ? String(mib) : mib.toFixed(1)
}

function ms(seconds: number): string {
  return `${Math.round(seconds * 1000)} ms`
}

/** The migration settings in one line, as the scenario (and its `set` settings) gave them. */
export function migrationNote(model: ClusterModel): string {
  if (model.mode === 'cloudsim') return 'CloudSim: RAM ÷ half the link, no limit per host'
  const m = model.migration
  const limits = [...new Set(model.hostTypes.map((t) => t.maxMigrations))].sort((a, b) => a - b)
  const perHost = `at most ${limits.join(' or ')} per host${m.maxConcurrentPerHost === undefined ? ' (by NIC, as vMotion)' : ''}`
  if (model.migrationModel === 'cloudsim')
    return `CloudSim's timing: RAM ÷ half the slower NIC, 10 % CPU lost while moving; ${perHost}`
  const parts = [
    model.migrationModel === 'precopy' ? 'pre-copy' : model.migrationModel === 'postcopy' ? 'post-copy' : 'hybrid',
    `max ${mebibytes(m.maxBandwidth)} MiB/s`,
    `downtime limit ${ms(m.downtimeLimit)}`,
    `auto-converge ${m.autoConverge ? 'on' : 'off'}`,
  ]
  if (model.migrationModel === 'hybrid') parts.push(`post-copy after ${m.postcopyAfterRounds} round(s)`)
  parts.push(
    m.timeout !== undefined
      ? `timeout ${m.timeout} s (then ${m.timeoutAction === 'postcopy' ? 'post-copy' : 'cancel'})`
      : 'timeout 150 s per GiB of RAM',
    perHost,
  )
  return parts.join(' · ')
}

/** A display name per VM: its trace file, or `vm-<id>` and its generator. */
export function vmNames(model: ClusterModel): string[] {
  return Array.from({ length: model.vmCount }, (_, v) => {
    const trace = model.vmTrace[v]!
    if (trace >= 0) return model.traces.names[trace]!
    const kind = model.workloads[model.vmGroup[v]!]?.kind
    return model.mode === 'cloudsim' || !kind ? `vm-${v}` : `vm-${v} (${kind})`
  })
}

export function labInfo(
  model: ClusterModel,
  description: string,
  policies: string[],
  settings: string[],
  shards: { count: number; where: ShardPlace },
): LabInfo {
  let ramMB = 0
  for (let h = 0; h < model.hostCount; h++) ramMB += model.hostTypes[model.hostType[h]!]!.ramMB
  return {
    scenario: model.name,
    description,
    mode: model.mode,
    modeNote: modeNote(model),
    migrationModel: model.migrationModel,
    migrationNote: migrationNote(model),
    settings,
    policy: model.policy.name,
    policies,
    seed: model.seed,
    durationSeconds: model.duration,
    intervalSeconds: model.interval,
    hosts: model.hostCount,
    vms: model.vmCount,
    hostTypes: model.hostTypes.map((t) => ({
      id: t.id,
      name: t.name,
      cores: t.cores,
      totalMips: t.totalMips,
      ramMB: t.ramMB,
      power: [...t.power],
    })),
    vmTypes: model.vmTypes.map((t) => ({ id: t.id, name: t.name, vcpus: t.vcpus, mips: t.mips, ramMB: t.ramMB })),
    hostType: model.hostType.slice(),
    vmType: model.vmType.slice(),
    vmNames: vmNames(model),
    ramMB,
    shards,
    ...(model.mode === 'lab'
      ? {
          admission: {
            ramAllocationRatio: model.admission.ramAllocationRatio,
            reservedHostMemoryMB: model.admission.reservedHostMemory / 2 ** 20,
          },
        }
      : {}),
    memoryImages: model.mode === 'lab' && model.memoryImages,
    labActions: model.mode === 'lab',
  }
}

/** A finished migration of the lab model's log, as VmDetails shows it (query-migrate's figures when live). */
export function vmMigration(r: MigrationRecord): VmMigration {
  const out: VmMigration = {
    source: r.source,
    target: r.target,
    start: r.start,
    end: r.end,
    outcome: r.location === 'destination' ? 'completed' : r.location === 'source' ? 'called-off' : 'lost',
  }
  const info = r.info
  if (info) {
    out.status = info.status
    if (info.downtime !== undefined) out.downtimeMs = info.downtime
    out.transferredBytes = info.ram.transferred
    out.totalBytes = info.ram.total
    out.rounds = info.lab.rounds
    out.throttleSteps = [...info.lab['throttle-steps']]
    const reason = info.lab.reason ?? info['error-desc'] ?? info.lab.diagnosis
    if (reason !== undefined) out.reason = reason
    out.info = info
  }
  return out
}

/** Runs `f` and turns a throw into a rejected promise (the contract is asynchronous). */
export function attempt<T>(f: () => T): Promise<T> {
  try {
    return Promise.resolve(f())
  } catch (e) {
    return Promise.reject(e instanceof Error ? e : new Error(String(e)))
  }
}

export function checkHost(host: number, count: number): void {
  if (!Number.isInteger(host) || host < 0 || host >= count) throw new RangeError(`no host ${host} (0..${count - 1})`)
}

export function checkVm(vm: number, count: number): void {
  if (!Number.isInteger(vm) || vm < 0 || vm >= count) throw new RangeError(`no VM ${vm} (0..${count - 1})`)
}
