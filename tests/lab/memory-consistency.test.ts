// The shards' memory bookkeeping holds together through whole lab runs: after every step, every VM's
// free / cache / used counts equal a recount of its pages, its balloon its ballooned pages (which hold
// nothing), and each host's memory holds exactly the live guests of the VMs on it
// (HostShard.memoryInconsistencies) — through live migrations whose guests write while they move
// (pre-copy, post-copy), balloons, KSM, host swap, the OOM killer and HA restarts.
import { describe, expect, it } from 'vitest'
import type { ClusterModel } from '../../engine/model/cluster-model'
import { buildClusterModel } from '../../engine/model/cluster-model'
import { parseScenario } from '../../engine/scenario/load'
import { nodeFiles } from '../../engine/platform/node/files'
import { runChecked } from './checked-run'

/** The whole-lab round trip's scenario (tests/unit/state-roundtrip-lab.test.ts), memory pressed harder. */
const PRESSED_LAB = `
name: pressed lab
mode: lab
seed: 1
duration: 1h
interval: 1m
policy: thr-mmt-0.8
migration: { model: precopy, maxBandwidth: 3MiB/s, downtimeLimit: 100ms, autoConverge: true, timeout: 20m, maxConcurrentPerHost: 1 }
memory:
  pageSize: 64KiB
  ksm: { mode: on, pagesToScan: 200, sleepMillisecs: 1000 }
  ballooning: auto
  guaranteed: 0.5
  hostSwap: 256MiB
admission: { ramAllocationRatio: 1.5 }
snapshots: { saveRate: 512MiB/s, loadRate: 1GiB/s }
ha: { detection: 15s, bootTime: 60s, failoverTime: 2s, repairTime: 30m, mtbf: 6h }
hostTypes:
  small: { cores: 2, mipsPerCore: 2500, ramMB: 2048, nicMbps: 1000, power: [80, 90, 100, 110, 120, 130, 140, 150, 160, 170, 180], bootSeconds: 90, bootEnergyJ: 6000 }
hosts:
  - { type: small, count: 4 }
vmTypes:
  vm: { vcpus: 1, mips: 2500, ramMB: 512 }
vms:
  - type: vm
    count: 3
    haPriority: high
    protection: { epoch: 200ms, copyRate: 512MiB/s }
    workload: { kind: diurnal, mean: 0.5, amplitude: 0.3, period: 2h, phaseJitter: 1h, noise: 0.1 }
    pageWrites: { pattern: hot-cold, rate: 8MiB/s, hotSet: 64MiB }
    content: { zero: 0.3, image: 0.3, imageId: 0 }
  - type: vm
    count: 3
    workload: { kind: bursty, base: 0.1, burst: 0.9, probability: 0.2, meanBurstIntervals: 3 }
    pageWrites: { pattern: uniform, rate: 2MiB/s }
    content: { zero: 0.5, image: 0.3, imageId: 0 }
  - type: vm
    count: 2
    workload: { kind: random-walk, start: 0.5, step: 0.1, min: 0.1, max: 0.9 }
    pageWrites: { pattern: sequential, rate: 4MiB/s, hotSet: 128MiB }
events:
  - { at: 10m, snapshot: { vm: 1, name: a } }
  - { at: 20m, failHost: { host: 3 } }
  - { at: 30m, migrate: { vm: 5, to: 0 } }
  - { at: 45m, repairHost: { host: 3 } }
`

/**
 * Ten VMs on three 1 GiB hosts (four, four, two: 1.5 GiB of guests on the first two) with fast KSM over
 * much identical page cache, MoM's balloons and host swap; hybrid migrations over a 20 Mbit/s link, so the
 * post-copy phase lasts long enough for the guests to fault. VM 8 moves to host 1; VM 0 (protected) is
 * moving off host 0 when host 0 fails, resumes from its checkpoint on host 2, and is moved to host 0 once
 * its balloon has grown.
 */
