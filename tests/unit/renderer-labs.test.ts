// The Labs view's own logic: the best grade per lab and what was revealed of a lab kept between uses (what counts
// as better, what revealing adds, what a damaged or unavailable storage gives, what an older localStorage entry
// adds to IndexedDB's records), values in an objective's unit written as the CLI's grade table writes
// them, a lab pack made of the files a folder input gives (loaded by a real LabSession), the page's event a
// debrief event stands for, the briefing's Markdown, and the event log's row for an event.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import type { LabEvent } from '../../engine/api/lab-api'
import { LabSession } from '../../engine/api/lab-session'
import { nodeScenarioCatalog } from '../../engine/platform/node/catalog'
import { formatValue } from '../../engine/guided-labs/words'
import {
  PROGRESS_KEY,
  REVEALED_KEY,
  improvements,
  isBetter,
  keepBest,
  mergeRevealed,
  nextBest,
  parseProgress,
  parseRevealed,
  progressFromRecords,
  readProgress,
  readRevealed,
  recordRevealed,
  revealedRecord,
  revealsMore,
  type BestGrade,
  type KeyValueStore,
  type Progress,
  type Revealed,
} from '../../renderer/labs/progress'
import { openProgressStore } from '../../renderer/labs/progress-store'
import { eventInLog, formatTarget, packFromFiles, parseBlocks, parseInline } from '../../renderer/labs/lab-words'
import { FilteredEvents } from '../../renderer/state/event-filter'
import { formatInUnit } from '../../engine/api/lab-comparators'
import { ROOT } from '../helpers'

class MapStore implements KeyValueStore {
  readonly map = new Map<string, string>()
  getItem(key: string): string | null {
    return this.map.get(key) ?? null
  }
  setItem(key: string, value: string): void {
    this.map.set(key, value)
  }
  removeItem(key: string): void {
    this.map.delete(key)
  }
}

const T0 = new Date('2026-12-07T08:00:00Z')
const T1 = new Date('2026-12-07T09:00:00Z')

/** A grade as the page records it: nextBest against what is known, then kept in the store where it beats it. */
function record(
  store: KeyValueStore | undefined,
  lab: string,
  grade: { score: number; maxScore: number; passed: boolean },
  labHash: string,
  at: Date,
): Progress {
  const progress = readProgress(store)
  const best = nextBest(progress, lab, grade, labHash, at)
  return best ? keepBest(store, lab, best) : progress
}

const grade = (score: number, passed: boolean, at = T0, labHash = 'h'): BestGrade => ({
  score,
  maxScore: 100,
  passed,
  labHash,
  at: at.toISOString(),
})

