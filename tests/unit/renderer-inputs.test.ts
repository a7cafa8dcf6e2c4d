// What the trainee types is checked before it goes to the lab, and errors are shaped for the control that
// caused them: the seed, "pause at", a branch's settings, and a scenario file with an unclosed `[` — the lab
// reports several follow-on parser errors; the control shows the first, its line and the count of the others.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { LabSession } from '../../engine/api/lab-session'
import { nodeScenarioCatalog } from '../../engine/platform/node/catalog'
import {
  SEED_MAX,
  parsePauseAt,
  parseSeed,
  parseSelector,
  parseSettings,
  summarizeError,
} from '../../renderer/state/inputs'
import { ROOT } from '../helpers'

describe('the seed', () => {
  it('is a whole number from 0 to 2^32 − 1, as the scenario schema has it', () => {
    expect(parseSeed('7')).toEqual({ ok: true, value: 7 })
    expect(parseSeed(' 42 ')).toEqual({ ok: true, value: 42 })
    expect(parseSeed(String(SEED_MAX))).toEqual({ ok: true, value: 4294967295 })
    for (const bad of ['xyz', '-5', '1.5', '', '4294967296', '1e3', '0x10'])
      expect(parseSeed(bad)).toEqual({
        ok: false,
        error: `seed: expected a whole number from 0 to 4294967295, found "${bad}"`,
      })
  })
})

describe('pause at', () => {
  it('is a time in hours after now and up to the end; empty plays to the end', () => {
    expect(parsePauseAt('', 0, 86400)).toEqual({ ok: true, value: undefined })
    expect(parsePauseAt('6', 0, 86400)).toEqual({ ok: true, value: 21600 })
    expect(parsePauseAt('0.5', 0, 86400)).toEqual({ ok: true, value: 1800 })
    expect(parsePauseAt('24', 3600, 86400)).toEqual({ ok: true, value: 86400 })
    const error = (text: string, now: number) =>
      parsePauseAt(text, now, 86400).ok ? undefined : (parsePauseAt(text, now, 86400) as { error: string }).error
    expect(error('abc', 0)).toBe(
      'pause at: expected hours after now (0d 00:00) and up to the end (1d 00:00, 24 h), found "abc"',
    )
    expect(error('25', 0)).toMatch(/found "25"$/)
    expect(error('6', 6 * 3600)).toBe(
      'pause at: expected hours after now (0d 06:00) and up to the end (1d 00:00, 24 h), found "6"',
    )
    expect(error('-1', 0)).toMatch(/found "-1"$/)
    expect(error('0', 0)).toMatch(/found "0"$/)
  })
})

describe('a branch’s settings', () => {
  it('are path=value words', () => {
    expect(parseSettings('migration.autoConverge=true  foo.bar=3')).toEqual({
      ok: true,
      value: ['migration.autoConverge=true', 'foo.bar=3'],
    })
    expect(parseSettings('')).toEqual({ ok: true, value: [] })
    expect(parseSettings('a=1 oops')).toEqual({
      ok: false,
      error: 'settings: expected path=value (e.g. migration.autoConverge=true), found "oops"',
    })
  })
})

describe('an error next to its control', () => {
  it('shows an unclosed [ as the first problem with its line and the count of the others', async () => {
    const lab = new LabSession(nodeScenarioCatalog(join(ROOT, 'scenarios')))
    // the shipped PlanetLab scenario with a list opened after `hosts:` and never closed
    const shipped = readFileSync(join(ROOT, 'scenarios', 'planetlab-cloudsim.yaml'), 'utf8')
    const text = shipped.replace(/^hosts:/m, 'hosts: [')
    const opened = shipped.split('\n').findIndex((l) => l.startsWith('hosts:')) + 1
    const message = await lab.open({ fileName: 'broken.yaml', text }).then(
      () => '',
      (e: Error) => e.message,
    )
    const lines = message.split('\n')
    expect(lines.length).toBeGreaterThan(1)
    const shown = summarizeError(message, text)
    expect(shown.others).toBe(lines.length - 1)
    // the earliest problem in the file, with the line it points at
    const first = /^broken\.yaml:(\d+):(\d+): /.exec(shown.message)!
    const earliest = Math.min(...lines.map((l) => Number(/^broken\.yaml:(\d+):/.exec(l)![1])))
    expect(Number(first[1])).toBe(earliest)
    // the parser notices the unclosed list on the lines after it
    expect(earliest).toBeGreaterThanOrEqual(opened)
    expect(earliest).toBeLessThanOrEqual(opened + 2)
    expect(shown.excerpt).toEqual({
      line: earliest,
      column: Number(first[2]),
      text: text.split('\n')[earliest - 1],
    })
  })

  it('cuts a long line around the column it points at, and shows messages without a place as they are', () => {
    const long = `${'x'.repeat(200)}[oops]${'y'.repeat(200)}`
    const shown = summarizeError('f.yaml:1:201: bad', long)
    expect(shown.excerpt!.text.startsWith('…')).toBe(true)
    expect(shown.excerpt!.text.endsWith('…')).toBe(true)
    expect(shown.excerpt!.text[shown.excerpt!.column! - 1]).toBe('[')
    expect(summarizeError('workers: expected a whole number 0..256, found -1')).toEqual({
      message: 'workers: expected a whole number 0..256, found -1',
      others: 0,
    })
  })
})

describe('a rule’s selector as typed', () => {
  it('reads ids as numbers and anything else as a group name, split at commas and spaces', () => {
    expect(parseSelector('3, 4 web')).toEqual([3, 4, 'web'])
    expect(parseSelector(' licensed-hosts,12 ')).toEqual(['licensed-hosts', 12])
    // "1.5" or "-2" are no ids: they go to the lab as names, which it refuses at validation with the name
    expect(parseSelector('1.5 -2')).toEqual(['1.5', '-2'])
    expect(parseSelector(' , ')).toEqual([])
  })
})
