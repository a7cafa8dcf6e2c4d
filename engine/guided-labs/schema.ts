// The file formats of guided labs: a lab (`scenarios/labs/<id>.yaml`) and a trainee's submission. One zod
// schema each, validated with the scenario's compiler-style diagnostics (file, line, JSON path, expected,
// found). A lab's orders and a submission's are scenario events (engine/scenario/schema.ts), `at` being the
// simulated time the order was applied at — what the run's order log records.
import { z } from 'zod'
import { eventSchema, positiveDuration } from '../scenario/schema'
import { COMPARATORS, type Comparator } from '../api/lab-comparators'
import { METRICS, METRIC_NAMES, type MetricParam } from './metrics'

const PARAMS: readonly MetricParam[] = ['vm', 'snapshot', 'hosts', 'kinds', 'path']

const id = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'expected an id of lower-case letters, digits and "-"')

export const checkSchema = z
  .strictObject({
    metric: z.enum(METRIC_NAMES).meta({ description: 'what is measured (docs/labs.md lists the metrics)' }),
    vm: z.number().int().min(0).optional().meta({ description: 'revertsTo, vmMigrations: the VM' }),
    snapshot: z.string().min(1).optional().meta({ description: 'revertsTo: the snapshot’s name' }),
    hosts: z
      .array(z.number().int().min(0))
      .min(1)
      .optional()
      .meta({ description: 'hostsInMaintenance, hostsInStandby: only these hosts (default all)' }),
    kinds: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .meta({ description: 'orders: only orders of these kinds (default all)' }),
    path: z.string().min(1).optional().meta({ description: 'report: a dotted path to a number in the JSON report' }),
    below: z.number().optional(),
    atMost: z.number().optional(),
    atLeast: z.number().optional(),
    above: z.number().optional(),
    equals: z.number().optional(),
    at: positiveDuration.optional().meta({
      description: 'check at this simulated time (the end of the step that ends then) instead of at the end of the run',
    }),
  })
  .superRefine((c, ctx) => {
    const given = COMPARATORS.filter((k) => c[k] !== undefined)
    if (given.length !== 1)
      ctx.addIssue({
        code: 'custom',
        path: given.length ? [given[1]!] : [],
        message: `expected exactly one target (${COMPARATORS.join(', ')}), found ${given.length ? given.join(' and ') : 'none'}`,
      })
    const spec = METRICS[c.metric] as {
      requires?: readonly MetricParam[]
      accepts?: readonly MetricParam[]
    }
    for (const p of spec.requires ?? [])
      if (c[p] === undefined)
        ctx.addIssue({ code: 'custom', path: [p], message: `the metric ${c.metric} needs ${p}, found nothing` })
    for (const p of PARAMS)
      if (c[p] !== undefined && !(spec.requires ?? []).includes(p) && !(spec.accepts ?? []).includes(p))
        ctx.addIssue({ code: 'custom', path: [p], message: `the metric ${c.metric} takes no ${p}` })
  })

export const objectiveSchema = z.strictObject({
  id,
  text: z.string().min(1).meta({ description: 'the objective in one sentence, as the trainee reads it' }),
  check: checkSchema,
  points: z.number().int().min(0).default(10),
})

export const hintSchema = z.strictObject({
  id,
  text: z.string().min(1).meta({ description: 'Markdown, shown when the trainee asks for it' }),
  cost: z.number().int().min(0).meta({ description: 'points taken off the score once revealed' }),
})

/** A setting the trainee may change: a scenario path (and everything below it), or a path with its values. */
export const allowedSettingSchema = z.union([
  z.string().min(1),
  z.strictObject({ path: z.string().min(1), values: z.array(z.unknown()).min(1).optional() }),
])

export const allowedSchema = z.strictObject({
  settings: z.array(allowedSettingSchema).default([]).meta({
    description:
      'scenario paths the trainee may set (`policy`, `migration.autoConverge`, `vms[*].haPriority`: a setting at or below one is allowed), or { path, values }',
  }),
  orders: z.array(z.string().min(1)).default([]).meta({ description: 'order kinds the trainee may give (migrate, …)' }),
})

export const solutionSchema = z.strictObject({
  settings: z.array(z.string()).default([]),
  orders: z.array(eventSchema).default([]),
  approach: z.string().min(1).meta({ description: 'Markdown: the solution’s approach, for the debrief' }),
})

export const labSchema = z.strictObject({
  $schema: z.string().optional(),
  title: z.string().min(1),
  topics: z.array(z.string().min(1)).min(1),
  level: z.enum(['beginner', 'intermediate', 'advanced']),
  briefing: z.string().min(1).meta({ description: 'Markdown: the situation and the task' }),
  scenario: z.union([z.string().min(1), z.record(z.string(), z.unknown())]).meta({
    description: 'a scenario file (relative to the lab file) or the scenario itself (mode: lab)',
  }),
  scenarioSet: z.array(z.string()).default([]).meta({
    description: "`path=value` changes to the scenario, as `conlab run --set` takes them: the lab's own setup",
  }),
  objectives: z.array(objectiveSchema).min(1),
  allowed: allowedSchema.prefault({}),
  hints: z.array(hintSchema).default([]),
  solution: solutionSchema,
})

export const submissionSchema = z.strictObject({
  $schema: z.string().optional(),
  lab: z.string().min(1),
  labHash: z.string().regex(/^[0-9a-f]{16}$/, 'expected the 16 hex digits of the lab’s content hash'),
  trainee: z.string().optional(),
  settings: z.array(z.string()).default([]),
  hintsUsed: z.array(z.string()).default([]),
  solutionSeen: z.boolean().default(false).meta({ description: 'the trainee was shown the solution: score 0' }),
  orders: z.array(eventSchema).default([]),
})

export type LabFile = z.output<typeof labSchema>
export type LabCheck = z.output<typeof checkSchema>
export type LabObjective = z.output<typeof objectiveSchema>
export type LabHintSpec = z.output<typeof hintSchema>
export type AllowedSetting = z.output<typeof allowedSettingSchema>
export type SubmissionFile = z.output<typeof submissionSchema>
export type OrderEntry = z.output<typeof eventSchema>

export function comparatorOf(c: LabCheck): { comparator: Comparator; target: number } {
  const comparator = COMPARATORS.find((k) => c[k] !== undefined)!
  return { comparator, target: c[comparator]! }
}

/** Does `value` meet the target? */
export function meets(value: number, comparator: Comparator, target: number): boolean {
  switch (comparator) {
    case 'below':
      return value < target
    case 'atMost':
      return value <= target
    case 'atLeast':
      return value >= target
    case 'above':
      return value > target
    case 'equals':
      return value === target
  }
}
