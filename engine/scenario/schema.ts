// The scenario file format: one zod schema, the single source of truth for validation, defaults,
// TypeScript types and the JSON Schema that `conlab schema` prints for editors.
import { z } from 'zod'
import { parseDuration } from './duration'

const duration = z
  .union([z.number().nonnegative(), z.string()])
  .transform((value, ctx) => {
    if (typeof value === 'number') return value
    const seconds = parseDuration(value)
    if (seconds === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: `expected a duration such as 300, "5m", "24h" or "7d", found "${value}"`,
      })
      return z.NEVER
    }
    return seconds
  })
  .meta({ description: 'seconds, or a string with units: "300s", "5m", "24h", "7d", "1h30m"' })

const positiveDuration = duration.refine((s) => s > 0, { message: 'expected a duration greater than zero' })

const BYTE_UNITS: Record<string, number> = {
  b: 1,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
}

/** A size in bytes: a number, or "4KiB", "2MiB", "4GiB", "500MB". */
export function parseByteSize(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]i?b|b)?\s*$/i.exec(text)
  if (!m) return undefined
  return Number(m[1]) * (BYTE_UNITS[(m[2] ?? 'b').toLowerCase()] ?? Number.NaN)
}

const byteSize = z
  .union([z.number().nonnegative(), z.string()])
  .transform((value, ctx) => {
    if (typeof value === 'number') return value
    const bytes = parseByteSize(value)
    if (bytes === undefined || Number.isNaN(bytes)) {
      ctx.addIssue({
        code: 'custom',
        message: `expected a size such as 4096, "4KiB", "2MiB" or "4GiB", found "${value}"`,
      })
      return z.NEVER
    }
    return bytes
  })
  .meta({ description: 'bytes, or a string with units: "4KiB", "2MiB", "4GiB", "500MB"' })

/** A rate in bytes per second: a number, or "128MiB/s", "1GB/s". */
const byteRate = z
  .union([z.number().nonnegative(), z.string()])
  .transform((value, ctx) => {
    if (typeof value === 'number') return value
    const bytes = parseByteSize(value.replace(/\/s\s*$/i, ''))
    if (!/\/s\s*$/i.test(value) || bytes === undefined || Number.isNaN(bytes)) {
      ctx.addIssue({ code: 'custom', message: `expected a rate such as "128MiB/s" or "32MiB/s", found "${value}"` })
      return z.NEVER
    }
    return bytes
  })
  .meta({ description: 'bytes per second, or a string such as "128MiB/s"' })
const fraction = z.number().min(0).max(1)
const id = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'expected an id of letters, digits, "_", "." or "-"')

export const hostTypeSchema = z.strictObject({
  name: z.string().optional(),
  cores: z.number().int().min(1),
  mipsPerCore: z.number().positive(),
  ramMB: z.number().int().positive(),
  nicMbps: z.number().positive().meta({ description: 'NIC bandwidth in Mbit/s (CloudSim: 1000)' }),
  storageGB: z.number().positive().default(1000),
  power: z
    .array(z.number().nonnegative())
    .length(11)
    .meta({ description: 'watts at 0 %, 10 %, …, 100 % CPU utilization (SPECpower style)' }),
  bootSeconds: duration.default(200).meta({
    description:
      'lab mode: power-on to running VMs (default 200 s, the server setup time of Gandhi et al., "AutoScale", ACM TOCS 2012)',
  }),
  bootEnergyJ: z.number().nonnegative().optional().meta({
    description:
      "lab mode: energy to boot (default: bootSeconds at the power table's 100 % figure — a booting server draws near its busy power, Gandhi et al. 2012)",
  }),
  offPowerW: z.number().nonnegative().default(10).meta({
    description:
      'lab mode: power of a switched-off host — its BMC (iLO, iDRAC, IMM) stays on standby power to wake it (default 10 W, a lab estimate)',
  }),
})

export const vmTypeSchema = z.strictObject({
  name: z.string().optional(),
  vcpus: z.number().int().min(1),
  mips: z.number().positive().meta({ description: 'MIPS per vCPU' }),
  ramMB: z.number().int().positive(),
  bwMbps: z.number().positive().default(100),
  imageMB: z.number().positive().default(2500),
})

