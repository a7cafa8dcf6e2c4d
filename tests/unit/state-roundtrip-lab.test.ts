// Whole-lab checkpoints as a field-by-field round trip: a small lab (live migration, KSM, balloons, host
// swap, snapshots, random host failures and HA, consolidation) is driven through random orders to a random
// step, checkpointed, passed through the checkpoint codec and restored; the coordinator and every host shard
// must hold the same fields as the original (see state-fields.ts), and both go on identically. This covers
// the lab's state()/restore pairs together: the plan, HA, the memory account, the shards' VM memory,
// snapshot trees and migrations in flight, and everything below them.
import fc from 'fast-check'
import { describe, it } from 'vitest'
import { parseScenario } from '../../engine/scenario/load'
import { buildClusterModel, type ClusterModel } from '../../engine/model/cluster-model'
import { nodeFiles } from '../../engine/platform/node/files'
import { LabSimulation } from '../../engine/lab/simulation'
import type { LabState } from '../../engine/lab/lab-state'
import type { LabAction, LabOrder } from '../../engine/api/lab-api'
import { HostShard } from '../../engine/lab/shard'
import { VmSnapshots } from '../../engine/lab/vm-snapshots'
import type { VmSlots } from '../../engine/lab/vm-slots'
import type { HostResidents } from '../../engine/lab/host-residents'
import type { ShardFactory } from '../../engine/lab/shards'
import { LabPlan } from '../../engine/lab/plan'
import { LabConsolidation } from '../../engine/lab/consolidation'
import { StepColumns } from '../../engine/lab/step-columns'
import { LabAccounts } from '../../engine/lab/lab-accounts'
import { MigrationQueue } from '../../engine/lab/migration-queue'
import { HaManager } from '../../engine/lab/ha'
import { GeneratorBank } from '../../engine/workload/generators'
import { VcpuTable } from '../../engine/hypervisor/cpu-scheduler'
import { checkRoundTrip, notState, type Views } from './state-fields'
import { ROUND_TRIP_LAB } from '../lab/memory-scenarios'

function model(seed: number, policy: string, swap = '2GiB', automation = 'full'): ClusterModel {
  const set = [`memory.hostSwap=${swap}`, ...(automation === 'full' ? [] : [`automation=${automation}`])]
  const { scenario } = parseScenario(ROUND_TRIP_LAB, 'round-trip.yaml', set)
  return buildClusterModel(scenario, 'round-trip.yaml', nodeFiles, { seed, policy })
}

/** In-process shards whose HostShard is a field of the handle, so the fields of every shard are compared. */
const visibleShards: ShardFactory = (init) => {
  const shard = new HostShard(init)
  return Promise.resolve({
    shard,
    step: (input) => Promise.resolve(shard.step(input)),
    capture: () => Promise.resolve(shard.capture()),
    close: () => Promise.resolve(),
  })
}

const order: fc.Arbitrary<LabAction> = fc.oneof(
  fc.record({ migrate: fc.record({ vm: fc.nat(7), to: fc.nat(3) }) }),
  fc.record({ cancelMigration: fc.record({ vm: fc.nat(7) }) }),
  fc.record({
    snapshot: fc.record({
      vm: fc.nat(7),
      name: fc.constantFrom('a', 'b', 'c'),
      description: fc.constant(''),
      memory: fc.boolean(),
    }),
  }),
  fc.record({ revert: fc.record({ vm: fc.nat(7), snapshot: fc.constantFrom('a', 'b', 'c') }) }),
  fc.record({
    deleteSnapshot: fc.record({ vm: fc.nat(7), snapshot: fc.constantFrom('a', 'b', 'c'), children: fc.boolean() }),
  }),
  fc.record({ failHost: fc.record({ host: fc.nat(3) }) }),
  fc.record({ repairHost: fc.record({ host: fc.nat(3) }) }),
  fc.record({
    balloon: fc.record({
      vm: fc.nat(7),
      target: fc.oneof(
        fc.constant('auto' as const),
        fc.integer({ min: 64, max: 512 }).map((m) => m * 2 ** 20),
      ),
    }),
  }),
)

/** The orders above and those about recommendations: the automation level, approvals, dismissals. */
const orderOrApproval: fc.Arbitrary<LabOrder> = fc.oneof(
  order,
  fc.record({
    automation: fc.record({ level: fc.constantFrom('manual' as const, 'partial' as const, 'full' as const) }),
  }),
  fc.record({ approveAll: fc.constant(true as const) }),
  fc.record({ approve: fc.record({ id: fc.integer({ min: 1, max: 6 }) }) }),
  fc.record({ dismiss: fc.record({ id: fc.integer({ min: 1, max: 3 }) }) }),
)

