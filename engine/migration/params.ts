// Parameters of a live migration, named after QEMU's migrate-set-parameters / capabilities where QEMU has
// one, with QEMU's defaults (qapi/migration.json's MigrationParameters). The lab-only ones (costs QEMU does not expose as
// parameters) carry their reason in the comment.

export const MiB = 1024 * 1024
export const GiB = 1024 * MiB

/** QEMU's BUFFER_DELAY: the rate-limit window and bandwidth-sampling window, seconds. */
export const BUFFER_DELAY = 0.1
/** QEMU: the dirty rate and the auto-converge check are recomputed only after > 1000 ms. */
export const RATE_PERIOD = 1
/** QEMU ≥ 9.2 with auto-converge: CPU_THROTTLE_DIRTY_SYNC_TIMESLICE_MS, a forced bitmap sync every 5 s. */
export const THROTTLE_DIRTY_SYNC_PERIOD = 5
/** Post-copy time step (the guest's faults and the background push interleave at this resolution), s. */
export const POSTCOPY_STEP = 0.01

export type MigrationMode = 'precopy' | 'postcopy' | 'hybrid'

/**
 * When a pre-copy round ends (the bitmap sync). `qemu`: QEMU's migration_iteration_run — sync when the
 * pages still to send fall below threshold_size, checked once per 100 ms rate-limit window (rounds are
 * implicit; near the end QEMU syncs every window). `full-pass`: the textbook model of docs/migration.md (Liu et al., §2.1) —
 * a round sends every page of the last sync, then syncs.
 */
export type SyncRule = 'qemu' | 'full-pass'

export interface MigrationParams {
  /** precopy (QEMU's default), postcopy (switch to post-copy at once), hybrid (after postcopyAfterRounds) */
  mode: MigrationMode
  /** hybrid: bitmap syncs (pre-copy rounds) after the bulk round before post-copy starts */
  postcopyAfterRounds: number
  /** `max-bandwidth`, B/s: the pre-copy rate limit (Infinity = unlimited, libvirt's default) */
  maxBandwidth: number
  /** `downtime-limit`, seconds */
  downtimeLimit: number
  /** `avail-switchover-bandwidth`, B/s: used for the switch-over decision instead of the measured rate (0 = measure) */
  availSwitchoverBandwidth: number
  /** setup-time: from the command to the first iteration (dirty logging on, bitmaps allocated), s */
  setupTime: number
  /** device state sent while the guest is paused, bytes (lab default 256 KiB: virtio devices, CPU, APIC…) */
  deviceStateBytes: number
  /** destination resume after the device state arrived, s (lab default 20 ms) */
  resumeTime: number
  /** capability `auto-converge` */
  autoConverge: boolean
  /** `throttle-trigger-threshold`, % */
  throttleTriggerThreshold: number
  /** `cpu-throttle-initial`, % */
  cpuThrottleInitial: number
  /** `cpu-throttle-increment`, % */
  cpuThrottleIncrement: number
  /** `max-cpu-throttle`, % */
  maxCpuThrottle: number
  /** `cpu-throttle-tailslow` */
  cpuThrottleTailslow: boolean
  /** QEMU ≥ 9.2: with auto-converge, force a bitmap sync every 5 s when none happened (after the bulk round) */
  periodicDirtySync: boolean
  /** `max-postcopy-bandwidth`, B/s (0 = unlimited: the allocated bandwidth) */
  maxPostcopyBandwidth: number
  /** post-copy page request round trip, excluding the page's own transfer time, s (lab default 1 ms) */
  postcopyFaultLatency: number
  /**
   * the guest's vCPUs: a post-copy fault blocks one of them, so the guest as a whole loses latency / vcpus
   * of its CPU time per fault (its writes are spread over its vCPUs)
   */
  vcpus: number
  syncRule: SyncRule
  /** cancel a migration still running after this many seconds (0 = completionTimeoutPerGiB × RAM) */
  completionTimeout: number
  /** per GiB of guest RAM, s (default 150: KubeVirt's completionTimeoutPerGiB) */
  completionTimeoutPerGiB: number
  /** what the timeout does: cancel (VM stays on the source) or switch to post-copy */
  timeoutAction: 'cancel' | 'postcopy'
  /** stream bytes per normal page on top of the page (be64 offset|flags header) */
  pageHeaderBytes: number
  /** stream bytes of a zero page (header + the fill byte: RAM_SAVE_FLAG_ZERO) */
  zeroPageBytes: number
  /** source CPU per GiB sent, s (lab default 1: one core saturated at 1 GiB/s by the migration thread) */
  cpuSecondsPerGiB: number
  /** network re-convergence after resume (ARP, port binding) the guest is unreachable for, s; reported only */
  networkOutage: number
}

