// The consolidation policies sysadmins run, as presets beside the research ones: VMware DRS (legacy
// load-balancing metric) with DPM, oVirt's scheduling policies, OpenStack Watcher's strategies and Apache
// CloudStack's DRS. Names and parameters as the scenario and the CLI spell them, their defaults (the
// vendors' where they document one, the lab's otherwise — docs/policies.md says which), and the checks of
// a parameter given in a scenario (`policy: { name, … }`, `--set policy.threshold=4`).

export type PresetFamily = 'drs' | 'ovirt' | 'watcher' | 'cloudstack'

/** vSphere DPM: keep each host's demand ÷ capacity near target ± tolerance (63 % ± 18 %). */
export interface DpmParams {
  /** DPM's own threshold 1..5: power-on recommendations of priority ≤ it are applied (power-off likewise) */
  threshold: number
  target: number
  tolerance: number
  /** seconds of demand a power-on looks at (5 minutes), a power-off at (40 minutes) */
  powerOnWindow: number
  powerOffWindow: number
}

export interface DrsParams {
  family: 'drs'
  /** migration threshold 1..5: recommendations of priority ≤ threshold are made */
  threshold: number
  /** seconds between passes (legacy DRS: 5 minutes; the interval when it is longer) */
  every: number
  /** the resource whose host load is balanced: CPU demand, or configured RAM */
  resource: 'cpu' | 'memory'
  /** the lab's cost-benefit rule: a move must lower CHLSD by at least this share of it */
  minImprovement: number
  dpm?: DpmParams
}

export interface OvirtParams {
  family: 'ovirt'
  balancer: 'evenly' | 'power-saving' | 'vm-evenly'
  every: number
  /** HighUtilization and LowUtilization (CPU, fractions), CpuOverCommitDurationMinutes (seconds here) */
  highUtilization: number
  lowUtilization: number
  overCommitDuration: number
  /** power saving: idle hosts kept powered on for new load */
  hostsInReserve: number
  /** VM-evenly: HighVmCount, MigrationThreshold */
  highVmCount: number
  migrationThreshold: number
}

export interface WatcherParams {
  family: 'watcher'
  strategy: 'consolidation' | 'balance'
  /** seconds between audits, and the period the metrics are averaged over */
  every: number
  /** workload balance: a host's CPU utilization above which it sheds a VM (Watcher's 25 %) */
  threshold: number
  /** consolidation: the resource capacity coefficient (cc): a host may fill up to cc × its capacity */
  capacity: number
}

export interface CloudStackParams {
  family: 'cloudstack'
  algorithm: 'condensed' | 'balanced'
  /** drs.automatic.interval, drs.max.migrations, drs.imbalance, drs.metric */
  every: number
  maxMigrations: number
  imbalance: number
  metric: 'memory' | 'cpu'
}

export type PresetSpec = DrsParams | OvirtParams | WatcherParams | CloudStackParams

/** The parameters a scenario may give next to a preset's name (`policy: { name: drs-3, every: 10m }`). */
export interface PolicyParameters {
  threshold?: number
  every?: number
  resource?: 'cpu' | 'memory'
  minImprovement?: number
  dpm?: Partial<DpmParams>
  highUtilization?: number
  lowUtilization?: number
  overCommitDuration?: number
  hostsInReserve?: number
  highVmCount?: number
  migrationThreshold?: number
  capacity?: number
  maxMigrations?: number
  imbalance?: number
  metric?: 'memory' | 'cpu'
}

/** The parameters each family takes (anything else next to its name is refused). */
export const FAMILY_PARAMETERS: Record<PresetFamily, readonly (keyof PolicyParameters)[]> = {
  drs: ['threshold', 'every', 'resource', 'minImprovement', 'dpm'],
  ovirt: [
    'every',
    'highUtilization',
    'lowUtilization',
    'overCommitDuration',
    'hostsInReserve',
    'highVmCount',
    'migrationThreshold',
  ],
  watcher: ['every', 'threshold', 'capacity'],
  cloudstack: ['every', 'maxMigrations', 'imbalance', 'metric'],
}

export const DPM_DEFAULTS: DpmParams = {
  threshold: 3,
  target: 0.63,
  tolerance: 0.18,
  powerOnWindow: 300,
  powerOffWindow: 2400,
}

/** The preset names, as `--policy` and `policy:` take them (drs-1 … drs-5, each with or without +dpm). */
export const PRESET_NAMES: readonly string[] = [
  'drs-1',
  'drs-2',
  'drs-3',
  'drs-4',
  'drs-5',
  'drs-3+dpm',
  'ovirt-evenly',
  'ovirt-power-saving',
  'ovirt-vm-evenly',
  'watcher-consolidation',
  'watcher-balance',
  'cloudstack-condensed',
  'cloudstack-balanced',
]

export const PRESET_HELP =
  'drs-<1..5>[+dpm], ovirt-evenly, ovirt-power-saving, ovirt-vm-evenly, watcher-consolidation, watcher-balance, cloudstack-condensed, cloudstack-balanced'

/** A problem with a preset's name or parameters: which parameter (empty: the name) and why. */
export interface PresetProblem {
  path: string[]
  message: string
}