/** HostShard's per-VM arrays indexed by slot (a window of values per slot for lrWindow). */
const SLOT_ARRAYS = [
  'vmHost',
  'pauseLeft',
  'protection',
  'vmCapMips',
  'vmMipsPerVcpu',
  'vmRam',
  'bandwidth',
  'lrWindow',
  'lrHead',
]

/** Generator parameters read per kind (GeneratorBank's KIND order: constant, diurnal, random walk, bursty, trace). */
const PARAMS_READ = [1, 4, 3, 4, 0]

/** A shard's slot-indexed tables (its own, the generator bank's, the CPU table's settings) as rows by VM id. */
function vmRows(shard: HostShard): unknown[] {
  const sh = shard as unknown as Record<string, unknown> & {
    slots: VmSlots
    generators: GeneratorBank
    cpu: VcpuTable
    lrWindow: Float32Array
  }
  // the LR screen's window per slot (none unless the policy is LR)
  const lrHead = sh['lrHead'] as Int32Array
  const window = lrHead.length > 0 ? sh.lrWindow.length / lrHead.length : 0
  const g = sh.generators as unknown as Record<string, Float64Array | Int32Array | Uint8Array>
  const rows: unknown[] = []
  const slotOf = sh.slots.slotOf
  for (let vm = 0; vm < slotOf.length; vm++) {
    const slot = slotOf[vm]!
    if (slot < 0) continue
    const row: Record<string, unknown> = { vm, vmOf: sh.slots.vmOf[slot] }
    for (const k of SLOT_ARRAYS) {
      // a migration's bandwidth comes with every step's input (the coordinator's max-min allotment)
      if (k === 'bandwidth') continue
      const a = sh[k] as Float64Array | Int32Array | Float32Array
      row[k] = k === 'lrWindow' ? Array.from(a.subarray(slot * window, (slot + 1) * window)) : a[slot]
    }
    for (const k of ['level', 'burstLeft', 'phase', 'kind', 'spare']) row[`generator.${k}`] = g[k]![slot]
    // the parameters the VM's kind reads (a slot keeps its former occupant's others)
    row['generator.params'] = Array.from(g['params']!.subarray(slot * 4, slot * 4 + PARAMS_READ[g['kind']![slot]!]!))
    row['generator.rng'] = Array.from(g['rng']!.subarray(slot * 4, slot * 4 + 4))
    for (const k of ['vcpus', 'weight', 'cap'] as const) row[`cpu.${k}`] = sh.cpu[k][slot]
    rows.push(row)
  }
  return rows
}

const sortedMap = <V>(m: Map<number, V>) => [...m].sort((a, b) => a[0] - b[0])

const FRAME = "the last frame's figures: every step recomputes them before its frame reads them"
const PER_STEP = 'per-step values, written by each step before they are read'

