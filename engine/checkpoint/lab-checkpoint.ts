// A whole-lab checkpoint as a file holds: the scenario it came from (its text, where it was, the options it
// ran with, and the digest of the trace binding so a changed trace folder is noticed), the simulated time,
// and the lab's state (engine/lab: LabSimulation.checkpoint). Resuming rebuilds the model from the scenario
// text, so a checkpoint resumes in a new process, on another machine with the same traces, or with a
// different policy (a branch).
import type { FileSource } from '../platform/files'
import { parseScenario } from '../scenario/load'
import { modelOf } from '../scenario/open'
import { LabInputError } from '../scenario/diagnostics'
import type { ClusterModel } from '../model/cluster-model'
import { workloadBinding } from '../report'
import type { LabState } from '../lab/lab-state'
import { CheckpointError } from './format'

export interface ScenarioOrigin {
  /** the scenario file as it was given (relative trace folders resolve against it) */
  file: string
  text: string
  name: string
  /** the options of the run: `conlab run --policy/--seed/--traces/--set` */
  policy?: string
  seed?: number
  traces?: string
  set: string[]
  /** workloadBinding(model).bindingDigest at the checkpoint */
  bindingDigest: string
}

export interface LabCheckpoint {
  format: 'conlab.checkpoint'
  version: 1
  scenario: ScenarioOrigin
  /** simulated seconds */
  time: number
  policy: string
  lab: LabState
}

export function labCheckpoint(
  model: ClusterModel,
  origin: Omit<ScenarioOrigin, 'bindingDigest'>,
  lab: LabState,
): LabCheckpoint {
  return {
    format: 'conlab.checkpoint',
    version: 1,
    scenario: { ...origin, bindingDigest: workloadBinding(model).bindingDigest },
    time: lab.stepIndex * model.interval,
    policy: model.policy.name,
    lab,
  }
}

/** Checks a decoded file is a lab checkpoint (the codec has verified its bytes already). */
export function asLabCheckpoint(value: unknown, file: string): LabCheckpoint {
  const v = value as Partial<LabCheckpoint> | null
  if (!v || typeof v !== 'object' || v.format !== 'conlab.checkpoint')
    throw new CheckpointError(
      'malformed',
      file,
      'content',
      'a whole-lab checkpoint ("conlab.checkpoint")',
      v && typeof v === 'object' && 'format' in v ? `"${String(v.format)}"` : 'other data',
      `not a whole-lab checkpoint: expected format "conlab.checkpoint", found ${v && typeof v === 'object' && 'format' in v ? `"${String(v.format)}"` : 'other data'}`,
    )
  if (v.version !== 1)
    throw new CheckpointError(
      'version',
      file,
      'checkpoint content',
      'version 1',
      `version ${String(v.version)}`,
      `written by checkpoint content version ${String(v.version)}, this lab reads version 1: open it with a newer Consolidation Lab`,
    )
  return v as LabCheckpoint
}

export interface ResumeOptions {
  /** another policy for a branch */
  policy?: string
  /** more `path=value` settings on top of the run's (a branch with other parameters) */
  set?: readonly string[]
  /** the checkpoint's file, named in messages about what it holds */
  file?: string
}

/**
 * The cluster model a checkpoint continues with: its scenario rebuilt with the run's options (and a
 * branch's). Refuses when the traces no longer bind the same way. A problem with what the checkpoint holds
 * names the checkpoint; one with a branch's own --set or --policy names that flag.
 */
export function checkpointModel(c: LabCheckpoint, files: FileSource, options: ResumeOptions = {}): ClusterModel {
  const s = c.scenario
  const from = options.file ?? 'the checkpoint'
  const run = `${from}: the checkpointed run's`
  const held = (e: unknown): unknown =>
    e instanceof LabInputError
      ? new LabInputError(
          e.diagnostics.map((d) =>
            d.file === s.file
              ? { ...d, file: `${from} (its scenario, from ${s.file})` }
              : d.file.startsWith('--traces ') && s.traces !== undefined
                ? { ...d, file: `${run} --traces ${s.traces}` }
                : d,
          ),
        )
      : e
  let model: ClusterModel
  try {
    const parsed = parseScenario(s.text, s.file, [
      ...s.set.map((setting) => ({ setting, source: `${run} --set` })),
      ...(options.set ?? []),
    ])
    model = modelOf(parsed, files, { policy: options.policy ?? s.policy, seed: s.seed, traces: s.traces, start: false })
  } catch (e) {
    throw held(e)
  }
  const digest = workloadBinding(model).bindingDigest
  if (digest !== s.bindingDigest)
    throw new LabInputError([
      {
        file: from,
        message: `the workload no longer binds as it did when the checkpoint was taken (binding digest ${digest}, expected ${s.bindingDigest}): the trace folder or the VM groups of ${s.file} changed`,
      },
    ])
  return model
}

/** A file name that sorts by simulated time: `<scenario>-t0000086400.ckpt`. */
export function checkpointFileName(scenarioFile: string, seconds: number): string {
  const base = scenarioFile
    .split(/[\\/]/)
    .pop()!
    .replace(/\.(ya?ml|json)$/i, '')
  return `${base}-t${String(Math.round(seconds)).padStart(10, '0')}.ckpt`
}
