// Flag values through the scenario schema's own limits: `--seed` is checked as the file's `seed` is,
// `--until` and `--checkpoint-every` as durations are; a refusal names the flag and the value given.
import { z } from 'zod'
import { LabInputError } from '../engine/scenario/diagnostics'
import { issueMessage, relevantIssues } from '../engine/scenario/load'
import { positiveDuration, seedSchema } from '../engine/scenario/schema'
import { LIMITS, WHY } from '../engine/scenario/limits'

/** A number as the command line writes it (`12`, `-1`, `1e20`); any other text stays text for the schema to refuse. */
function numberOrText(text: string): number | string {
  return /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text.trim()) ? Number(text) : text
}

export function flagValue<S extends z.ZodType>(flag: string, text: string, schema: S, raw: unknown): z.output<S> {
  const result = schema.safeParse(raw)
  if (result.success) return result.data
  throw new LabInputError(
    relevantIssues(result.error.issues).map((issue) => ({
      file: `--${flag} ${text}`,
      message: issueMessage(issue, raw).message,
    })),
  )
}

const workersSchema = z.number().int().min(0).max(LIMITS.workers, WHY.workers)
const indexSchema = z.number().int().min(0)

export function seedFlag(text: string | undefined): number | undefined {
  return text === undefined ? undefined : flagValue('seed', text, seedSchema, numberOrText(text))
}

export function workersFlag(text: string | undefined): number | undefined {
  return text === undefined ? undefined : flagValue('workers', text, workersSchema, numberOrText(text))
}

export function indexFlag(flag: string, text: string | undefined): number | undefined {
  return text === undefined ? undefined : flagValue(flag, text, indexSchema, numberOrText(text))
}

/** Seconds of a duration flag (`6h`, `90m`, `21600`). */
export function durationFlag(flag: string, text: string | undefined): number | undefined {
  return text === undefined ? undefined : flagValue(flag, text, positiveDuration, numberOrText(text))
}
