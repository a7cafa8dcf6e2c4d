// The lab's live-migration engine against the OSIC OpenStack live-migration measurements (2017, 22-node
// clouds, 10 GbE, Nova + libvirt + QEMU; ../shared/data/osic-openstack-live-migration-benchmark/). For each
// flavor (4 / 8 / 16 GB RAM) the engine migrates a VM of that size with the settings the data's README and
// the OpenStack of the time imply, and the table puts its total time and downtime next to the medians.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { MemoryImage, imageToken } from '../../engine/memory/image'
import { PageWriter, type PageWriteSpec } from '../../engine/workload/page-writes'
import { GiB, LiveMigration, MiB, driveMigration, type MigrationInfo } from '../../engine/migration'

export interface BenchContext {
  root: string
  quick: boolean
}

const DATA = ['shared', 'data', 'osic-openstack-live-migration-benchmark']

/** 10 GbE (X710), decimal: what the link gives one migration stream at most. */
export const LINK = 10e9 / 8
/**
 * Nova (Newton/Ocata) drives QEMU's downtime-limit in steps: live_migration_downtime 500 ms over
 * live_migration_downtime_steps 10, one step every live_migration_downtime_delay 75 s per GiB — so a 4 GiB
 * VM stays at the first step, 500 / 10 = 50 ms, for its first 300 s, longer than any of these migrations.
 */
const NOVA_FIRST_DOWNTIME = 0.05
/** Nova's live_migration_completion_timeout, s per GiB. */
const NOVA_TIMEOUT_PER_GIB = 800
/**
 * The guest: a Spark streaming worker fed 0.1–1 MB/s (README). No dirty rates were published; assumed: a
 * JVM young generation and buffers of 256 MiB rewritten at 16 MiB/s (90 % of the writes), the rest of RAM
 * touched slowly (page cache of the half-full disk, old generation). Every page non-zero: the measured time
 * grows linearly with RAM (a mostly-zero guest would migrate in near-constant time).
 */
const SPARK: PageWriteSpec = { pattern: 'hot-cold', bytesPerSecond: 16 * MiB, hotBytes: 256 * MiB, hotFraction: 0.9 }

export interface Row {
  storage: string
  tunnel: string
  flavor: string
  ramGiB: number
  diskGB: number
  seconds: number[]
  downtime: number[]
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

function readCsv(path: string): Record<string, string>[] {
  const lines = readFileSync(path, 'utf8').trim().split(/\r?\n/)
  const head = lines[0]!.split(',')
  return lines.slice(1).map((l) => {
    const cells = l.split(',')
    return Object.fromEntries(head.map((h, i) => [h, cells[i] ?? '']))
  })
}

/**
 * Independent samples only (README quirks 1): the "after patch" re-run is a patched Nova and is left out;
 * the infinite-timeout re-run repeats small and medium verbatim, so only its large flavor counts (pooled
 * with the original large run: same configuration, another timeout).
 */
function keep(r: Record<string, string>): boolean {
  const f = r.source_file ?? ''
  if (f.includes('after_patch')) return false
  if (f.includes('timeout_infinity') && r.flavor !== 'large') return false
  return true
}

export function loadRows(dir: string): Row[] {
  const rows = new Map<string, Row>()
  const row = (r: Record<string, string>) => {
    const key = `${r.storage_backend}/${r.tunneling}/${r.flavor}`
    let x = rows.get(key)
    if (!x) {
      x = {
        storage: r.storage_backend!,
        tunnel: r.tunneling!,
        flavor: r.flavor!,
        ramGiB: Number(r.ram_gb),
        diskGB: Number(r.disk_gb),
        seconds: [],
        downtime: [],
      }
      rows.set(key, x)
    }
    return x
  }
  for (const r of readCsv(join(dir, 'migration_durations.csv')).filter(keep))
    row(r).seconds.push(Number(r.migration_seconds))
  for (const r of readCsv(join(dir, 'downtime.csv')).filter(keep)) row(r).downtime.push(Number(r.downtime_seconds))
  const order = (x: Row) => (x.storage === 'shared' ? 0 : 10) + (x.tunnel === 'off' ? 0 : 5) + x.ramGiB / 4
  return [...rows.values()].sort((a, b) => order(a) - order(b))
}

/** One migration of a `ramGiB` Spark VM with pre-copy limited to `maxBandwidth` over the 10 GbE link. */
export function labRun(ramGiB: number, pageSize: number, maxBandwidth: number): MigrationInfo {
  const image = new MemoryImage(0, ramGiB * GiB, pageSize)
  for (let p = 0; p < image.pageCount; p++) image.setToken(p, imageToken(0, p % 2 ** 22))
  const writer = PageWriter.forVm(2017, 0, SPARK, image)
  const m = new LiveMigration(image, writer, {
    maxBandwidth,
    downtimeLimit: NOVA_FIRST_DOWNTIME,
    completionTimeoutPerGiB: NOVA_TIMEOUT_PER_GIB,
  })
  driveMigration(m, { dt: 1, bandwidth: LINK })
  return m.info()
}

/** Least squares y = a + b x. */
function fit(x: number[], y: number[]): { a: number; b: number } {
  const mx = x.reduce((s, v) => s + v, 0) / x.length
  const my = y.reduce((s, v) => s + v, 0) / y.length
  let sxy = 0
  let sxx = 0
  for (let i = 0; i < x.length; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my)
    sxx += (x[i]! - mx) ** 2
  }
  const b = sxy / sxx
  return { a: my - b * mx, b }
}

