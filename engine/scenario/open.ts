// Opening a scenario: read (bounded), parse, validate, resolve workloads, build the cluster model, and
// check what the model shows to be impossible — every refusal located at the line of the entry at fault,
// or at the flag (--set, --policy, --traces) that caused it.
import type { FileSource } from '../platform/files'
import { buildClusterModel, type ClusterModel, type ModelOverrides } from '../model/cluster-model'
import { PolicyNameError, parsePolicyName } from '../policies/policy-name'
import { LabInputError, type Diagnostic } from './diagnostics'
import { parseScenario, type ParsedScenario, type Setting } from './load'
import { NONE_IN_CLOUDSIM, presetInCloudSim } from './checks'
import { modelProblems, placementProblems } from './feasibility'
import { LIMITS } from './limits'

export function readScenarioFile(
  file: string,
  files: FileSource,
  settings: readonly (string | Setting)[] = [],
): ParsedScenario {
  const text = files.readText(file, { maxBytes: LIMITS.scenarioBytes, what: 'scenario file' })
  return parseScenario(text, file, settings)
}

export interface ModelOptions extends Omit<ModelOverrides, 'set'> {
  /** a fresh run from t = 0 (checks the initial placement); false for a model that resumes a checkpoint */
  start?: boolean
}

/**
 * The cluster model of a parsed scenario, with the checks only the model can make. Diagnostics the model
 * builder gives with a JSON path but no line are located here.
 */
export function modelOf(parsed: ParsedScenario, files: FileSource, options: ModelOptions = {}): ClusterModel {
  const { scenario, file } = parsed
  const { start = true, ...overrides } = options
  const flagProblems: Diagnostic[] = []
  if (overrides.traces !== undefined && !scenario.vms.some((g) => g.workload.kind === 'planetlab'))
    flagProblems.push({
      file: `--traces ${overrides.traces}`,
      message: `${file} has no PlanetLab workload to take traces from (its VMs' workloads are generated)`,
    })
  if (overrides.policy !== undefined) {
    try {
      const kind = parsePolicyName(overrides.policy).kind
      if (kind === 'none' && scenario.mode === 'cloudsim')
        flagProblems.push({ file: `--policy ${overrides.policy}`, message: NONE_IN_CLOUDSIM })
      if (kind === 'preset' && scenario.mode === 'cloudsim')
        flagProblems.push({ file: `--policy ${overrides.policy}`, message: presetInCloudSim(overrides.policy) })
    } catch (e) {
      if (!(e instanceof PolicyNameError)) throw e
      flagProblems.push({ file: `--policy ${overrides.policy}`, message: e.message.replace(/^policy ".*?": /, '') })
    }
  }
  if (flagProblems.length) throw new LabInputError(flagProblems)
  let model: ClusterModel
  try {
    model = buildClusterModel(scenario, file, files, overrides)
  } catch (e) {
    throw e instanceof LabInputError ? locate(e, parsed, overrides) : e
  }
  const problems = modelProblems(model)
  if (start && problems.length === 0) problems.push(...placementProblems(model))
  if (problems.length) throw new LabInputError(problems.map((p) => parsed.diagnostic(p.path, p.message)))
  if (overrides.traces !== undefined) model.name = nameForTraces(model.name, scenario, overrides.traces)
  return model
}

export function openScenario(
  file: string,
  files: FileSource,
  overrides: ModelOverrides & { start?: boolean } = {},
): ClusterModel {
  return openScenarioFile(file, files, overrides).model
}

/** The parsed scenario with its model: `startFailure` can then locate a refusal in the file. */
export function openScenarioFile(
  file: string,
  files: FileSource,
  overrides: ModelOverrides & { start?: boolean } = {},
): { parsed: ParsedScenario; model: ClusterModel } {
  const { set, ...options } = overrides
  const parsed = readScenarioFile(file, files, set)
  return { parsed, model: modelOf(parsed, files, options) }
}

/**
 * Why a lab opened with `start: false` cannot start (its initial placement fails), located in the file, or
 * undefined. A run calls this only when its start failed: it finds the same refusal validation reports,
 * without placing the VMs twice on the way to every run.
 */
export function startFailure(parsed: ParsedScenario, model: ClusterModel): LabInputError | undefined {
  const problems = placementProblems(model)
  return problems.length ? new LabInputError(problems.map((p) => parsed.diagnostic(p.path, p.message))) : undefined
}

/** `events[3].migrate.vm` → ['events', 3, 'migrate', 'vm'] */
function pathKeys(path: string): (string | number)[] {
  return [...path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((m) => (m[2] !== undefined ? Number(m[2]) : m[1]!))
}

function locate(e: LabInputError, parsed: ParsedScenario, overrides: ModelOverrides): LabInputError {
  return new LabInputError(
    e.diagnostics.map((d) => {
      if (d.file !== parsed.file || d.line !== undefined || !d.path) return d
      if (overrides.traces !== undefined && /^vms\[\d+\]\.workload\.dir$/.test(d.path))
        return { file: `--traces ${overrides.traces}`, message: d.message }
      return parsed.diagnostic(pathKeys(d.path), d.message)
    }),
  )
}

/**
 * A scenario run on other traces (`--traces DIR`) says so in its name: a date of the scenario's own trace
 * folder (20110303 → "2011-03-03") in the name becomes the new folder's, otherwise the folder is added.
 */
export function nameForTraces(name: string, scenario: ParsedScenario['scenario'], traces: string): string {
  const day = (dir: string) => /(\d{4})(\d{2})(\d{2})$/.exec(dir.replace(/[\\/]+$/, ''))
  const folder =
    traces
      .replace(/[\\/]+$/, '')
      .split(/[\\/]/)
      .pop() ?? traces
  const next = day(traces)
  for (const g of scenario.vms) {
    if (g.workload.kind !== 'planetlab') continue
    const own = day(g.workload.dir)
    if (!own || !next) continue
    for (const [from, to] of [
      [`${own[1]}-${own[2]}-${own[3]}`, `${next[1]}-${next[2]}-${next[3]}`],
      [own[0], next[0]],
    ] as const) {
      if (name.includes(from)) return name.replaceAll(from, to)
    }
  }
  return `${name} (traces: ${folder})`
}
