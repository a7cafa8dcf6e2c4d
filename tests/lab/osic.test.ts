// The lab's live migration against the OSIC OpenStack measurements (2017: HP DL380 Gen9, 10 GbE, Nova +
// libvirt + QEMU, shared Ceph storage; a Spark streaming VM migrated 240–466 times per configuration). The
// medians ship in tests/fixtures/osic-shared-medians.json (re-derived from ../shared when it is there).
// What is claimed, and within what:
//   1. Speed at the nominal 10 GbE: the lab's total time is at most the measured median (it models no
//      Nova/libvirt step and a sender that keeps up with the link) and at least a fifth of it: the data
//      imply one stream of ~446 MiB/s (a third of the link; libvirtd's tunnel: ~190 MiB/s) plus 6–8 s of
//      Nova/Rally steps per VM, which bounds the gap at ~4.5× for the 4 GB flavor and less for larger ones.
//   2. Shape: with one stream rate and one fixed cost per tunnel mode fitted on the 4 GB and 16 GB flavors,
//      the 8 GB median is predicted within 5 %: the medians are stable to ~2 % (the 16 GB tunnel-off
//      median of the original run and of its re-run differ by 1.6 %), so 5 % is 2.5× that.
//   3. Downtime: QEMU's pause in the lab stays under its 50 ms limit plus device state and resume, and is
//      at least 20× below the measured ping loss (1–7.5 s), which includes network re-convergence (ARP,
//      port binding) the lab does not model — the gap is the lesson, not an error to fit.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { GiB } from '../../engine/migration'
import { LINK, labRun, loadRows, median } from '../../cli/bench/osic'
import { ROOT, SHARED } from '../helpers'

interface Median {
  tunnel: string
  ramGiB: number
  migrations: number
  medianSeconds: number
  medianPingLossSeconds: number
}

const FIXTURE = JSON.parse(readFileSync(join(ROOT, 'tests', 'fixtures', 'osic-shared-medians.json'), 'utf8')) as {
  rows: Median[]
}
const DATA = join(SHARED, 'data', 'osic-openstack-live-migration-benchmark')
// 64 KiB pages: the time is linear in bytes; 4 KiB pages give the same totals within 0.1 % (cli bench)
const PAGE = 64 * 1024

const measured = (tunnel: string, ram: number) => FIXTURE.rows.find((r) => r.tunnel === tunnel && r.ramGiB === ram)!

describe('OSIC OpenStack live-migration measurements', () => {
  it.runIf(existsSync(join(DATA, 'migration_durations.csv')))('the shipped medians are the data’s', () => {
    const rows = loadRows(DATA).filter((r) => r.storage === 'shared')
    expect(
      rows.map((r) => ({
        tunnel: r.tunnel,
        ramGiB: r.ramGiB,
        migrations: r.seconds.length,
        medianSeconds: median(r.seconds),
        medianPingLossSeconds: median(r.downtime),
      })),
    ).toEqual(
      FIXTURE.rows.map(({ tunnel, ramGiB, migrations, medianSeconds, medianPingLossSeconds }) => ({
        tunnel,
        ramGiB,
        migrations,
        medianSeconds,
        medianPingLossSeconds,
      })),
    )
  })

  it('at nominal 10 GbE the lab is faster than measured, by less than 5×; QEMU’s pause is ≥ 20× below ping loss', () => {
    for (const ram of [4, 8, 16]) {
      const lab = labRun(ram, PAGE, Infinity)
      const m = measured('off', ram)
      const seconds = lab['total-time'] / 1000
      expect(seconds).toBeLessThanOrEqual(m.medianSeconds)
      expect(seconds).toBeGreaterThanOrEqual(m.medianSeconds / 5)
      // every page crosses at least once at the link's speed: a floor the lab cannot beat
      expect(seconds).toBeGreaterThanOrEqual((ram * GiB) / LINK)
      expect(lab.downtime!).toBeLessThanOrEqual(50 + 1 + 20 + 1) // limit + 256 KiB at 1.25 GB/s + resume
      for (const tunnel of ['off', 'on'])
        expect(lab.downtime! / 1000).toBeLessThan(measured(tunnel, ram).medianPingLossSeconds / 20)
    }
  })

  it('one stream rate and one fixed cost per tunnel mode, fitted on 4 and 16 GB, predict 8 GB within 5 %', () => {
    for (const tunnel of ['off', 'on']) {
      const small = measured(tunnel, 4)
      const large = measured(tunnel, 16)
      // the slope: seconds per GiB of RAM → the stream rate the sender kept up
      const rate = (12 * GiB) / (large.medianSeconds - small.medianSeconds)
      const fixed = small.medianSeconds - labRun(4, PAGE, rate)['total-time'] / 1000
      const predicted = labRun(8, PAGE, rate)['total-time'] / 1000 + fixed
      const m = measured(tunnel, 8).medianSeconds
      expect(Math.abs(predicted - m) / m).toBeLessThan(0.05)
    }
  })
})
