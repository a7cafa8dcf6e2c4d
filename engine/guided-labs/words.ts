// A lab's checks and values in words, for `conlab lab show`, the grade tables and the app's checklist.
import { formatDuration } from '../scenario/duration'
import { METRICS } from './metrics'
import { COMPARATOR_WORDS, formatInUnit } from '../api/lab-comparators'
import { comparatorOf, type LabCheck } from './schema'

/** A metric's value with its unit: "0.124 kWh", "0.42 %", "3", "280 ms". */
export function formatValue(metric: string, value: number | null): string {
  return formatInUnit(value, (METRICS as Record<string, { unit: string }>)[metric]?.unit)
}

/** A check in words: `energyKWh < 0.150 kWh at the end`, `hostsInMaintenance of hosts 2 ≥ 1 at 1h`. */
export function describeCheck(c: LabCheck): string {
  const { comparator, target } = comparatorOf(c)
  const what = [
    c.metric === 'report' ? `report.${c.path}` : c.metric,
    c.vm !== undefined ? ` of VM ${c.vm}` : '',
    c.snapshot !== undefined ? ` to "${c.snapshot}"` : '',
    c.hosts ? ` of host${c.hosts.length > 1 ? 's' : ''} ${c.hosts.join(', ')}` : '',
    c.kinds ? ` (${c.kinds.join(', ')})` : '',
  ].join('')
  return `${what} ${COMPARATOR_WORDS[comparator]} ${formatValue(c.metric, target)} ${c.at !== undefined ? `at ${formatDuration(c.at)}` : 'at the end'}`
}
