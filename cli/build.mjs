// Bundles the CLI (and the engine it runs) into out/cli/ with esbuild: one ESM file per entry, so a
// `conlab run` starts in milliseconds instead of compiling TypeScript on the fly.
import { build } from 'esbuild'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
await build({
  entryPoints: {
    conlab: join(root, 'cli', 'entry.ts'),
    'shard-worker': join(root, 'engine', 'platform', 'node', 'shard-worker.ts'),
  },
  outdir: join(root, 'out', 'cli'),
  outExtension: { '.js': '.mjs' },
  bundle: true,
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  minify: false,
  logLevel: 'warning',
  banner: {
    js: "import { createRequire as __conlabRequire } from 'node:module'; const require = __conlabRequire(import.meta.url);",
  },
})
