// Reading a lab pack from the desktop app: the YAML and JSON files of the folder the trainer chose (lab files
// at its top, the scenario files they name below it), as the texts LabApi.loadLabPack takes — the same pack
// the web build makes from a folder input. The engine checks every lab; this only bounds what is read.
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { basename, join, relative, sep } from 'node:path'
import type { LabPack } from '../engine/api/lab-api'
import { MAX_SCENARIO_BYTES } from './scenario-file'

/** The most files a pack may bring (the engine's own limit), and how deep its folders are searched. */
export const MAX_PACK_FILES = 1000
const MAX_DEPTH = 4

/** The folder's name as a pack name (letters, digits, " ._-", at most 64 characters). */
export function labPackName(dir: string): string {
  const cleaned = basename(dir)
    .replace(/[^\w .-]/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
  return (cleaned || 'lab-pack').slice(0, 64)
}

export function readLabPackFolder(dir: string): LabPack {
  const files: LabPack['files'] = []
  const walk = (folder: string, depth: number) => {
    for (const entry of readdirSync(folder, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(folder, entry.name)
      if (entry.name.startsWith('.')) continue
      if (entry.isDirectory()) {
        if (depth < MAX_DEPTH) walk(path, depth + 1)
        continue
      }
      if (!entry.isFile() || !/\.(ya?ml|json)$/i.test(entry.name)) continue
      if (files.length === MAX_PACK_FILES)
        throw new Error(`${dir}: expected at most ${MAX_PACK_FILES} YAML or JSON files in a lab pack, found more`)
      const size = statSync(path).size
      if (size > MAX_SCENARIO_BYTES)
        throw new Error(
          `${path}: expected a lab or scenario file of at most 4 MB, found ${(size / 1048576).toFixed(1)} MB`,
        )
      files.push({ path: relative(dir, path).split(sep).join('/'), text: readFileSync(path, 'utf8') })
    }
  }
  walk(dir, 0)
  return { name: labPackName(dir), files }
}
