// Recommend → approve → apply in the app (issue 18), in Chromium on the web build: a lab in manual automation
// whose policy's moves wait; one recommendation applied and another dismissed from the recommendations panel;
// the VM on the recommended host on the map, both orders in the order log, and the log replayed by
// `conlab run --orders` to the page's state. The same engine under Node, given the same orders at the same
// steps, says what the page must show. Chromium or the web build missing is a failure (CONLAB_SKIP_E2E=1
// turns it into a skip).
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunReport } from '../../engine/api/lab-api'
import { LabSession } from '../../engine/api/lab-session'
import { nodeScenarioCatalog } from '../../engine/platform/node/catalog'
import { expectedLines, priorityText, recommendationAction } from '../../renderer/state/recommendation-words'
import { ROOT } from '../helpers'
import {
  ARTIFACTS,
  clickHost,
  conlab,
  notReadyReason,
  openScenarioText,
  openWebUi,
  ready,
  skipAllowed,
  type WebUi,
} from './web-page'

describe('the recommendations panel in Chromium', () => {
  it.skipIf(ready || skipAllowed)('has Chromium and the web build', () => {
    expect.fail(notReadyReason())
  })

  let ui: WebUi | undefined
  let page: Page
  beforeAll(async () => {
    if (!ready) return
    ui = await openWebUi()
    page = ui.page
  })
  afterAll(async () => {
    await ui?.close()
  })

  it.skipIf(!ready)(
    'applies one recommendation and dismisses another in manual automation; `conlab run --orders` replays them',
    async () => {
      const file = join(ROOT, 'tests', 'fixtures', 'recommend-manual.yaml')
      const text = readFileSync(file, 'utf8')
      await openScenarioText(page, 'recommend-manual.yaml', text, 'Recommendations in manual', 8)
      const node = new LabSession(nodeScenarioCatalog(join(ROOT, 'scenarios')))
      await node.open({ fileName: file, text })
      const clock = page.getByTestId('clock')
      const step = async () => {
        const t = Number(await clock.getAttribute('data-time'))
        await page.getByTestId('step').click()
        await expect.poll(() => clock.getAttribute('data-time')).toBe(String(t + 60))
        await expect.poll(() => clock.getAttribute('data-state')).toBe('paused')
        await node.advance({ steps: 1 })
      }
      const panel = page.getByTestId('recommendations')
      const rows = panel.getByTestId('recommendation')
      await expect.poll(() => panel.getAttribute('data-automation')).toBe('manual')

      // step until the policy's pass proposes at least two moves: manual automation makes them all wait
      let view = (await node.recommendations())!
      while (view.waiting.length < 2) {
        await step()
        view = (await node.recommendations())!
        expect(Number(await clock.getAttribute('data-time'))).toBeLessThan(600)
      }
      await expect.poll(() => rows.count()).toBe(view.waiting.length)
      expect((await node.report()).migrations).toBe(0)
      for (const r of view.waiting) {
        const row = rows.and(page.locator(`[data-id="${r.id}"]`))
        expect(await row.getByTestId('recommendation-priority').textContent()).toBe(priorityText(r.priority))
        expect(await row.getByTestId('recommendation-action').textContent()).toBe(recommendationAction(r))
        expect(await row.getByTestId('recommendation-reason').textContent()).toBe(r.reason)
        expect(await row.getByTestId('recommendation-expected').locator('li').allTextContents()).toEqual(
          expectedLines(r.expected),
        )
      }
      // the expected effect names the loads, power, the policy's metric and the migration (engine's figures)
      const [applied, dismissed] = view.waiting as [(typeof view.waiting)[0], (typeof view.waiting)[0]]
      expect(applied.kind).toBe('migrate')
      const lines = expectedLines(applied.expected)
      expect(lines.some((l) => l.startsWith(`host ${applied.from} load `))).toBe(true)
      expect(lines.some((l) => l.startsWith(`host ${applied.to} load `))).toBe(true)
      expect(lines.some((l) => l.startsWith('migration '))).toBe(true)
      expect(await panel.getByTestId('recommendation-counts').textContent()).toBe(
        `${view.waiting.length} waiting · ${view.counts.proposed} proposed · ${view.counts.applied} applied · ` +
          `${view.counts.dismissed} dismissed · ${view.counts.expired} expired`,
      )
      await panel.screenshot({ path: join(ARTIFACTS, 'recommendations-panel.png') })
      // the cluster's balance over time, named after the policy's metric
      const chart = page.getByTestId('chart-balance')
      expect(await chart.locator('.chart-legend').textContent()).toContain(
        `${view.balanceMetric.name} (${view.balanceMetric.better} is better)`,
      )

      // Apply one, Dismiss another: orders for the next step, shown as waiting
      await rows
        .and(page.locator(`[data-id="${applied.id}"]`))
        .getByTestId('apply-recommendation')
        .click()
      await rows
        .and(page.locator(`[data-id="${dismissed.id}"]`))
        .getByTestId('dismiss-recommendation')
        .click()
      await expect
        .poll(() =>
          rows
            .and(page.locator(`[data-id="${dismissed.id}"]`))
            .getByTestId('dismiss-recommendation')
            .isDisabled(),
        )
        .toBe(true)
      await node.order({ approve: { id: applied.id } })
      await node.order({ dismiss: { id: dismissed.id } })
      const orderedAt = Number(await clock.getAttribute('data-time'))
      await step()
      view = (await node.recommendations())!
      expect(view.recent.find((r) => r.id === applied.id)?.state).toBe('applied')
      expect(view.recent.find((r) => r.id === dismissed.id)?.state).toBe('dismissed')
      const resolved = (id: number) => panel.locator(`[data-testid=resolved-recommendation][data-id="${id}"]`)
      await expect.poll(() => resolved(applied.id).getAttribute('data-state')).toBe('applied')
      expect(await resolved(dismissed.id).getAttribute('data-state')).toBe('dismissed')
      await expect.poll(() => panel.getAttribute('data-waiting')).toBe(String(view.waiting.length))
      expect(view.counts.applied).toBe(1)
      expect(view.counts.dismissed).toBe(1)

      // the map: the VM moves to the recommended host (its migration may take more than the step)
      for (let i = 0; i < 3 && (await node.placement()).vmHost[applied.vm!] !== applied.to; i++) await step()
      expect((await node.placement()).vmHost[applied.vm!]).toBe(applied.to)
      await clickHost(page, applied.to!)
      await expect.poll(() => page.locator('#details-title').textContent()).toBe(`Host ${applied.to}`)
      await expect
        .poll(() =>
          page
            .locator('.details-panel .vm-table tbody tr.clickable')
            .filter({ has: page.locator('td:first-child', { hasText: new RegExp(`^${applied.vm}(\\s|$)`) }) })
            .count(),
        )
        .toBe(1)
      expect((await node.report()).migrations).toBe(1)

      // the order log: the approve and the dismiss with their ids, at the step they were given for
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('save-orders').click()])
      const orders = join(ARTIFACTS, 'recommendation-orders.yaml')
      await download.saveAs(orders)
      const events = readFileSync(orders, 'utf8')
      expect(events).toBe((await node.exportOrders()).events)
      expect(events).toBe(
        'events:\n' +
          `  - {"at":${orderedAt},"approve":{"id":${applied.id}}}\n` +
          `  - {"at":${orderedAt},"dismiss":{"id":${dismissed.id}}}\n`,
      )
      const time = Number(await clock.getAttribute('data-time'))
      const { code, out, err } = await conlab(['run', file, '--orders', orders, '--until', `${time}s`, '--json'])
      expect(code, err).toBe(0)
      const cli = JSON.parse(out) as RunReport
      const expected = await node.report()
      expect(cli.stateHash).toBe(expected.stateHash)
      await expect.poll(() => page.getByTestId('report-state-hash').textContent()).toBe(cli.stateHash)
      expect(cli.recommendations).toMatchObject({ applied: 1, dismissed: 1 })

      // "pause when new ones arrive": played at full speed, the clock stops at the step where more wait
      let waiting = view.waiting.length
      let arrival: number | undefined
      while (arrival === undefined) {
        const { frames, done } = await node.advance({ steps: 1 })
        const f = frames[0]!
        if ((f.recommendationsWaiting ?? 0) > waiting) arrival = f.time
        waiting = f.recommendationsWaiting ?? 0
        expect(done).toBe(false)
      }
      await page.getByTestId('pause-on-recommendations').check()
      await page.getByTestId('pause-at').fill('')
      await page.getByTestId('pause-at').press('Enter')
      await page.getByTestId('speed').selectOption('max')
      await page.getByTestId('play').click()
      await expect
        .poll(async () => `${await clock.getAttribute('data-state')} ${await clock.getAttribute('data-time')}`, {
          timeout: 30_000,
        })
        .toBe(`paused ${arrival}`)
      expect(await page.getByTestId('notice').textContent()).toMatch(/^Paused: \d+ new recommendations? waiting\./)
      await expect.poll(() => panel.getAttribute('data-waiting')).toBe(String(waiting))
      await chart.screenshot({ path: join(ARTIFACTS, 'balance-chart.png') })
      expect(ui!.problems).toEqual([])
    },
  )
})
