// The sentences that explain a consolidation decision, the same in both modes: why a host is over-loaded
// (which detector, the value it compared and the bound) and why a VM moves where it moves.
import { DETECTORS } from './policy-name'
import { FALLBACK_THRESHOLD, type DetectorVerdict } from './detectors'
import { formatPercent as pct } from '../api/units'

/** "host 3 over-loaded — local regression: predicted utilization × safety = 1.042 ≥ 1" */
export function overloadSentence(host: number, v: DetectorVerdict): string {
  const rule =
    v.rule === 'thr-fallback'
      ? `THR ${FALLBACK_THRESHOLD} fallback (too little history): utilization ${pct(v.value)} > ${pct(FALLBACK_THRESHOLD)}`
      : v.rule === 'lr' || v.rule === 'lrr'
        ? `${DETECTORS[v.rule].label}: predicted utilization × safety = ${v.value.toFixed(3)} ≥ 1`
        : `${DETECTORS[v.rule].label}: utilization ${pct(v.value)} > threshold ${pct(v.threshold)}`
  return `host ${host} over-loaded — ${rule}`
}

export interface MoveExplained {
  vm: number
  from: number
  to: number
  reason: 'overload' | 'underload'
  /** the source's utilization: as planned after the round (lab) or as measured (CloudSim) */
  sourceUtilization: number
  powerIncreaseW: number
  targetUtilizationAfter: number
}

/**
 * "VM 7 → host 2: relieves over-loaded host 5; power-aware best fit (+3.40 W, to 81.2 % CPU)". `planned`:
 * the source's utilization is what the plan leaves there (lab) rather than what it measured (CloudSim).
 */
export function moveSentence(d: MoveExplained, planned: boolean): string {
  const why =
    d.reason === 'overload'
      ? `relieves over-loaded host ${d.from}`
      : `empties under-utilized host ${d.from} (${pct(d.sourceUtilization)} ${planned ? 'planned' : 'used'})`
  return `VM ${d.vm} → host ${d.to}: ${why}; power-aware best fit: the host whose power rises least (+${d.powerIncreaseW.toFixed(2)} W, to ${pct(d.targetUtilizationAfter)} CPU)`
}
