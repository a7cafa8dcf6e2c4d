// A scenario turned into flat, typed data: host and VM attributes in typed arrays indexed by entity id,
// the workload of every VM, and the traces it reads. This is what both simulators (cloudsim, lab) start
// from and what worker shards receive; no object graph, nothing that cannot be copied or transferred.
import type {
  AdmissionSettings,
  MemorySettings,
  SnapshotCostSettings,
  HaSettings,
  MigrationSettings,
  Scenario,
  ScenarioEvent,
  VmGroup,
  Workload,
} from '../scenario/schema'
import { parsePolicyName, type PolicySpec } from '../policies/policy-name'
import { loadPlanetLabFolder, type TracePool } from '../workload/planetlab'
import type { FileSource } from '../platform/files'
import { LabInputError } from '../scenario/diagnostics'

export interface HostTypeModel {
  id: string
  name: string
  cores: number
  mipsPerCore: number
  /** cores × MIPS per core, as an integer sum like CloudSim's PeList.getTotalMips */
  totalMips: number
  ramMB: number
  /** NIC bandwidth in kbit/s (CloudSim's unit) */
  bwKbps: number
  power: Float64Array
  bootSeconds: number
  bootEnergyJ: number
  /** power while switched off (BMC on standby power), W */
  offPowerW: number
  /** live migrations the host carries at once (migration.maxConcurrentPerHost, else by NIC as vMotion) */
  maxMigrations: number
}

export interface VmTypeModel {
  id: string
  name: string
  vcpus: number
  mips: number
  ramMB: number
  bwKbps: number
  imageMB: number
}

export interface ClusterModel {
  name: string
  mode: Scenario['mode']
  seed: number
  duration: number
  interval: number
  policy: PolicySpec
  migrationModel: 'cloudsim' | 'precopy' | 'postcopy' | 'hybrid'
  migration: MigrationSettings
  /** lab mode: page size of VM memory images, bytes */
  pageSize: number
  /** lab mode: KSM, ballooning, host swap */
  memory: MemorySettings
  /** lab mode: hosts model their memory (KSM, balloons, swap): KSM or ballooning on, or RAM overcommitted */
  memoryManaged: boolean
  admission: AdmissionSettings
  /** lab mode: every VM has a memory image (live migration, memory management, snapshots need one) */
  memoryImages: boolean
  snapshotCosts: SnapshotCostSettings
  ha: HaSettings
  /** per VM group: CPU weight and cap, the guest's page writes and initial memory content (lab mode) */
  groups: Pick<
    VmGroup,
    'pageWrites' | 'content' | 'cpuWeight' | 'cpuCap' | 'guaranteedMemory' | 'haPriority' | 'protection'
  >[]
  /** lab mode: scheduled actions, by time */
  events: ScenarioEvent[]
  /** lab mode: seconds between under-load consolidations (the interval: every step) */
  underloadEvery: number
  onWorkerFailure: 'stop' | 'continue'
  hostTypes: HostTypeModel[]
  vmTypes: VmTypeModel[]
  hostCount: number
  vmCount: number
  /** hostType[h] indexes hostTypes */
  hostType: Int32Array
  /** vmType[v] indexes vmTypes */
  vmType: Int32Array
  /** workloads[g] is the workload of VM group g; vmGroup[v] = g */
  workloads: Workload[]
  vmGroup: Int32Array
  /** vmTrace[v] indexes traces (−1 for generated workloads) */
  vmTrace: Int32Array
  traces: TracePool
}

export interface ModelOverrides {
  policy?: string
  seed?: number
  /** Replaces the folder of every PlanetLab workload (CLI `--traces DIR`). */
  traces?: string
  /** `path=value` settings applied to the scenario file before validation (CLI `--set`) */
  set?: readonly string[]
}

