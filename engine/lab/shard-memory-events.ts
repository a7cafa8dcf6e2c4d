// A host's memory-management decisions of one step as event-log lines with their numbers, as migrations
// have: MoM's balloon targets and the averaged host free memory that drove them, ksmd switched on or off
// and what it merged, and swap bursts (what went out and came back, and why). One line per kind per host
// and step at most, so a pressed host does not flood the log.
import type { LabEvent } from '../vocabulary'
import { HM, type HostMemory } from '../hypervisor/host-memory'

const MiB = 1024 * 1024

/** A step's swap traffic worth a line: at least this share of the host's RAM, either way. */
export const SWAP_BURST_SHARE = 0.01

function size(bytes: number): string {
  return bytes >= 1024 * MiB ? `${(bytes / (1024 * MiB)).toFixed(2)} GiB` : `${(bytes / MiB).toFixed(0)} MiB`
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)} %`
}

/** Appends the events of host `host`'s last memory step (`time`: the step's start). */
export function memoryEvents(host: number, time: number, hm: HostMemory, events: LabEvent[]): void {
  const page = hm.cfg.pageSize
  const ram = hm.cfg.ramBytes
  const d = hm.decisions
  // balloons: each VM's first and last target of the step
  let first = -1
  let changes = 0
  let net = 0
  let hostFree = 0
  const seen = new Map<number, { from: number; to: number; pages: number }>()
  for (const x of d) {
    if (x.kind !== 'balloon') continue
    if (first < 0) first = x.at
    changes++
    hostFree = x.hostFree
    const vm = hm.vms.find((g) => g.vm === x.vm)
    const pages = vm ? vm.pages : 0
    const was = seen.get(x.vm)
    if (was) was.to = x.to
    else seen.set(x.vm, { from: x.from, to: x.to, pages })
  }
  if (seen.size > 0) {
    const list = [...seen].map(([vm, c]) => ({ vm, ...c }))
    for (const c of list) net += (c.to - c.from) * page
    const shown = list
      .slice(0, 4)
      .map((c) => `VM ${c.vm} ${size((c.pages - c.from) * page)} → ${size((c.pages - c.to) * page)}`)
      .join(', ')
    const more = list.length > 4 ? `, and ${list.length - 4} more` : ''
    const why =
      hostFree < 0.2
        ? `host free memory ${pct(hostFree)} (MoM's average of its samples) < 20 %: guests shrink by ≤ 5 % a run`
        : `host free memory ${pct(hostFree)} ≥ 20 %: guests grow back by ≤ 5 % a run`
    events.push({
      time: time + first,
      kind: 'info',
      host,
      message: `host ${host}: MoM ${net > 0 ? 'inflated' : 'deflated'} ${list.length} balloon(s) by ${size(Math.abs(net))} in ${changes} target change(s) — ${why}: ${shown}${more}`,
    })
  }
  for (const x of d) {
    if (x.kind === 'ksm') {
      const saved = size(x.pagesSharing * page)
      const t = hm.ksm.tunables
      const message =
        x.run === 1
          ? `host ${host}: ksmd started (run = 1, pages_to_scan ${t.pages_to_scan}, sleep ${t.sleep_millisecs} ms); ${saved} merged so far`
          : x.run === 2
            ? `host ${host}: ksmd stopped and unmerged everything (run = 2)`
            : `host ${host}: ksmd stopped (run = 0): memory is plentiful; the ${saved} merged stay merged`
      events.push({ time: time + x.at, kind: 'info', host, message })
    } else if (x.kind === 'ksm-merged') {
      const more = x.to >= x.from
      events.push({
        time: time + x.at,
        kind: 'info',
        host,
        message: `host ${host}: ksmd ${more ? 'merged' : 'lost'} ${size(Math.abs(x.to - x.from) * page)} ${more ? 'more' : 'of its sharing'}: pages_sharing ${x.from} → ${x.to} (saves ${size(x.to * page)}), ${x.fullScans} full scans`,
      })
    }
  }
  const r = hm.row
  const out = r[HM.hostSwapOutBytes]!
  const into = r[HM.hostSwapInBytes]!
  if (out >= SWAP_BURST_SHARE * ram || into >= SWAP_BURST_SHARE * ram) {
    const need = r[HM.residentBytes]! + r[HM.hostSwappedBytes]!
    events.push({
      time,
      kind: 'warning',
      host,
      message:
        `host ${host} swapped ${size(out)} out and ${size(into)} back in: its guests back ${size(need)} on ${size(ram)} of RAM ` +
        `(KSM saves ${size(r[HM.ksmSavedBytes]!)}, balloons hold ${size(r[HM.balloonBytes]!)}), ${size(r[HM.hostSwappedBytes]!)} now swapped; ` +
        `${Math.round(r[HM.hostFaults]!)} faults of 4 KiB cost the VMs ${r[HM.lostCpuSeconds]!.toFixed(1)} CPU-seconds`,
    })
  }
}
