// Which events the log shows: by kind, and optionally only those about the selected host or VM. The log
// only grows while a run plays (a week of scale-10k is half a million events), so the filtered list and the
// counts per kind are extended with the new events rather than rebuilt at every refresh.
import type { LabEvent, LabEventKind } from '../../engine/api/lab-api'
import type { Selection } from './run-store'

export function concerns(e: LabEvent, selection: Selection): boolean {
  if (!selection) return true
  if (selection.kind === 'vm') return e.vm === selection.vm
  return e.host === selection.host || e.targetHost === selection.host
}

/** The events that pass a filter, newest first, over an append-only event list. */
export class FilteredEvents {
  private events: readonly LabEvent[] | undefined
  private hidden: ReadonlySet<LabEventKind> | undefined
  private selection: Selection
  private scanned = 0
  private matches = new Int32Array(1024)
  /** how many events pass */
  length = 0
  /** events of each kind among the first `count` (whatever the filter) */
  readonly perKind = new Map<LabEventKind, number>()

  /** Brings the list up to the first `count` events; a new list, filter or selection starts it afresh. */
  update(
    events: readonly LabEvent[],
    count: number,
    hidden: ReadonlySet<LabEventKind>,
    selection: Selection,
  ): FilteredEvents {
    if (events !== this.events || count < this.scanned) {
      this.events = events
      this.scanned = 0
      this.length = 0
      this.perKind.clear()
    } else if (hidden !== this.hidden || selection !== this.selection) {
      // the kinds counted so far stay; only the matches are redone
      this.rescan(events, this.scanned, hidden, selection)
    }
    this.hidden = hidden
    this.selection = selection
    for (let i = this.scanned; i < count; i++) {
      const e = events[i]!
      this.perKind.set(e.kind, (this.perKind.get(e.kind) ?? 0) + 1)
      if (!hidden.has(e.kind) && concerns(e, selection)) this.push(i)
    }
    this.scanned = count
    return this
  }

  /** The index (in the event list) of the r-th newest event that passes. */
  at(r: number): number {
    return this.matches[this.length - 1 - r]!
  }

  /** The row (newest first) of the event at `index` in the event list, or −1 when it does not pass. */
  rowOf(index: number): number {
    let lo = 0
    let hi = this.length - 1
    while (lo <= hi) {
      const mid = (lo + hi) >> 1
      const at = this.matches[mid]!
      if (at === index) return this.length - 1 - mid
      if (at < index) lo = mid + 1
      else hi = mid - 1
    }
    return -1
  }

  private rescan(events: readonly LabEvent[], count: number, hidden: ReadonlySet<LabEventKind>, selection: Selection) {
    this.length = 0
    for (let i = 0; i < count; i++) {
      const e = events[i]!
      if (!hidden.has(e.kind) && concerns(e, selection)) this.push(i)
    }
  }

  private push(i: number): void {
    if (this.length === this.matches.length) {
      const grown = new Int32Array(this.matches.length * 2)
      grown.set(this.matches)
      this.matches = grown
    }
    this.matches[this.length++] = i
  }
}
