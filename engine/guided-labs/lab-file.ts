// Reading a guided lab file: YAML or JSON, validated by its schema (./schema.ts) with the scenario's
// compiler-style diagnostics, its scenario resolved (inline, or a scenario file relative to the lab) and
// validated as every scenario is — with a problem in an inline scenario reported at the lab file's own line —
// and the checks zod cannot express: ids unique, check times on step ends, allowed settings that exist in
// the scenario schema, allowed order kinds the lab knows, and a solution within what the lab allows.
import { stringify } from 'yaml'
import type { FileSource } from '../platform/files'
import { LabInputError, jsonPath, type Diagnostic } from '../scenario/diagnostics'
import { parseScenario, type ParsedScenario } from '../scenario/load'
import { scenarioSchema } from '../scenario/schema'
import { formatDuration } from '../scenario/duration'
import { LIMITS } from '../scenario/limits'
import { StateHasher } from '../hash'
import { labSchema, type LabFile } from './schema'
import { readYamlFile } from './yaml-file'
import { checkChoices, pathKeys, schemaHas } from './choices'
import { ACTION_KINDS } from '../api/session-orders'

/** A lab file read and checked: its spec, its scenario's source, and where to blame a problem in it. */
export interface GuidedLab {
  /** the file name without .yaml */
  id: string
  file: string
  /** 16 hex digits: FNV-1a of the lab file and of the scenario file it names (line endings as LF) */
  hash: string
  spec: LabFile
  /** the scenario's text and the file relative paths resolve from (the lab file itself when inline) */
  scenario: { text: string; file: string; inline: boolean }
  /** the lab's own `scenarioSet`, each blamed on its line */
  setup: { setting: string; source: string }[]
  durationSeconds: number
  intervalSeconds: number
  /** a diagnostic at a JSON path of the lab file, at its line */
  diagnostic(path: readonly (string | number)[], message: string): Diagnostic
  /** a refusal of the scenario, with what an inline scenario's text says moved to the lab file's lines */
  relocate(e: LabInputError): LabInputError
}

/** The lab's content hash: a submission made for other content is refused. */
export function labHash(labText: string, scenarioText?: string): string {
  const lf = (t: string) => t.replace(/\r\n?/g, '\n')
  const h = new StateHasher().text(lf(labText))
  if (scenarioText !== undefined) h.text('\u0000scenario\u0000').text(lf(scenarioText))
  return h.hex()
}

/** Parses a lab file; throws LabInputError listing every problem found (file, line, JSON path). */
export function parseLab(id: string, file: string, text: string, files: FileSource): GuidedLab {
  const {
    data: spec,
    locate,
    diagnostic,
  } = readYamlFile(text, file, labSchema, 'lab', 'title, briefing, scenario, objectives…')
  const line = (path: (string | number)[]) => locate(path).line
  const setup = spec.scenarioSet.map((setting, i) => ({
    setting,
    source: `${file}:${line(['scenarioSet', i]) ?? 1} scenarioSet[${i}]`,
  }))
  const inline = typeof spec.scenario !== 'string'
  let scenario: GuidedLab['scenario']
  if (typeof spec.scenario === 'string') {
    const path = files.resolve(file, spec.scenario)
    let scenarioText: string
    try {
      scenarioText = files.readText(path, { maxBytes: LIMITS.scenarioBytes, what: 'scenario file' })
    } catch (e) {
      throw new LabInputError([
        diagnostic(['scenario'], `cannot read the scenario file ${path}: ${(e as Error).message.split('\n')[0]}`),
      ])
    }
    scenario = { text: scenarioText, file: path, inline: false }
  } else scenario = { text: stringify(spec.scenario, { lineWidth: 0 }), file, inline: true }

  const relocate = (e: LabInputError): LabInputError =>
    !inline
      ? e
      : new LabInputError(
          e.diagnostics.map((d) => {
            if (d.file !== file) return d
            const keys = ['scenario', ...(d.path ? pathKeys(d.path) : [])]
            return { file, path: jsonPath(keys), ...locate(keys), message: d.message }
          }),
        )
  let parsed: ParsedScenario
  try {
    parsed = parseScenario(scenario.text, scenario.file, setup)
  } catch (e) {
    throw e instanceof LabInputError ? relocate(e) : e
  }
  const problems: Diagnostic[] = []
  if (parsed.scenario.mode !== 'lab')
    problems.push(
      inline
        ? diagnostic(
            ['scenario', 'mode'],
            `expected mode: lab (orders, the order log and live objectives need it), found ${parsed.scenario.mode}`,
          )
        : diagnostic(
            ['scenario'],
            `expected a scenario in mode: lab (orders, the order log and live objectives need it), found mode: ${parsed.scenario.mode}`,
          ),
    )
  const duration = parsed.scenario.duration
  const interval = parsed.scenario.interval
  const seen = (list: { id: string }[], what: string) => {
    const ids = new Set<string>()
    list.forEach((o, i) => {
      if (ids.has(o.id)) problems.push(diagnostic([what, i, 'id'], `expected a unique id, found "${o.id}" twice`))
      ids.add(o.id)
    })
  }
  seen(spec.objectives, 'objectives')
  seen(spec.hints, 'hints')
  spec.objectives.forEach((o, i) => {
    const at = o.check.at
    if (at === undefined) return
    if (at > duration + 1e-9 || !onStep(at, interval))
      problems.push(
        diagnostic(
          ['objectives', i, 'check', 'at'],
          `expected the end of a step (a multiple of ${formatDuration(interval)}) up to the end of the run (${formatDuration(duration)}), found ${formatDuration(at)}`,
        ),
      )
  })
  spec.allowed.settings.forEach((s, i) => {
    const path = typeof s === 'string' ? s : s.path
    const keys = pathKeys(path)
    if (!keys.length || !schemaHas(scenarioSchema, keys))
      problems.push(
        diagnostic(
          ['allowed', 'settings', i, ...(typeof s === 'string' ? [] : ['path'])],
          `expected a path of the scenario schema (policy, migration.autoConverge, vms[*].haPriority…), found "${path}"`,
        ),
      )
  })
  spec.allowed.orders.forEach((k, i) => {
    if (!(ACTION_KINDS as readonly string[]).includes(k))
      problems.push(
        diagnostic(
          ['allowed', 'orders', i],
          `expected one of the order kinds (${ACTION_KINDS.join(', ')}), found "${k}"`,
        ),
      )
  })
  if (problems.length) throw new LabInputError(problems)
  const lab: GuidedLab = {
    id,
    file,
    hash: labHash(text, inline ? undefined : scenario.text),
    spec,
    scenario,
    setup,
    durationSeconds: duration,
    intervalSeconds: interval,
    diagnostic,
    relocate,
  }
  // the shipped solution is held to what a trainee's submission is held to
  const solution = spec.solution
  const refused = checkChoices(
    lab,
    { settings: solution.settings, orders: solution.orders, hintsUsed: [] },
    (path, message) => diagnostic(['solution', ...path], message),
  )
  if (refused.length) throw new LabInputError(refused)
  return lab
}

/** A time on a step boundary (the end of one step, the start of the next). */
export function onStep(seconds: number, interval: number): boolean {
  const q = seconds / interval
  return Math.abs(q - Math.round(q)) < 1e-9
}