/** The preset a name stands for, with its defaults; undefined when the name is not a preset's. */
export function presetDefaults(name: string): PresetSpec | undefined {
  const drs = /^drs(?:-([1-5]))?(\+dpm)?$/.exec(name)
  if (drs) {
    const threshold = drs[1] === undefined ? 3 : Number(drs[1])
    return {
      family: 'drs',
      threshold,
      every: 300,
      resource: 'cpu',
      minImprovement: 0.01,
      ...(drs[2] ? { dpm: { ...DPM_DEFAULTS } } : {}),
    }
  }
  const ovirt = /^ovirt-(evenly|power-saving|vm-evenly)$/.exec(name)
  if (ovirt)
    return {
      family: 'ovirt',
      balancer: ovirt[1] as OvirtParams['balancer'],
      every: 60,
      highUtilization: 0.8,
      lowUtilization: 0.2,
      overCommitDuration: 120,
      hostsInReserve: 0,
      highVmCount: 10,
      migrationThreshold: 5,
    }
  if (name === 'watcher-consolidation')
    return { family: 'watcher', strategy: 'consolidation', every: 3600, threshold: 0.25, capacity: 1 }
  if (name === 'watcher-balance')
    return { family: 'watcher', strategy: 'balance', every: 300, threshold: 0.25, capacity: 1 }
  const cs = /^cloudstack-(condensed|balanced)$/.exec(name)
  if (cs)
    return {
      family: 'cloudstack',
      algorithm: cs[1] as CloudStackParams['algorithm'],
      every: 3600,
      maxMigrations: 50,
      imbalance: 0.4,
      metric: 'memory',
    }
  return undefined
}

/** Whether a name is a preset's family prefix that did not parse (drs-7, ovirt-foo): worth a precise message. */
export function looksLikePreset(name: string): boolean {
  return /^(drs|ovirt|watcher|cloudstack)([-+]|$)/.test(name)
}

/**
 * The preset with the scenario's parameters over the name's defaults, and its canonical name (drs-4+dpm
 * when `threshold: 4` was given with drs-3+dpm). Problems name the parameter at fault.
 */
export function presetWith(
  base: PresetSpec,
  given: PolicyParameters,
): { spec?: PresetSpec; name?: string; problems: PresetProblem[] } {
  const problems: PresetProblem[] = []
  const allowed = FAMILY_PARAMETERS[base.family]
  for (const key of Object.keys(given) as (keyof PolicyParameters)[]) {
    if (given[key] === undefined) continue
    if (!allowed.includes(key))
      problems.push({
        path: [key],
        message: `not a parameter of the ${base.family} presets (they take ${allowed.join(', ')})`,
      })
  }
  if (problems.length) return { problems }
  const spec = { ...base } as PresetSpec & Record<string, unknown>
  const range = (key: keyof PolicyParameters, min: number, max: number, integer = false, value = given[key]) => {
    if (value === undefined) return
    if (typeof value !== 'number' || value < min || value > max || (integer && !Number.isInteger(value)))
      problems.push({
        path: [key],
        message: `expected ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, found ${JSON.stringify(value)}`,
      })
    else spec[key] = value
  }
  switch (base.family) {
    case 'drs': {
      range('threshold', 1, 5, true)
      range('every', 1, Number.POSITIVE_INFINITY)
      range('minImprovement', 0, 1)
      if (given.resource !== undefined) spec.resource = given.resource
      if (given.dpm !== undefined) {
        const dpm: DpmParams = { ...(base.dpm ?? DPM_DEFAULTS) }
        for (const [k, v] of Object.entries(given.dpm) as [keyof DpmParams, number | undefined][]) {
          if (v === undefined) continue
          const [min, max, integer] =
            k === 'threshold' ? [1, 5, true] : k === 'target' || k === 'tolerance' ? [0, 1, false] : [1, 1e9, false]
          if (!Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v)))
            problems.push({
              path: ['dpm', k],
              message: `expected ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, found ${JSON.stringify(v)}`,
            })
          else dpm[k] = v
        }
        if (dpm.target - dpm.tolerance < 0 || dpm.target + dpm.tolerance > 1)
          problems.push({
            path: ['dpm'],
            message: `expected target ± tolerance within 0..1, found ${dpm.target} ± ${dpm.tolerance}`,
          })
        spec.dpm = dpm
      }
      break
    }
    case 'ovirt':
      range('every', 1, Number.POSITIVE_INFINITY)
      range('highUtilization', 0, 1)
      range('lowUtilization', 0, 1)
      range('overCommitDuration', 0, Number.POSITIVE_INFINITY)
      range('hostsInReserve', 0, 100000, true)
      range('highVmCount', 0, 1e6, true)
      range('migrationThreshold', 0, 1e6, true)
      if ((spec as OvirtParams).lowUtilization >= (spec as OvirtParams).highUtilization)
        problems.push({
          path: ['lowUtilization'],
          message: `expected lowUtilization below highUtilization (${(spec as OvirtParams).highUtilization}), found ${(spec as OvirtParams).lowUtilization}`,
        })
      break
    case 'watcher':
      range('every', 1, Number.POSITIVE_INFINITY)
      range('threshold', 0, 1)
      range('capacity', 0.01, 10)
      break
    case 'cloudstack':
      range('every', 1, Number.POSITIVE_INFINITY)
      range('maxMigrations', 1, 1e6, true)
      range('imbalance', 0, 1)
      if (given.metric !== undefined) spec.metric = given.metric
      break
  }
  if (problems.length) return { problems }
  return { spec: spec, name: presetName(spec), problems }
}

/** The name a preset runs under: its family and variant, the DRS threshold in it. */
export function presetName(p: PresetSpec): string {
  switch (p.family) {
    case 'drs':
      return `drs-${p.threshold}${p.dpm ? '+dpm' : ''}`
    case 'ovirt':
      return `ovirt-${p.balancer}`
    case 'watcher':
      return `watcher-${p.strategy}`
    case 'cloudstack':
      return `cloudstack-${p.algorithm}`
  }
}

/** Seconds between a preset's passes. */
export function presetEvery(p: PresetSpec): number {
  return p.every
}
