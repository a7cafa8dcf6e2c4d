// The trainee's progress kept from one use of the app to the next: the best grade per lab, in the page's
// localStorage (the web build: the browser's storage for the site; the desktop app: the same API, which
// Electron keeps in its user-data folder, under "Local Storage"). Pure functions over a key-value store, so
// the rules — what counts as better, what a damaged entry becomes — are tested without a browser.

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
}

function isBest(v: unknown): v is BestGrade {
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
  if (!text) return {}
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return {}
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {}
  const out: Record<string, BestGrade> = {}
  for (const [lab, best] of Object.entries(parsed)) if (isBest(best)) out[lab] = best
  return out
}

/** Is `next` better than `best`: a higher score, or the same score now passed. */
export function isBetter(next: Omit<BestGrade, 'at' | 'labHash'>, best: BestGrade | undefined): boolean {
  if (!best) return true
  if (next.score !== best.score) return next.score > best.score
  return next.passed && !best.passed
}

/**
 * Records a grade: kept when it beats the lab's best so far. Returns the progress after it (also when the
 * store refuses the write: a full or disabled storage loses only what is not yet saved).
 */
export function recordGrade(
  store: KeyValueStore | undefined,
  lab: string,
  grade: { score: number; maxScore: number; passed: boolean },
  labHash: string,
  at: Date,
): Progress {
  const progress = readProgress(store)
  if (!isBetter(grade, progress[lab])) return progress
  const next: Progress = {
    ...progress,
    [lab]: { score: grade.score, maxScore: grade.maxScore, passed: grade.passed, labHash, at: at.toISOString() },
  }
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

function isRevealed(v: unknown): v is Revealed {
  if (typeof v !== 'object' || v === null) return false
  const r = v as Record<string, unknown>
  return (
    typeof r.labHash === 'string' &&
    Array.isArray(r.hints) &&
    r.hints.every((h) => typeof h === 'string') &&
    typeof r.solution === 'boolean'
  )
}

function readRevealedAll(store: KeyValueStore | undefined): Record<string, Revealed> {
  let parsed: unknown
  try {
    parsed = JSON.parse(store?.getItem(REVEALED_KEY) ?? '{}')
  } catch {
    return {}
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {}
  const out: Record<string, Revealed> = {}
  for (const [lab, r] of Object.entries(parsed)) if (isRevealed(r)) out[lab] = r
  return out
}

/** What was revealed of this version of a lab in earlier uses (a changed lab starts afresh). */
export function readRevealed(store: KeyValueStore | undefined, lab: string, labHash: string): Revealed {
  const r = readRevealedAll(store)[lab]
  return r && r.labHash === labHash ? r : { labHash, hints: [], solution: false }
}

/** Records what the lab session says was revealed (its hints used and whether the solution was seen). */
export function recordRevealed(store: KeyValueStore | undefined, lab: string, revealed: Revealed): void {
  const before = readRevealed(store, lab, revealed.labHash)
  const next: Revealed = {
    labHash: revealed.labHash,
    hints: [...new Set([...before.hints, ...revealed.hints])].sort(),
    solution: before.solution || revealed.solution,
  }
  try {
    store?.setItem(REVEALED_KEY, JSON.stringify({ ...readRevealedAll(store), [lab]: next }))
  } catch {
    // storage full or disabled: the lab session still remembers them while it runs
  }
}