const POSTCOPY_KSM = `
name: post-copy and KSM
mode: lab
seed: 7
duration: 30m
interval: 1m
policy: none
migration: { model: hybrid, postcopyAfterRounds: 1, maxBandwidth: 2MiB/s, timeout: 30m, maxConcurrentPerHost: 2 }
memory:
  pageSize: 64KiB
  ksm: { mode: on, pagesToScan: 4000, sleepMillisecs: 100 }
  ballooning: auto
  guaranteed: 0.4
  hostSwap: 1GiB
admission: { ramAllocationRatio: 2, reservedHostMemory: 0 }
ha: { detection: 15s, bootTime: 60s, failoverTime: 2s, repairTime: 10m }
hostTypes:
  small: { cores: 2, mipsPerCore: 2500, ramMB: 1024, nicMbps: 20, power: [80, 90, 100, 110, 120, 130, 140, 150, 160, 170, 180], bootSeconds: 60, bootEnergyJ: 3000 }
hosts:
  - { type: small, count: 3 }
vmTypes:
  vm: { vcpus: 1, mips: 1250, ramMB: 384 }
vms:
  - type: vm
    count: 2
    protection: { epoch: 200ms, copyRate: 512MiB/s }
    workload: { kind: diurnal, mean: 0.4, amplitude: 0.3, period: 1h, phaseJitter: 30m, noise: 0.1 }
    pageWrites: { pattern: hot-cold, rate: 1MiB/s, hotSet: 32MiB }
    content: { zero: 0.1, image: 0.4, imageId: 0 }
  - type: vm
    count: 8
    workload: { kind: bursty, base: 0.1, burst: 0.9, probability: 0.3, meanBurstIntervals: 2 }
    pageWrites: { pattern: uniform, rate: 2MiB/s }
    content: { zero: 0.1, image: 0.4, imageId: 0 }
events:
  - { at: 1m, migrate: { vm: 8, to: 1 } }
  - { at: 2m, migrate: { vm: 0, to: 2 } }
  - { at: 4m, failHost: { host: 0 } }
  - { at: 20m, migrate: { vm: 0, to: 0 } }
`

function model(yaml: string, seed: number, policy: string): ClusterModel {
  const { scenario } = parseScenario(yaml, 'memory-consistency.yaml')
  return buildClusterModel(scenario, 'memory-consistency.yaml', nodeFiles, { seed, policy })
}

describe('memory bookkeeping through lab runs', () => {
  it('the reported run: auto-balloons inflating on VMs that live-migrated (main: threw "no present page")', async () => {
    const { summary, found, steps } = await runChecked(model(PRESSED_LAB, 995, 'thr-mmt-0.8'))
    expect(found).toEqual([])
    expect(steps).toBe(60)
    // what it went through: live migrations, balloons, host swap, the OOM killer, a protected VM resumed
    expect(summary.migrationStats.completed).toBeGreaterThan(5)
    const memory = summary.memory!
    expect(memory.peak.balloonGiB).toBeGreaterThan(0.5)
    expect(memory.peak.hostSwappedGiB).toBeGreaterThan(0)
    expect(memory.oomKills).toBeGreaterThan(0)
    expect(summary.ha!.resumedFromCheckpoint).toBeGreaterThan(0)
  })

  it('post-copy onto pressed hosts, KSM, and a protected VM resumed after its host failed under its move', async () => {
    const { summary, found } = await runChecked(model(POSTCOPY_KSM, 7, 'none'), 2)
    expect(found).toEqual([])
    const log = summary.migrationsDetail
    // VM 0's move off host 0 was in flight when host 0 failed: it resumed from its checkpoint (so did VM 1)
    expect(log.find((r) => r.vm === 0 && r.source === 0)?.location).toBe('lost')
    expect(summary.ha!.resumedFromCheckpoint).toBe(2)
    // VM 8 onto host 1, then VM 0 (ballooned by then) off host 2: both finished in post-copy, faulting
    const faulted = log.filter((r) => r.location === 'destination' && r.info!.ram['postcopy-requests'] > 0)
    expect(faulted.map((r) => [r.vm, r.source, r.target])).toEqual([
      [8, 2, 1],
      [0, 2, 0],
    ])
    const memory = summary.memory!
    expect(memory.peak.ksmSavedGiB).toBeGreaterThan(0.5)
    expect(memory.peak.balloonGiB).toBeGreaterThan(1)
    expect(memory.peak.hostSwappedGiB).toBeGreaterThan(0.5)
  })
})
