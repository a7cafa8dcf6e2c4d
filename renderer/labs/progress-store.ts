// Where the trainee's best grades are kept from one use of the app to the next: IndexedDB, in the web build (the
// browser's storage for the site) and in the desktop app alike — Electron keeps a page's IndexedDB in its
// user-data folder (under "IndexedDB"), so both builds run this one code path. Read once when the app starts,
// written on each new best. The rules (what counts as better, what a damaged record becomes) are progress.ts's.
//
// One object store, one record per lab (key: the lab's id, value: its BestGrade): a new best writes only its
// lab's record, checked against the record in the same transaction, so two windows grading different labs (or
// the same one) cannot overwrite each other's best, as they could with one record for all labs rewritten whole.
//
// The best grades were kept in localStorage before (`PROGRESS_KEY`): at start an entry there is moved in once —
// each of its grades written where it beats the record, then the entry removed once the transaction committed.
// Where IndexedDB is missing or does not open (storage disabled, some private windows), the grades stay in
// localStorage as before; where that is missing too, they last as long as the page (the Labs view says which).
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
} from './progress'

export type ProgressStoreKind = 'indexeddb' | 'localStorage' | 'none'

export interface ProgressStore {
  readonly kind: ProgressStoreKind
  /** the best grades as they were read when the store opened (damaged records left out) */
  readonly progress: Progress
  /** Keeps the lab's best grade where it beats the one stored; a write that fails is reported, not thrown. */
  save(lab: string, best: BestGrade): Promise<void>
}

export const DB_NAME = 'conlab'
export const DB_VERSION = 1
/** the object store of best grades: one record per lab, the lab's id as its (out-of-line) key */
export const BEST_GRADES = 'best-grades'

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
      if (!r.result.objectStoreNames.contains(BEST_GRADES)) r.result.createObjectStore(BEST_GRADES)
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

/** Reads the records, moving an older localStorage entry in first (once: the entry is removed after). */
async function readAndMigrate(db: IDBDatabase, local: KeyValueStore | undefined): Promise<Progress> {
  let legacyText: string | null = null
  try {
    legacyText = local?.getItem(PROGRESS_KEY) ?? null
  } catch {
    legacyText = null
  }
  const tx = db.transaction(BEST_GRADES, legacyText === null ? 'readonly' : 'readwrite')
  const done = committed(tx)
  const records = tx.objectStore(BEST_GRADES)
  // both asked at once, answered in order: the keys and the values of the same records
  const [keys, values] = await Promise.all([request(records.getAllKeys()), request(records.getAll())])
  const stored = progressFromRecords(keys.map((k, i) => [k, values[i]] as const))
  const moved = legacyText === null ? {} : improvements(stored, parseProgress(legacyText))
  for (const [lab, best] of Object.entries(moved)) records.put(best, lab)
  await done
  if (legacyText !== null) {
    try {
      local?.removeItem(PROGRESS_KEY)
    } catch {
      // left in place: moving it in again later writes nothing (its grades no longer beat the records)
    }
  }
  return { ...stored, ...moved }
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
 * Opens where the best grades are kept: IndexedDB with the localStorage entry moved in, or localStorage where
 * IndexedDB is missing or fails to open (said on the console), or nothing where both are missing.
 */
export async function openProgressStore(
  factory: IDBFactory | undefined = pageIndexedDb(),
  local: KeyValueStore | undefined = pageStorage(),
): Promise<ProgressStore> {
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
  }
}
