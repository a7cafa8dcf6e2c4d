// Where VMs start, move, restart and stop: one row per placement change, in time order, so that rules,
// maintenance and HA can be checked from the rows alone (`conlab run --placement-log FILE.csv`). Rows come in
// during a step (a migration ends mid-step, hosts fail at its end) and go out sorted when the step is done.

export type PlacementEvent = 'start' | 'migrated' | 'restarted' | 'stopped' | 'killed'

export interface PlacementRow {
  time: number
  vm: number
  host: number
  event: PlacementEvent
}

export const PLACEMENT_LOG_HEADER = 'time,vm,host,event'

export function placementRowCsv(r: PlacementRow): string {
  return `${r.time},${r.vm},${r.host},${r.event}`
}

export class PlacementLog {
  listener: ((row: PlacementRow) => void) | undefined
  private rows: PlacementRow[] = []

  /** Every VM placed at t = 0, in VM id order. */
  starts(vmHost: Int32Array): void {
    if (!this.listener) return
    for (let v = 0; v < vmHost.length; v++)
      if (vmHost[v]! >= 0) this.listener({ time: 0, vm: v, host: vmHost[v]!, event: 'start' })
  }

  add(time: number, vm: number, host: number, event: PlacementEvent): void {
    if (this.listener) this.rows.push({ time, vm, host, event })
  }

  /** The step's rows, by time (in the order they came at equal times). */
  flush(): void {
    if (!this.listener || this.rows.length === 0) return
    const rows = this.rows
    this.rows = []
    for (const r of rows.sort((a, b) => a.time - b.time)) this.listener(r)
  }
}
