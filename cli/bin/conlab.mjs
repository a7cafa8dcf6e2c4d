#!/usr/bin/env node
// The `conlab` launcher. Runs the bundled CLI (out/cli/conlab.mjs, built by `npm run build:cli`) when it is
// newer than the sources; otherwise runs the TypeScript sources through tsx, so a fresh clone works
// without a build step and an edit is never hidden behind a stale bundle.
import { existsSync, readdirSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const bundle = join(root, 'out', 'cli', 'conlab.mjs')

function newestSource(dir, newest = 0) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) newest = newestSource(path, newest)
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs)
  }
  return newest
}

function bundleIsFresh() {
  if (process.env.CONLAB_FROM_SOURCE === '1' || !existsSync(bundle)) return false
  const built = statSync(bundle).mtimeMs
  return ['engine', 'cli'].every((d) => newestSource(join(root, d)) <= built)
}

let main
if (bundleIsFresh()) {
  ;({ main } = await import(pathToFileURL(bundle).href))
} else {
  const { register } = await import('tsx/esm/api')
  register()
  ;({ main } = await import(pathToFileURL(join(root, 'cli', 'main.ts')).href))
}
const code = await main(process.argv.slice(2))
process.exitCode = code
// `conlab bench` measures child processes' peak memory through this line.
if (process.env.CONLAB_BENCH === '1') process.stderr.write(`conlab-bench: maxRSS=${process.resourceUsage().maxRSS}\n`)