const planetLabWorkload = z.strictObject({
  kind: z.literal('planetlab'),
  dir: z.string().min(1).meta({ description: 'a folder of PlanetLab trace files, relative to the scenario file' }),
  order: z.enum(['sorted', 'listed']).default('sorted').meta({
    description: 'sorted: byte-wise file-name order (reproducible); listed: directory order (CloudSim quirk)',
  }),
})
const constantWorkload = z.strictObject({ kind: z.literal('constant'), level: fraction })
const diurnalWorkload = z.strictObject({
  kind: z.literal('diurnal'),
  mean: fraction,
  amplitude: fraction,
  period: positiveDuration.default(86400),
  phase: duration.default(0),
  phaseJitter: duration
    .default(0)
    .meta({ description: 'each VM shifts its phase by a seeded uniform draw in ±phaseJitter' }),
  noise: fraction.default(0).meta({ description: 'standard deviation of seeded Gaussian noise added per interval' }),
})
const randomWalkWorkload = z.strictObject({
  kind: z.literal('random-walk'),
  start: fraction,
  step: fraction,
  min: fraction.default(0),
  max: fraction.default(1),
})
const burstyWorkload = z.strictObject({
  kind: z.literal('bursty'),
  base: fraction,
  burst: fraction,
  probability: fraction.meta({ description: 'chance per interval that a burst starts' }),
  meanBurstIntervals: z.number().positive().default(3),
})
export const workloadSchema = z.discriminatedUnion('kind', [
  planetLabWorkload,
  constantWorkload,
  diurnalWorkload,
  randomWalkWorkload,
  burstyWorkload,
])

const typeRef = z.union([id, z.array(id).min(1)])

export const hostGroupSchema = z.strictObject({
  name: z.string().optional(),
  type: typeRef.meta({ description: 'a host type id, or a list of ids assigned by `arrangement`' }),
  count: z.number().int().min(1),
  arrangement: z.enum(['interleaved', 'blocks']).default('interleaved').meta({
    description: 'with a list of types: interleaved = host i gets type i mod k (CloudSim); blocks = equal runs',
  }),
})

const pageWritesSchema = z
  .strictObject({
    pattern: z.enum(['uniform', 'hot-cold', 'sequential']).default('hot-cold'),
    rate: byteRate
      .default(8 * 1024 ** 2)
      .meta({ description: 'bytes of pages written per second at full CPU (repeats included)' }),
    hotSet: byteSize.optional().meta({
      description: 'hot-cold: the writable working set; sequential: the region swept (default: a tenth of RAM)',
    }),
    hotFraction: fraction.default(0.9).meta({ description: 'hot-cold: share of the writes landing in the hot set' }),
  })
  .meta({ description: "the guest's page writes (lab mode: what live migration has to chase)" })

const contentSchema = z
  .strictObject({
    zero: fraction.default(0.3).meta({ description: 'share of pages holding only zeros' }),
    image: fraction
      .default(0.2)
      .meta({ description: 'share of pages identical to the OS image (shared by VMs of that image)' }),
    imageId: z.number().int().min(0).max(1022).default(0),
  })
  .meta({ description: "what a VM's memory holds at start (lab mode)" })

