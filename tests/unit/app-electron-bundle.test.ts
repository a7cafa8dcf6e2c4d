// The desktop app as electron-vite bundles it (built here into out/app-bundle-test; Electron's binary is not
// needed to build): main's entry, the host-shard worker beside it, the preload and the renderer. The bundled
// shard worker runs under plain Node's worker_threads exactly as Electron's main process starts it, and a
// LabSession with its hosts in two of those workers reaches the state it reaches in one thread.
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LabSession } from '../../engine/api/lab-session'
import { nodeScenarioCatalog } from '../../engine/platform/node/catalog'
import { BUNDLED_SHARD_WORKER, bundledSpawner, nodeShardPlanner } from '../../engine/platform/node/app-shards'
import { ROOT } from '../helpers'

// inside the checkout, so the bundle resolves comlink from node_modules as the packaged app does from its asar
const OUT = join(ROOT, 'out', 'app-bundle-test')
let build: { status: number | null; output: string }

beforeAll(() => {
  rmSync(OUT, { recursive: true, force: true })
  const r = spawnSync(
    process.execPath,
    [join(ROOT, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build', '--outDir', OUT],
    { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } },
  )
  build = { status: r.status, output: `${r.stdout}${r.stderr}` }
})
afterAll(() => rmSync(OUT, { recursive: true, force: true }))

describe('the electron-vite bundle', () => {
  it('builds main, the shard worker beside it, the preload and the renderer', () => {
    expect(build.output).not.toMatch(/error/i)
    expect(build.status).toBe(0)
    for (const file of ['main/index.js', `main/${BUNDLED_SHARD_WORKER}`, 'preload/preload.cjs', 'renderer/index.html'])
      expect(existsSync(join(OUT, file)), file).toBe(true)
    // main starts the worker by that name, from its own folder
    expect(readFileSync(join(OUT, 'main', 'index.js'), 'utf8')).toContain(`"${BUNDLED_SHARD_WORKER}"`)
  })

  it('runs the bundled shard workers: the same state as one thread', async () => {
    const bundled = new LabSession(nodeScenarioCatalog(join(ROOT, 'scenarios')), 'electron', {
      shards: nodeShardPlanner(bundledSpawner(join(OUT, 'main'))),
    })
    const inThread = new LabSession(nodeScenarioCatalog(join(ROOT, 'scenarios')), 'node')
    try {
      const info = await bundled.open({ builtin: 'planetlab-lab', workers: 2 })
      expect(info.shards).toEqual({ count: 2, where: 'worker-threads' })
      await inThread.open({ builtin: 'planetlab-lab' })
      await Promise.all([bundled.advance({ untilSeconds: 6 * 3600 }), inThread.advance({ untilSeconds: 6 * 3600 })])
      const [a, b] = await Promise.all([inThread.report(), bundled.report()])
      expect(b.stateHash).toBe(a.stateHash)
      expect(b.shards).toBe(2)
      // a whole-lab checkpoint gathers every shard's hosts and VMs from the workers
      const file = await bundled.checkpoint()
      const r = await inThread.restoreCheckpoint(file.bytes, { fileName: file.fileName })
      expect(r.info.shards.where).toBe('in-thread')
      expect((await inThread.report()).stateHash).toBe(a.stateHash)
    } finally {
      await Promise.all([bundled.close(), inThread.close()])
    }
  })
})
