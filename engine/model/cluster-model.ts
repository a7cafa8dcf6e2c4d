// A scenario turned into flat, typed data: host and VM attributes in typed arrays indexed by entity id,
// the workload of every VM, and the traces it reads. This is what both simulators (cloudsim, lab) start
// from and what worker shards receive; no object graph, nothing that cannot be copied or transferred.
import type {
  AdmissionSettings,
  AutomationLevel,
  MemorySettings,
  SnapshotCostSettings,
  HaSettings,
  MigrationSettings,
  Scenario,
  ScenarioEvent,
  TraceWorkload,
  VmGroup,
  Workload,
} from '../scenario/schema'
import { isTraceWorkload } from '../scenario/schema'
import { PolicyNameError, parsePolicy, type PolicySpec } from '../policies/policy-name'
import { PLANETLAB_INTERVAL, loadPlanetLabFolder, type TracePool } from '../workload/planetlab'
import { poolTrace, readTrace, type TraceSourceReport } from '../workload/trace-import'
import type { TraceData, TraceVmSize } from '../workload/trace-source'
import type { FileSource } from '../platform/files'
import { LabInputError, jsonPath, type Diagnostic } from '../scenario/diagnostics'
import { resolveRule, type NamedRange, type ResolvedRule, type RuleNames } from '../policies/rules'