export const vmGroupSchema = z.strictObject({
  name: z.string().optional(),
  type: typeRef,
  count: z.number().int().min(1).optional().meta({ description: 'default: one VM per trace file' }),
  typeAssignment: z
    .enum(['blocks', 'interleaved'])
    .default('blocks')
    .meta({ description: 'blocks = VM i gets type floor(i / ceil(n/k)) (CloudSim); interleaved = i mod k' }),
  workload: workloadSchema,
  cpuWeight: z
    .number()
    .int()
    .min(1)
    .max(10000)
    .default(100)
    .meta({ description: "lab mode: cgroup v2 cpu.weight of the group's VMs (1..10000, default 100)" }),
  cpuCap: z
    .number()
    .positive()
    .optional()
    .meta({ description: 'lab mode: a cap in pCPUs (cgroup cpu.max quota ÷ period), e.g. 0.5; default none' }),
  haPriority: z.enum(['high', 'medium', 'low', 'disabled']).default('medium').meta({
    description: "lab mode: HA restart priority (vSphere's); disabled VMs are not restarted when their host fails",
  }),
  protection: z
    .strictObject({
      epoch: duration.default(0.2).meta({ description: 'checkpoint interval (Remus: as often as every 25 ms)' }),
      copyRate: byteRate.default(1024 ** 3).meta({
        description:
          'bytes/s a checkpoint copies the dirty pages at: the VM is paused dirty bytes ÷ copyRate per epoch',
      }),
    })
    .optional()
    .meta({ description: 'lab mode: continuous checkpointing to a backup host (Remus-like); default none' }),
  guaranteedMemory: fraction
    .optional()
    .meta({ description: "lab mode: share of the VM's RAM the auto-balloon never takes (default memory.guaranteed)" }),
  pageWrites: pageWritesSchema.default({ pattern: 'hot-cold', rate: 8 * 1024 ** 2, hotFraction: 0.9 }),
  content: contentSchema.default({ zero: 0.3, image: 0.2, imageId: 0 }),
})

export const migrationSchema = z.strictObject({
  model: z
    .enum(['cloudsim', 'precopy', 'postcopy', 'hybrid'])
    .optional()
    .meta({ description: 'default: cloudsim in cloudsim mode, precopy in lab mode' }),
  maxBandwidth: byteRate.default(128 * 1024 ** 2).meta({ description: "QEMU's max-bandwidth (default 128 MiB/s)" }),
  downtimeLimit: duration.default(0.3).meta({ description: "QEMU's downtime-limit (default 300 ms)" }),
  autoConverge: z.boolean().default(false),
  postcopyAfterRounds: z
    .number()
    .int()
    .min(0)
    .default(1)
    .meta({ description: 'hybrid: pre-copy rounds before post-copy starts' }),
  maxConcurrentPerHost: z.number().int().min(1).optional().meta({
    description:
      "migrations a host carries at once (default by NIC, as vMotion's limits: 4 below 10 GbE, 8 from 10 GbE; OpenStack Nova's max_concurrent_live_migrations is 1)",
  }),
  timeout: duration
    .optional()
    .meta({ description: 'cancel a migration still running after this long (default: 150 s per GiB of RAM)' }),
  timeoutAction: z.enum(['cancel', 'postcopy']).default('cancel'),
  syncRule: z
    .enum(['qemu', 'full-pass'])
    .default('qemu')
    .meta({ description: "when a pre-copy round ends: QEMU's rule, or the textbook model's whole passes" }),
  setupTime: duration.default(0.1),
  resumeTime: duration.default(0.02),
  deviceState: byteSize.default(256 * 1024),
})

const eventSchema = z.union([
  z.strictObject({
    at: duration,
    migrate: z.strictObject({ vm: z.number().int().min(0), to: z.number().int().min(0) }),
  }),
  z.strictObject({ at: duration, cancelMigration: z.strictObject({ vm: z.number().int().min(0) }) }),
  z.strictObject({
    at: duration,
    snapshot: z.strictObject({
      vm: z.number().int().min(0),
      name: z.string().min(1),
      description: z.string().default(''),
      memory: z
        .boolean()
        .default(true)
        .meta({ description: 'save memory and the running state (costs the VM a pause)' }),
    }),
  }),
  z.strictObject({
    at: duration,
    revert: z.strictObject({ vm: z.number().int().min(0), snapshot: z.string().min(1) }),
  }),
  z.strictObject({
    at: duration,
    deleteSnapshot: z.strictObject({
      vm: z.number().int().min(0),
      snapshot: z.string().min(1),
      children: z.boolean().default(false).meta({ description: 'delete its children too' }),
    }),
  }),
  z.strictObject({ at: duration, failHost: z.strictObject({ host: z.number().int().min(0) }) }),
  z.strictObject({ at: duration, repairHost: z.strictObject({ host: z.number().int().min(0) }) }),
  z.strictObject({
    at: duration,
    balloon: z.strictObject({
      vm: z.number().int().min(0),
      target: z.union([z.literal('auto'), byteSize]).meta({
        description: "the guest memory the VM keeps (QMP balloon's logical size), or auto: the host's policy decides",
      }),
    }),
  }),
])