/** Resolves a parsed scenario (file paths relative to `file`) into a ClusterModel. */
export function buildClusterModel(
  scenario: Scenario,
  file: string,
  files: FileSource,
  overrides: ModelOverrides = {},
): ClusterModel {
  const policyName = overrides.policy ?? scenario.policy
  let policy: PolicySpec
  try {
    policy = parsePolicyName(policyName)
  } catch (e) {
    throw new LabInputError([
      {
        file: overrides.policy ? '--policy' : file,
        path: overrides.policy ? undefined : 'policy',
        message: (e as Error).message,
      },
    ])
  }

  const hostTypeIds = Object.keys(scenario.hostTypes)
  const hostTypes: HostTypeModel[] = hostTypeIds.map((id) => {
    const t = scenario.hostTypes[id]!
    return {
      id,
      name: t.name ?? id,
      cores: t.cores,
      mipsPerCore: t.mipsPerCore,
      totalMips: Math.trunc(t.mipsPerCore) * t.cores,
      ramMB: t.ramMB,
      bwKbps: t.nicMbps * 1000,
      power: Float64Array.from(t.power),
      bootSeconds: t.bootSeconds,
      bootEnergyJ: t.bootEnergyJ ?? t.bootSeconds * t.power[10]!,
      offPowerW: t.offPowerW,
      maxMigrations: scenario.migration.maxConcurrentPerHost ?? vmotionLimit(t.nicMbps),
    }
  })
  const vmTypeIds = Object.keys(scenario.vmTypes)
  const vmTypes: VmTypeModel[] = vmTypeIds.map((id) => {
    const t = scenario.vmTypes[id]!
    return {
      id,
      name: t.name ?? id,
      vcpus: t.vcpus,
      mips: t.mips,
      ramMB: t.ramMB,
      bwKbps: t.bwMbps * 1000,
      imageMB: t.imageMB,
    }
  })

  const hostTypeList: number[] = []
  for (const g of scenario.hosts) {
    const types = (Array.isArray(g.type) ? g.type : [g.type]).map((t) => hostTypeIds.indexOf(t))
    for (let i = 0; i < g.count; i++) hostTypeList.push(assign(types, i, g.count, g.arrangement))
  }

  // Traces first: a PlanetLab group without a count has one VM per trace file.
  const tracePools: TracePool[] = []
  const groupTraceBase: number[] = []
  const groupCounts: number[] = []
  let traceTotal = 0
  scenario.vms.forEach((g, gi) => {
    if (g.workload.kind === 'planetlab') {
      const dir = overrides.traces ?? files.resolve(file, g.workload.dir)
      const pool = loadPlanetLabFolder(files, dir, g.workload.order, g.count, { file, path: `vms[${gi}].workload.dir` })
      tracePools.push(pool)
      groupTraceBase.push(traceTotal)
      groupCounts.push(pool.names.length)
      traceTotal += pool.names.length
    } else {
      groupTraceBase.push(-1)
      groupCounts.push(g.count ?? 0)
    }
  })
  const traces = mergePools(tracePools)

  const vmCount = groupCounts.reduce((a, b) => a + b, 0)
  const vmType = new Int32Array(vmCount)
  const vmGroup = new Int32Array(vmCount)
  const vmTrace = new Int32Array(vmCount).fill(-1)
  let v = 0
  scenario.vms.forEach((g, gi) => {
    const types = (Array.isArray(g.type) ? g.type : [g.type]).map((t) => vmTypeIds.indexOf(t))
    const n = groupCounts[gi]!
    for (let i = 0; i < n; i++, v++) {
      vmType[v] = assign(types, i, n, g.typeAssignment)
      vmGroup[v] = gi
      if (groupTraceBase[gi]! >= 0) vmTrace[v] = groupTraceBase[gi]! + i
    }
  })

  checkEvents(scenario, file, hostTypeList.length, vmCount)

  return {
    name: scenario.name,
    mode: scenario.mode,
    seed: overrides.seed ?? scenario.seed,
    duration: scenario.duration,
    interval: scenario.interval,
    policy,
    migrationModel: scenario.migration.model ?? (scenario.mode === 'cloudsim' ? 'cloudsim' : 'precopy'),
    migration: scenario.migration,
    pageSize: scenario.memory.pageSize,
    memory: scenario.memory,
    memoryManaged:
      scenario.mode === 'lab' &&
      (scenario.memory.ksm.mode !== 'off' ||
        scenario.memory.ballooning !== 'off' ||
        scenario.admission.ramAllocationRatio > 1 ||
        scenario.events.some((e) => 'balloon' in e)),
    admission: scenario.admission,
    memoryImages:
      scenario.mode === 'lab' &&
      (scenario.memory.images ||
        (scenario.migration.model ?? 'precopy') !== 'cloudsim' ||
        scenario.memory.ksm.mode !== 'off' ||
        scenario.memory.ballooning !== 'off' ||
        scenario.admission.ramAllocationRatio > 1 ||
        scenario.events.some((e) => 'balloon' in e || 'snapshot' in e || 'revert' in e || 'deleteSnapshot' in e)),
    snapshotCosts: scenario.snapshots,
    ha: scenario.ha,
    groups: scenario.vms.map((g) => ({
      pageWrites: g.pageWrites,
      content: g.content,
      cpuWeight: g.cpuWeight,
      cpuCap: g.cpuCap,
      guaranteedMemory: g.guaranteedMemory,
      haPriority: g.haPriority,
      protection: g.protection,
    })),
    events: [...scenario.events].sort((a, b) => a.at - b.at),
    underloadEvery: scenario.consolidation.underloadEvery ?? scenario.interval,
    onWorkerFailure: scenario.onWorkerFailure,
    hostTypes,
    vmTypes,
    hostCount: hostTypeList.length,
    vmCount,
    hostType: Int32Array.from(hostTypeList),
    vmType,
    workloads: scenario.vms.map((g) => g.workload),
    vmGroup,
    vmTrace,
    traces,
  }
}

