// What the page's exports and lists say: a chart's PNG carries the run it shows (scenario, policy, seed,
// settings, simulated time) in iTXt chunks whose CRCs are right (checked against node:zlib), and a file name
// that says it; the event log's filter, extended step by step, equals the filter applied at once; the runs
// table follows the live state.
import { crc32 as zlibCrc32, deflateSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import type { BranchSummary, LabEvent, LabEventKind, LabInfo } from '../../engine/api/lab-api'
import { crc32, readPngText, withPngText } from '../../renderer/export/png-text'
import { chartFileName, chartSource } from '../../renderer/export/chart-source'
import { FilteredEvents, concerns } from '../../renderer/state/event-filter'
import { runStatus } from '../../renderer/state/run-status'
import type { Selection } from '../../renderer/state/run-store'

/** A PNG chunk: length, type, data, CRC-32 of type and data (PNG specification §5.3). */
function pngChunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length)
  out.writeUInt32BE(data.length, 0)
  out.write(type, 4, 'latin1')
  out.set(data, 8)
  out.writeUInt32BE(zlibCrc32(out.subarray(4, 8 + data.length)), 8 + data.length)
  return out
}

/** The smallest PNG: one grey pixel (8-bit greyscale), as a canvas encoder would lay it out. */
const PNG_1x1 = Uint8Array.from(
  Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', Uint8Array.from([0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0])),
    pngChunk('IDAT', deflateSync(Buffer.from([0, 128]))),
    pngChunk('IEND', new Uint8Array(0)),
  ]),
)

/** Each chunk of a PNG: type, data and whether its CRC matches zlib's over type + data. */
function chunks(png: Uint8Array): { type: string; crcOk: boolean }[] {
  const view = new DataView(png.buffer, png.byteOffset)
  const out: { type: string; crcOk: boolean }[] = []
  for (let at = 8; at < png.length;) {
    const length = view.getUint32(at)
    const type = String.fromCharCode(...png.subarray(at + 4, at + 8))
    const crc = view.getUint32(at + 8 + length)
    out.push({ type, crcOk: zlibCrc32(png.subarray(at + 4, at + 8 + length)) === crc })
    at += 12 + length
  }
  return out
}

describe('a chart’s PNG', () => {
  it('computes CRC-32 as zlib does', () => {
    let x = 12345
    for (let n = 0; n < 200; n++) {
      const bytes = Uint8Array.from({ length: n * 7 }, () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 24)
      expect(crc32(bytes)).toBe(zlibCrc32(bytes))
    }
  })

  it('carries text chunks after its header, each with a valid CRC, and reads them back', () => {
    const text = { Title: 'Power and energy', Description: 'scenario: Scale test, 10k hosts — one week; seed: 42' }
    const png = withPngText(PNG_1x1, text)
    const list = chunks(png)
    expect(list.map((c) => c.type)).toEqual(['IHDR', 'iTXt', 'iTXt', 'IDAT', 'IEND'])
    expect(list.every((c) => c.crcOk)).toBe(true)
    expect(readPngText(png)).toEqual(text)
    expect(() => withPngText(new Uint8Array(40), text)).toThrow(/not a PNG/)
  })

  it('says which run it shows, in its caption, its text and its file name', () => {
    const info = {
      scenario: 'PlanetLab 2011-03-03, CloudSim setup',
      mode: 'cloudsim',
      policy: 'lr-mmt-1.2',
      seed: 7,
      settings: ['migration.autoConverge=true'],
      intervalSeconds: 300,
    } as LabInfo
    const source = chartSource({ info, placement: { time: 21600 } as never, transport: 'web', version: '0.1.0' })!
    expect(source.caption).toBe(
      'PlanetLab 2011-03-03, CloudSim setup · lr-mmt-1.2 · seed 7 · migration.autoConverge=true · at 0d 06:00',
    )
    expect(source.text.Description).toBe(
      'scenario: PlanetLab 2011-03-03, CloudSim setup; mode: cloudsim; policy: lr-mmt-1.2; seed: 7; settings: migration.autoConverge=true; simulated time: 0d 06:00',
    )
    expect(chartFileName({ info }, 'Power and energy')).toBe(
      'planetlab-2011-03-03-cloudsim-setup-lr-mmt-1-2-seed-7-power-and-energy.png',
    )
  })
})

