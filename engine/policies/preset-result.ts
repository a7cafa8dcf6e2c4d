// What a preset's pass decides: moves and power changes, each with its priority, the numbers of the policy's
// own metric before and after, and the sentence that explains it. Applied to the view as they are made.

export interface PresetMove {
  vm: number
  from: number
  to: number
  /** 1 (mandatory) … 5 */
  priority: number
  /** the policy's metric before and after this move */
  metricBefore: number
  metricAfter: number
  /** a sentence with the numbers behind it */
  why: string
}

export interface PresetPower {
  kind: 'power-on' | 'standby'
  host: number
  priority: number
  why: string
  /** a standby: the moves that empty the host, planned with it */
  moves?: PresetMove[]
}

export interface PresetResult {
  moves: PresetMove[]
  power: PresetPower[]
}

/** A policy's own measure of the cluster (docs/policies.md): its name and how to read it. */
export interface BalanceMetric {
  name: string
  /** lower is better (a spread), or higher (a utilization) */
  better: 'lower' | 'higher'
}
