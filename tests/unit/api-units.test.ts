// engine/api/units.ts: the one formatter of clocks, percentages and byte sizes that the app, the CLI and the
// engine's messages share. Expected texts are written out by hand from the rules in the module's comments.
import { describe, expect, it } from 'vitest'
import {
  formatBytes,
  formatClock,
  formatDuration,
  formatGiB,
  formatKWh,
  formatMiB,
  formatNumber,
  formatPercent,
  formatSeconds,
  formatWatts,
} from '../../engine/api/units'
import { formatSummary, type RunReport } from '../../engine/report'

describe('formatClock', () => {
  it('shows simulated time as days and hh:mm, rounding down', () => {
    expect(formatClock(0)).toBe('0d 00:00')
    expect(formatClock(21600.1)).toBe('0d 06:00')
    expect(formatClock(86100.1)).toBe('0d 23:55')
    expect(formatClock(86400)).toBe('1d 00:00')
    expect(formatClock(86400 + 3 * 3600 + 25 * 60 + 59)).toBe('1d 03:25')
    expect(formatClock(7 * 86400)).toBe('7d 00:00')
    expect(formatClock(-5)).toBe('0d 00:00')
  })
  it('adds seconds to a tenth, never rounding up to a minute that has not come', () => {
    expect(formatClock(79.812, true)).toBe('0d 00:01:19.8')
    expect(formatClock(70, true)).toBe('0d 00:01:10.0')
    expect(formatClock(10800, true)).toBe('0d 03:00:00.0')
    expect(formatClock(86400 + 3605, true)).toBe('1d 01:00:05.0')
    expect(formatClock(59.96, true)).toBe('0d 00:00:59.9')
  })
})

describe('percentages and byte sizes', () => {
  it('writes fractions as percentages with the digits asked for', () => {
    expect(formatPercent(0.0615, 2)).toBe('6.15 %')
    expect(formatPercent(0.5556)).toBe('55.6 %')
    expect(formatPercent(1)).toBe('100.0 %')
  })
  it('uses binary units for every size', () => {
    expect(formatBytes(512)).toBe('512 B')
    expect(formatBytes(4096)).toBe('4.0 KiB')
    expect(formatBytes(37.1 * 2 ** 20)).toBe('37.1 MiB')
    expect(formatBytes(2.46 * 2 ** 30)).toBe('2.46 GiB')
    expect(formatBytes(1.5 * 2 ** 40)).toBe('1.50 TiB')
    // the engine's "MB" fields are MiB: a 16 GiB server is 16384 of them
    expect(formatMiB(16384)).toBe('16.00 GiB')
    expect(formatMiB(24576)).toBe('24.00 GiB')
    expect(formatMiB(870)).toBe('870 MiB')
    expect(formatGiB(3.8)).toBe('3.80 GiB')
  })
  it('formats power, energy, counts and durations', () => {
    expect(formatKWh(163.4812)).toBe('163.48 kWh')
    expect(formatWatts(8268.03)).toBe('8268 W')
    expect(formatWatts(70_100)).toBe('70.10 kW')
    expect(formatNumber(8088)).toBe('8,088')
    expect(formatNumber(1234.5, 1)).toBe('1,234.5')
    expect(formatSeconds(42)).toBe('42 s')
    expect(formatSeconds(5400)).toBe('1.50 h')
    expect(formatDuration(0.312)).toBe('312 ms')
    expect(formatDuration(19.84)).toBe('19.8 s')
    expect(formatDuration(150)).toBe('2.5 min')
  })
  it('is what the CLI’s summary prints for percentages', () => {
    const summary = formatSummary({
      scenario: 's',
      mode: 'lab',
      policy: 'none',
      seed: 1,
      hosts: 1,
      vms: 1,
      simulatedSeconds: 3600,
      energyKWh: 1,
      migrations: 0,
      slatah: 0.0584,
      pdm: 0.00012,
      slav: 0,
      esv: 0,
      hostShutdowns: 0,
      stateHash: 'x',
      wallMs: 1,
      overallSla: 0.001,
      activeHosts: 1,
      workload: { traceOrder: '', traces: 0, bindingDigest: '', vmsPerType: {} },
    } as RunReport)
    expect(summary).toMatch(/^SLATAH +5\.84 %$/m)
    expect(summary).toMatch(/^PDM +0\.012 %$/m)
  })
})
