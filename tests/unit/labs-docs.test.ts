// docs/labs.md's table of objective metrics says what engine/guided-labs/metrics.ts has: every metric, in
// order, with its unit, how it moves over a run, and the parameters it needs or takes.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { METRICS, type MetricSpec } from '../../engine/guided-labs/metrics'
import { ROOT } from '../helpers'

describe('docs/labs.md', () => {
  it('lists every metric with its unit and parameters, as engine/guided-labs/metrics.ts has them', () => {
    const doc = readFileSync(join(ROOT, 'docs', 'labs.md'), 'utf8')
    const rows = new Map(
      [...doc.matchAll(/^\| `(\w+)` +\| (\w+) +\| (grows|either way) +\| ([^|]+?) +\|/gm)].map((m) => [
        m[1]!,
        m.slice(2, 5),
      ]),
    )
    expect([...rows.keys()]).toEqual(Object.keys(METRICS))
    for (const [name, spec] of Object.entries(METRICS) as [string, MetricSpec][]) {
      const params = [
        ...(spec.requires ?? []).map((p) => `\`${p}\` (required)`),
        ...(spec.accepts ?? []).map((p) => `\`${p}\``),
      ]
      expect([name, ...rows.get(name)!]).toEqual([
        name,
        spec.unit,
        spec.trend === 'up' ? 'grows' : 'either way',
        params.join(', ') || '—',
      ])
    }
  })
})