describe('progress: the best grade per lab', () => {
  it('keeps a grade that beats the best, and only such a grade', () => {
    const store = new MapStore()
    expect(readProgress(store)).toEqual({})
    let p = record(store, 'power-curve', { score: 40, maxScore: 100, passed: false }, 'aaaa', T0)
    expect(p['power-curve']).toEqual({ score: 40, maxScore: 100, passed: false, labHash: 'aaaa', at: T0.toISOString() })
    // a higher score replaces it
    p = record(store, 'power-curve', { score: 90, maxScore: 100, passed: true }, 'aaaa', T1)
    expect(p['power-curve']!.score).toBe(90)
    // a lower one, or the same one again, does not (the date stays the first time it was reached)
    expect(nextBest(p, 'power-curve', { score: 30, maxScore: 100, passed: false }, 'aaaa', T1)).toBeUndefined()
    expect(nextBest(p, 'power-curve', { score: 90, maxScore: 100, passed: true }, 'aaaa', new Date())).toBeUndefined()
    p = record(store, 'power-curve', { score: 30, maxScore: 100, passed: false }, 'aaaa', T1)
    p = record(store, 'power-curve', { score: 90, maxScore: 100, passed: true }, 'aaaa', new Date())
    expect(p['power-curve']).toEqual({ score: 90, maxScore: 100, passed: true, labHash: 'aaaa', at: T1.toISOString() })
    // other labs are kept beside it; what is stored is what is read back
    p = record(store, 'pin-latency', { score: 100, maxScore: 100, passed: true }, 'bbbb', T0)
    expect(Object.keys(p).sort()).toEqual(['pin-latency', 'power-curve'])
    expect(readProgress(store)).toEqual(p)
    // a best kept from stale progress (another window wrote a better one since) does not replace the stored one
    expect(keepBest(store, 'pin-latency', grade(50, true))['pin-latency']!.score).toBe(100)
    expect(readProgress(store)['pin-latency']!.score).toBe(100)
  })

  it('counts the same score passed as better than not passed (a lab whose objectives are worth 0 points)', () => {
    const best = { score: 0, maxScore: 0, passed: false, labHash: 'x', at: T0.toISOString() }
    expect(isBetter({ score: 0, maxScore: 0, passed: true }, best)).toBe(true)
    expect(isBetter({ score: 0, maxScore: 0, passed: false }, best)).toBe(false)
    expect(isBetter({ score: 0, maxScore: 0, passed: false }, undefined)).toBe(true)
  })

  it('reads a damaged store as no progress, leaving out entries that are not grades', () => {
    const store = new MapStore()
    store.setItem(PROGRESS_KEY, '{not json')
    expect(readProgress(store)).toEqual({})
    store.setItem(PROGRESS_KEY, '[1,2]')
    expect(readProgress(store)).toEqual({})
    const good = { score: 5, maxScore: 10, passed: false, labHash: 'h', at: T0.toISOString() }
    store.setItem(PROGRESS_KEY, JSON.stringify({ a: good, b: { score: 'ten' }, c: null }))
    expect(readProgress(store)).toEqual({ a: good })
    expect(parseProgress(null)).toEqual({})
    expect(parseProgress('"text"')).toEqual({})
    // IndexedDB's records as (key, value): a key that is not a lab's id, or a value that is not a grade, is left out
    expect(
      progressFromRecords([
        ['a', good],
        [7, good],
        ['b', { ...good, score: Number.NaN }],
        ['c', { ...good, passed: 'yes' }],
        ['d', undefined],
      ]),
    ).toEqual({ a: good })
  })

  it('moves an older entry into the records: only grades that beat a record, so moving it twice changes nothing', () => {
    const records: Progress = { a: grade(60, true), b: grade(40, false), c: grade(70, false) }
    const legacy: Progress = {
      a: grade(50, true, T1), // worse: the record stays
      b: grade(40, true, T1), // the same score now passed: better
      c: grade(70, false, T1), // the same grade: the record (and its date) stays
      d: grade(10, false, T1), // a lab with no record
    }
    const moved = improvements(records, legacy)
    expect(moved).toEqual({ b: legacy.b, d: legacy.d })
    const after = { ...records, ...moved }
    expect(after).toEqual({ a: records.a, b: legacy.b, c: records.c, d: legacy.d })
    expect(improvements(after, legacy)).toEqual({})
    expect(improvements({}, {})).toEqual({})
  })

  it('still answers when the storage is missing, refuses reads or is full', () => {
    expect(readProgress(undefined)).toEqual({})
    const refusing: KeyValueStore = {
      getItem: () => {
        throw new Error('SecurityError')
      },
      setItem: () => {
        throw new Error('QuotaExceededError')
      },
      removeItem: () => {
        throw new Error('SecurityError')
      },
    }
    expect(readProgress(refusing)).toEqual({})
    const p = record(refusing, 'x', { score: 1, maxScore: 2, passed: false }, 'h', T0)
    expect(p.x!.score).toBe(1)
  })

  it('keeps the grades in localStorage where IndexedDB is missing or does not open, and nowhere without either', async () => {
    // Node has no IndexedDB: the fallback (Chromium's IndexedDB is tested in tests/e2e/labs-ui.test.ts)
    const local = new MapStore()
    local.setItem(PROGRESS_KEY, JSON.stringify({ a: grade(20, false) }))
    const store = await openProgressStore(undefined, local)
    expect(store.kind).toBe('localStorage')
    expect(store.progress).toEqual({ a: grade(20, false) })
    await store.save('a', grade(30, false, T1))
    await store.save('a', grade(25, true, T1)) // worse: not kept
    expect(readProgress(local)).toEqual({ a: grade(30, false, T1) })
    // an IndexedDB that refuses to open (storage disabled): said on the console, and localStorage used
    const refusing = {
      open: () => {
        throw new Error('SecurityError: access denied')
      },
    } as unknown as IDBFactory
    const info = vi.spyOn(console, 'info').mockImplementation(() => undefined)
    try {
      const fallback = await openProgressStore(refusing, local)
      expect(fallback.kind).toBe('localStorage')
      expect(fallback.progress).toEqual({ a: grade(30, false, T1) })
      expect(info).toHaveBeenCalledWith(expect.stringMatching(/IndexedDB did not open .*SecurityError/))
    } finally {
      info.mockRestore()
    }
    const none = await openProgressStore(undefined, undefined)
    expect(none.kind).toBe('none')
    expect(none.progress).toEqual({})
    await none.save('a', grade(1, false))
  })
})