const ksmSchema = z
  .strictObject({
    mode: z.enum(['off', 'on', 'mom']).default('off').meta({
      description: "off: run = 0 (Linux's default); on: run = 1 with the tunables below; mom: oVirt MoM drives it",
    }),
    pagesToScan: z.number().int().min(1).default(100).meta({ description: 'pages_to_scan (4 KiB pages per wake-up)' }),
    sleepMillisecs: z.number().int().min(1).default(20).meta({ description: 'sleep_millisecs between wake-ups' }),
    maxPageSharing: z.number().int().min(2).default(256).meta({ description: 'max_page_sharing' }),
    cpuPerPage: duration.default(1e-6).meta({
      description:
        "host CPU ksmd spends per 4 KiB page it scans (lab choice: a checksum and a few page compares, 1 µs), charged to the host's cores",
    }),
  })
  .meta({ description: 'lab mode: kernel same-page merging on every host (ksm.rst names)' })

const memorySchema = z.strictObject({
  pageSize: byteSize.default(2 * 1024 ** 2).meta({
    description:
      'lab mode: page size of VM memory images (4 KiB for teaching scenarios, larger pages keep big runs light)',
  }),
  ksm: ksmSchema.prefault({}),
  ballooning: z.enum(['off', 'auto']).default('off').meta({
    description: "off: balloons move only when told; auto: oVirt MoM's policy shrinks guests under host pressure",
  }),
  guaranteed: fraction.default(0.5).meta({ description: "share of each VM's RAM the auto-balloon never takes" }),
  images: z.boolean().default(false).meta({
    description:
      'keep VM memory images even when nothing in the scenario needs them (to take VM snapshots from the app); live migration, memory management and snapshot events turn them on anyway',
  }),
  hostSwap: byteSize.default(8 * 1024 ** 3).meta({ description: 'swap space of every host' }),
  swapLatency: duration.default(100e-6).meta({
    description:
      'host swap device: time to read back one 4 KiB page at queue depth 1, a host major fault (default 100 µs: a datacenter SATA SSD)',
  }),
  swapBandwidth: byteRate.default(256 * 1024 ** 2).meta({
    description:
      "host swap device: throughput of its 4 KiB random reads and writes (default 256 MiB/s: a datacenter SATA SSD's 65–94 k IOPS)",
  }),
})

const snapshotCostSchema = z.strictObject({
  saveRate: byteRate
    .default(500 * 1024 ** 2)
    .meta({ description: 'bytes/s a snapshot with memory writes (the VM is paused meanwhile)' }),
  loadRate: byteRate
    .default(500 * 1024 ** 2)
    .meta({ description: 'bytes/s a revert reads back (the VM is paused meanwhile)' }),
  mergeRate: byteRate
    .default(250 * 1024 ** 2)
    .meta({ description: 'bytes/s a delete merges into the snapshots based on it' }),
  saveCost: z.enum(['full', 'delta']).default('full').meta({
    description: "what a save writes: every non-zero page (QEMU savevm, vSphere .vmem) or only the snapshot's delta",
  }),
})

const haSchema = z.strictObject({
  detection: duration
    .default(15)
    .meta({ description: 'time before a silent host is declared failed and restarts begin' }),
  bootTime: duration.default(60).meta({ description: 'an unprotected VM cold-boots on another host in this long' }),
  failoverTime: duration.default(1).meta({ description: "a protected VM's backup takes over in this long" }),
  reserveHosts: z.number().int().min(0).default(0).meta({
    description:
      "admission control: keep enough powered-on spare RAM to restart the VMs of this many failed hosts (vSphere's host failures cluster tolerates); idle hosts stay on for it",
  }),
  mtbf: duration.optional().meta({ description: 'random host failures: mean time between failures per host (seeded)' }),
  repairTime: duration.default(4 * 3600).meta({ description: 'a failed host is back (off, usable) after this long' }),
})