describe('the event log’s filter', () => {
  it('extended step by step equals the filter applied to the whole log', () => {
    const kinds: LabEventKind[] = ['migration-start', 'migration-end', 'host-on', 'host-off', 'overload', 'info']
    let x = 99
    const rand = (n: number) => ((x = (Math.imul(x, 1664525) + 1013904223) >>> 0) % n) >>> 0
    const events: LabEvent[] = Array.from({ length: 5000 }, (_, i) => ({
      time: i * 10,
      kind: kinds[rand(kinds.length)]!,
      message: `e${i}`,
      host: rand(20),
      ...(rand(2) ? { vm: rand(50), targetHost: rand(20) } : {}),
    }))
    const direct = (count: number, hidden: ReadonlySet<LabEventKind>, selection: Selection) => {
      const out: number[] = []
      for (let i = count - 1; i >= 0; i--)
        if (!hidden.has(events[i]!.kind) && concerns(events[i]!, selection)) out.push(i)
      return out
    }
    const filtered = new FilteredEvents()
    let hidden: ReadonlySet<LabEventKind> = new Set(['migration-end'])
    let selection: Selection = undefined
    for (let count = 0; count <= events.length; count += 137) {
      if (count === 1370) hidden = new Set(['host-on', 'info'])
      if (count === 2740) selection = { kind: 'host', host: 3 }
      if (count === 4110) selection = { kind: 'vm', vm: 7 }
      const f = filtered.update(events, count, hidden, selection)
      expect(Array.from({ length: f.length }, (_, r) => f.at(r))).toEqual(direct(count, hidden, selection))
      for (const k of kinds)
        expect(f.perKind.get(k) ?? 0).toBe(events.slice(0, count).filter((e) => e.kind === k).length)
    }
    // a new log (another run) starts afresh
    const f = filtered.update(events.slice(0, 10), 10, hidden, undefined)
    expect(f.length).toBe(direct(10, hidden, undefined).length)
  })
})

describe('the runs table', () => {
  const run = (over: Partial<BranchSummary> = {}): BranchSummary => ({
    id: 1,
    label: 'lr-mmt-1.2',
    policy: 'lr-mmt-1.2',
    seed: 1,
    settings: [],
    current: true,
    time: 0,
    ...over,
  })
  it('says what the current run is doing and where it is now; the others where they were left', () => {
    expect(runStatus(run(), { playing: false, done: false, time: 0 })).toEqual({
      tag: '(current, not started)',
      where: 'ready at 0d 00:00: press Play',
    })
    // the list's time is from its last refresh; the clock is the page's
    expect(runStatus(run(), { playing: true, done: false, time: 3 * 3600 })).toEqual({
      tag: '(current, playing)',
      where: 'playing at 0d 03:00',
    })
    expect(runStatus(run(), { playing: false, done: false, time: 6 * 3600 }).tag).toBe('(current, paused)')
    expect(runStatus(run(), { playing: false, done: true, time: 86400 })).toEqual({
      tag: '(current, at the end)',
      where: 'ended at 1d 00:00',
    })
    const branch = run({ from: { checkpoint: 1, name: 'six hours', time: 21600 }, time: 21600 })
    expect(runStatus(branch, { playing: false, done: false, time: 21600 }).tag).toBe('(current, not started)')
    expect(runStatus(run({ current: false, time: 7200 }), { playing: true, done: false, time: 100 })).toEqual({
      tag: '',
      where: 'left at 0d 02:00',
    })
  })
})
