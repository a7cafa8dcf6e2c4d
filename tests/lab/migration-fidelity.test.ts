// Live migration downtime at link speed: QEMU sends the final stop-and-copy without the max-bandwidth cap
// (ram_save_complete flushes "regardless of rate limiting"), so the pause depends on the link. Expected
// figures from the scenarios' own numbers and the analytic model (docs/migration.md).
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openScenario } from '../../engine/scenario/open'
import { nodeFiles } from '../../engine/platform/node/files'
import { runToEnd } from '../../engine/run'
import { precopyPassModel, MiB } from '../../engine/migration'
import { ROOT, relativeError } from '../helpers'

const scenario = (name: string) => join(ROOT, 'scenarios', name)

async function migrate(file: string, set: string[]) {
  const model = openScenario(file, nodeFiles, { set })
  const report = await runToEnd(model, {})
  return { model, m: report.migrationsDetail![0]! }
}

describe('stop-and-copy at the link speed, not at max-bandwidth', () => {
  it('the uniform 4 GiB example: the model’s last round at 10 GbE instead of 128 MiB/s', async () => {
    // 128 MiB/s NICs (the scenario as shipped): the analytic model's worked example still holds
    const narrow = await migrate(scenario('migration-precopy-uniform.yaml'), [])
    const { model, m } = await migrate(scenario('migration-precopy-uniform.yaml'), ['hostTypes.server.nicMbps=10000'])
    const analytic = precopyPassModel({
      pageCount: (model.vmTypes[0]!.ramMB * MiB) / model.pageSize,
      pageSize: model.pageSize,
      bandwidth: model.migration.maxBandwidth,
      writeBytesPerSecond: model.groups[0]!.pageWrites.rate,
      downtimeLimit: model.migration.downtimeLimit,
    })
    expect(relativeError(narrow.m.info!.downtime! / 1000, analytic.downtime)).toBeLessThan(0.02)
    // on 10 GbE pre-copy still runs at max-bandwidth (same rounds, same total within 0.2 %), but the last
    // round's V_n goes at 1.25 GB/s: downtime = V_n / 1.25e9 = the model's downtime × 128 MiB/s ÷ 1.25 GB/s
    expect(m.info!.lab.rounds).toBe(analytic.rounds)
    expect(relativeError(m.info!.downtime! / 1000, (analytic.downtime * 128 * MiB) / 1.25e9)).toBeLessThan(0.02)
    expect(m.info!.downtime!).toBeLessThan(13) // main: 107.7 ms on both links
    expect(m.info!.downtime! / 1000).toBeCloseTo(m.info!.ram['downtime-bytes'] / 1.25e9, 9)
  })

  it("the hot working set with auto-converge: 39 MB at 1.25 GB/s plus the destination's 20 ms resume", async () => {
    const { m } = await migrate(scenario('migration-hot-working-set.yaml'), ['migration.autoConverge=true'])
    const info = m.info!
    expect(info.status).toBe('completed')
    const bytes = info.ram['downtime-bytes'] // the last dirty pages and 256 KiB of device state
    expect(bytes).toBeGreaterThan(30e6)
    expect(bytes).toBeLessThan(38.4 * MiB + 256 * 1024 + 4096)
    expect(info.downtime! / 1000).toBeCloseTo(bytes / 1.25e9 + 0.02, 9)
    expect(info.downtime!).toBeLessThan(55) // main: 312 ms, max-bandwidth's pace
    // on 1 Gbit/s the link is the limit throughout: downtime = bytes ÷ 125 MB/s + 20 ms
    const slow = await migrate(scenario('migration-hot-working-set.yaml'), [
      'migration.autoConverge=true',
      'hostTypes.server.nicMbps=1000',
    ])
    const b = slow.m.info!.ram['downtime-bytes']
    expect(slow.m.info!.downtime! / 1000).toBeCloseTo(b / 125e6 + 0.02, 9)
  })
})