export const DEFAULT_MIGRATION_PARAMS: Readonly<MigrationParams> = Object.freeze({
  mode: 'precopy',
  postcopyAfterRounds: 1,
  maxBandwidth: 128 * MiB,
  downtimeLimit: 0.3,
  availSwitchoverBandwidth: 0,
  setupTime: 0.1,
  deviceStateBytes: 256 * 1024,
  resumeTime: 0.02,
  autoConverge: false,
  throttleTriggerThreshold: 50,
  cpuThrottleInitial: 20,
  cpuThrottleIncrement: 10,
  maxCpuThrottle: 99,
  cpuThrottleTailslow: false,
  periodicDirtySync: true,
  maxPostcopyBandwidth: 0,
  postcopyFaultLatency: 0.001,
  vcpus: 1,
  syncRule: 'qemu',
  completionTimeout: 0,
  completionTimeoutPerGiB: 150,
  timeoutAction: 'cancel',
  pageHeaderBytes: 8,
  zeroPageBytes: 9,
  cpuSecondsPerGiB: 1,
  networkOutage: 0,
} satisfies MigrationParams)

/** Fills defaults and checks ranges; throws a RangeError naming the parameter. */
export function resolveMigrationParams(p: Partial<MigrationParams> = {}): MigrationParams {
  const r: MigrationParams = { ...DEFAULT_MIGRATION_PARAMS, ...p }
  const nonNegative: (keyof MigrationParams)[] = [
    'postcopyAfterRounds',
    'maxBandwidth',
    'downtimeLimit',
    'availSwitchoverBandwidth',
    'setupTime',
    'deviceStateBytes',
    'resumeTime',
    'maxPostcopyBandwidth',
    'postcopyFaultLatency',
    'completionTimeout',
    'completionTimeoutPerGiB',
    'pageHeaderBytes',
    'zeroPageBytes',
    'cpuSecondsPerGiB',
    'networkOutage',
  ]
  for (const k of nonNegative) {
    const v = r[k] as number
    if (typeof v !== 'number' || Number.isNaN(v) || v < 0)
      throw new RangeError(`migration parameter ${k} must be a number ≥ 0, found ${String(v)}`)
  }
  if (!(Number.isInteger(r.vcpus) && r.vcpus >= 1))
    throw new RangeError(`migration parameter vcpus must be an integer ≥ 1, found ${String(r.vcpus)}`)
  if (!(r.maxBandwidth > 0)) throw new RangeError(`migration parameter maxBandwidth must be > 0`)
  for (const k of [
    'throttleTriggerThreshold',
    'cpuThrottleInitial',
    'cpuThrottleIncrement',
    'maxCpuThrottle',
  ] as const) {
    const v = r[k]
    if (!(v >= 1 && v <= 100)) throw new RangeError(`migration parameter ${k} must be in [1, 100] %, found ${v}`)
  }
  if (r.maxCpuThrottle > 99) throw new RangeError(`migration parameter maxCpuThrottle must be ≤ 99 %`)
  if (r.cpuThrottleInitial > r.maxCpuThrottle)
    throw new RangeError(`migration parameter cpuThrottleInitial must be ≤ maxCpuThrottle`)
  return r
}
