// What the runs table says about a run of the scenario: the one the lab plays now follows the page's live
// state (playing, paused, not started, at the end) and clock; the others say where they were left.
import type { BranchSummary } from '../../engine/api/lab-api'
import { formatClock } from '../../engine/api/units'

export interface LiveRun {
  playing: boolean
  done: boolean
  /** simulated seconds the page shows now */
  time: number
}

export interface RunStatus {
  /** after the run's label: "(current, playing)"; empty for the other runs */
  tag: string
  /** where a run without final figures stands: "playing at 0d 03:10", "left at 0d 06:00" */
  where: string
}

export function runStatus(b: BranchSummary, live: LiveRun): RunStatus {
  if (!b.current) return { tag: '', where: `left at ${formatClock(b.time)}` }
  const state = live.playing
    ? 'playing'
    : live.done
      ? 'at the end'
      : live.time <= (b.from?.time ?? 0)
        ? 'not started'
        : 'paused'
  const where =
    state === 'not started'
      ? `ready at ${formatClock(live.time)}: press Play`
      : `${state === 'at the end' ? 'ended' : state} at ${formatClock(live.time)}`
  return { tag: `(current, ${state})`, where }
}
