// The renderer as a plain web page (`npm run web`, `npm run build:web` → out/web/): the same UI, with the
// lab running in the page in a Web Worker (engine/platform/browser/lab.worker.ts). The built-in scenarios
// and every PlanetLab trace folder they reference are packed into one compact asset at build time.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { createHash } from 'node:crypto'
import { defineConfig, type Plugin } from 'vite'
import react from '@vitejs/plugin-react'
import { parseScenario } from '../engine/scenario/load'
import { encodeScenarioPack, type PackFile } from '../engine/platform/browser/scenario-pack'
import { workloadInputs } from '../engine/workload/trace-source'
import { readLab } from '../engine/guided-labs/library'
import { nodeFiles } from '../engine/platform/node/files'

const root = resolve(import.meta.dirname, '..')
const PACK_MODULE = 'virtual:conlab-scenario-pack'
const DEV_PACK_URL = '/@conlab/scenarios.pack'

/** Every scenarios/*.yaml and labs/*.yaml and the trace folders and files they reference, in Node's listing order. */
export function collectScenarioFiles(repoRoot: string): PackFile[] {
  const scenariosDir = join(repoRoot, 'scenarios')
  const toPackPath = (abs: string) => {
    const rel = relative(repoRoot, abs)
    if (rel.startsWith('..')) throw new Error(`scenario pack: ${abs} lies outside the repository`)
    return rel.split(sep).join('/')
  }
  const files: PackFile[] = []
  const folders = new Set<string>()
  const traceFiles = new Set<string>()
  const traces = (text: string, file: string) => {
    for (const group of parseScenario(text, file).scenario.vms) {
      const inputs = workloadInputs(group.workload)
      for (const dir of inputs.dirs) folders.add(resolve(dirname(file), dir))
      for (const f of inputs.files) traceFiles.add(resolve(dirname(file), f))
    }
  }
  for (const name of readdirSync(scenariosDir).filter((f) => f.endsWith('.yaml'))) {
    const file = join(scenariosDir, name)
    const text = readFileSync(file, 'utf8')
    files.push({ path: toPackPath(file), text })
    traces(text, file)
  }
  // the guided labs (scenarios/labs/*.yaml), the scenario files they name and the traces of their scenarios
  const labsDir = join(scenariosDir, 'labs')
  const packed = new Set(files.map((f) => f.path))
  for (const name of existsSync(labsDir) ? readdirSync(labsDir).filter((f) => f.endsWith('.yaml')) : []) {
    const file = join(labsDir, name)
    const lab = readLab(nodeFiles, name.slice(0, -'.yaml'.length), file)
    files.push({ path: toPackPath(file), text: readFileSync(file, 'utf8') })
    const scenarioPath = toPackPath(lab.scenario.file)
    if (!lab.scenario.inline && !packed.has(scenarioPath)) {
      files.push({ path: scenarioPath, text: lab.scenario.text })
      packed.add(scenarioPath)
    }
    traces(lab.scenario.text, lab.scenario.file)
  }
  for (const dir of folders) {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name)
      if (statSync(path).isFile()) files.push({ path: toPackPath(path), text: readFileSync(path, 'utf8') })
    }
  }
  for (const path of traceFiles) files.push({ path: toPackPath(path), text: readFileSync(path, 'utf8') })
  return files
}

/** `import { packUrl } from 'virtual:conlab-scenario-pack'`: the URL of the packed scenarios asset. */
function scenarioPack(): Plugin {
  const resolvedId = '\0' + PACK_MODULE
  let serving = false
  return {
    name: 'conlab-scenario-pack',
    configureServer(server) {
      serving = true
      // Packed on each request in dev, so edits to scenarios/ show up on reload.
      server.middlewares.use(DEV_PACK_URL, (_req, res) => {
        const bytes = encodeScenarioPack(collectScenarioFiles(root))
        res.setHeader('Content-Type', 'application/octet-stream')
        res.setHeader('Cache-Control', 'no-store')
        res.end(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))
      })
    },
    resolveId: (id) => (id === PACK_MODULE ? resolvedId : null),
    load(id) {
      if (id !== resolvedId) return null
      if (serving) return `export const packUrl = ${JSON.stringify(DEV_PACK_URL)}`
      const files = collectScenarioFiles(root)
      for (const f of files) this.addWatchFile(join(root, f.path))
      const source = encodeScenarioPack(files)
      const hash = createHash('sha256').update(source).digest('hex').slice(0, 10)
      const ref = this.emitFile({ type: 'asset', fileName: `assets/scenarios-${hash}.pack`, source })
      return `export const packUrl = new URL(import.meta.ROLLUP_FILE_URL_${ref}, self.location.href).href`
    },
  }
}

export default defineConfig({
  root: import.meta.dirname,
  base: './',
  // The dev server serves the worker through the page's plugins; the build bundles it with worker.plugins.
  plugins: [react(), scenarioPack()],
  define: { __IN_PAGE_LAB__: 'true' },
  worker: { format: 'es', plugins: () => [scenarioPack()] },
  build: {
    outDir: join(root, 'out', 'web'),
    emptyOutDir: true,
    target: 'es2023',
    chunkSizeWarningLimit: 2048,
  },
  server: { host: '127.0.0.1', port: 5174 },
  preview: { host: '127.0.0.1', port: 4174 },
})