/** What a whole-lab restore rebuilds rather than copies: caches, scratch, per-step values, wall-clock timing. */
const LAB_VIEWS: Views = new Map<object, Record<string, (o: never) => unknown>>([
  [
    LabSimulation,
    {
      timing: notState('wall-clock time spent, not simulated state'),
      spentBuffers: notState('output buffers handed back to the shards for reuse'),
      // looked up by VM only (session-lab.ts): the order of the map is not state
      snapshotLists: (sim: LabSimulation) => sortedMap(sim.snapshotLists),
    },
  ],
  [
    LabAccounts,
    Object.fromEntries(
      ['vmsRunning', 'stepSlaSeconds', 'stepActiveSeconds', 'totals'].map((k) => [k, notState(FRAME)]),
    ),
  ],
  [
    StepColumns,
    {
      hostStepSla: notState(PER_STEP),
      hostStepActive: notState(PER_STEP),
      hostStepLost: notState(PER_STEP),
      hostStepCause: notState(PER_STEP),
      vmReported: notState("per-step: set by the step's rows, read and cleared by its frame"),
      vmProtection: notState('per-step: zeroed at the start of each step, summed into HA in the same step'),
      vmScreenSums: notState("per-step: the shards' rows overwrite them before the consolidation round reads them"),
    },
  ],
  [
    LabPlan,
    {
      ...Object.fromEntries(
        ['stage', 'staged', 'synced', 'recorded'].map((k) => [
          k,
          notState('history values staged for the rings: state() moves them in, a restore starts with none'),
        ]),
      ),
      ...Object.fromEntries(
        [
          'hostHist',
          'hostHistLen',
          'hostMaxRam',
          'hostCached',
          'hostDot',
          'hostDotHorizon',
          'vmDot',
          'vmDotHorizon',
          'lrWeightsByHorizon',
          'screen',
        ].map((k) => [k, notState('a cache: restore invalidates it, it is recomputed from the same data')]),
      ),
      loadScratch: notState('scratch'),
      // the rings as read: with every staged value moved in (syncing is what every reader does first)
      hist: (plan: LabPlan) => {
        plan.syncHistories()
        return plan.hist
      },
      histHead: (plan: LabPlan) => {
        plan.syncHistories()
        return plan.histHead
      },
    },
  ],
  [
    HaManager,
    {
      earliestFailure: notState('a bound letting a step skip the scan: a restore resets it to −∞ (scan)'),
      earliestRepair: notState('a bound letting a step skip the scan: a restore resets it to −∞ (scan)'),
    },
  ],
  [
    HostShard,
    {
      // per-VM tables indexed by slot: compared per VM (a restore deals slots afresh; freed slots keep
      // stale rows nobody reads)
      slots: (sh: HostShard) => vmRows(sh),
      ...Object.fromEntries(
        [...SLOT_ARRAYS, 'generators', 'cpu'].map((k) => [k, notState('slot-indexed: compared per VM under slots')]),
      ),
      residents: (sh: HostShard) => {
        const r = (sh as unknown as { residents: HostResidents }).residents
        return Array.from(r.count, (_, i) => r.list(i))
      },
      ...Object.fromEntries(
        [
          'cpuOut',
          'hostShare',
          'busy',
          'hostSlots',
          'rowOfSlot',
          'ksmStats',
          'buffers',
          'permutation',
          'lrSums',
          'sla',
        ].map((k) => [k, notState('scratch of a step')]),
      ),
      // when the slot tables are next compacted: the slot layout, which no result depends on (every
      // shard count gives bit-identical results, tests/lab/workers.test.ts)
      stepsSinceCompaction: notState("the slot tables' compaction cadence: layout only"),
    },
  ],
  [GeneratorBank, { drawn: notState('scratch of a draw') }],
  [
    MigrationQueue,
    { atHost: notState('recounted from the migrations in flight whenever queued ones may start (startable)') },
  ],
  // looked up by VM only: the order of the map is not state
  [VmSnapshots, { trees: (v: VmSnapshots) => sortedMap((v as unknown as { trees: Map<number, unknown> }).trees) }],
  [
    LabConsolidation,
    Object.fromEntries(
      ['excluded', 'busy', 'isBusy', 'idleCursor', 'before', 'received', 'utilizationScratch', 'index', 'emptiest'].map(
        (k) => [k, notState('per round: reset at the start of every consolidation round (consolidation.ts round())')],
      ),
    ),
  ],
  [
    VcpuTable,
    {
      ...Object.fromEntries(
        ['vcpus', 'weight', 'cap'].map((k) => [k, (t: VcpuTable) => t[k as 'vcpus'].slice(0, t.size)]),
      ),
      ...Object.fromEntries(['demand', 'stall', 'granted', 'steal', 'shortfall'].map((k) => [k, notState(PER_STEP)])),
    },
  ],
])

interface Lab {
  sim: LabSimulation
}

/** Fields set from the scenario (or the shard's hosts) that a run never changes. */
function fromScenario(keys: string[]): Record<string, string> {
  const why = "from the scenario (or the shard's hosts): the same in a fresh lab of the plan"
  return Object.fromEntries(keys.map((k) => [k, why]))
}

