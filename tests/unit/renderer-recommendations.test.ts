// The app's side of recommend → approve → apply (issue 18): recommendations in words (the panel's lines, every
// figure the engine's), and the RunStore over a real LabSession — the recommendations it asks for, and the
// option that pauses the clock at the step where more recommendations wait than before.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Remote } from 'comlink'
import { describe, expect, it } from 'vitest'
import type { LabApi } from '../../engine/api/lab-api'
import { LabSession } from '../../engine/api/lab-session'
import { nodeScenarioCatalog } from '../../engine/platform/node/catalog'
import { RunStore, newRecommendations } from '../../renderer/state/run-store'
import {
  expectedLines,
  metricValue,
  powerChange,
  priorityText,
  recommendationAction,
} from '../../renderer/state/recommendation-words'
import { ROOT } from '../helpers'

const catalog = nodeScenarioCatalog(join(ROOT, 'scenarios'))
const FIXTURE = join(ROOT, 'tests', 'fixtures', 'recommend-manual.yaml')
const fixture = { fileName: FIXTURE, text: readFileSync(FIXTURE, 'utf8') }

describe('recommendations in words', () => {
  it('names the priority, the action and each figure of the expected effect', () => {
    expect(priorityText(1)).toBe('1 · mandatory')
    expect(priorityText(3)).toBe('3')
    expect(recommendationAction({ kind: 'migrate', vm: 3, from: 2, to: 1 })).toBe('migrate VM 3 from host 2 to host 1')
    expect(recommendationAction({ kind: 'power-on', host: 4 })).toBe('power on host 4')
    expect(recommendationAction({ kind: 'standby', host: 4 })).toBe('standby host 4')
    expect(recommendationAction({ kind: 'restart', vm: 5, to: 2 })).toBe('restart VM 5 on host 2')
    expect(powerChange(-117.4)).toBe('−117 W')
    expect(powerChange(12.6)).toBe('+13 W')
    expect(powerChange(0.3)).toBe('±0 W')
    expect(metricValue(0.052719)).toBe('0.05272')
    expect(metricValue(3)).toBe('3')
    expect(
      expectedLines({
        source: { host: 2, before: 0.307, after: 0.25 },
        target: { host: 0, before: 0.4365, after: 0.494 },
        powerW: -7,
        balance: { metric: 'host CPU load standard deviation', before: 0.05272, after: 0.099521 },
        migration: {
          model: 'precopy',
          converges: true,
          seconds: 46.21,
          downtimeMs: 219.6,
          bandwidthBytesPerSecond: 1.25e9,
          dirtyBytesPerSecond: 8 * 2 ** 20,
        },
      }),
    ).toEqual([
      'host 2 load 30.7 % → 25.0 %',
      'host 0 load 43.6 % → 49.4 %', // 43.65 % is 43.6 (binary 0.4365 is just below)
      'power −7 W',
      'host CPU load standard deviation 0.05272 → 0.09952',
      'migration 46.2 s, downtime 220 ms',
    ])
    expect(
      expectedLines({
        migration: {
          model: 'precopy',
          converges: false,
          seconds: null,
          downtimeMs: null,
          bandwidthBytesPerSecond: 1,
          dirtyBytesPerSecond: 2,
        },
        moves: [
          { vm: 1, to: 3 },
          { vm: 2, to: 4 },
        ],
      }),
    ).toEqual(['migration does not converge', 'moves first: VM 1 → host 3, VM 2 → host 4'])
  })

  it('counts the recommendations a step adds', () => {
    expect(newRecommendations(0, 6)).toBe(6)
    expect(newRecommendations(6, 6)).toBe(0)
    expect(newRecommendations(6, 2)).toBe(0)
    expect(newRecommendations(0, undefined)).toBe(0)
  })
})

function storeOver(lab: LabSession): RunStore {
  return new RunStore({ transport: 'web', lab: lab as unknown as Remote<LabApi> })
}

async function played(store: RunStore): Promise<void> {
  while (store.getState().playing) await new Promise((r) => setTimeout(r, 5))
  await (store as unknown as { loop: Promise<void> }).loop
}

/** The times of the steps at which more recommendations wait than before, as the engine plays the fixture. */
async function growthTimes(steps: number): Promise<number[]> {
  const node = new LabSession(catalog, 'web')
  await node.open(fixture)
  const times: number[] = []
  let waiting = 0
  for (let i = 0; i < steps; i++) {
    const f = (await node.advance({ steps: 1 })).frames[0]!
    if ((f.recommendationsWaiting ?? 0) > waiting) times.push(f.time)
    waiting = f.recommendationsWaiting ?? 0
  }
  return times
}

describe('the RunStore and the recommendations', () => {
  it('asks the lab for them, and pauses where new ones arrive only when asked to', async () => {
    const growth = await growthTimes(59)
    expect(growth.length).toBeGreaterThanOrEqual(3)

    const lab = new LabSession(catalog, 'web')
    const store = storeOver(lab)
    await store.open({ kind: 'file', file: fixture }, {}, 'scenario')
    expect(store.getState().pauseOnRecommendations).toBe(false)
    await store.refreshRecommendations()
    expect(store.getState().recommendations).toEqual(await lab.recommendations())
    expect(store.getState().recommendations?.automation).toBe('manual')

    store.setPauseOnRecommendations(true)
    store.setSpeed(30)
    store.play()
    await played(store)
    const first = store.getState().frames.at(-1)!
    expect(first.time).toBe(growth[0])
    expect(store.getState().notice).toBe(`Paused: ${first.recommendationsWaiting} new recommendations waiting.`)
    await store.refreshRecommendations()
    expect(store.getState().recommendations?.waiting).toHaveLength(first.recommendationsWaiting!)

    store.play()
    await played(store)
    expect(store.getState().frames.at(-1)!.time).toBe(growth[1])

    // off (the default): the clock runs past the steps where they arrive, to the pause time
    store.setPauseOnRecommendations(false)
    const past = growth.at(-1)! + 60
    store.setPauseAt(past)
    store.play()
    await played(store)
    expect(store.getState().frames.at(-1)!.time).toBe(past)
    expect(store.getState().notice).toBe('Paused at the chosen time.')
  })
})
