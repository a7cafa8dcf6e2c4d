// Which events the log shows: by kind, and optionally only those about the selected host or VM.
import type { LabEvent, LabEventKind } from '../../engine/api/lab-api'
import type { Selection } from './run-store'

export function concerns(e: LabEvent, selection: Selection): boolean {
  if (!selection) return true
  if (selection.kind === 'vm') return e.vm === selection.vm
  return e.host === selection.host || e.targetHost === selection.host
}

/** Indices of the events to show, newest first. */
export function filterEvents(
  events: readonly LabEvent[],
  count: number,
  hidden: ReadonlySet<LabEventKind>,
  selection: Selection,
): Int32Array {
  const out = new Int32Array(count)
  let n = 0
  for (let i = count - 1; i >= 0; i--) {
    const e = events[i]!
    if (!hidden.has(e.kind) && concerns(e, selection)) out[n++] = i
  }
  return out.subarray(0, n)
}
