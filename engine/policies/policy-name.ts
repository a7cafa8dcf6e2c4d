// Consolidation policy names as the CLI and scenario files spell them: `npa`, `dvfs`, or
// `<detector>-<selection>-<safety>` such as `thr-mmt-0.8` or `lr-mc-1.2` (CloudSim's examples), and the
// vendors' presets (./presets.ts: drs-3+dpm, ovirt-evenly, watcher-balance, cloudstack-balanced, …) with
// their parameters.
import {
  PRESET_HELP,
  looksLikePreset,
  presetDefaults,
  presetWith,
  type PolicyParameters,
  type PresetProblem,
  type PresetSpec,
} from './presets'

export type DetectorKind = 'thr' | 'iqr' | 'mad' | 'lr' | 'lrr'
export type SelectionKind = 'mmt' | 'mc' | 'mu' | 'rs'

export type PolicySpec =
  | { kind: 'none'; name: 'none' }
  | { kind: 'npa'; name: 'npa' }
  | { kind: 'dvfs'; name: 'dvfs' }
  | { kind: 'migration'; name: string; detector: DetectorKind; selection: SelectionKind; safety: number }
  | { kind: 'preset'; name: string; preset: PresetSpec }

/** A scenario's `policy`: a name, or a name with parameters (`{ name: drs-3+dpm, every: 10m }`). */
export type PolicyInput = string | ({ name: string } & PolicyParameters)

export const DETECTORS: Record<DetectorKind, { label: string; defaultSafety: number }> = {
  thr: { label: 'static threshold', defaultSafety: 0.8 },
  iqr: { label: 'inter-quartile range', defaultSafety: 1.5 },
  mad: { label: 'median absolute deviation', defaultSafety: 2.5 },
  lr: { label: 'local regression', defaultSafety: 1.2 },
  lrr: { label: 'robust local regression', defaultSafety: 1.2 },
}

export const SELECTIONS: Record<SelectionKind, string> = {
  mmt: 'minimum migration time',
  mc: 'maximum correlation',
  mu: 'minimum utilization',
  rs: 'random selection',
}

/** The 22 policies of CloudSim's PlanetLab examples, in the order its papers list them. */
export const CLOUDSIM_POLICIES: string[] = [
  'npa',
  'dvfs',
  ...(['thr', 'iqr', 'mad', 'lr', 'lrr'] as const).flatMap((d) =>
    (['mc', 'mmt', 'mu', 'rs'] as const).map((s) => `${d}-${s}-${DETECTORS[d].defaultSafety}`),
  ),
]

export class PolicyNameError extends Error {
  constructor(name: string, why: string) {
    super(
      `policy "${name}": ${why}; expected npa, dvfs, none (lab mode: no consolidation), <thr|iqr|mad|lr|lrr>-<mmt|mc|mu|rs>-<safety> such as lr-mmt-1.2, or a preset: ${PRESET_HELP}`,
    )
    this.name = 'PolicyNameError'
  }
}

/** Parses a policy name; also accepts CloudSim's own spelling `thr_mmt_0.8`. */
export function parsePolicyName(input: string): PolicySpec {
  const text = input.trim().toLowerCase().replaceAll('_', '-')
  if (text === 'none') return { kind: 'none', name: 'none' }
  if (text === 'npa') return { kind: 'npa', name: 'npa' }
  if (text === 'dvfs') return { kind: 'dvfs', name: 'dvfs' }
  const preset = presetDefaults(text)
  if (preset) return { kind: 'preset', name: text, preset }
  if (looksLikePreset(text)) throw new PolicyNameError(input, 'not a known preset')
  const parts = text.split('-')
  const [detector, selection, safetyText] = parts
  if (parts.length < 2 || parts.length > 3) throw new PolicyNameError(input, 'not a known policy name')
  if (!detector || !(detector in DETECTORS))
    throw new PolicyNameError(input, `unknown overload detector "${detector ?? ''}"`)
  if (!selection || !(selection in SELECTIONS))
    throw new PolicyNameError(input, `unknown VM selection "${selection ?? ''}"`)
  const d = detector as DetectorKind
  const safety = safetyText === undefined ? DETECTORS[d].defaultSafety : Number(safetyText)
  if (!Number.isFinite(safety) || safety < 0 || (safetyText !== undefined && !/^\d+(\.\d+)?$/.test(safetyText))) {
    throw new PolicyNameError(input, `expected a non-negative safety parameter, found "${safetyText ?? ''}"`)
  }
  return {
    kind: 'migration',
    name: `${d}-${selection}-${safety}`,
    detector: d,
    selection: selection as SelectionKind,
    safety,
  }
}

/**
 * A scenario's policy: the name parsed, then its parameters over the name's defaults. Problems with a
 * parameter name it (`path` below `policy`); a bad name throws PolicyNameError.
 */
export function parsePolicy(input: PolicyInput): { spec?: PolicySpec; problems: PresetProblem[] } {
  if (typeof input === 'string') return { spec: parsePolicyName(input), problems: [] }
  const { name, ...given } = input
  const spec = parsePolicyName(name)
  const keys = Object.keys(given).filter((k) => (given as Record<string, unknown>)[k] !== undefined)
  if (spec.kind !== 'preset') {
    if (keys.length === 0) return { spec, problems: [] }
    return {
      problems: keys.map((k) => ({
        path: [k],
        message: `${spec.name} takes no parameters (its safety is in its name); parameters are for the presets (${PRESET_HELP})`,
      })),
    }
  }
  const r = presetWith(spec.preset, given)
  if (!r.spec) return { problems: r.problems }
  return { spec: { kind: 'preset', name: r.name!, preset: r.spec }, problems: [] }
}

/** The name of a scenario's policy input (for messages, before it is parsed). */
export function policyInputName(input: PolicyInput): string {
  return typeof input === 'string' ? input : input.name
}

/** CloudSim's experiment-name spelling, as used in the reference file: `lr_mmt_1.2`. */
export function cloudSimPolicyKey(spec: PolicySpec): string {
  return spec.kind === 'migration'
    ? `${spec.detector}_${spec.selection}_${spec.safety}`
    : spec.kind === 'preset'
      ? spec.name
      : spec.kind
}
