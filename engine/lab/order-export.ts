// A run's order log as scenario events that replay it exactly. Orders given between steps are applied at the
// start of the next step, after that step's scheduled events: appended to the scenario's events at the same
// times, they are applied in the same place. Two differences are compensated: an ordered host failure fails at
// the end of the step it is applied in, a scheduled one at the end of the step that ends at its time (so it is
// written one interval later); and a balloon or snapshot order refused because the scenario has no memory
// management or no memory images is left out (as an event it would turn them on and change the run).
import type { ClusterModel } from '../model/cluster-model'
import type { LoggedOrder } from './lab-state'

export function ordersAsEvents(log: readonly LoggedOrder[], model: ClusterModel): Record<string, unknown>[] {
  const events: Record<string, unknown>[] = []
  for (const { time, action } of log) {
    if ('balloon' in action && !model.memoryManaged) continue
    if (('snapshot' in action || 'revert' in action || 'deleteSnapshot' in action) && !model.memoryImages) continue
    events.push({ at: 'failHost' in action ? time + model.interval : time, ...action })
  }
  return events
}
