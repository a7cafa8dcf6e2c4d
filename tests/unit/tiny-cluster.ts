// A cluster as plain data for the presets' unit tests: each VM's CPU utilization history (newest first),
// hosts and VMs of given MIPS and RAM. Moves and power-ons change the data; a VM moved in a pass is no longer
// movable in it (as the lab's plan view: a VM planned to move is not moved again).
import type { ClusterView } from '../../engine/policies/cluster-view'

export interface TinyCluster {
  /** the VMs on each host */
  hosts: number[][]
  /** each VM's CPU utilization, newest step first */
  util: number[][]
  /** seconds per step (300) */
  interval?: number
  hostMips?: number
  hostRam?: number
  vmMips?: number
  /** MB, one value or one per VM */
  vmRam?: number | number[]
  /** false: switched off and wakeable */
  on?: boolean[]
}

export function tinyCluster(c: TinyCluster): ClusterView {
  const members = c.hosts.map((vms) => [...vms])
  const state = c.on ? [...c.on] : members.map(() => true)
  const hostMips = c.hostMips ?? 1000
  const hostRam = c.hostRam ?? 4096
  const vmMips = c.vmMips ?? 1000
  const ram = (v: number) => (typeof c.vmRam === 'number' ? c.vmRam : (c.vmRam?.[v] ?? 1024))
  const moved = new Set<number>()
  const where = (v: number) => members.findIndex((m) => m.includes(v))
  const now = (v: number) => c.util[v]![0]!
  return {
    hostCount: members.length,
    interval: c.interval ?? 300,
    active: (h) => state[h]!,
    running: (h) => state[h]!,
    wakeable: (h) => !state[h]!,
    capacity: () => hostMips,
    ramCapacity: () => hostRam,
    vms: (h) => members[h]!,
    vmCapacity: () => vmMips,
    vmRam: ram,
    utilization: (v, i) => c.util[v]![i] ?? 0,
    historyLength: (v) => c.util[v]!.length,
    movable: (v) => !moved.has(v),
    admits: (v, h) =>
      members[h]!.reduce((s, u) => s + now(u) * vmMips, 0) + now(v) * vmMips <= hostMips &&
      members[h]!.reduce((s, u) => s + ram(u), 0) + ram(v) <= hostRam,
    migrationSlots: () => 4,
    move: (v, h) => {
      const from = where(v)
      members[from]!.splice(members[from]!.indexOf(v), 1)
      members[h]!.push(v)
      moved.add(v)
    },
    powerOn: (h) => {
      state[h] = true
    },
  }
}