/** Scheduled actions name existing VMs and hosts and fall on step boundaries within the run. */
function checkEvents(scenario: Scenario, file: string, hostCount: number, vmCount: number): void {
  const problems: { file: string; path: string; message: string }[] = []
  scenario.events.forEach((e, i) => {
    const at = `events[${i}]`
    if (scenario.mode !== 'lab') {
      problems.push({ file, path: at, message: 'scheduled events need mode: lab' })
      return
    }
    if (e.at % scenario.interval !== 0)
      problems.push({
        file,
        path: `${at}.at`,
        message: `expected a multiple of the interval (${scenario.interval} s), found ${e.at} s`,
      })
    if ('failHost' in e && e.at === 0)
      problems.push({ file, path: `${at}.at`, message: 'expected a failure time after the start (> 0 s), found 0 s' })
    if (e.at >= scenario.duration)
      problems.push({
        file,
        path: `${at}.at`,
        message: `expected a time before the end of the run (${scenario.duration} s), found ${e.at} s`,
      })
    const [key, action] = Object.entries(e).find(([k]) => k !== 'at')! as [string, Record<string, unknown>]
    for (const [field, limit, what] of [
      ['vm', vmCount, 'VM'],
      ['to', hostCount, 'host'],
      ['host', hostCount, 'host'],
    ] as const) {
      const id = action[field]
      if (typeof id === 'number' && id >= limit)
        problems.push({
          file,
          path: `${at}.${key}.${field}`,
          message: `expected a ${what} id below ${limit}, found ${id}`,
        })
    }
  })
  if (problems.length) throw new LabInputError(problems)
}

/** Type of entity i of n given k types: CloudSim's blocks (floor(i / ceil(n/k))) or interleaved (i mod k). */
function assign(types: number[], i: number, n: number, how: 'blocks' | 'interleaved'): number {
  const k = types.length
  const index = how === 'interleaved' ? i % k : Math.trunc(i / Math.ceil(n / k))
  return types[Math.min(index, k - 1)]!
}

function mergePools(pools: TracePool[]): TracePool {
  if (pools.length === 1) return pools[0]!
  const slots = pools[0]?.slots ?? 0
  const names = pools.flatMap((p) => p.names)
  const samples = new Float64Array(names.length * slots)
  let at = 0
  for (const p of pools) {
    samples.set(p.samples, at)
    at += p.samples.length
  }
  return { names, samples, slots }
}

/**
 * vMotion's concurrent migrations per host by NIC speed (VMware, "Limits on Simultaneous Migrations"): 4 on
 * 1 GbE, 8 on 10 GbE and faster.
 */
export function vmotionLimit(nicMbps: number): number {
  return nicMbps >= 10_000 ? 8 : 4
}