describe('what was revealed of a lab', () => {
  it('adds up over uses of the app, per version of the lab', () => {
    const store = new MapStore()
    expect(readRevealed(store, 'power-curve', 'h1')).toEqual({ labHash: 'h1', hints: [], solution: false })
    recordRevealed(store, 'power-curve', { labHash: 'h1', hints: ['how'], solution: false })
    recordRevealed(store, 'power-curve', { labHash: 'h1', hints: ['curve'], solution: false })
    recordRevealed(store, 'pin-latency', { labHash: 'p', hints: [], solution: true })
    expect(readRevealed(store, 'power-curve', 'h1')).toEqual({
      labHash: 'h1',
      hints: ['curve', 'how'],
      solution: false,
    })
    expect(readRevealed(store, 'pin-latency', 'p').solution).toBe(true)
    // a changed lab (another content hash) starts afresh; recording for it replaces the old version's entry
    expect(readRevealed(store, 'power-curve', 'h2').hints).toEqual([])
    recordRevealed(store, 'power-curve', { labHash: 'h2', hints: ['x'], solution: false })
    expect(readRevealed(store, 'power-curve', 'h1').hints).toEqual([])
    expect(readRevealed(store, 'power-curve', 'h2').hints).toEqual(['x'])
  })

  it('reads a damaged entry as nothing revealed', () => {
    const store = new MapStore()
    store.setItem(REVEALED_KEY, JSON.stringify({ a: { labHash: 'h', hints: [1], solution: false } }))
    expect(readRevealed(store, 'a', 'h')).toEqual({ labHash: 'h', hints: [], solution: false })
    store.setItem(REVEALED_KEY, 'nope')
    expect(readRevealed(store, 'a', 'h').hints).toEqual([])
  })

  const rev = (labHash: string, hints: string[], solution = false): Revealed => ({ labHash, hints, solution })

  it('only adds for the same version of a lab: hints united (sorted, once each), the solution seen stays seen', () => {
    expect(mergeRevealed(rev('h', ['how', 'curve']), rev('h', ['curve', 'extra']))).toEqual(
      rev('h', ['curve', 'extra', 'how']),
    )
    expect(mergeRevealed(rev('h', [], true), rev('h', ['how']))).toEqual(rev('h', ['how'], true))
    expect(mergeRevealed(rev('h', ['how']), rev('h', [], true))).toEqual(rev('h', ['how'], true))
    // nothing before, or another version's record before: only what is added (deduplicated, sorted)
    expect(mergeRevealed(undefined, rev('h', ['b', 'a', 'b']))).toEqual(rev('h', ['a', 'b']))
    expect(mergeRevealed(rev('old', ['a'], true), rev('h', ['b']))).toEqual(rev('h', ['b']))
    // merging is idempotent and order-free for the same version
    const a = rev('h', ['x'], false)
    const b = rev('h', ['y'], true)
    expect(mergeRevealed(mergeRevealed(a, b), b)).toEqual(mergeRevealed(a, b))
    expect(mergeRevealed(a, b)).toEqual(mergeRevealed(b, a))
  })

  it('writes only what reveals more than the record', () => {
    expect(revealsMore(undefined, rev('h', []))).toBe(false)
    expect(revealsMore(undefined, rev('h', ['a']))).toBe(true)
    expect(revealsMore(undefined, rev('h', [], true))).toBe(true)
    expect(revealsMore(rev('h', ['a', 'b']), rev('h', ['b']))).toBe(false)
    expect(revealsMore(rev('h', ['a']), rev('h', ['a', 'b']))).toBe(true)
    expect(revealsMore(rev('h', ['a'], true), rev('h', ['a'], false))).toBe(false)
    expect(revealsMore(rev('h', ['a'], false), rev('h', ['a'], true))).toBe(true)
    // another version's record counts for nothing
    expect(revealsMore(rev('old', ['a'], true), rev('h', ['a']))).toBe(true)
    expect(revealsMore(rev('old', ['a'], true), rev('h', []))).toBe(false)
    // so recording the same again leaves localStorage's entry as it was (written once)
    const store = new MapStore()
    const set = vi.spyOn(store, 'setItem')
    recordRevealed(store, 'a', rev('h', ['x']))
    recordRevealed(store, 'a', rev('h', ['x']))
    recordRevealed(store, 'a', rev('h', []))
    expect(set).toHaveBeenCalledTimes(1)
  })

  it('reads a stored record as revealed only when it is one, of the version asked for', () => {
    expect(revealedRecord(rev('h', ['a'], true), 'h')).toEqual(rev('h', ['a'], true))
    expect(revealedRecord(rev('h', ['a']), 'other')).toBeUndefined()
    expect(revealedRecord(undefined, 'h')).toBeUndefined()
    expect(revealedRecord({ labHash: 'h', hints: ['a', 2], solution: false }, 'h')).toBeUndefined()
    expect(revealedRecord({ labHash: 'h', hints: 'a', solution: false }, 'h')).toBeUndefined()
    expect(revealedRecord({ labHash: 'h', hints: [], solution: 'yes' }, 'h')).toBeUndefined()
  })

  it('parses an older localStorage entry: a damaged entry is nothing, a lab’s damaged record is left out', () => {
    expect(parseRevealed(null)).toEqual({})
    expect(parseRevealed('')).toEqual({})
    expect(parseRevealed('{not json')).toEqual({})
    expect(parseRevealed('[{"labHash":"h","hints":[],"solution":true}]')).toEqual({})
    expect(parseRevealed('null')).toEqual({})
    expect(parseRevealed('"text"')).toEqual({})
    const good = rev('h', ['how'], false)
    expect(
      parseRevealed(JSON.stringify({ a: good, b: { labHash: 'h', hints: [1], solution: false }, c: null, d: 'x' })),
    ).toEqual({ a: good })
  })

  it('keeps what was revealed in localStorage where IndexedDB does not open, and in page memory without it', async () => {
    // Node has no IndexedDB: the fallbacks (Chromium's IndexedDB is tested in tests/e2e/labs-ui.test.ts)
    const local = new MapStore()
    recordRevealed(local, 'a', rev('h', ['how']))
    const store = await openProgressStore(undefined, local)
    expect(store.kind).toBe('localStorage')
    expect(await store.revealed('a', 'h')).toEqual(rev('h', ['how']))
    expect(await store.revealed('a', 'other')).toEqual(rev('other', []))
    await store.recordRevealed('a', rev('h', ['curve'], true))
    expect(readRevealed(local, 'a', 'h')).toEqual(rev('h', ['curve', 'how'], true))
    // another store on the same localStorage (the next use of the app) reads it back
    expect(await (await openProgressStore(undefined, local)).revealed('a', 'h')).toEqual(
      rev('h', ['curve', 'how'], true),
    )

    // no storage at all: what was revealed lasts as long as the page (the store), for the version revealed
    const none = await openProgressStore(undefined, undefined)
    expect(none.kind).toBe('none')
    expect(await none.revealed('a', 'h')).toEqual(rev('h', []))
    await none.recordRevealed('a', rev('h', ['how']))
    await none.recordRevealed('a', rev('h', [], true))
    expect(await none.revealed('a', 'h')).toEqual(rev('h', ['how'], true))
    expect(await none.revealed('a', 'h2')).toEqual(rev('h2', []))
    expect(await (await openProgressStore(undefined, undefined)).revealed('a', 'h')).toEqual(rev('h', []))

    // a localStorage that refuses writes (full): the page still remembers, so a retry in this page still pays
    const full = new MapStore()
    recordRevealed(full, 'a', rev('h', ['old']))
    full.setItem = () => {
      throw new Error('QuotaExceededError')
    }
    const refused = await openProgressStore(undefined, full)
    await refused.recordRevealed('a', rev('h', ['new']))
    expect(readRevealed(full, 'a', 'h')).toEqual(rev('h', ['old']))
    expect(await refused.revealed('a', 'h')).toEqual(rev('h', ['new', 'old']))
  })
})

