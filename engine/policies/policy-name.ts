// Consolidation policy names as the CLI and scenario files spell them: `npa`, `dvfs`, or
// `<detector>-<selection>-<safety>` such as `thr-mmt-0.8` or `lr-mc-1.2` (CloudSim's examples).

export type DetectorKind = 'thr' | 'iqr' | 'mad' | 'lr' | 'lrr'
export type SelectionKind = 'mmt' | 'mc' | 'mu' | 'rs'

export type PolicySpec =
  | { kind: 'none'; name: 'none' }
  | { kind: 'npa'; name: 'npa' }
  | { kind: 'dvfs'; name: 'dvfs' }
  | { kind: 'migration'; name: string; detector: DetectorKind; selection: SelectionKind; safety: number }

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
      `policy "${name}": ${why}; expected npa, dvfs, none (lab mode: no consolidation), or <thr|iqr|mad|lr|lrr>-<mmt|mc|mu|rs>-<safety> such as lr-mmt-1.2`,
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

/** CloudSim's experiment-name spelling, as used in the reference file: `lr_mmt_1.2`. */
export function cloudSimPolicyKey(spec: PolicySpec): string {
  return spec.kind === 'migration' ? `${spec.detector}_${spec.selection}_${spec.safety}` : spec.kind
}
