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
  bootSeconds: duration.default(0),
  bootEnergyJ: z.number().nonnegative().default(0),
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

export const vmGroupSchema = z.strictObject({
  name: z.string().optional(),
  type: typeRef,
  count: z.number().int().min(1).optional().meta({ description: 'default: one VM per trace file' }),
  typeAssignment: z
    .enum(['blocks', 'interleaved'])
    .default('blocks')
    .meta({ description: 'blocks = VM i gets type floor(i / ceil(n/k)) (CloudSim); interleaved = i mod k' }),
  workload: workloadSchema,
})

export const migrationSchema = z.strictObject({
  model: z
    .enum(['cloudsim', 'precopy', 'postcopy', 'hybrid'])
    .optional()
    .meta({ description: 'default: cloudsim in cloudsim mode, precopy in lab mode' }),
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
  migration: migrationSchema.default({}),
  consolidation: z
    .strictObject({
      underloadEvery: duration
        .optional()
        .meta({
          description:
            'lab mode: how often under-loaded hosts are emptied (default: every interval); over-load relief runs every interval',
        }),
    })
    .default({}),
  onWorkerFailure: z
    .enum(['stop', 'continue'])
    .default('stop')
    .meta({
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

/** The JSON Schema (draft 2020-12) for editors, generated from the zod schema. */
export function scenarioJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(scenarioSchema, { io: 'input', unrepresentable: 'any' }),
    title: 'Consolidation Lab scenario',
  }
}
