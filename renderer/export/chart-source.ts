// Which run an exported chart shows — scenario, policy, seed, settings, simulated time — as the caption
// under its title, the PNG's text chunks and its file name.
import type { ChartSource } from './chart-png'
import { safeFileName } from './download'
import type { RunState } from '../state/run-store'
import { formatClock } from '../../engine/api/units'

/** The run a chart is exported from, as a caption, PNG text and a file name. */
export function chartSource(
  s: Pick<RunState, 'info' | 'placement' | 'transport' | 'version'>,
): ChartSource | undefined {
  const info = s.info
  if (!info) return undefined
  const time = formatClock(s.placement?.time ?? 0, info.intervalSeconds < 60)
  const settings = info.settings.length ? ` · ${info.settings.join(' ')}` : ''
  const caption = `${info.scenario} · ${info.policy} · seed ${info.seed}${settings} · at ${time}`
  return {
    caption,
    text: {
      Description: `scenario: ${info.scenario}; mode: ${info.mode}; policy: ${info.policy}; seed: ${info.seed}; settings: ${info.settings.join(' ') || 'none'}; simulated time: ${time}`,
      Software: `Consolidation Lab${s.version ? ` ${s.version}` : ''} (${s.transport === 'web' ? 'web' : 'desktop'})`,
    },
  }
}

/** "planetlab-cloudsim-lr-mmt-1-2-seed-1-power-and-energy.png" */
export function chartFileName(s: Pick<RunState, 'info'>, title: string): string {
  const info = s.info
  const run = info ? `${info.scenario}-${info.policy}-seed-${info.seed}-` : ''
  return `${safeFileName(`${run}${title}`)}.png`
}
