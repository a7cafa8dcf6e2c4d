// An independent reader of `conlab run --placement-log` files for the tests: it replays the rows (where each
// VM runs over time) and checks must rules and host modes on them, with no code from the engine.

export interface PlacementRowRead {
  time: number
  vm: number
  host: number
  event: 'start' | 'migrated' | 'restarted' | 'stopped' | 'killed'
}

export function readPlacementLog(csv: string): PlacementRowRead[] {
  const lines = csv.trim().split('\n')
  if (lines[0] !== 'time,vm,host,event') throw new Error(`unexpected header: ${lines[0]}`)
  return lines.slice(1).map((line) => {
    const [time, vm, host, event] = line.split(',')
    if (!['start', 'migrated', 'restarted', 'stopped', 'killed'].includes(event!))
      throw new Error(`unexpected event in "${line}"`)
    return { time: Number(time), vm: Number(vm), host: Number(host), event: event as PlacementRowRead['event'] }
  })
}

/** A must rule as the checker knows it, with the times it was in force: [from, until). */
export interface CheckedRule {
  name: string
  kind: 'affinity' | 'anti-affinity' | 'vm-host'
  vms: number[]
  hosts?: number[]
  runOn?: boolean
  from: number
  until: number
}

/** A host that takes no VM from `from` (a request to enter maintenance or standby) until `until`. */
export interface ClosedHost {
  host: number
  from: number
  until: number
}

/**
 * Problems found in the rows: rows out of time order; a VM starting, moving or restarting while running
 * elsewhere or stopping where it is not; a must rule broken after the rows of some time (rules in force
 * then); a VM landing (migrated after `from`, restarted at or after `from`) on a closed host.
 */
export function checkPlacements(
  rows: PlacementRowRead[],
  vmCount: number,
  rules: CheckedRule[],
  closed: ClosedHost[],
): string[] {
  const problems: string[] = []
  const at = new Int32Array(vmCount).fill(-1)
  let last = -Infinity
  const checkRules = (time: number) => {
    for (const r of rules) {
      if (time < r.from || time >= r.until) continue
      const running = r.vms.filter((v) => at[v]! >= 0)
      if (r.kind === 'vm-host') {
        for (const v of running) {
          const on = r.hosts!.includes(at[v]!)
          if (on !== r.runOn) problems.push(`t=${time}: rule ${r.name}: VM ${v} on host ${at[v]}`)
        }
      } else if (r.kind === 'anti-affinity') {
        const hosts = running.map((v) => at[v]!)
        if (new Set(hosts).size !== hosts.length)
          problems.push(`t=${time}: rule ${r.name}: VMs share a host (${hosts.join(', ')})`)
      } else if (new Set(running.map((v) => at[v]!)).size > 1)
        problems.push(`t=${time}: rule ${r.name}: VMs apart (${running.map((v) => `${v}@${at[v]}`).join(' ')})`)
    }
  }
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!
    if (row.time < last) problems.push(`row ${i + 2}: time ${row.time} after ${last}`)
    if (row.time > last && i > 0) checkRules(last)
    last = row.time
    const { vm, host, event, time } = row
    if (event === 'start' || event === 'restarted') {
      if (at[vm]! >= 0) problems.push(`t=${time}: VM ${vm} ${event} on host ${host} while running on host ${at[vm]}`)
      at[vm] = host
    } else if (event === 'migrated') {
      if (at[vm]! < 0) problems.push(`t=${time}: VM ${vm} migrated while not running`)
      at[vm] = host
    } else {
      if (at[vm] !== host) problems.push(`t=${time}: VM ${vm} ${event} on host ${host} but runs on ${at[vm]}`)
      at[vm] = -1
    }
    if (event === 'migrated' || event === 'restarted')
      for (const c of closed)
        if (c.host === host && time < c.until && (event === 'restarted' ? time >= c.from : time > c.from))
          problems.push(`t=${time}: VM ${vm} ${event} onto host ${host}, closed since ${c.from}`)
  }
  if (rows.length) checkRules(last)
  return problems
}