describe('values in an objective’s unit', () => {
  it('are written as `conlab lab grade` writes them', () => {
    expect(formatInUnit(0.131974, 'kWh')).toBe('0.132 kWh')
    expect(formatInUnit(0.0042712, 'fraction')).toBe('0.427 %')
    expect(formatInUnit(231.4, 'ms')).toBe('231 ms')
    expect(formatInUnit(12.345, 's')).toBe('12.3 s')
    expect(formatInUnit(1.5, 'GiB')).toBe('1.50 GiB')
    expect(formatInUnit(3, 'count')).toBe('3')
    expect(formatInUnit(12.345, 'count')).toBe('12.35')
    expect(formatInUnit(null, 'kWh')).toBe('—')
    // the CLI's words for a metric go through its unit
    expect(formatValue('energyKWh', 0.131974)).toBe('0.132 kWh')
  })

  it('put the comparator before the target', () => {
    expect(formatTarget('below', 0.16, 'kWh')).toBe('< 0.160 kWh')
    expect(formatTarget('atMost', 100, 'ms')).toBe('≤ 100 ms')
    expect(formatTarget('equals', 0, 'count')).toBe('= 0')
    expect(formatTarget('below', 0.01, 'fraction')).toBe('< 1.00 %')
  })
})

describe('a lab pack from the files a folder input gives', () => {
  it('names the pack after the folder, keeps paths inside it, leaves out other files, and loads', async () => {
    const lab = readFileSync(join(ROOT, 'scenarios', 'labs', 'power-curve.yaml'), 'utf8')
    const pack = packFromFiles([
      { name: 'my-power.yaml', relativePath: 'Course 2026/my-power.yaml', text: lab },
      { name: 'README.md', relativePath: 'Course 2026/README.md', text: '# notes' },
      { name: 'extra.yml', relativePath: 'Course 2026/scenarios/extra.yml', text: 'name: x' },
    ])
    expect(pack).toEqual({
      name: 'Course 2026',
      files: [
        { path: 'my-power.yaml', text: lab },
        { path: 'scenarios/extra.yml', text: 'name: x' },
      ],
    })
    // the engine takes it: the lab listed beside the built-in ones, from the pack
    const session = new LabSession(nodeScenarioCatalog(join(ROOT, 'scenarios')))
    const labs = await session.loadLabPack({ name: pack.name, files: pack.files.slice(0, 1) })
    expect(labs.find((l) => l.id === 'my-power')).toMatchObject({ source: 'Course 2026', level: 'beginner' })
  })

  it('names files chosen one by one after the first, in the characters a pack name may have', () => {
    expect(packFromFiles([{ name: 'lab one.yaml', relativePath: '', text: 't' }])).toEqual({
      name: 'lab one',
      files: [{ path: 'lab one.yaml', text: 't' }],
    })
    expect(packFromFiles([{ name: 'a.yaml', relativePath: '__Kurs/ü/a.yaml', text: '' }]).name).toBe('Kurs')
  })
})

