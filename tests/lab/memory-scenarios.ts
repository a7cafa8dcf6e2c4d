// Small lab scenarios with every memory feature on (pre-copy, post-copy, KSM, balloons, host swap, the
// OOM killer, HA), shared by the memory tests.

/** The whole-lab round trip's scenario (tests/unit/state-roundtrip-lab.test.ts). */
export const ROUND_TRIP_LAB = `
name: round trip
mode: lab
seed: 1
duration: 1h
interval: 1m
policy: thr-mmt-0.8
# slow links and one migration per host at a time: migrations span steps, and some wait in the queue
migration: { model: precopy, maxBandwidth: 3MiB/s, downtimeLimit: 100ms, autoConverge: true, timeout: 20m, maxConcurrentPerHost: 1 }
memory:
  pageSize: 64KiB
  ksm: { mode: on, pagesToScan: 200, sleepMillisecs: 1000 }
  # MoM's balloons (balloon orders take a VM's balloon out of its hands, or give it back)
  ballooning: auto
  guaranteed: 0.5
  # the plan sets 256 MiB in half its cases: the OOM killer then ends VMs
  hostSwap: 2GiB
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

/** The round trip's scenario with memory pressed harder: 256 MiB of host swap, so the OOM killer ends VMs. */
export const PRESSED_LAB = ROUND_TRIP_LAB.replace('name: round trip', 'name: pressed lab').replace(
  'hostSwap: 2GiB',
  'hostSwap: 256MiB',
)

/**
 * Ten VMs on three 1 GiB hosts (four, four, two: 1.5 GiB of guests on the first two) with fast KSM over
 * much identical page cache, MoM's balloons and host swap; hybrid migrations over a 20 Mbit/s link, so the
 * post-copy phase lasts long enough for the guests to fault. VM 8 moves to host 1; VM 0 (protected) is
 * moving off host 0 when host 0 fails, resumes from its checkpoint on host 2, and is moved to host 0 once
 * its balloon has grown.
 */
export const POSTCOPY_KSM = `
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