const admissionSchema = z.strictObject({
  cpuAllocationRatio: z.number().positive().default(4).meta({
    description: 'vCPUs a host accepts per core (OpenStack Nova, default 4.0)',
  }),
  ramAllocationRatio: z.number().positive().default(1).meta({
    description: 'configured VM RAM a host accepts per byte of allocatable RAM (Nova, default 1.0); > 1 overcommits',
  }),
  reservedHostMemory: byteSize.default(512 * 1024 ** 2).meta({
    description:
      "RAM a host keeps for itself, outside the VMs' allocation (default 512 MiB: OpenStack Nova's reserved_host_memory_mb)",
  }),
  reservedHostCpus: z.number().int().min(0).default(0).meta({
    description:
      "cores a host keeps for itself, outside the VMs' vCPU allocation (Nova's reserved_host_cpus, default 0)",
  }),
})

export const scenarioSchema = z.strictObject({
  $schema: z.string().optional(),
  name: z.string().min(1),
  description: z.string().optional(),
  mode: z
    .enum(['cloudsim', 'lab'])
    .meta({ description: "cloudsim: CloudSim 3.0.3's model, quirks included; lab: the lab's own model" }),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 32 - 1)
    .default(1),
  duration: positiveDuration,
  interval: positiveDuration.default(300),
  hostTypes: z.record(id, hostTypeSchema),
  hosts: z.array(hostGroupSchema).min(1),
  vmTypes: z.record(id, vmTypeSchema),
  vms: z.array(vmGroupSchema).min(1),
  policy: z
    .string()
    .default('lr-mmt-1.2')
    .meta({ description: 'npa, dvfs, or <detector>-<selection>-<safety> such as lr-mmt-1.2' }),
  migration: migrationSchema.default({
    maxBandwidth: 128 * 1024 ** 2,
    downtimeLimit: 0.3,
    autoConverge: false,
    postcopyAfterRounds: 1,
    timeoutAction: 'cancel',
    syncRule: 'qemu',
    setupTime: 0.1,
    resumeTime: 0.02,
    deviceState: 256 * 1024,
  }),
  memory: memorySchema.prefault({}),
  admission: admissionSchema.prefault({}).meta({ description: 'lab mode: what a host accepts (placement admission)' }),
  snapshots: snapshotCostSchema
    .prefault({})
    .meta({ description: 'lab mode: what VM snapshots cost (datastore speeds)' }),
  ha: haSchema.prefault({}).meta({ description: 'lab mode: high availability — host failures and VM restarts' }),
  events: z
    .array(eventSchema)
    .default([])
    .meta({ description: 'lab mode: scheduled actions (migrate a VM, cancel a migration)' }),
  consolidation: z
    .strictObject({
      underloadEvery: duration.optional().meta({
        description:
          'lab mode: how often under-loaded hosts are emptied (default: every interval); over-load relief runs every interval',
      }),
    })
    .default({}),
  onWorkerFailure: z.enum(['stop', 'continue']).default('stop').meta({
    description: "lab mode: when a worker thread dies, stop the run, or continue with that worker's hosts failed",
  }),
})

export type Scenario = z.output<typeof scenarioSchema>
export type ScenarioInput = z.input<typeof scenarioSchema>
export type HostType = z.output<typeof hostTypeSchema>
export type VmType = z.output<typeof vmTypeSchema>
export type Workload = z.output<typeof workloadSchema>
export type HostGroup = z.output<typeof hostGroupSchema>
export type VmGroup = z.output<typeof vmGroupSchema>
export type ScenarioEvent = z.output<typeof eventSchema>
export type MigrationSettings = z.output<typeof migrationSchema>
export type MemorySettings = z.output<typeof memorySchema>
export type AdmissionSettings = z.output<typeof admissionSchema>
export type SnapshotCostSettings = z.output<typeof snapshotCostSchema>
export type HaSettings = z.output<typeof haSchema>

/** The JSON Schema (draft 2020-12) for editors, generated from the zod schema. */
export function scenarioJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(scenarioSchema, { io: 'input', unrepresentable: 'any' }),
    title: 'Consolidation Lab scenario',
  }
}
