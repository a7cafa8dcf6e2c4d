// The scenario file format: one zod schema, the single source of truth for validation, defaults,
// TypeScript types and the JSON Schema that `conlab schema` prints for editors.
import { z } from 'zod'
import { formatDuration, parseDuration } from './duration'
import { LIMITS, SEED_MAX, SEED_WHY, WHY } from './limits'

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

export const positiveDuration = duration.refine((s) => s > 0, { message: 'expected a duration greater than zero' })

/** A run's length: positive and at most LIMITS.durationSeconds. */
export const runDuration = positiveDuration.refine((s) => s <= LIMITS.durationSeconds, {
  message: `expected a duration of at most ${formatDuration(LIMITS.durationSeconds)} (${WHY.durationSeconds})`,
})

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
/** A rate something is divided by (a transfer, a copy): zero would make it take forever. */
const positiveRate = byteRate.refine((r) => r > 0, {
  message: 'expected a rate greater than zero (nothing would ever be transferred)',
})
const fraction = z.number().min(0).max(1)
const id = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'expected an id of letters, digits, "_", "." or "-"')

/** A seed: the file's `seed` and `--seed` alike. */
export const seedSchema = z.number().int().min(0).max(SEED_MAX, SEED_WHY)

export const hostTypeSchema = z.strictObject({
  name: z.string().optional(),
  cores: z.number().int().min(1).max(LIMITS.cores, WHY.cores),
  mipsPerCore: z.number().positive(),
  ramMB: z.number().int().positive().max(LIMITS.hostRamMB, WHY.hostRamMB),
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
  vcpus: z.number().int().min(1).max(LIMITS.cores, WHY.cores),
  mips: z.number().positive().meta({ description: 'MIPS per vCPU' }),
  ramMB: z.number().int().positive().max(LIMITS.hostRamMB, WHY.hostRamMB),
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
/**
 * A point on a trace's clock: a duration after the trace's start, or an ISO 8601 date-time (UTC unless it
 * names a zone) for traces stamped with wall-clock times (Bitbrains, a CSV with Unix or ISO times).
 */
export interface TracePoint {
  seconds: number
  /** seconds since 1970 (an ISO date-time); false: after the trace's start */
  absolute: boolean
}

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?$/

/** An ISO 8601 date or date-time as seconds since 1970 (UTC unless it names a zone), or undefined. */
export function parseIsoSeconds(text: string): number | undefined {
  const t = text.trim()
  if (!ISO_DATE_TIME.test(t)) return undefined
  const iso = t.replace(' ', 'T')
  const zoned = /(?:Z|[+-]\d{2}:?\d{2})$/.test(iso) || !iso.includes('T')
  const ms = Date.parse(zoned ? iso : `${iso}Z`)
  return Number.isFinite(ms) ? ms / 1000 : undefined
}

const tracePoint = z
  .union([z.number().nonnegative(), z.string()])
  .transform((value, ctx): TracePoint => {
    if (typeof value === 'number') return { seconds: value, absolute: false }
    const seconds = parseDuration(value)
    if (seconds !== undefined) return { seconds, absolute: false }
    const at = parseIsoSeconds(value)
    if (at !== undefined) return { seconds: at, absolute: true }
    ctx.addIssue({
      code: 'custom',
      message: `expected a duration after the trace's start such as "2d", or a date-time such as "2013-07-01T00:00:00Z", found "${value}"`,
    })
    return z.NEVER
  })
  .meta({ description: 'a duration after the trace\'s start ("36h"), or an ISO date-time ("2013-07-01T00:00:00Z")' })

/** What every imported trace kind accepts: the window, which VMs, scaling, gaps, bad rows, VM sizes. */
const traceOptions = {
  from: tracePoint.optional().meta({ description: "start of the window replayed (default: the trace's start)" }),
  to: tracePoint.optional().meta({ description: 'end of the window (default: from + the scenario duration)' }),
  vms: z
    .array(z.union([z.string().min(1), z.number()]).transform(String))
    .min(1)
    .optional()
    .meta({ description: "the VMs to replay, by the trace's ids (file names without .csv, column or machine ids)" }),
  cpuScale: z.number().nonnegative().default(1).meta({ description: 'multiplies the CPU demand' }),
  memoryScale: z.number().nonnegative().default(1).meta({ description: 'multiplies the memory demand' }),
  gaps: z.enum(['hold', 'zero']).default('hold').meta({
    description:
      'an interval without readings: hold = the last interval with readings repeats (before the first, the first); zero = no demand',
  }),
  badRows: z.enum(['error', 'skip']).default('error').meta({
    description: 'a malformed row: error = refuse the trace naming file, line and column; skip = skip it and count it',
  }),
  sizes: z.enum(['type', 'trace']).optional().meta({
    description:
      "trace: each VM's vCPUs, MHz per vCPU and RAM from the trace where it gives them (default where it does); type: from the VM group's type",
  }),
}

const bitbrainsWorkload = z.strictObject({
  kind: z.literal('bitbrains'),
  dir: z.string().min(1).meta({
    description:
      'a folder of GWA-T-12 Bitbrains per-VM files (<id>.csv), or of month folders holding them, relative to the scenario file',
  }),
  ...traceOptions,
})
const azureWorkload = z.strictObject({
  kind: z.literal('azure'),
  file: z.string().min(1).meta({
    description:
      'Azure Public Dataset V1 CPU readings: a wide table (step, one column of % per VM) or the raw vm_cpu_readings file',
  }),
  format: z
    .enum(['wide', 'readings'])
    .optional()
    .meta({ description: 'default: wide when the header starts with step' }),
  value: z
    .enum(['avg', 'max', 'min'])
    .default('avg')
    .meta({ description: "readings: which of the 5-minute figures is the VM's demand" }),
  vmtable: z
    .string()
    .min(1)
    .optional()
    .meta({ description: "readings: the vmtable file, for the VMs' cores and memory" }),
  ...traceOptions,
})
const alibabaWorkload = z.strictObject({
  kind: z.literal('alibaba'),
  file: z.string().min(1).meta({ description: 'Alibaba cluster-trace-v2018 machine_usage.csv (one VM per machine)' }),
  ...traceOptions,
})
const columnRef = z.union([z.string().min(1), z.number().int().min(1)]).meta({
  description: 'a header name, or a 1-based column number',
})
const csvWorkload = z
  .strictObject({
    kind: z.literal('csv'),
    file: z.string().min(1).optional().meta({ description: 'one CSV file (many VMs with an id column)' }),
    dir: z.string().min(1).optional().meta({
      description: "a folder of CSV files, one VM per file (or the lab's own trace folder that conlab import writes)",
    }),
    separator: z.string().min(1).optional().meta({ description: 'field separator (default ",")' }),
    header: z.boolean().optional().meta({ description: 'the first line names the columns (default true)' }),
    columns: z
      .strictObject({
        time: columnRef,
        cpu: columnRef,
        memory: columnRef.optional(),
        id: columnRef.optional().meta({ description: 'the VM of each row, for many VMs in one file' }),
        diskRead: columnRef.optional(),
        diskWrite: columnRef.optional(),
        netIn: columnRef.optional(),
        netOut: columnRef.optional(),
      })
      .optional()
      .meta({ description: "which column holds what (optional for the lab's own trace folder)" }),
    units: z
      .strictObject({
        time: z.enum(['s', 'ms', 'unix', 'unix-ms', 'iso']).default('s'),
        cpu: z.enum(['fraction', 'percent', 'mhz', 'cores']).default('fraction'),
        memory: z.enum(['bytes', 'kib', 'mib', 'gib', 'fraction', 'percent']).default('bytes'),
        io: z.string().default('').meta({ description: 'the unit of the disk and network columns, for the report' }),
      })
      .optional()
      .meta({
        description:
          'time: s or ms after the start, unix (s) / unix-ms, iso; cpu: fraction / percent of the VM, MHz, cores; memory: bytes (kib, mib, gib) or fraction / percent of the VM',
      }),
    ...traceOptions,
  })
  .superRefine((w, ctx) => {
    if ((w.file === undefined) === (w.dir === undefined))
      ctx.addIssue({ code: 'custom', path: ['file'], message: 'expected either file or dir, found both or neither' })
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
  bitbrainsWorkload,
  azureWorkload,
  alibabaWorkload,
  csvWorkload,
  constantWorkload,
  diurnalWorkload,
  randomWalkWorkload,
  burstyWorkload,
])

const typeRef = z.union([id, z.array(id).min(1)])

export const hostGroupSchema = z.strictObject({
  name: z.string().optional(),
  type: typeRef.meta({ description: 'a host type id, or a list of ids assigned by `arrangement`' }),
  count: z.number().int().min(1).max(LIMITS.hosts, WHY.hosts),
  arrangement: z.enum(['interleaved', 'blocks']).default('interleaved').meta({
    description: 'with a list of types: interleaved = host i gets type i mod k (CloudSim); blocks = equal runs',
  }),
})

const pageWritesSchema = z
  .strictObject({
    pattern: z.enum(['uniform', 'hot-cold', 'sequential']).default('hot-cold'),
    rate: byteRate
      .refine((r) => r <= LIMITS.pageWriteRate, {
        message: `expected a rate of at most ${LIMITS.pageWriteRate / 1024 ** 3}GiB/s (${WHY.pageWriteRate})`,
      })
      .default(8 * 1024 ** 2)
      .meta({ description: 'bytes of pages written per second at full CPU (repeats included)' }),
    hotSet: byteSize
      .refine((b) => b > 0, { message: 'expected a size greater than zero' })
      .optional()
      .meta({
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
  count: z
    .number()
    .int()
    .min(1)
    .max(LIMITS.vms, WHY.vms)
    .optional()
    .meta({ description: 'default: one VM per trace file' }),
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
      copyRate: positiveRate.default(1024 ** 3).meta({
        description:
          'bytes/s a checkpoint copies the dirty pages at: the VM is paused dirty bytes ÷ copyRate per epoch',
      }),
    })
    .optional()
    .meta({ description: 'lab mode: continuous checkpointing to a backup host (Remus-like); default none' }),
  guaranteedMemory: fraction
    .optional()
    .meta({ description: "lab mode: share of the VM's RAM the auto-balloon never takes (default memory.guaranteed)" }),
  automation: z.enum(['manual', 'disabled']).optional().meta({
    description:
      "lab mode: the group's VMs override the cluster's automation — manual: every move of theirs waits for approval; disabled: automation never moves them (as vSphere's per-VM DRS automation level)",
  }),
  pageWrites: pageWritesSchema.default({ pattern: 'hot-cold', rate: 8 * 1024 ** 2, hotFraction: 0.9 }),
  content: contentSchema.default({ zero: 0.3, image: 0.2, imageId: 0 }),
})

export const migrationSchema = z.strictObject({
  model: z
    .enum(['cloudsim', 'precopy', 'postcopy', 'hybrid'])
    .optional()
    .meta({ description: 'default: cloudsim in cloudsim mode, precopy in lab mode' }),
  maxBandwidth: positiveRate.default(128 * 1024 ** 2).meta({ description: "QEMU's max-bandwidth (default 128 MiB/s)" }),
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

/** VMs or hosts a rule names: ids and/or the `name` of a VM group (a host group for `hosts`). */
const selectorSchema = z
  .array(z.union([z.number().int().min(0), z.string().min(1)]))
  .min(1)
  .meta({ description: 'ids and/or group names (the `name` of a VM group, or of a host group for `hosts`)' })

const enforcementSchema = z.enum(['must', 'should']).meta({
  description: 'must: placement never breaks it (a hard rule); should: broken only when nothing else fits, and counted',
})

export const ruleSchema = z.union([
  z.strictObject({
    name: z.string().min(1),
    kind: z.enum(['affinity', 'anti-affinity']).meta({
      description: 'affinity: the VMs run on one host; anti-affinity: no two of them on one host',
    }),
    vms: selectorSchema,
    enforcement: enforcementSchema,
  }),
  z.strictObject({
    name: z.string().min(1),
    kind: z.literal('vm-host'),
    vms: selectorSchema,
    hosts: selectorSchema,
    placement: z.enum(['run-on', 'not-run-on']),
    enforcement: enforcementSchema,
  }),
])

/** vSphere DRS's automation levels: what waits for the operator's approval (docs/policies.md). */
export const automationLevel = z.enum(['manual', 'partial', 'full'])

const unitFraction = z.number().min(0).max(1)

/** A policy with parameters: a name (a preset's, usually) and the parameters that differ from its defaults. */
export const policyObjectSchema = z
  .strictObject({
    name: z.string().min(1),
    threshold: z.number().optional().meta({
      description:
        "drs: the migration threshold 1..5 (overrides the name's); watcher-balance: the CPU utilization a host sheds load above (fraction, 0.25)",
    }),
    every: positiveDuration.optional().meta({ description: 'time between passes (audits, DRS runs)' }),
    resource: z.enum(['cpu', 'memory']).optional().meta({ description: 'drs: the resource balanced (default cpu)' }),
    minImprovement: unitFraction
      .optional()
      .meta({ description: 'drs: a move must lower the load standard deviation by this share of it (0.01)' }),
    dpm: z
      .strictObject({
        threshold: z.number().int().min(1).max(5).optional(),
        target: unitFraction.optional(),
        tolerance: unitFraction.optional(),
        powerOnWindow: positiveDuration.optional(),
        powerOffWindow: positiveDuration.optional(),
      })
      .optional()
      .meta({
        description: 'drs+dpm: DPM threshold 1..5 (3), demand target (0.63) ± tolerance (0.18), windows (5m, 40m)',
      }),
    highUtilization: unitFraction.optional().meta({ description: 'ovirt: HighUtilization, a fraction (0.8)' }),
    lowUtilization: unitFraction.optional().meta({ description: 'ovirt: LowUtilization, a fraction (0.2)' }),
    overCommitDuration: duration
      .optional()
      .meta({ description: 'ovirt: CpuOverCommitDurationMinutes, as a duration (2m)' }),
    hostsInReserve: z.number().int().min(0).optional().meta({ description: 'ovirt power saving: HostsInReserve (0)' }),
    highVmCount: z.number().int().min(0).optional().meta({ description: 'ovirt VM-evenly: HighVmCount (10)' }),
    migrationThreshold: z
      .number()
      .int()
      .min(0)
      .optional()
      .meta({ description: 'ovirt VM-evenly: MigrationThreshold (5)' }),
    capacity: z
      .number()
      .positive()
      .optional()
      .meta({ description: 'watcher consolidation: capacity coefficient (1.0)' }),
    maxMigrations: z.number().int().min(1).optional().meta({ description: 'cloudstack: drs.max.migrations (50)' }),
    imbalance: unitFraction.optional().meta({ description: 'cloudstack: drs.imbalance (0.4)' }),
    metric: z.enum(['memory', 'cpu']).optional().meta({ description: 'cloudstack: drs.metric (memory)' }),
  })
  .meta({ description: "a policy name with parameters (docs/policies.md lists each preset's)" })

export const eventSchema = z.union([
  z.strictObject({
    at: duration,
    migrate: z.strictObject({
      vm: z.number().int().min(0),
      to: z.number().int().min(0),
      force: z
        .boolean()
        .optional()
        .meta({ description: 'carry out a move that breaks a should rule (counted); a must rule still refuses it' }),
    }),
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
  z.strictObject({
    at: duration,
    maintenance: z
      .strictObject({ host: z.number().int().min(0), enter: z.boolean() })
      .meta({ description: 'enter: evacuate the host and keep it empty; exit: eligible again' }),
  }),
  z.strictObject({
    at: duration,
    standby: z
      .strictObject({ host: z.number().int().min(0), on: z.boolean() })
      .meta({ description: 'on: evacuate, then power off (not used until powered on); off: power it on' }),
  }),
  z.strictObject({
    at: duration,
    pin: z
      .strictObject({ vm: z.number().int().min(0), pinned: z.boolean() })
      .meta({ description: 'a pinned VM is never moved by consolidation or evacuation' }),
  }),
  z.strictObject({ at: duration, addRule: ruleSchema }),
  z.strictObject({
    at: duration,
    approve: z
      .strictObject({ id: z.number().int().min(1) })
      .meta({ description: 'apply a waiting recommendation, by its id' }),
  }),
  z.strictObject({
    at: duration,
    approveAll: z.literal(true).meta({ description: 'apply every waiting recommendation' }),
  }),
  z.strictObject({
    at: duration,
    dismiss: z
      .strictObject({ id: z.number().int().min(1) })
      .meta({ description: 'drop a waiting recommendation (not proposed again while the state it was made on lasts)' }),
  }),
  z.strictObject({
    at: duration,
    automation: z
      .strictObject({ level: automationLevel })
      .meta({ description: 'change the automation level from this step on' }),
  }),
  z.strictObject({ at: duration, removeRule: z.strictObject({ name: z.string().min(1) }) }),
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
  pageSize: byteSize
    .refine((b) => b >= LIMITS.minPageSize && b <= LIMITS.maxPageSize && (b & (b - 1)) === 0, {
      message: `expected a power of two from 4KiB to 1GiB (${WHY.pageSize})`,
    })
    .default(2 * 1024 ** 2)
    .meta({
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
  saveRate: positiveRate
    .default(500 * 1024 ** 2)
    .meta({ description: 'bytes/s a snapshot with memory writes (the VM is paused meanwhile)' }),
  loadRate: positiveRate
    .default(500 * 1024 ** 2)
    .meta({ description: 'bytes/s a revert reads back (the VM is paused meanwhile)' }),
  mergeRate: positiveRate
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
  respectAntiAffinity: z.boolean().default(true).meta({
    description:
      'HA restarts keep VM-VM anti-affinity rules (vm-host must rules always hold); false: a restart may break one, and it is counted',
  }),
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
  seed: seedSchema.default(1),
  duration: runDuration,
  interval: positiveDuration.default(300),
  hostTypes: z.record(id, hostTypeSchema),
  hosts: z.array(hostGroupSchema).min(1),
  vmTypes: z.record(id, vmTypeSchema),
  vms: z.array(vmGroupSchema).min(1),
  policy: z.union([z.string(), policyObjectSchema]).default('lr-mmt-1.2').meta({
    description:
      'npa, dvfs, none, <detector>-<selection>-<safety> such as lr-mmt-1.2, or a preset (drs-3, drs-3+dpm, ovirt-evenly, watcher-balance, cloudstack-balanced, …), alone or as { name, …parameters }',
  }),
  automation: automationLevel.optional().meta({
    description:
      'lab mode: what waits for approval — full (default): the policy acts; partial: VMs are placed (t = 0, HA restarts) automatically, migrations and power changes wait; manual: everything waits',
  }),
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
  rules: z.array(ruleSchema).default([]).meta({
    description: 'lab mode: placement rules (VM-VM affinity and anti-affinity, VM-host), must or should',
  }),
  events: z.array(eventSchema).default([]).meta({
    description:
      'lab mode: scheduled actions (migrate, cancel a migration, maintenance, standby, pin, add or remove a rule, failures…)',
  }),
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
/** The workload kinds read from imported trace files (beside PlanetLab, which keeps CloudSim's reader). */
export type TraceWorkload = Extract<Workload, { kind: 'bitbrains' | 'azure' | 'alibaba' | 'csv' }>
export const TRACE_KINDS: readonly string[] = ['bitbrains', 'azure', 'alibaba', 'csv']
export function isTraceWorkload(w: Workload): w is TraceWorkload {
  return TRACE_KINDS.includes(w.kind)
}
export type HostGroup = z.output<typeof hostGroupSchema>
export type VmGroup = z.output<typeof vmGroupSchema>
export type ScenarioEvent = z.output<typeof eventSchema>
export type ScenarioRule = z.output<typeof ruleSchema>
export type RuleSelector = z.output<typeof selectorSchema>
export type MigrationSettings = z.output<typeof migrationSchema>
export type MemorySettings = z.output<typeof memorySchema>
export type AdmissionSettings = z.output<typeof admissionSchema>
export type SnapshotCostSettings = z.output<typeof snapshotCostSchema>
export type HaSettings = z.output<typeof haSchema>
export type AutomationLevel = z.output<typeof automationLevel>
export type PolicyObject = z.output<typeof policyObjectSchema>

/** The JSON Schema (draft 2020-12) for editors, generated from the zod schema. */
export function scenarioJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(scenarioSchema, { io: 'input', unrepresentable: 'any' }),
    title: 'Consolidation Lab scenario',
  }
}
