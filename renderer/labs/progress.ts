// The trainee's progress kept from one use of the app to the next — the best grade per lab, and what was revealed
// of a lab (its hints, its solution) — and the rules over it as pure functions, tested without a browser: what
// counts as a better grade, what revealing adds, what a damaged entry becomes, what an older localStorage entry
// adds to IndexedDB's records. Where both are kept is progress-store.ts's (IndexedDB; this file's key-value
// functions are its fallback where IndexedDB does not open).

/** The best grade a lab has had. */
export interface BestGrade {
  score: number
  maxScore: number
  passed: boolean
  /** the lab's content hash when it was graded (a changed lab keeps its best, marked as for other content) */
  labHash: string
  /** when it was graded (ISO 8601) */
  at: string
}

export type Progress = Readonly<Record<string, BestGrade>>

export const PROGRESS_KEY = 'conlab.labs.progress.v1'

/** What localStorage offers (and a test's Map). */
export interface KeyValueStore {
  getItem(key: string): string | null
  setItem(key: string, value: string): void
  removeItem(key: string): void
}

/** Is this a best grade (a record read back from storage may be anything: an older format, a hand edit). */
export function isBest(v: unknown): v is BestGrade {
  if (typeof v !== 'object' || v === null) return false
  const b = v as Record<string, unknown>
  return (
    typeof b.score === 'number' &&
    Number.isFinite(b.score) &&
    typeof b.maxScore === 'number' &&
    Number.isFinite(b.maxScore) &&
    typeof b.passed === 'boolean' &&
    typeof b.labHash === 'string' &&
    typeof b.at === 'string'
  )
}

/** The progress stored; entries that are not grades (an older format, a hand edit) are left out. */
export function readProgress(store: KeyValueStore | undefined): Progress {
  let text: string | null = null
  try {
    text = store?.getItem(PROGRESS_KEY) ?? null
  } catch {
    return {}
  }
  return parseProgress(text)
}

/** The progress in localStorage's entry (`PROGRESS_KEY`): an object of best grades by lab; anything else is none. */
export function parseProgress(text: string | null): Progress {
  return progressFromRecords(entriesOfObject(text))
}

/** The entries of a stored entry holding a JSON object; none when it is missing, damaged or not an object. */
function entriesOfObject(text: string | null): [string, unknown][] {
  if (!text) return []
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return []
  }
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? Object.entries(parsed) : []
}

/** The progress in records of (lab, best grade) as a store gives them back; records that are not grades are left out. */
export function progressFromRecords(records: Iterable<readonly [unknown, unknown]>): Progress {
  const out: Record<string, BestGrade> = {}
  for (const [lab, best] of records) if (typeof lab === 'string' && isBest(best)) out[lab] = best
  return out
}

/**
 * The grades of `other` that beat `base`'s for their lab (what an older localStorage entry adds to the records
 * in IndexedDB, or grades made before the store was read add to what it held): never a worse one, so applying
 * them twice changes nothing.
 */
export function improvements(base: Progress, other: Progress): Record<string, BestGrade> {
  const out: Record<string, BestGrade> = {}
  for (const [lab, best] of Object.entries(other)) if (isBetter(best, base[lab])) out[lab] = best
  return out
}

/** The lab's new best grade when `grade` beats the one in `progress`, else undefined. */
export function nextBest(
  progress: Progress,
  lab: string,
  grade: { score: number; maxScore: number; passed: boolean },
  labHash: string,
  at: Date,
): BestGrade | undefined {
  if (!isBetter(grade, progress[lab])) return undefined
  return { score: grade.score, maxScore: grade.maxScore, passed: grade.passed, labHash, at: at.toISOString() }
}

/** Is `next` better than `best`: a higher score, or the same score now passed. */
export function isBetter(next: Omit<BestGrade, 'at' | 'labHash'>, best: BestGrade | undefined): boolean {
  if (!best) return true
  if (next.score !== best.score) return next.score > best.score
  return next.passed && !best.passed
}

/**
 * Keeps a best grade in localStorage (the fallback where IndexedDB does not open) when it beats the one stored
 * (read again: another window may have written). Returns the progress after it (also when the store refuses the
 * write: a full or disabled storage loses only what is not yet saved).
 */
