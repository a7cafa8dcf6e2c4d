// AdvanceRequest.views: the views a playing page needs after every advance come in the advance's answer (one
// message instead of three), equal to what placement(), hostDetails() and vmDetails() answer; a view of a host
// or VM that does not exist is refused before the lab moves.
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { LabSession } from '../../engine/api/lab-session'
import { nodeScenarioCatalog } from '../../engine/platform/node/catalog'
import { ROOT } from '../helpers'

const catalog = nodeScenarioCatalog(join(ROOT, 'scenarios'))

describe('an advance with views', () => {
  for (const builtin of ['planetlab-cloudsim', 'ha-drill']) {
    it(`answers the views as the separate calls do (${builtin})`, async () => {
      const withViews = new LabSession(catalog)
      const separate = new LabSession(catalog)
      await withViews.open({ builtin })
      await separate.open({ builtin })
      for (let i = 0; i < 3; i++) {
        const a = await withViews.advance({ steps: 2, views: { placement: true, host: 3 } })
        const b = await separate.advance({ steps: 2 })
        expect(a.frames).toEqual(b.frames)
        expect(a.placement).toEqual(await separate.placement())
        expect(a.host).toEqual(await separate.hostDetails(3))
        expect(a.vm).toBeUndefined()
      }
      const a = await withViews.advance({ steps: 1, views: { vm: 7 } })
      await separate.advance({ steps: 1 })
      expect(a.vm).toEqual(await separate.vmDetails(7))
      expect(a.placement).toBeUndefined()
      // without views, the answer is as before
      expect(Object.keys(await withViews.advance({ steps: 1 })).sort()).toEqual(['done', 'events', 'frames'])
    })
  }

  it('refuses a view of a host that does not exist, before the lab moves', async () => {
    const lab = new LabSession(catalog)
    const info = await lab.open({ builtin: 'ha-drill' })
    await expect(lab.advance({ steps: 1, views: { host: info.hosts } })).rejects.toThrow(
      `no host ${info.hosts} (0..${info.hosts - 1})`,
    )
    await expect(lab.advance({ steps: 1, views: { vm: -1 } })).rejects.toThrow(/^no VM -1/)
    expect((await lab.placement()).time).toBe(0)
  })
})
