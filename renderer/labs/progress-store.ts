// Where the trainee's progress is kept from one use of the app to the next (the best grade per lab, and what was
// revealed of a lab: its hints, its solution): IndexedDB, in the web build (the browser's storage for the site)
// and in the desktop app alike — Electron keeps a page's IndexedDB in its user-data folder (under "IndexedDB"), so
// both builds run this one code path. The best grades are read once when the app starts and written on each new
// best; what was revealed is read when a lab opens and written when the trainee reveals more. The rules (what
// counts as better, what revealing adds, what a damaged record becomes) are progress.ts's.
//
// One database, two object stores. `best-grades`: one record per lab (key: the lab's id, value: its BestGrade).
// `revealed`: one record per version of a lab (key: [lab id, lab content hash], value: its Revealed) — revealing
// only adds, and a changed lab starts afresh without losing what was revealed of the other version. A write
// touches its own record only, checked against it in the same transaction, so two windows cannot overwrite each
// other's grades or reveals, as they could with one record for all labs rewritten whole.
//
// Both were kept in localStorage before (`PROGRESS_KEY`, `REVEALED_KEY`): at start each entry there is moved in
// once — what it adds to the records written (a better grade; hints or a solution not yet recorded), both in one
// transaction, then the entries removed once it committed; a damaged entry (or a lab's damaged record) is dropped.
// Where IndexedDB is missing or does not open (storage disabled, some private windows), both stay in localStorage
// as before; where that is missing too, they last as long as the page (the Labs view says which). What was
// revealed is also kept in page memory whatever the storage, so a write refused (a full storage) still costs the
// hint when the lab is opened again in this page.
import {
  PROGRESS_KEY,
  improvements,
  isBest,
  isBetter,
  keepBest,
  pageStorage,
  parseProgress,
  progressFromRecords,
  readProgress,
  type BestGrade,
  type KeyValueStore,
  type Progress,
  type Revealed,
  REVEALED_KEY,
  mergeRevealed,
  parseRevealed,
  readRevealed,
  recordRevealed,
  revealedRecord,
  revealsMore,
} from './progress'

export type ProgressStoreKind = 'indexeddb' | 'localStorage' | 'none'

export interface ProgressStore {
  readonly kind: ProgressStoreKind
  /** the best grades as they were read when the store opened (damaged records left out) */
  readonly progress: Progress
  /** Keeps the lab's best grade where it beats the one stored; a write that fails is reported, not thrown. */
  save(lab: string, best: BestGrade): Promise<void>
  /** What was revealed of this version of the lab so far (in earlier uses and in this page); never throws. */
  revealed(lab: string, labHash: string): Promise<Revealed>
  /** Adds what the lab session says was revealed; a write that fails is reported, not thrown (page memory keeps it). */
  recordRevealed(lab: string, revealed: Revealed): Promise<void>
}

export const DB_NAME = 'conlab'
/** 1: best grades; 2: what was revealed of a lab, too */
export const DB_VERSION = 2
/** the object store of best grades: one record per lab, the lab's id as its (out-of-line) key */
export const BEST_GRADES = 'best-grades'
/** the object store of what was revealed: one record per version of a lab, [lab id, content hash] as its key */
export const REVEALED = 'revealed'

const revealedKey = (lab: string, labHash: string): IDBValidKey => [lab, labHash]

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result)
    r.onerror = () => reject(r.error ?? new Error('IndexedDB request failed'))
  })
}

function committed(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve()
    tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'))
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'))
  })
}

function openDatabase(factory: IDBFactory): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const r = factory.open(DB_NAME, DB_VERSION)
    r.onupgradeneeded = () => {
      // from no database or from version 1 (best grades only): the stores missing are made
      for (const name of [BEST_GRADES, REVEALED])
        if (!r.result.objectStoreNames.contains(name)) r.result.createObjectStore(name)
    }
    r.onsuccess = () => {
      const db = r.result
      // a later version opened in another window: let it upgrade (this window's writes then fail, reported)
      db.onversionchange = () => db.close()
      resolve(db)
    }
    r.onerror = () => reject(r.error ?? new Error('IndexedDB did not open'))
  })
}

/** The page's IndexedDB, or none where it is missing or refused (a sandboxed frame). */
function pageIndexedDb(): IDBFactory | undefined {
  try {
    return typeof indexedDB === 'undefined' ? undefined : indexedDB
  } catch {
    return undefined
  }
}

/** An entry an earlier version left in localStorage (none where it cannot be read). */
function legacyEntry(local: KeyValueStore | undefined, key: string): string | null {
  try {
    return local?.getItem(key) ?? null
  } catch {
    return null
  }
}

/** Removes an entry once it is moved in; left in place, moving it in again later writes nothing. */
function removeLegacyEntry(local: KeyValueStore | undefined, key: string): void {
  try {
    local?.removeItem(key)
  } catch {
    // left in place: what it holds is in the records already
  }
}

/**
 * Reads the best grades, moving the older localStorage entries (grades and what was revealed) in first, in one
 * transaction: both moved or neither (a failure leaves both entries for localStorage's fallback). Once: each entry
 * is removed after the transaction committed; a damaged entry adds nothing and is removed too.
 */
