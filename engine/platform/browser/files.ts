// FileSource over the scenario pack: the browser's view of scenarios/ and its trace folders, with paths
// relative to the repository root ("scenarios/traces/planetlab/20110303/<trace>").
import type { FileSource } from '../files'
import type { ScenarioPack } from './scenario-pack'

/** The folder of the built-in scenarios inside the pack. */
export const SCENARIOS_DIR = 'scenarios'

/** Normalizes a "/"-separated relative path: drops "." and empty segments, folds "..". */
export function normalizePath(path: string): string {
  const out: string[] = []
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue
    if (part === '..' && out.length > 0 && out[out.length - 1] !== '..') out.pop()
    else out.push(part)
  }
  return out.join('/')
}

function dirnameOf(path: string): string {
  const i = path.lastIndexOf('/')
  return i < 0 ? '' : path.slice(0, i)
}

export function packFiles(pack: ScenarioPack): FileSource {
  // Children of every folder, in pack order (the order Node listed them when the pack was built).
  const children = new Map<string, Set<string>>()
  for (const path of pack.paths) {
    let child = path
    for (let dir = dirnameOf(path); ; child = dir, dir = dirnameOf(dir)) {
      const names = children.get(dir) ?? new Set<string>()
      const name = child.slice(dir === '' ? 0 : dir.length + 1)
      if (names.has(name)) break // its ancestors are registered already
      children.set(dir, names.add(name))
      if (dir === '') break
    }
  }
  return {
    readText: (path) => pack.readText(normalizePath(path)),
    listDir(path) {
      const names = children.get(normalizePath(path))
      if (!names) throw new Error(`ENOENT: no bundled folder "${path}"`)
      return [...names]
    },
    // A scenario opened from the user's disk arrives as a bare file name: it resolves against the
    // built-in scenarios folder, so its relative trace folders find the bundled traces.
    resolve: (fromFile, relative) => {
      const dir = dirnameOf(normalizePath(fromFile))
      return normalizePath(`${dir === '' ? SCENARIOS_DIR : dir}/${relative}`)
    },
    join: (dir, name) => normalizePath(`${dir}/${name}`),
  }
}
