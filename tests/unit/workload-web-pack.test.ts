// The web build's scenario pack holds the trace folders and files of the Bitbrains, Azure and Alibaba
// scenarios; the browser's FileSource (no streaming: each file's text whole) replays them exactly as the
// file system does.
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { LabSession } from '../../engine/api/lab-session'
import { nodeScenarioCatalog } from '../../engine/platform/node/catalog'
import { encodeScenarioPack } from '../../engine/platform/browser/scenario-pack'
import { packScenarioCatalog } from '../../engine/platform/browser/catalog'
import { collectScenarioFiles } from '../../renderer/vite.web.config'
import { ROOT } from '../helpers'

describe('trace scenarios in the web pack', () => {
  const files = collectScenarioFiles(ROOT)
  const pack = encodeScenarioPack(files)

  it('packs every file the trace scenarios read', () => {
    const paths = new Set(files.map((f) => f.path))
    for (const p of [
      'scenarios/traces/bitbrains-rnd-2013-07-w1/trace.json',
      'scenarios/traces/bitbrains-rnd-2013-07-w1/25.csv',
      'scenarios/traces/azure-v1/microsoft_avg_24vms_week1.csv',
      'scenarios/traces/azure-v1/periodic_avg_18vms_week1.csv',
      'scenarios/traces/alibaba-2018-14-machines/m_1946.csv',
    ])
      expect(paths.has(p)).toBe(true)
  })

  for (const id of ['bitbrains-rnd', 'azure-v1', 'alibaba-2018']) {
    it(`plays ${id} over the pack as over the file system`, async () => {
      const web = new LabSession(packScenarioCatalog(pack), 'web')
      const node = new LabSession(nodeScenarioCatalog(join(ROOT, 'scenarios')), 'node')
      for (const lab of [web, node]) {
        await lab.open({ builtin: id, set: ['duration=2h'] })
        await lab.advance({ untilSeconds: 7200 })
      }
      const [a, b] = await Promise.all([web.report(), node.report()])
      expect(a.stateHash).toBe(b.stateHash)
      expect(a.workload.bindingDigest).toBe(b.workload.bindingDigest)
      // the same sources, read from the pack's paths instead of the disk's
      const strip = (r: typeof a) =>
        r.workload.sources!.map(({ source, ...rest }) => ({ ...rest, file: source.replace(/^.*scenarios\//, '') }))
      expect(strip(a)).toEqual(strip(b))
      expect(strip(a).length).toBeGreaterThan(0)
    })
  }
})
