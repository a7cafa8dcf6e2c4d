// The labs a trainee can pick: the built-in ones (scenarios/labs/*.yaml beside the built-in scenarios) and
// lab packs loaded beside them (an instructor's folder of lab files). Each lab is read once and kept.
import type { FileSource } from '../platform/files'
import { byteOrder } from '../platform/files'
import { LabInputError } from '../scenario/diagnostics'
import { LIMITS } from '../scenario/limits'
import { parseLab, type GuidedLab } from './lab-file'

export const BUILT_IN = 'built-in'

/** A lab as the list shows it. */
export interface LabSummary {
  id: string
  title: string
  topics: string[]
  level: 'beginner' | 'intermediate' | 'advanced'
  /** built-in, or the name of the lab pack it came from */
  source: string
  /** Σ points of the objectives */
  maxScore: number
  durationSeconds: number
}

interface Shelf {
  source: string
  files: FileSource
  dir: string
  ids: string[]
}

export function labSummary(lab: GuidedLab, source: string): LabSummary {
  const s = lab.spec
  return {
    id: lab.id,
    title: s.title,
    topics: [...s.topics],
    level: s.level,
    source,
    maxScore: s.objectives.reduce((sum, o) => sum + o.points, 0),
    durationSeconds: lab.durationSeconds,
  }
}

/** Lab files (`<id>.yaml`) in a folder, by id in byte order; none when the folder is not there. */
function labIds(files: FileSource, dir: string): string[] {
  let names: string[]
  try {
    names = files.listDir(dir)
  } catch {
    return []
  }
  return names
    .filter((n) => n.endsWith('.yaml'))
    .map((n) => n.slice(0, -'.yaml'.length))
    .sort(byteOrder)
}

export class LabLibrary {
  private readonly shelves: Shelf[] = []
  private readonly read = new Map<string, GuidedLab>()

  /** The built-in labs: the `.yaml` files of `dir` (none if it does not exist). */
  constructor(files: FileSource, dir: string) {
    this.shelves.push({ source: BUILT_IN, files, dir, ids: labIds(files, dir) })
  }

  /**
   * Adds a lab pack: every lab file of `dir` is read and checked now (a pack with a bad lab is refused whole,
   * with every problem); an id already taken by another source is refused. A pack of the same name replaces
   * the one loaded before.
   */
  addPack(source: string, files: FileSource, dir: string): LabSummary[] {
    if (source === BUILT_IN)
      throw new LabInputError([{ file: dir, message: `a lab pack cannot be called "${BUILT_IN}"` }])
    const ids = labIds(files, dir)
    if (ids.length === 0)
      throw new LabInputError([{ file: dir, message: 'expected lab files (<id>.yaml) in the lab pack, found none' }])
    const others = this.shelves.filter((s) => s.source !== source)
    const problems: LabInputError['diagnostics'] = []
    const labs: GuidedLab[] = []
    for (const id of ids) {
      const file = files.join(dir, `${id}.yaml`)
      const taken = others.find((s) => s.ids.includes(id))
      if (taken) {
        problems.push({ file, message: `expected a lab id of its own, found "${id}", the id of a ${taken.source} lab` })
        continue
      }
      try {
        labs.push(readLab(files, id, file))
      } catch (e) {
        if (!(e instanceof LabInputError)) throw e
        problems.push(...e.diagnostics)
      }
    }
    if (problems.length) throw new LabInputError(problems)
    const old = this.shelves.findIndex((s) => s.source === source)
    if (old >= 0) {
      for (const id of this.shelves[old]!.ids) this.read.delete(id)
      this.shelves.splice(old, 1)
    }
    this.shelves.push({ source, files, dir, ids })
    for (const lab of labs) this.read.set(lab.id, lab)
    return labs.map((l) => labSummary(l, source))
  }

  /** Every lab: the built-in ones, then each pack's, each by id. */
  list(): LabSummary[] {
    return this.shelves.flatMap((s) => s.ids.map((id) => labSummary(this.get(id), s.source)))
  }

  has(id: string): boolean {
    return this.shelves.some((s) => s.ids.includes(id))
  }

  /** The lab of this id (read and checked the first time); LabInputError if there is none. */
  get(id: string): GuidedLab {
    const known = this.read.get(id)
    if (known) return known
    const shelf = this.shelves.find((s) => s.ids.includes(id))
    if (!shelf)
      throw new LabInputError([
        { file: id, message: `expected one of the labs (${this.shelves.flatMap((s) => s.ids).join(', ') || 'none'})` },
      ])
    const lab = readLab(shelf.files, id, shelf.files.join(shelf.dir, `${id}.yaml`))
    this.read.set(id, lab)
    return lab
  }

  /** The files a lab's scenario and traces are read from. */
  filesOf(id: string): FileSource {
    const shelf = this.shelves.find((s) => s.ids.includes(id))
    if (!shelf) throw new LabInputError([{ file: id, message: 'expected a lab id' }])
    return shelf.files
  }

  sourceOf(id: string): string {
    return this.shelves.find((s) => s.ids.includes(id))?.source ?? BUILT_IN
  }
}

/** Reads and checks one lab file. */
export function readLab(files: FileSource, id: string, file: string): GuidedLab {
  return parseLab(id, file, files.readText(file, { maxBytes: LIMITS.scenarioBytes, what: 'lab file' }), files)
}

/** A FileSource over files held in memory (a lab pack the app was given), paths relative to `root`. */
export function memoryFiles(root: string, entries: readonly { path: string; text: string }[]): FileSource {
  const norm = (p: string) => {
    const out: string[] = []
    for (const part of p.replace(/\\/g, '/').split('/')) {
      if (part === '' || part === '.') continue
      if (part === '..') out.pop()
      else out.push(part)
    }
    return out.join('/')
  }
  const texts = new Map(entries.map((e) => [norm(`${root}/${e.path}`), e.text]))
  const dirOf = (p: string) => (p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '')
  return {
    readText(path, options) {
      const text = texts.get(norm(path))
      if (text === undefined)
        throw new LabInputError([
          { file: path, message: `expected a file of the lab pack "${root}", found none there` },
        ])
      const max = options?.maxBytes
      if (max !== undefined && text.length > max)
        throw new LabInputError([
          { file: path, message: `expected a ${options?.what ?? 'file'} of at most ${max} bytes` },
        ])
      return text
    },
    listDir(path) {
      const dir = norm(path)
      const names = new Set<string>()
      for (const p of texts.keys()) {
        if (dirOf(p) === dir) names.add(p.slice(dir.length ? dir.length + 1 : 0))
        else if (p.startsWith(`${dir}/`)) names.add(p.slice(dir.length + 1).split('/')[0]!)
      }
      if (names.size === 0) throw new Error(`ENOENT: no folder "${path}" in the lab pack`)
      return [...names]
    },
    resolve: (fromFile, relative) => norm(`${dirOf(norm(fromFile))}/${relative}`),
    join: (dir, name) => norm(`${dir}/${name}`),
  }
}
