// Same scenario and seed ⇒ same results, and the CloudSim equivalences the mode must keep.
import { describe, expect, it } from 'vitest'
import { runToEnd } from '../../engine/run'
import { planetLabModel } from '../helpers'

describe('determinism', () => {
  it('gives the same state hash for the same scenario and seed', async () => {
    const a = await runToEnd(planetLabModel({ policy: 'iqr-mc-1.5' }))
    const b = await runToEnd(planetLabModel({ policy: 'iqr-mc-1.5' }))
    expect(a.stateHash).toBe(b.stateHash)
    expect(a.energyKWh).toBe(b.energyKWh)
  })

  it('LRR equals LR in CloudSim 3.0.3 (its robust weights never apply)', async () => {
    const lr = await runToEnd(planetLabModel({ policy: 'lr-mu-1.2' }))
    const lrr = await runToEnd(planetLabModel({ policy: 'lrr-mu-1.2' }))
    expect(lrr.energyKWh).toBe(lr.energyKWh)
    expect(lrr.migrations).toBe(lr.migrations)
  })
})
