// FileSource over the Node file system (CLI, tests, Electron main).
import { readFileSync, readdirSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import type { FileSource } from '../files'

export const nodeFiles: FileSource = {
  readText: (path) => readFileSync(path, 'utf8'),
  listDir: (path) => readdirSync(path),
  resolve: (fromFile, relative) => resolve(dirname(fromFile), relative),
  join: (dir, name) => join(dir, name),
}