function table(head: string[], rows: string[][]): string {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const line = (r: string[]) => r.map((c, i) => (i < 3 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ')
  return [line(head), w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line)].join('\n')
}

export async function benchOsic(ctx: BenchContext): Promise<string> {
  const dir = join(ctx.root, '..', ...DATA)
  if (!existsSync(join(dir, 'migration_durations.csv')))
    return `OSIC live-migration data not found at ${dir}: skipped (it lives in ../shared/data beside the checkout).`
  await Promise.resolve()
  const rows = loadRows(dir)
  const pageSize = ctx.quick ? 64 * 1024 : 4096
  const t0 = performance.now()

  // effective memory-copy rate per tunnelling mode, from the slope of the shared-storage medians over RAM
  const rate = new Map<string, { rate: number; overhead: number }>()
  for (const tunnel of ['off', 'on']) {
    const shared = rows.filter((r) => r.storage === 'shared' && r.tunnel === tunnel)
    const { b } = fit(
      shared.map((r) => r.ramGiB),
      shared.map((r) => median(r.seconds)),
    )
    rate.set(tunnel, { rate: GiB / b, overhead: 0 })
  }
  const nominal = new Map<number, MigrationInfo>()
  const fitted = new Map<string, MigrationInfo>()
  for (const r of rows) {
    if (!nominal.has(r.ramGiB)) nominal.set(r.ramGiB, labRun(r.ramGiB, pageSize, Infinity))
    const key = `${r.tunnel}/${r.ramGiB}`
    if (!fitted.has(key)) fitted.set(key, labRun(r.ramGiB, pageSize, rate.get(r.tunnel)!.rate))
  }
  // the fixed part (Nova's pre/post steps, port binding, Rally's polling): median of measured − lab
  for (const [tunnel, x] of rate) {
    const gaps = rows
      .filter((r) => r.storage === 'shared' && r.tunnel === tunnel)
      .map((r) => median(r.seconds) - fitted.get(`${tunnel}/${r.ramGiB}`)!['total-time'] / 1000)
    x.overhead = median(gaps)
  }

  const s = (x: number) => `${x.toFixed(1)} s`
  const body: string[][] = []
  for (const r of rows) {
    const n = nominal.get(r.ramGiB)!
    const f = fitted.get(`${r.tunnel}/${r.ramGiB}`)!
    const { overhead } = rate.get(r.tunnel)!
    const shared = r.storage === 'shared'
    body.push([
      r.storage,
      r.tunnel,
      `${r.ramGiB} GB`,
      String(r.seconds.length),
      s(median(r.seconds)),
      `${median(r.downtime).toFixed(2)} s`,
      s(n['total-time'] / 1000),
      `${n.downtime!.toFixed(0)} ms`,
      String(n.lab.rounds),
      shared ? s(f['total-time'] / 1000 + overhead) : 'disk n/a',
      shared ? `${f.downtime!.toFixed(0)} ms` : '',
      shared ? String(f.lab.rounds) : '',
    ])
  }

  // block migration = shared + the disk copy: implied seconds per GB of the used half of the disk
  const diskRate = (tunnel: string) =>
    rows
      .filter((r) => r.storage === 'block' && r.tunnel === tunnel)
      .map((r) => {
        const sharedRow = rows.find((x) => x.storage === 'shared' && x.tunnel === tunnel && x.ramGiB === r.ramGiB)!
        return ((median(r.seconds) - median(sharedRow.seconds)) / (r.diskGB / 2)).toFixed(2)
      })
      .join('/')
  const off = rate.get('off')!
  const on = rate.get('on')!
  const nominal4 = nominal.get(4)!
  const pingShared = rows.filter((r) => r.storage === 'shared').flatMap((r) => r.downtime)
  const labDowntimes = [...fitted.values()].map((i) => i.downtime!)
  const residuals = rows
    .filter((r) => r.storage === 'shared')
    .map((r) => {
      const lab = fitted.get(`${r.tunnel}/${r.ramGiB}`)!['total-time'] / 1000 + rate.get(r.tunnel)!.overhead
      return Math.abs(lab - median(r.seconds)) / median(r.seconds)
    })
  const mibs = (b: number) => `${(b / MiB).toFixed(0)} MiB/s`
  const ms = performance.now() - t0

  return [
    'OSIC OpenStack live migration (Jan–Feb 2017; HP DL380 Gen9, 10 GbE; 6 Spark VMs migrated one at a time) vs the lab engine.',
    'Measured: medians of the per-VM wall-clock durations (Rally) and of the ping-loss "downtime" (0.5 s steps).',
    `Lab: one VM of the flavor's RAM, ${pageSize / 1024} KiB pages all non-zero, hot/cold writer 16 MiB/s (90 % into 256 MiB), ` +
      'downtime-limit 50 ms (Nova 500 ms / 10 steps), completion timeout 800 s/GiB.',
    `  "10 GbE": max-bandwidth unlimited (libvirt's default) over the 10 Gbit/s link. "fitted": max-bandwidth = the rate implied by the`,
    `  measured slope (tunnel off ${mibs(off.rate)}, on ${mibs(on.rate)}) plus the fixed part (off ${off.overhead.toFixed(1)} s, on ${on.overhead.toFixed(1)} s).`,
    '',
    table(
      [
        'storage',
        'tunnel',
        'RAM',
        'n',
        'measured',
        'ping loss',
        'lab 10GbE',
        'downtime',
        'rounds',
        'lab fitted',
        'downtime',
        'rounds',
      ],
      body,
    ),
    '',
    `Reproduced: time linear in RAM — every page sent once, then 2–4 short rounds for a 16 MiB/s guest — so one stream rate and` +
      ` one fixed cost per tunnel mode fit all three flavors within ${(Math.max(...residuals) * 100).toFixed(1)} % (2 fitted numbers for 3` +
      ` medians: this checks the shape, not the speed); QEMU's own pause stays at ${Math.min(...labDowntimes).toFixed(0)}–` +
      `${Math.max(...labDowntimes).toFixed(0)} ms, under the 50 ms limit plus device state.`,
    `Not reproduced at nominal speed: over 10 GbE the engine moves 4 GB in ${(nominal4['total-time'] / 1000).toFixed(1)} s; the data imply` +
      ` ${mibs(off.rate)} (tunnelled ${mibs(on.rate)}, libvirtd relaying the stream) and ~${off.overhead.toFixed(0)} s of Nova/Rally steps` +
      ` per VM — sender and orchestration costs the engine does not model; max-bandwidth is the only knob standing in for them.`,
    `Downtime: the data's ${Math.min(...pingShared).toFixed(1)}–${Math.max(...pingShared).toFixed(1)} s (shared storage) is ping loss —` +
      ` QEMU's pause plus network re-convergence (ARP, Neutron port binding) — two orders of magnitude above QEMU's pause; the engine` +
      ` reports it as observed-downtime only when networkOutage is set.`,
    `Block migration also copies the disk, which the engine does not: block − shared = ${diskRate('off')} s per GB of the half-full disk` +
      ` with tunnelling off (RAM: ${(GiB / off.rate).toFixed(2)} s/GiB, the same stream rate on more bytes), ${diskRate('on')} s/GB with it` +
      ` on, where the disk copy is not slowed down the way tunnelled RAM is (${(GiB / on.rate).toFixed(2)} s/GiB).`,
    `(${rows.reduce((a, r) => a + r.seconds.length, 0)} measured migrations; lab runs took ${(ms / 1000).toFixed(1)} s.)`,
  ].join('\n')
}
