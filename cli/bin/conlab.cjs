#!/usr/bin/env -S node --v8-pool-size=0
// The `conlab` launcher, the package's bin. Runs the bundled CLI (out/cli/, built by `npm run build:cli`) when
// it is newer than the sources; otherwise runs the TypeScript sources through tsx, so a fresh clone works
// without a build step and an edit is never hidden behind a stale bundle.
// The shebang line starts Node with --v8-pool-size=0: V8's worker threads (optimizing compiler, GC) sized to
// the machine, cores − 1, instead of Node's fixed four. On two cores four of them took turns with the main
// thread, which runs unoptimized code until TurboFan's jobs finish: a CloudSim-compatible day as a whole
// process took 0.45 s with four, 0.43 s with one; lab runs in one thread gain too, two workers on two cores
// lose 2–3 % (docs/performance.md). `node cli/bin/conlab.cjs` runs without the option, and works the same.
// CommonJS, not an ES module: Node's ES module loader costs ~7 ms before the first line of a run
// (`conlab --help` 121 → 114 ms); cli/bin/conlab.mjs stays as an alias.
'use strict'
const { isAscii } = require('node:buffer')
const { readdirSync, readFileSync, renameSync, statSync, writeFileSync } = require('node:fs')
const { createRequire } = require('node:module')
const { dirname, join } = require('node:path')
const { pathToFileURL } = require('node:url')
const vm = require('node:vm')

const root = join(__dirname, '..', '..')
const esmBundle = join(root, 'out', 'cli', 'conlab.mjs')
const scriptBundle = join(root, 'out', 'cli', 'conlab.cjs')
const codeCache = `${scriptBundle}.cache`

/** When the file was last changed (ms), or undefined when there is none. */
function modified(path) {
  return statSync(path, { throwIfNoEntry: false })?.mtimeMs
}

/**
 * Whether some .ts file under `dir` changed after `built` (ms). Paths are joined by hand: path.join,
 * cold, took most of the walk's time (5 ms for 190 files; 1.5 ms without it).
 */
function changedSince(dir, built) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`
    if (entry.isDirectory() ? changedSince(path, built) : entry.name.endsWith('.ts') && statSync(path).mtimeMs > built)
      return true
  }
  return false
}

function isFresh(bundle) {
  if (process.env.CONLAB_FROM_SOURCE === '1') return false
  const built = modified(bundle)
  return built !== undefined && !changedSince(`${root}/engine`, built) && !changedSince(`${root}/cli`, built)
}

/** The bundle's text: ASCII (the build minifies it, comments go) is read as Latin-1, which skips UTF-8 decoding. */
function bundleText(path) {
  const bytes = readFileSync(path)
  return isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8')
}

/**
 * Runs out/cli/conlab.cjs as the function body CommonJS would make of it, compiled with the code cache
 * the build wrote (when it belongs to this bundle; V8 itself rejects one from another V8 or other flags).
 */
function loadScriptBundle() {
  const cache = (modified(codeCache) ?? -1) >= modified(scriptBundle)
  const writeCache = process.env.CONLAB_CODE_CACHE === 'write'
  const script = new vm.Script(
    `(function (exports, require, module, __filename, __dirname, __conlabImportMetaUrl) {'use strict';${bundleText(scriptBundle)}\n})`,
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

/**
 * This process's peak resident memory in KiB. On Linux, getrusage's maxrss survives exec: a child started
 * by a big process (a test runner at 1 GB) reports at least that process's size. /proc's VmHWM is the high
 * water mark of this process's own memory.
 */
function peakRssKiB() {
  try {
    const hwm = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'latin1'))
    if (hwm) return Number(hwm[1])
  } catch {
    // not Linux: getrusage's figure
  }
  return process.resourceUsage().maxRSS
}

async function run(args) {
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
  if (process.env.CONLAB_BENCH === '1') process.stderr.write(`conlab-bench: maxRSS=${peakRssKiB()}\n`)
  // Everything is written (nothing queued, as it may be on a pipe on macOS or Windows): exit now, which skips
  // tearing down the V8 heap (~1.5 ms after a PlanetLab run). Output still queued ends the usual way.
  if (process.stdout.writableLength === 0 && process.stderr.writableLength === 0) process.exit()
}

void run(process.argv.slice(2))