/** The whole lab driven by orders, checkpointed, restored and driven on: the same fields, the same future. */
async function labRoundTrip(o: {
  policies: string[]
  automation: string[]
  orders: fc.Arbitrary<LabOrder>
  runs: number
  /** the classes whose every field must be driven away from a fresh lab's (default: the lab's) */
  classes?: string[]
}): Promise<void> {
  await checkRoundTrip<
    {
      seed: number
      policy: string
      shards: number
      steps: number
      orders: { step: number; action: LabOrder }[]
      after: LabOrder[]
      swap: string
      automation: string
      failures: { back: number; hosts: number[] } | undefined
    },
    Lab,
    LabState
  >({
    plan: fc.record({
      seed: fc.nat(1000),
      policy: fc.constantFrom(...o.policies),
      shards: fc.integer({ min: 1, max: 3 }),
      // up to the end of the hour, and one step past it (then the run is finished)
      steps: fc.oneof(fc.integer({ min: 1, max: 60 }), fc.constant(61)),
      // an order at step `steps` is given after the last step: the checkpoint holds it pending
      orders: fc.array(fc.record({ step: fc.nat(60), action: o.orders }), { maxLength: 12, size: 'max' }),
      // orders given after the last step: the checkpoint holds them, not yet applied
      after: fc.array(o.orders, { maxLength: 3 }),
      // host swap: tight enough in half the cases that the OOM killer ends VMs
      swap: fc.constantFrom('256MiB', '2GiB'),
      // hosts failing together a step or a few before the checkpoint: their VMs wait for HA there (failed
      // in the last step), or find no host that admits them (HA stuck)
      failures: fc.option(fc.record({ back: fc.nat(3), hosts: fc.subarray([0, 1, 2, 3], { minLength: 1 }) }), {
        nil: undefined,
      }),
      automation: o.automation.length > 1 ? fc.constantFrom(...o.automation) : fc.constant(o.automation[0]!),
    }),
    fresh: async (p) => ({
      sim: await LabSimulation.create(model(p.seed, p.policy, p.swap, p.automation), p.shards, visibleShards),
    }),
    drive: async (lab, p) => {
      const failAt = p.failures ? Math.max(0, p.steps - 1 - p.failures.back) : -1
      for (let k = 0; k < p.steps; k++) {
        for (const o of p.orders) if (o.step === k) lab.sim.order(o.action)
        if (k === failAt) for (const host of p.failures!.hosts) lab.sim.order({ failHost: { host } })
        if (!(await lab.sim.step())) break
      }
      for (const o of p.orders) if (o.step === p.steps) lab.sim.order(o.action)
      for (const action of p.after) lab.sim.order(action)
    },
    more: async (lab) => {
      for (let k = 0; k < 15; k++) if (!(await lab.sim.step())) break
    },
    save: (lab) => lab.sim.checkpoint(),
    restore: async (s, p) => ({
      sim: await LabSimulation.restore(model(p.seed, p.policy, p.swap, p.automation), s, p.shards, visibleShards),
    }),
    views: LAB_VIEWS,
    runs: o.runs,
    // the hypervisor's, memory's and migration's classes are driven in state-roundtrip.test.ts
    classes: o.classes ?? [
      'LabSimulation',
      'LabPlan',
      'LabConsolidation',
      'LabAccounts',
      'MigrationQueue',
      'HaCoordinator',
      'HaManager',
      'ShardOrders',
      'OrderDesk',
      'MemoryAccount',
      'StepColumns',
      'HostShard',
      'VmMemoryBank',
      'VmSnapshots',
      'ShardMigrations',
    ],
    unmoved: {
      ...fromScenario([
        'HaManager.model',
        'HostShard.capacity',
        'HostShard.hostIds',
        'HostShard.local',
        'HostShard.lrScreen',
        'HostShard.model',
        'HostShard.power',
        'HostShard.spec',
        'HostShard.tracedVms',
        'HaCoordinator.model',
        'LabAccounts.capacity',
        'LabAccounts.interval',
        'LabAccounts.totalMips',
        'LabConsolidation.interval',
        'LabConsolidation.vmAutomation',
        'LabConsolidation.linearLr',
        'LabConsolidation.policy',
        'LabConsolidation.detector',
        'LabPlan.bwKbps',
        'LabPlan.capacity',
        'LabPlan.hostCount',
        'LabPlan.hostRam',
        'LabPlan.hostType',
        'LabPlan.hostVcpuLimit',
        'LabPlan.hostsOfType',
        'LabPlan.peMips',
        'LabPlan.power',
        'LabPlan.vmCap',
        'LabPlan.vmCount',
        'LabPlan.vmMipsPerVcpu',
        'LabPlan.vmRam',
        'LabPlan.vmVcpus',
        'LabPlan.wholeSums',
        'LabSimulation.explain',
        'LabSimulation.lrScreen',
        'LabSimulation.model',
        'LabSimulation.onEvent',
        'LabSimulation.protectedVms',
        'LabSimulation.shardOfHost',
        'LabSimulation.steps',
        'MigrationQueue.model',
        'OrderDesk.model',
        'MemoryAccount.every',
        'MemoryAccount.model',
        'ShardMigrations.model',
        'ShardMigrations.params',
        'StepColumns.shape',
        'VmMemoryBank.model',
        'VmSnapshots.model',
      ]),
      'LabConsolidation.plan': 'a reference to the plan, compared as LabSimulation.plan',
      'LabConsolidation.random': "a reference to the policy's stream, compared as LabSimulation.selection",
      'ShardMigrations.memory': "a reference to the shard's VM memory bank, compared as HostShard.memory",
      'LabSimulation.runner':
        "the policy's pass: a research policy's fields are compared under LabConsolidation (their state lives in the plan), a preset's come from the scenario",
      'RecommendationBook.dismissed':
        'a dismissal is kept only while its pass proposes the move again: rare at a random checkpoint (the restore is checked whenever one is held)',
      'LabSimulation.passState':
        "references to the plan, the policy's stream, the orders, the accounts and HA's side, compared where they are held",
      ...Object.fromEntries(
        ['LabSimulation.automation', 'LabSimulation.batch'].map((k) => [
          k,
          'full automation with no orders about recommendations: driven in the case with recommendations below',
        ]),
      ),
      'HostShard.scheduler': 'holds scratch only',
      'HostShard.newKsm': "how hosts' ksmd is made, set only by tests (the page-by-page reference): not state",
      ...Object.fromEntries(
        [
          ['HaCoordinator.plan', 'LabSimulation.plan'],
          ['HaCoordinator.orders', 'LabSimulation.shardOrders'],
          ['HaCoordinator.migrations', 'LabSimulation.migrations'],
          ['HaCoordinator.rules', 'LabSimulation.ruleBook'],
          ['LabAccounts.columns', 'LabSimulation.columns'],
          ['OrderDesk.plan', 'LabSimulation.plan'],
          ['OrderDesk.orders', 'LabSimulation.shardOrders'],
          ['OrderDesk.migrations', 'LabSimulation.migrations'],
          ['OrderDesk.ha', 'LabSimulation.haSide'],
          ['OrderDesk.rules', 'LabSimulation.ruleBook'],
          ['OrderDesk.modes', 'LabSimulation.hostModes'],
          ['OrderDesk.recommendations', 'LabSimulation itself (it takes the orders about recommendations)'],
        ].map(([k, where]): [string, string] => [k!, `a reference, compared as ${where}`]),
      ),
      'LabConsolidation.selectionView': "the selection policies' view of the plan: functions over it",
      ...Object.fromEntries(
        ['balloons', 'cancel', 'failHosts', 'power', 'repairs', 'snapshots']
          .map((k) => `ShardOrders.${k}`)
          .concat('HaCoordinator.failing')
          .map((k): [string, string] => [
            k,
            'filled and sent within a step (orders wait in OrderDesk.given): empty between steps, where checkpoints are taken',
          ]),
      ),
      // the scenario keeps no failover reserve (ha.reserveHosts 0): tests/lab/ha-reserve.test.ts has one
      'HaManager.reserve': 'no failover reserve in this scenario (ha.reserveHosts 0)',
      'HaCoordinator.reserveShort': 'no failover reserve in this scenario (ha.reserveHosts 0)',
      // the operator's actions (maintenance, standby, pins, rules) are not among the generated orders
      ...Object.fromEntries(
        [
          'LabPlan.hostMode',
          'LabPlan.rules',
          'LabPlan.vmPinned',
          'LabSimulation.hostModes',
          'LabSimulation.ruleBook',
        ].map((k) => [k, "the operator's actions and rules: not among the orders generated here"]),
      ),
      'LabSimulation.placements': 'the placement log: rows for a listener, handed over within each step; none here',
      'LabConsolidation.idleAllowed': 'true between rounds (false only inside the under-load phase)',
      'MemoryAccount.lostSinceLast':
        'summed between timeline points; with a point per step (60 steps) it is zero between steps',
    },
  })
}

describe('whole-lab state round trip', () => {
  it('LabSimulation with its plan, HA, memory account and host shards', async () => {
    await labRoundTrip({
      policies: ['thr-mmt-0.8', 'lr-rs-1.2', 'mad-mc-2.5', 'none'],
      automation: ['full'],
      orders: order,
      runs: 16,
    })
  })
  it('with recommendations waiting (manual and partial automation, a preset), approved and dismissed', async () => {
    // the other classes' fields are driven above; here the book, the automation level and the pass kept
    await labRoundTrip({
      policies: ['drs-5+dpm', 'lr-mmt-1.2'],
      automation: ['partial', 'manual'],
      orders: orderOrApproval,
      runs: 8,
      classes: ['RecommendationBook'],
    })
  })
})
