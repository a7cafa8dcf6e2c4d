#!/usr/bin/env node
// The `conlab` launcher. Runs the bundled CLI (out/cli/, built by `npm run build:cli`) when it is newer than
// the sources; otherwise runs the TypeScript sources through tsx, so a fresh clone works without a build
// step and an edit is never hidden behind a stale bundle.
import { existsSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import vm from 'node:vm'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const esmBundle = join(root, 'out', 'cli', 'conlab.mjs')
const scriptBundle = join(root, 'out', 'cli', 'conlab.cjs')
const codeCache = `${scriptBundle}.cache`

function newestSource(dir, newest = 0) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) newest = newestSource(path, newest)
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs)
  }
  return newest
}

function isFresh(bundle) {
  if (process.env.CONLAB_FROM_SOURCE === '1' || !existsSync(bundle)) return false
  const built = statSync(bundle).mtimeMs
  return ['engine', 'cli'].every((d) => newestSource(join(root, d)) <= built)
}

/**
 * Runs out/cli/conlab.cjs as the function body CommonJS would make of it, compiled with the code cache
 * the build wrote (when it belongs to this bundle; V8 itself rejects one from another V8 or other flags).
 */
function loadScriptBundle() {
  const cache = existsSync(codeCache) && statSync(codeCache).mtimeMs >= statSync(scriptBundle).mtimeMs
  const writeCache = process.env.CONLAB_CODE_CACHE === 'write'
  const script = new vm.Script(
    `(function (exports, require, module, __filename, __dirname, __conlabImportMetaUrl) {'use strict';${readFileSync(scriptBundle, 'utf8')}\n})`,
    {
      filename: scriptBundle,
      cachedData: cache && !writeCache ? readFileSync(codeCache) : undefined,
      importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
    },
  )
  const module = { exports: {} }
  script.runInThisContext()(
    module.exports,
    createRequire(scriptBundle),
    module,
    scriptBundle,
    dirname(scriptBundle),
    pathToFileURL(esmBundle).href,
  )
  const saveCache = () => {
    // written after the run, so that it holds every function the run compiled
    writeFileSync(`${codeCache}.tmp`, script.createCachedData())
    renameSync(`${codeCache}.tmp`, codeCache)
  }
  return { main: module.exports.main, saveCache: writeCache ? saveCache : undefined }
}

const args = process.argv.slice(2)
let main
let saveCache
// `bench` keeps the ES module bundle: its UI benchmark imports modules at run time.
if (args[0] !== 'bench' && isFresh(scriptBundle)) {
  ;({ main, saveCache } = loadScriptBundle())
} else if (isFresh(esmBundle)) {
  ;({ main } = await import(pathToFileURL(esmBundle).href))
} else {
  const { register } = await import('tsx/esm/api')
  register()
  ;({ main } = await import(pathToFileURL(join(root, 'cli', 'main.ts')).href))
}
const code = await main(args)
process.exitCode = code
if (saveCache && code === 0) saveCache()
// `conlab bench` measures child processes' peak memory through this line.
if (process.env.CONLAB_BENCH === '1') process.stderr.write(`conlab-bench: maxRSS=${process.resourceUsage().maxRSS}\n`)