export function keepBest(store: KeyValueStore | undefined, lab: string, best: BestGrade): Progress {
  const progress = readProgress(store)
  if (!isBetter(best, progress[lab])) return progress
  const next: Progress = { ...progress, [lab]: best }
  try {
    store?.setItem(PROGRESS_KEY, JSON.stringify(next))
  } catch {
    // storage full or disabled: the grade still shows for this use of the app
  }
  return next
}

/** The page's localStorage, or none where it is not available (a sandboxed frame, storage disabled). */
export function pageStorage(): KeyValueStore | undefined {
  try {
    return typeof localStorage === 'undefined' ? undefined : localStorage
  } catch {
    return undefined
  }
}

/** What the trainee has been shown of a lab (its hints, its solution): it costs points in every later run too. */
export interface Revealed {
  labHash: string
  hints: string[]
  solution: boolean
}

export const REVEALED_KEY = 'conlab.labs.revealed.v1'

/** Is this what was revealed of a lab (a record read back from storage may be anything: an older format, a hand edit). */
export function isRevealed(v: unknown): v is Revealed {
  if (typeof v !== 'object' || v === null) return false
  const r = v as Record<string, unknown>
  return (
    typeof r.labHash === 'string' &&
    Array.isArray(r.hints) &&
    r.hints.every((h) => typeof h === 'string') &&
    typeof r.solution === 'boolean'
  )
}

/** Nothing revealed yet of this version of a lab. */
export const nothingRevealed = (labHash: string): Revealed => ({ labHash, hints: [], solution: false })

/**
 * What was revealed of a version of a lab after `next` is added to `before`: revealing only adds, so for the same
 * version the hints are the union (sorted, each once) and the solution stays seen once seen. `before` of another
 * version (a changed lab starts afresh) or none adds nothing.
 */
export function mergeRevealed(before: Revealed | undefined, next: Revealed): Revealed {
  const same = before?.labHash === next.labHash
  return {
    labHash: next.labHash,
    hints: [...new Set(same ? [...before.hints, ...next.hints] : next.hints)].sort(),
    solution: (same && before.solution) || next.solution,
  }
}

/** Does `next` reveal something of its version of the lab that `before` does not have (so it is worth a write)? */
export function revealsMore(before: Revealed | undefined, next: Revealed): boolean {
  if (before?.labHash !== next.labHash) return next.hints.length > 0 || next.solution
  return (next.solution && !before.solution) || next.hints.some((h) => !before.hints.includes(h))
}

/** A stored record of what was revealed of version `labHash` of a lab, or undefined where it is none (damaged, or another version's). */
export function revealedRecord(value: unknown, labHash: string): Revealed | undefined {
  return isRevealed(value) && value.labHash === labHash ? value : undefined
}

/**
 * What localStorage's entry (`REVEALED_KEY`) holds: what was revealed by lab (one version each). A damaged entry
 * is nothing; a lab's damaged record is left out.
 */
export function parseRevealed(text: string | null): Record<string, Revealed> {
  const out: Record<string, Revealed> = {}
  for (const [lab, r] of entriesOfObject(text)) if (isRevealed(r)) out[lab] = r
  return out
}

function readRevealedAll(store: KeyValueStore | undefined): Record<string, Revealed> {
  try {
    return parseRevealed(store?.getItem(REVEALED_KEY) ?? null)
  } catch {
    return {}
  }
}

/** What was revealed of this version of a lab, as kept in localStorage (the fallback where IndexedDB does not open). */
export function readRevealed(store: KeyValueStore | undefined, lab: string, labHash: string): Revealed {
  return revealedRecord(readRevealedAll(store)[lab], labHash) ?? nothingRevealed(labHash)
}

/**
 * Adds what the lab session says was revealed (its hints used, whether the solution was seen) to localStorage's
 * entry (the fallback): one version per lab there, so a changed lab's record replaces the older version's.
 */
export function recordRevealed(store: KeyValueStore | undefined, lab: string, revealed: Revealed): void {
  const all = readRevealedAll(store)
  if (!revealsMore(all[lab], revealed)) return
  try {
    store?.setItem(REVEALED_KEY, JSON.stringify({ ...all, [lab]: mergeRevealed(all[lab], revealed) }))
  } catch {
    // storage full or disabled: the store's page memory still has it while the page is open
  }
}
