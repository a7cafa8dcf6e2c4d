// Bundles the CLI (and the engine it runs) into out/cli/ with esbuild, so a `conlab run` starts in
// milliseconds instead of compiling TypeScript on the fly:
//   conlab.mjs, shard-worker.mjs  ESM, one file per entry (the shard workers and `conlab bench` use these);
//   conlab.cjs                    the same CLI as one script, which the launcher compiles with V8's code
//                                 cache (Node 20 has no module.enableCompileCache);
//   conlab.cjs.cache              that cache: the bytecode of a short training run, so a later run neither
//                                 parses the 1.4 MB bundle nor compiles the functions it runs.
import { build } from 'esbuild'
import { spawnSync } from 'node:child_process'
import { rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const outdir = join(root, 'out', 'cli')
// A cache left from an earlier bundle must never meet the new one; chunks of earlier bundles are dead weight.
rmSync(join(outdir, 'conlab.cjs.cache'), { force: true })
rmSync(join(outdir, 'chunks'), { recursive: true, force: true })

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  minify: false,
  logLevel: 'warning',
}
await build({
  ...common,
  entryPoints: {
    conlab: join(root, 'cli', 'entry.ts'),
    'shard-worker': join(root, 'engine', 'platform', 'node', 'shard-worker.ts'),
  },
  outdir,
  outExtension: { '.js': '.mjs' },
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  format: 'esm',
  banner: {
    js: "import { createRequire as __conlabRequire } from 'node:module'; const require = __conlabRequire(import.meta.url);",
  },
})
await build({
  ...common,
  entryPoints: { conlab: join(root, 'cli', 'entry.ts') },
  outdir,
  outExtension: { '.js': '.cjs' },
  format: 'cjs',
  // The launcher passes the URL conlab.mjs would have, so files next to the bundle are found alike.
  define: { 'import.meta.url': '__conlabImportMetaUrl' },
  // Without comments the script is ASCII (esbuild escapes the rest) and a quarter smaller: the launcher
  // reads it as Latin-1 and V8 holds it as a one-byte string (2 MB with comments, some not ASCII, took
  // 6 ms to read and decode; 1.4 MB of ASCII takes 2.5 ms). Names stay: stack traces still name functions.
  minifyWhitespace: true,
})

// The training run: the launcher writes the cache when it ends (CONLAB_CODE_CACHE=write).
const training = spawnSync(
  process.execPath,
  [
    join(root, 'cli', 'bin', 'conlab.cjs'),
    'run',
    join(root, 'scenarios', 'planetlab-cloudsim.yaml'),
    '--until',
    '2h',
    '--json',
  ],
  {
    cwd: root,
    env: { ...process.env, CONLAB_CODE_CACHE: 'write' },
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
  },
)
if (training.status !== 0) {
  rmSync(join(outdir, 'conlab.cjs.cache'), { force: true })
  process.stderr.write(
    `build: no code cache (the training run failed: ${training.stderr.trim() || training.error?.message})\n`,
  )
}