describe('a debrief event in the page’s log', () => {
  const log: LabEvent[] = [
    { time: 0, kind: 'info', message: 'start' },
    { time: 300, kind: 'host-off', message: 'host 1 idle: switched off', host: 1 },
    { time: 600, kind: 'info', message: 'rewound to "a" (0d 00:10)' },
    { time: 900, kind: 'host-on', message: 'host 1 on', host: 1 },
  ]
  it('is at its own index when the page played the run from t = 0, as the replay did', () => {
    expect(eventInLog(log, { ...log[1]!, index: 1 })).toBe(1)
  })
  it('is found by time, kind and message when a rewind added a notice before it; else −1', () => {
    expect(eventInLog(log, { ...log[3]!, index: 2 })).toBe(3)
    expect(eventInLog(log, { time: 5, kind: 'info', message: 'never', index: 0 })).toBe(-1)
  })
  it('is the row the log shows it in (newest first), or −1 when filtered out', () => {
    const f = new FilteredEvents().update(log, log.length, new Set(['info']), undefined)
    expect([0, 1].map((r) => f.at(r))).toEqual([3, 1])
    expect(f.rowOf(3)).toBe(0)
    expect(f.rowOf(1)).toBe(1)
    expect(f.rowOf(0)).toBe(-1)
    expect(f.rowOf(2)).toBe(-1)
  })
})

describe('the briefing’s Markdown', () => {
  it('has paragraphs and lists, with bold, code and emphasis inside', () => {
    expect(parseBlocks('Two servers\neach run one VM.\n\n**Your task:** run it.\n\n- one\n- two\n  more\n')).toEqual([
      { kind: 'p', text: 'Two servers each run one VM.' },
      { kind: 'p', text: '**Your task:** run it.' },
      { kind: 'ul', items: ['one', 'two more'] },
    ])
    expect(parseInline('**Your task:** set `pin: { vm: 0 }` *now*, 2 * 3')).toEqual([
      { kind: 'strong', text: 'Your task:' },
      { kind: 'text', text: ' set ' },
      { kind: 'code', text: 'pin: { vm: 0 }' },
      { kind: 'text', text: ' ' },
      { kind: 'em', text: 'now' },
      { kind: 'text', text: ', 2 * 3' },
    ])
  })
})