const MiB = 1024 * 1024

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
  /** lab mode: scheduled actions, by time (events at the same time in the order given) */
  events: ScenarioEvent[]
  /** lab mode: the placement rules in force at t = 0, resolved to ids */
  rules: ResolvedRule[]
  /** the named VM and host groups, to resolve the selectors of rules added during a run */
  ruleNames: RuleNames
  /** lab mode: what waits for the operator's approval (docs/policies.md); full when the scenario says nothing */
  automation: AutomationLevel
  /** lab mode: each VM's override of it (VM_AUTOMATION: none, manual, disabled) */
  vmAutomation: Uint8Array
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
  // --policy replaces the scenario's policy, its parameters included
  const policyInput = overrides.policy ?? scenario.policy
  let policy: PolicySpec
  try {
    const parsed = parsePolicy(policyInput)
    if (!parsed.spec)
      throw new LabInputError(
        parsed.problems.map((p) => ({ file, path: jsonPath(['policy', ...p.path]), message: p.message })),
      )
    policy = parsed.spec
  } catch (e) {
    if (!(e instanceof PolicyNameError)) throw e
    throw new LabInputError([
      {
        file: overrides.policy ? '--policy' : file,
        path: overrides.policy ? undefined : typeof policyInput === 'string' ? 'policy' : 'policy.name',
        message: e.message,
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

  // Traces first: a PlanetLab group without a count has one VM per trace file, an imported trace one VM per
  // VM it holds (or chooses).
  const traceGroups: TraceGroup[] = []
  const groupTraceBase: number[] = []
  const groupCounts: number[] = []
  let traceTotal = 0
  scenario.vms.forEach((g, gi) => {
    const path = `vms[${gi}].workload`
    let group: TraceGroup | undefined
    if (g.workload.kind === 'planetlab') {
      const dir = overrides.traces ?? files.resolve(file, g.workload.dir)
      const pool = loadPlanetLabFolder(files, dir, g.workload.order, g.count, { file, path: `${path}.dir` })
      group = { group: gi, pool, count: pool.names.length }
    } else if (isTraceWorkload(g.workload)) {
      const data = readTrace({
        files,
        scenarioFile: file,
        path,
        workload: g.workload,
        interval: scenario.interval,
        duration: scenario.duration,
        count: g.count,
      })
      group = { group: gi, data, count: data.vms.length }
    }
    if (group) {
      traceGroups.push(group)
      groupTraceBase.push(traceTotal)
      groupCounts.push(group.count)
      traceTotal += group.count
    } else {
      groupTraceBase.push(-1)
      groupCounts.push(g.count ?? 0)
    }
  })

  const vmCount = groupCounts.reduce((a, b) => a + b, 0)
  const vmAutomation = new Uint8Array(vmCount)
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
      vmAutomation[v] = VM_AUTOMATION[g.automation ?? 'cluster']
      if (groupTraceBase[gi]! >= 0) vmTrace[v] = groupTraceBase[gi]! + i
    }
  })
  const traces = poolTraces(scenario, file, traceGroups, vmTypes, vmType, groupTraceBase)

  const ruleNames: RuleNames = {
    vmCount,
    hostCount: hostTypeList.length,
    vmGroups: ranges(
      scenario.vms.map((g) => g.name),
      groupCounts,
    ),
    hostGroups: ranges(
      scenario.hosts.map((g) => g.name),
      scenario.hosts.map((g) => g.count),
    ),
  }
  checkEvents(scenario, file, hostTypeList.length, vmCount)
  const rules = checkRules(scenario, file, ruleNames)

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
    rules,
    ruleNames,
    automation: scenario.automation ?? 'full',
    vmAutomation,
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

/** A VM's own automation level (a VM group's `automation`): the cluster's, manual, or disabled. */
export const VM_AUTOMATION = { cluster: 0, manual: 1, disabled: 2 } as const

/** Operator actions: the lab's own (a CloudSim-mode scenario cannot take them). */
const OPERATOR_ACTIONS = [
  'maintenance',
  'standby',
  'pin',
  'addRule',
  'removeRule',
  'approve',
  'approveAll',
  'dismiss',
  'automation',
] as const

const CLOUDSIM_REFUSES =
  'the CloudSim-compatible mode replays CloudSim 3.0.3, which has no placement rules, maintenance, standby, pinned VMs or recommendations: use mode: lab'

/** Scheduled actions name existing VMs and hosts and fall on step boundaries within the run. */
function checkEvents(scenario: Scenario, file: string, hostCount: number, vmCount: number): void {
  const problems: Diagnostic[] = []
  const problem = (path: (string | number)[], message: string) => problems.push({ file, path: jsonPath(path), message })
  scenario.events.forEach((e, i) => {
    const at: (string | number)[] = ['events', i]
    if (scenario.mode !== 'lab') {
      const operator = OPERATOR_ACTIONS.find((k) => k in e)
      problem(
        at,
        operator ? `${operator} events need mode: lab — ${CLOUDSIM_REFUSES}` : 'scheduled events need mode: lab',
      )
      return
    }
    if (e.at % scenario.interval !== 0)
      problem([...at, 'at'], `expected a multiple of the interval (${scenario.interval} s), found ${e.at} s`)
    if ('failHost' in e && e.at === 0)
      problem([...at, 'at'], 'expected a failure time after the start (> 0 s), found 0 s')
    // a host failing at t fails at the end of the step that ends at t: the run's end is a step's end
    const last = 'failHost' in e ? e.at > scenario.duration : e.at >= scenario.duration
    if (last)
      problem(
        [...at, 'at'],
        `expected a time ${'failHost' in e ? 'no later than' : 'before'} the end of the run (${scenario.duration} s), found ${e.at} s`,
      )
    const [key, action] = Object.entries(e).find(([k]) => k !== 'at')! as [string, Record<string, unknown>]
    for (const [field, limit, what] of [
      ['vm', vmCount, 'VM'],
      ['to', hostCount, 'host'],
      ['host', hostCount, 'host'],
    ] as const) {
      const id = action[field]
      if (typeof id === 'number' && id >= limit)
        problem([...at, key, field], `expected a ${what} id below ${limit}, found ${id}`)
    }
  })
  if (problems.length) throw new LabInputError(problems)
}

/**
 * The scenario's rules resolved (names known, ids in range, names unique), and the rules added and removed
 * by its events checked in time order: an added rule resolves and its name is free, a removed one exists.
 */
function checkRules(scenario: Scenario, file: string, names: RuleNames): ResolvedRule[] {
  const problems: Diagnostic[] = []
  const problem = (path: (string | number)[], message: string) => problems.push({ file, path: jsonPath(path), message })
  if (scenario.mode !== 'lab' && scenario.rules.length > 0) {
    problem(['rules'], `placement rules need mode: lab — ${CLOUDSIM_REFUSES}`)
    throw new LabInputError(problems)
  }
  const resolved: ResolvedRule[] = []
  const inForce = new Set<string>()
  scenario.rules.forEach((rule, i) => {
    if (inForce.has(rule.name))
      problem(['rules', i, 'name'], `expected a rule name not used before, found "${rule.name}" a second time`)
    inForce.add(rule.name)
    const r = resolveRule(rule, names)
    for (const p of r.problems) problem(['rules', i, ...p.path], p.message)
    if (r.rule) resolved.push(r.rule)
  })
  const order = scenario.events.map((e, i) => ({ e, i })).sort((a, b) => a.e.at - b.e.at || a.i - b.i)
  for (const { e, i } of order) {
    if ('addRule' in e) {
      const name = e.addRule.name
      if (inForce.has(name))
        problem(['events', i, 'addRule', 'name'], `expected a rule name not in force at ${e.at} s, found "${name}"`)
      inForce.add(name)
      for (const p of resolveRule(e.addRule, names).problems) problem(['events', i, 'addRule', ...p.path], p.message)
    } else if ('removeRule' in e) {
      const name = e.removeRule.name
      if (!inForce.has(name))
        problem(
          ['events', i, 'removeRule', 'name'],
          `expected a rule in force at ${e.at} s (${[...inForce].map((n) => `"${n}"`).join(', ') || 'none'}), found "${name}"`,
        )
      inForce.delete(name)
    }
  }
  if (problems.length) throw new LabInputError(problems)
  return resolved
}

/** Consecutive id ranges of groups given their sizes, with their names. */
function ranges(names: (string | undefined)[], counts: number[]): NamedRange[] {
  let first = 0
  return counts.map((count, i) => {
    const r = { name: names[i], first, count }
    first += count
    return r
  })
}

/** Type of entity i of n given k types: CloudSim's blocks (floor(i / ceil(n/k))) or interleaved (i mod k). */
function assign(types: number[], i: number, n: number, how: 'blocks' | 'interleaved'): number {
  const k = types.length
  const index = how === 'interleaved' ? i % k : Math.trunc(i / Math.ceil(n / k))
  return types[Math.min(index, k - 1)]!
}

/** A VM group that replays traces: PlanetLab's pool as read, or an imported trace to pool. */
type TraceGroup = { group: number; count: number } & ({ pool: TracePool } | { data: TraceData })

/**
 * One pool for every traced group, in group order: imported traces sized (VM types from the trace where it
 * gives sizes and the scenario asks), scaled and turned into fractions of their VMs' capacity; pools of
 * different lengths padded by holding their last sample. Imported traces are sampled at the scenario's
 * interval, PlanetLab at 5 minutes: one pool needs one interval.
 */
function poolTraces(
  scenario: Scenario,
  file: string,
  groups: TraceGroup[],
  vmTypes: VmTypeModel[],
  vmType: Int32Array,
  groupTraceBase: number[],
): TracePool {
  const pools: TracePool[] = []
  const sources: TraceSourceReport[] = []
  const interval = scenario.interval
  const slots = Math.ceil(scenario.duration / interval - 1e-9) + 1
  for (const g of groups) {
    if ('pool' in g) {
      pools.push(g.pool)
      continue
    }
    const w = scenario.vms[g.group]!.workload as TraceWorkload
    const base = groupTraceBase[g.group]!
    const sized = traceSizes(w, g.data, file, g.group)
    const capacity = g.data.vms.map((vm, i) => {
      const v = base + i
      if (sized) vmType[v] = tracedType(vmTypes, vmType[v]!, vm.size)
      const t = vmTypes[vmType[v]!]!
      return { mips: t.mips, vcpus: t.vcpus, ramBytes: t.ramMB * MiB }
    })
    const pooled = poolTrace(
      g.data,
      capacity,
      Math.max(slots, g.data.bins + 1),
      { cpu: w.cpuScale, memory: w.memoryScale },
      g.group,
    )
    pools.push({
      names: g.data.vms.map((vm) => vm.id),
      samples: pooled.samples,
      slots: Math.max(slots, g.data.bins + 1),
      interval,
      ...(pooled.memory ? { memory: pooled.memory } : {}),
    })
    sources.push(pooled.report)
  }
  const intervals = new Set(pools.map((p) => p.interval))
  if (intervals.size > 1) {
    const g = groups.find((x) => 'data' in x)!
    throw new LabInputError([
      {
        file,
        path: 'interval',
        message: `expected interval: ${PLANETLAB_INTERVAL} when PlanetLab traces (5-minute samples) and other traces (vms[${g.group}]) replay together, found ${interval} s`,
      },
    ])
  }
  const merged = mergePools(pools)
  return sources.length > 0 ? { ...merged, sources } : merged
}

/** Whether a trace group's VMs take their size from the trace (`sizes`, by default where the trace gives it). */
function traceSizes(w: TraceWorkload, data: TraceData, file: string, group: number): boolean {
  // a VM the trace gives no size for (one missing from Azure's vmtable) keeps its type's
  const given = data.vms.some((vm) => vm.size.vcpus !== undefined || vm.size.memoryBytes !== undefined)
  if (w.sizes === 'trace' && !given)
    throw new LabInputError([
      {
        file,
        path: `vms[${group}].workload.sizes`,
        message: `expected a trace that gives VM sizes for sizes: trace, found none in ${data.source} (${data.kind === 'azure' ? 'give its vmtable, or ' : ''}use sizes: type)`,
      },
    ])
  return w.sizes === 'trace' || (w.sizes === undefined && given)
}

/** The VM type of a VM sized by its trace: the group's type with the trace's vCPUs, MHz and RAM. */
function tracedType(vmTypes: VmTypeModel[], base: number, size: TraceVmSize): number {
  const t = vmTypes[base]!
  const vcpus = size.vcpus ?? t.vcpus
  // whole MHz: a trace's capacity wobbles in its last digits (2599.998982, 2599.999309 MHz)
  const mips = size.mhzPerCore !== undefined ? Math.max(1, Math.round(size.mhzPerCore)) : t.mips
  const ramMB = size.memoryBytes !== undefined ? Math.max(1, Math.ceil(size.memoryBytes / MiB)) : t.ramMB
  const id = `${t.id}@${vcpus}x${mips}MHz-${ramMB}MB`
  const found = vmTypes.findIndex((x) => x.id === id)
  if (found >= 0) return found
  vmTypes.push({
    ...t,
    id,
    name: `${t.name} as traced (${vcpus} vCPU × ${mips} MHz, ${ramMB} MiB)`,
    vcpus,
    mips,
    ramMB,
  })
  return vmTypes.length - 1
}

function mergePools(pools: TracePool[]): TracePool {
  if (pools.length === 1) return pools[0]!
  const slots = Math.max(0, ...pools.map((p) => p.slots))
  const interval = pools[0]?.interval ?? PLANETLAB_INTERVAL
  const names = pools.flatMap((p) => p.names)
  const samples = new Float64Array(names.length * slots)
  const withMemory = pools.some((p) => p.memory)
  const memory = withMemory ? new Float64Array(names.length * slots).fill(Number.NaN) : undefined
  let at = 0
  for (const p of pools) {
    for (let i = 0; i < p.names.length; i++, at++) {
      // a shorter pool holds its last sample (as the readers do past a trace's end)
      for (let k = 0; k < slots; k++) {
        const from = i * p.slots + Math.min(k, p.slots - 1)
        samples[at * slots + k] = p.samples[from]!
        if (memory && p.memory) memory[at * slots + k] = p.memory[from]!
      }
    }
  }
  return { names, samples, slots, interval, ...(memory ? { memory } : {}) }
}

/**
 * vMotion's concurrent migrations per host by NIC speed (VMware, "Limits on Simultaneous Migrations"): 4 on
 * 1 GbE, 8 on 10 GbE and faster.
 */
export function vmotionLimit(nicMbps: number): number {
  return nicMbps >= 10_000 ? 8 : 4
}