async function readAndMigrate(db: IDBDatabase, local: KeyValueStore | undefined): Promise<Progress> {
  const legacyGrades = legacyEntry(local, PROGRESS_KEY)
  const legacyRevealed = legacyEntry(local, REVEALED_KEY)
  const migrating = legacyGrades !== null || legacyRevealed !== null
  const tx = db.transaction([BEST_GRADES, REVEALED], migrating ? 'readwrite' : 'readonly')
  const done = committed(tx)
  const grades = tx.objectStore(BEST_GRADES)
  // both asked at once, answered in order: the keys and the values of the same records
  const [keys, values] = await Promise.all([request(grades.getAllKeys()), request(grades.getAll())])
  const stored = progressFromRecords(keys.map((k, i) => [k, values[i]] as const))
  const moved = improvements(stored, parseProgress(legacyGrades))
  for (const [lab, best] of Object.entries(moved)) grades.put(best, lab)
  await moveRevealedIn(tx.objectStore(REVEALED), parseRevealed(legacyRevealed))
  await done
  if (legacyGrades !== null) removeLegacyEntry(local, PROGRESS_KEY)
  if (legacyRevealed !== null) removeLegacyEntry(local, REVEALED_KEY)
  return { ...stored, ...moved }
}

/** Adds what an older entry says was revealed to the records, each lab's where it adds to its version's record. */
async function moveRevealedIn(records: IDBObjectStore, legacy: Record<string, Revealed>): Promise<void> {
  const entries = Object.entries(legacy)
  const stored = await Promise.all(entries.map(([lab, r]) => request(records.get(revealedKey(lab, r.labHash)))))
  entries.forEach(([lab, r], i) => {
    const before = revealedRecord(stored[i], r.labHash)
    if (revealsMore(before, r)) records.put(mergeRevealed(before, r), revealedKey(lab, r.labHash))
  })
}

async function readRevealedRecord(db: IDBDatabase, lab: string, labHash: string): Promise<Revealed | undefined> {
  const records = db.transaction(REVEALED, 'readonly').objectStore(REVEALED)
  return revealedRecord(await request(records.get(revealedKey(lab, labHash))), labHash)
}

async function addRevealed(db: IDBDatabase, lab: string, revealed: Revealed): Promise<void> {
  const tx = db.transaction(REVEALED, 'readwrite')
  const done = committed(tx)
  const records = tx.objectStore(REVEALED)
  const key = revealedKey(lab, revealed.labHash)
  const before = revealedRecord(await request(records.get(key)), revealed.labHash)
  if (revealsMore(before, revealed)) records.put(mergeRevealed(before, revealed), key)
  await done
}

/** A KeyValueStore that lasts as long as the page: what was revealed where no storage keeps it (or refused it). */
function pageMemory(): KeyValueStore {
  const entries = new Map<string, string>()
  return {
    getItem: (key) => entries.get(key) ?? null,
    setItem: (key, value) => void entries.set(key, value),
    removeItem: (key) => void entries.delete(key),
  }
}

async function saveBest(db: IDBDatabase, lab: string, best: BestGrade): Promise<void> {
  const tx = db.transaction(BEST_GRADES, 'readwrite')
  const done = committed(tx)
  const records = tx.objectStore(BEST_GRADES)
  const current: unknown = await request(records.get(lab))
  if (!isBest(current) || isBetter(best, current)) records.put(best, lab)
  await done
}

/**
 * Opens where the best grades and what was revealed are kept: IndexedDB with the localStorage entries moved in,
 * or localStorage where IndexedDB is missing or fails to open (said on the console), or page memory where both
 * are missing.
 */
export async function openProgressStore(
  factory: IDBFactory | undefined = pageIndexedDb(),
  local: KeyValueStore | undefined = pageStorage(),
): Promise<ProgressStore> {
  // what this page revealed, whatever the storage: read with it, so a refused write still counts in this page
  const memory = pageMemory()
  const remembered = (lab: string, labHash: string, stored: Revealed | undefined): Revealed =>
    mergeRevealed(stored, readRevealed(memory, lab, labHash))
  if (factory) {
    try {
      const db = await openDatabase(factory)
      const progress = await readAndMigrate(db, local)
      return {
        kind: 'indexeddb',
        progress,
        save: async (lab, best) => {
          try {
            await saveBest(db, lab, best)
          } catch (e) {
            console.warn(`The best grade of lab ${lab} was not saved in IndexedDB: ${String(e)}`)
          }
        },
        revealed: async (lab, labHash) => {
          let stored: Revealed | undefined
          try {
            stored = await readRevealedRecord(db, lab, labHash)
          } catch (e) {
            console.warn(`What was revealed of lab ${lab} was not read from IndexedDB: ${String(e)}`)
          }
          return remembered(lab, labHash, stored)
        },
        recordRevealed: async (lab, revealed) => {
          recordRevealed(memory, lab, revealed)
          try {
            await addRevealed(db, lab, revealed)
          } catch (e) {
            console.warn(`What was revealed of lab ${lab} was not saved in IndexedDB: ${String(e)}`)
          }
        },
      }
    } catch (e) {
      console.info(`Lab progress: IndexedDB did not open (${String(e)}); kept in localStorage instead`)
    }
  }
  return {
    kind: local ? 'localStorage' : 'none',
    progress: readProgress(local),
    save: (lab, best) => {
      keepBest(local, lab, best)
      return Promise.resolve()
    },
    revealed: (lab, labHash) => Promise.resolve(remembered(lab, labHash, readRevealed(local, lab, labHash))),
    recordRevealed: (lab, revealed) => {
      recordRevealed(memory, lab, revealed)
      recordRevealed(local, lab, revealed)
      return Promise.resolve()
    },
  }
}
