// The web build (npm run build:web → out/web) in Debian's Chromium, driven by playwright-core: the same
// renderer as the desktop app, with the lab in a Web Worker. Plays the PlanetLab day with LR-MMT-1.2 to
// 6 h in CloudSim's model and in the lab's, and a live migration with auto-converge, and checks the UI
// against CLI runs of the same scenarios and seeds. Chromium or the web build missing is a failure
// (CONLAB_SKIP_E2E=1 turns it into a skip); screenshots go to tests/e2e/artifacts/.
import { readFileSync } from 'node:fs'
import { crc32 } from 'node:zlib'
import { join } from 'node:path'
import type { Locator, Page } from 'playwright-core'
import type { PreviewServer } from 'vite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunReport } from '../../engine/api/lab-api'
import { LabSession } from '../../engine/api/lab-session'
import { reportsToCsv } from '../../engine/api/report-format'
import { nodeScenarioCatalog } from '../../engine/platform/node/catalog'
import { ROOT } from '../helpers'
import {
  ARTIFACTS,
  clickHost,
  conlab,
  hostBar,
  notReadyReason,
  openScenarioText,
  openWebUi,
  playToEnd,
  ready,
  skipAllowed,
  type WebUi,
} from './web-page'

const SIX_HOURS = 6 * 3600

/** `conlab run … --json` as a child process: the reference the UI must match. */
async function cliRun(args: string[]): Promise<RunReport> {
  const { code, out, err } = await conlab(['run', ...args, '--json'])
  if (code !== 0) throw new Error(`conlab exited ${code}: ${err}`)
  return JSON.parse(out) as RunReport
}

/** `conlab branch <file> --policy P --json`: the checkpointed policy and P, each run to the end. */
async function cliBranch(file: string, policy: string): Promise<RunReport[]> {
  const { code, out, err } = await conlab(['branch', file, '--policy', policy, '--json'])
  if (code !== 0) throw new Error(`conlab exited ${code}: ${err}`)
  return JSON.parse(out) as RunReport[]
}

/** The map's pixel at the centre of host h's tile, as #rrggbb (the canvas unscrolled, one device pixel a CSS pixel). */
async function tileCentre(page: Page, h: number): Promise<string> {
  return page.getByTestId('placement-canvas').evaluate((canvas: HTMLCanvasElement, host) => {
    const [cols, , tileW, tileH, gap, pad] = (canvas.dataset.grid ?? '').split(' ').map(Number)
    const x = pad! + (host % cols!) * (tileW! + gap!) + Math.floor(tileW! / 2)
    const y = pad! + Math.floor(host / cols!) * (tileH! + gap!) + Math.floor(tileH! / 2)
    // copied to a canvas of its own first: reading the map's canvas back each time makes Chromium warn
    const one = document.createElement('canvas')
    one.width = one.height = 1
    const ctx = one.getContext('2d', { willReadFrequently: true })!
    ctx.drawImage(canvas, x, y, 1, 1, 0, 0, 1, 1)
    const [r, g, b] = ctx.getImageData(0, 0, 1, 1).data
    return `#${[r!, g!, b!].map((c) => c.toString(16).padStart(2, '0')).join('')}`
  }, h)
}

/** The tooltip the map shows for host h (the pointer on its utilization bar: the host, not one of its VMs). */
async function hostTooltip(page: Page, h: number): Promise<string> {
  const box = (await page.getByTestId('placement-canvas').boundingBox())!
  const { x, y } = await hostBar(page, h)
  await page.mouse.move(x, y)
  const tip = page.locator('.map-tooltip')
  await expect.poll(() => tip.count()).toBe(1)
  const text = (await tip.innerText()).replace(/\s+/g, ' ')
  await page.mouse.move(box.x + box.width + 20, box.y) // off the map: the tooltip goes
  return text
}

/** A host in maintenance: its tile's fill (raster.ts, COLORS.maintenance; the legend's swatch) */
const MAINTENANCE_FILL = '#dbeafe'

/** Plays at full speed until the clock pauses at `hours`. */
async function playUntil(page: Page, hours: number): Promise<void> {
  await page.getByTestId('pause-at').fill(String(hours))
  await page.getByTestId('pause-at').press('Enter')
  await page.getByTestId('speed').selectOption('max')
  await page.getByTestId('play').click()
  const clock = page.getByTestId('clock')
  await expect
    .poll(async () => `${await clock.getAttribute('data-state')} ${await clock.getAttribute('data-time')}`, {
      timeout: 60_000,
    })
    .toBe(`paused ${Math.round(hours * 3600)}`)
  await page.getByTestId('notice').getByRole('button', { name: 'OK' }).click()
}

/** The text of a PNG's uncompressed iTXt chunks (PNG specification §11.3.4.5), each chunk's CRC checked. */
function pngText(png: Buffer): Record<string, string> {
  const out: Record<string, string> = {}
  for (let at = 8; at + 12 <= png.length;) {
    const length = png.readUInt32BE(at)
    const type = png.toString('latin1', at + 4, at + 8)
    expect(png.readUInt32BE(at + 8 + length)).toBe(crc32(png.subarray(at + 4, at + 8 + length)))
    if (type === 'iTXt') {
      const data = png.subarray(at + 8, at + 8 + length)
      // keyword NUL, compression flag, method, language tag NUL, translated keyword NUL, text
      const nul = data.indexOf(0)
      const keyword = data.toString('latin1', 0, nul)
      const language = data.indexOf(0, nul + 3)
      const translated = data.indexOf(0, language + 1)
      out[keyword] = data.toString('utf8', translated + 1)
    }
    at += 12 + length
  }
  return out
}

/** An error shown right under the control it is about (not at the top of the page). */
async function expectBelow(page: Page, error: Locator, control: Locator): Promise<void> {
  const e = (await error.boundingBox())!
  const c = (await control.boundingBox())!
  expect(e.y).toBeGreaterThanOrEqual(c.y + c.height - 1)
  expect(e.y).toBeLessThan(c.y + c.height + 24)
  expect(Math.abs(e.x - c.x)).toBeLessThan(200)
  expect(e.y + e.height).toBeLessThanOrEqual(page.viewportSize()?.height ?? 0)
}

async function kpi(page: Page, id: string): Promise<{ value: number; text: string }> {
  const el = page.getByTestId(`kpi-${id}`)
  return { value: Number(await el.getAttribute('data-value')), text: (await el.textContent()) ?? '' }
}

describe('the web UI in Chromium', () => {
  it.skipIf(ready || skipAllowed)('has Chromium and the web build', () => {
    expect.fail(notReadyReason())
  })

  let ui: WebUi | undefined
  let server: PreviewServer | undefined
  let page: Page
  let problems: string[] = []
  /** the lab model's PlanetLab day at 6 h, as `conlab run --until 6h` reports it */
  let sixHours = { energy: 0, stateHash: '' }

  beforeAll(async () => {
    if (!ready) return
    ui = await openWebUi()
    ;({ server, page, problems } = ui)
  })

  afterAll(async () => {
    await ui?.close()
  })

  it.skipIf(!ready)('opens the PlanetLab scenario in the page and draws all 800 hosts', async () => {
    const canvas = page.getByTestId('placement-canvas')
    await expect.poll(() => canvas.getAttribute('data-hosts-drawn'), { timeout: 20_000 }).toBe('800')
    expect(await page.getByTestId('scenario').inputValue()).toBe('planetlab-cloudsim')
    expect(await page.getByTestId('mode').textContent()).toBe('cloudsim')
    expect(await page.getByTestId('mode').getAttribute('title')).toMatch(/CloudSim 3\.0\.3/)
    expect(await page.getByTestId('migration-model').textContent()).toBe('migration: cloudsim')
    expect(await canvas.getAttribute('aria-label')).toMatch(/^Placement map: 800 hosts, 1052 VMs/)
    // CloudSim's model has no operator: no maintenance or standby in the legend
    expect(await page.locator('.map-legend').textContent()).not.toMatch(/maintenance|standby/)
  })

  it.skipIf(!ready)(
    'plays LR-MMT-1.2 to 6 h and shows what a CLI run of the same scenario and seed reports',
    async () => {
      const cli = cliRun([
        'scenarios/planetlab-cloudsim.yaml',
        '--policy',
        'lr-mmt-1.2',
        '--seed',
        '1',
        '--until',
        '6h',
      ])
      await page.getByTestId('policy').selectOption('lr-mmt-1.2')
      await page.getByTestId('seed').fill('1')
      await page.getByTestId('seed').press('Enter')
      await page.getByTestId('pause-at').fill('6')
      await page.getByTestId('pause-at').press('Enter')
      await page.getByTestId('speed').selectOption('max')
      await page.getByTestId('play').click()
      const clock = page.getByTestId('clock')
      await expect
        .poll(
          async () =>
            `${await clock.getAttribute('data-state')} ${Number(await clock.getAttribute('data-time')) >= SIX_HOURS}`,
          {
            timeout: 60_000,
          },
        )
        .toBe('paused true')
      expect(await clock.textContent()).toMatch(/^0d 06:00/)

      const expected = await cli
      // the same engine in this process gives the final frame (the charts' point count)
      const node = new LabSession(nodeScenarioCatalog(join(ROOT, 'scenarios')))
      await node.open({ builtin: 'planetlab-cloudsim', policy: 'lr-mmt-1.2', seed: 1 })
      const last = (await node.advance({ untilSeconds: SIX_HOURS })).frames.at(-1)!
      expect(last.energyKWh).toBe(expected.energyKWh)
      expect(last.activeHosts).toBe(expected.activeHosts)

      const energy = await kpi(page, 'energy')
      const migrations = await kpi(page, 'migrations')
      const active = await kpi(page, 'active-hosts')
      expect(energy.value).toBe(expected.energyKWh)
      expect(energy.text).toBe(`${expected.energyKWh.toFixed(2)} kWh`)
      expect(migrations.value).toBe(expected.migrations)
      expect(migrations.text).toBe(expected.migrations.toLocaleString('en-US'))
      expect(active.value).toBe(expected.activeHosts)
      expect(active.text).toBe(`${expected.activeHosts} / 800`)
      // the report panel shows the lab's report for the same 6 h
      await expect.poll(() => page.getByTestId('report-state-hash').textContent()).toBe(expected.stateHash)
      expect(await page.getByTestId('report-energy').textContent()).toBe(`${expected.energyKWh.toFixed(2)} kWh`)
      expect(await page.getByTestId('report-migrations').textContent()).toBe(
        expected.migrations.toLocaleString('en-US'),
      )
      expect(await page.getByTestId('report-active-hosts').textContent()).toBe(`${expected.activeHosts} / 800`)
      expect(await page.getByTestId('report-migration-model').textContent()).toBe('cloudsim')
      expect(await page.getByTestId('charts').getAttribute('data-points')).toBe(String(last.step))
      await expect
        .poll(() => page.locator('[data-testid=chart-cpu] .chart-line path.recharts-line-curve').count())
        .toBe(1)
      await page.screenshot({ path: join(ARTIFACTS, 'lab-6h.png'), fullPage: true })
      await page.getByTestId('charts').screenshot({ path: join(ARTIFACTS, 'charts-6h.png') })
    },
  )

  it.skipIf(!ready)('opens a VM’s details when the VM is clicked on the map', async () => {
    const canvas = page.getByTestId('placement-canvas')
    const [cols, , tileW, tileH, gap, pad] = ((await canvas.getAttribute('data-grid')) ?? '').split(' ').map(Number)
    const box = (await canvas.boundingBox())!
    const details = page.getByTestId('details')
    let clicked = -1
    for (let h = 0; h < 800 && clicked < 0; h++) {
      const x = box.x + pad! + (h % cols!) * (tileW! + gap!) + 2.5
      const y = box.y + pad! + Math.floor(h / cols!) * (tileH! + gap!) + tileH! / 2 - 1
      await page.mouse.click(x, y)
      if ((await details.getAttribute('data-kind')) === 'vm') clicked = h
    }
    expect(clicked).toBeGreaterThanOrEqual(0)
    await expect.poll(() => page.getByTestId('vm-state').textContent()).toMatch(/^(running|migrating)$/)
    expect(((await page.getByTestId('vm-name').textContent()) ?? '').length).toBeGreaterThan(3)
    expect(await page.getByTestId('vm-demand').textContent()).toMatch(/^\d+ MIPS$/)
    await expect
      .poll(() => page.locator('[data-testid=vm-workload-chart] .chart-line path.recharts-line-curve').count())
      .toBe(1)
    await page.locator('.details-panel').screenshot({ path: join(ARTIFACTS, 'vm-details.png') })

    await page.locator('.details-panel button.link').click() // its host
    await expect.poll(() => details.getAttribute('data-kind')).toBe('host')
    expect(await page.getByTestId('host-cpu').textContent()).toMatch(/^\d+\.\d %$/)
    await page.getByTestId('step').click()
    await page.getByTestId('step').click()
    await page.getByTestId('step').click()
    await expect
      .poll(() => page.locator('[data-testid=host-stack-chart] .chart-area path.recharts-area-area').count())
      .toBeGreaterThan(0)
    // the host's chart: clock ticks that never repeat; its history: time ago, with units
    await page.waitForTimeout(600)
    const ticks = await page
      .locator('[data-testid=host-stack-chart] .recharts-xAxis-tick-labels text')
      .allTextContents()
    expect(ticks.length).toBeGreaterThanOrEqual(2)
    expect(new Set(ticks).size).toBe(ticks.length)
    for (const t of ticks) expect(t).toMatch(/^\d\d:\d\d$/)
    const ago = await page
      .locator('[data-testid=host-history-chart] .recharts-xAxis-tick-labels text')
      .allTextContents()
    expect(ago.at(-1)).toBe('now')
    for (const t of ago.slice(0, -1)) expect(t).toMatch(/^−\d+(\.\d)? (s|min|h|d)$/)
    await page.locator('.map-panel').screenshot({ path: join(ARTIFACTS, 'placement-map.png') })
    await page.locator('.details-panel').screenshot({ path: join(ARTIFACTS, 'host-details.png') })
  })

  it.skipIf(!ready)('filters the event log by kind without rendering every event', async () => {
    const count = async () => {
      const [shown, total] = ((await page.getByTestId('log-count').textContent()) ?? '').split(' of ')
      return { shown: Number(shown!.replace(/,/g, '')), total: Number(total!.replace(/,/g, '')) }
    }
    const before = await count()
    expect(before.total).toBeGreaterThan(15_000)
    expect(await page.locator('.log-row').count()).toBeLessThan(80)
    await page.locator('label.kind-migration-start input').uncheck()
    const after = await count()
    expect(after.shown).toBeLessThan(before.shown)
    expect(await page.locator('.log-row.kind-migration-start').count()).toBe(0)
    await page.locator('label.kind-migration-start input').check()
    await page.locator('.log-panel').screenshot({ path: join(ARTIFACTS, 'event-log.png') })
  })

  it.skipIf(!ready)('exports a chart as PNG and the report as JSON and CSV', async () => {
    const [png] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('[data-testid=chart-power] button', { hasText: 'PNG' }).click(),
    ])
    // the file says which run it shows: in its name, and in text chunks any PNG viewer lists
    expect(png.suggestedFilename()).toBe('planetlab-2011-03-03-cloudsim-setup-lr-mmt-1-2-seed-1-power-and-energy.png')
    const pngBytes = readFileSync(await png.path())
    expect([...pngBytes.subarray(1, 4)].map((b) => String.fromCharCode(b)).join('')).toBe('PNG')
    expect(pngBytes.length).toBeGreaterThan(5_000)
    const chunks = pngText(pngBytes)
    expect(chunks.Title).toBe('Power and energy')
    expect(chunks.Description).toMatch(
      /^scenario: PlanetLab 2011-03-03, CloudSim setup; mode: cloudsim; policy: lr-mmt-1\.2; seed: 1; settings: none; simulated time: 0d 06:\d\d$/,
    )

    const [json] = await Promise.all([page.waitForEvent('download'), page.getByTestId('save-json').click()])
    const report = JSON.parse(readFileSync(await json.path(), 'utf8')) as RunReport
    expect(report.mode).toBe('cloudsim')
    expect(report.policy).toBe('lr-mmt-1.2')
    expect(report.simulatedSeconds).toBeGreaterThan(SIX_HOURS)

    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByTestId('save-csv').click()])
    const text = readFileSync(await csv.path(), 'utf8')
    const [head, row] = text.split('\n')
    expect(head).toMatch(/^scenario,mode,policy,seed,/)
    expect(row).toContain(String(report.energyKWh))
    // the engine's CSV (the columns of `conlab run --out` and of the desktop app's save) of the same report;
    // only the lab's wall time moves between the two downloads (counted from the end: the name has a comma)
    const columns = head!.split(',')
    const wallMs = Number(row!.split(',').at(columns.indexOf('wallMs') - columns.length))
    expect(text).toBe(reportsToCsv([{ ...report, wallMs }]))
    await page.getByTestId('report').screenshot({ path: join(ARTIFACTS, 'report.png') })
  })

  it.skipIf(!ready)('opens a scenario file chosen in the page, and names what is wrong with a bad one', async () => {
    // "Paused at the chosen time." from the 6 h run is still up: a new run clears it
    expect(await page.getByTestId('notice').textContent()).toMatch(/Paused at the chosen time/)
    const text = readFileSync(join(ROOT, 'scenarios', 'planetlab-cloudsim.yaml'), 'utf8')
    const input = page.getByTestId('scenario-file')
    await input.setInputFiles({
      name: 'my-copy.yaml',
      mimeType: 'text/yaml',
      buffer: Buffer.from(text.replace(/^name: .*$/m, 'name: My PlanetLab copy')),
    })
    await expect.poll(() => page.locator('.scenario-line strong').textContent()).toBe('My PlanetLab copy')
    expect(await page.getByTestId('scenario').locator('option:checked').textContent()).toBe('file: my-copy.yaml')
    expect(await page.getByTestId('clock').getAttribute('data-time')).toBe('0')
    expect(await page.getByTestId('notice').count()).toBe(0)
    // the runs table: the run has not started
    expect(await page.locator('[data-testid=branch-row][data-current=true] td').first().textContent()).toBe(
      'lr-mmt-1.2 (current, not started)',
    )

    // a bad value: shown under "Open file…", not at the top of the page; the lab keeps the scenario that was open
    await input.setInputFiles({
      name: 'broken.yaml',
      mimeType: 'text/yaml',
      buffer: Buffer.from(text.replace('interval: 5m', 'interval: soon')),
    })
    const error = page.getByTestId('scenario-error')
    await expect.poll(() => error.textContent()).toMatch(/broken\.yaml:\d+:\d+: interval: expected a duration/)
    expect(await page.getByTestId('error').count()).toBe(0)
    await expectBelow(page, error, page.getByRole('button', { name: 'Open file…' }))
    expect(await page.locator('.scenario-line strong').textContent()).toBe('My PlanetLab copy')

    // an unclosed [: the first error with its line and an excerpt, and how many more the parser found
    const unclosed = text.replace(/^hosts:/m, 'hosts: [')
    const opened = text.split('\n').findIndex((l) => l.startsWith('hosts:')) + 1
    await input.setInputFiles({ name: 'unclosed.yaml', mimeType: 'text/yaml', buffer: Buffer.from(unclosed) })
    await expect.poll(() => error.locator('.field-error-message').textContent()).toMatch(/^unclosed\.yaml:\d+:\d+: /)
    const message = (await error.locator('.field-error-message').textContent())!
    const line = Number(/^unclosed\.yaml:(\d+):/.exec(message)![1])
    expect(line).toBeGreaterThanOrEqual(opened)
    expect(line).toBeLessThanOrEqual(opened + 2)
    const excerpt = error.getByTestId('scenario-error-excerpt')
    expect(await excerpt.getAttribute('data-line')).toBe(String(line))
    expect((await excerpt.textContent())!.split('\n')[0]).toBe(`${line} | ${unclosed.split('\n')[line - 1]}`)
    expect(await error.getByTestId('scenario-error-others').textContent()).toMatch(/^and [1-9]\d* more errors? /)
    // the same file under Node: the lab's own count of problems
    const node = new LabSession(nodeScenarioCatalog(join(ROOT, 'scenarios')))
    const count = await node.open({ fileName: 'unclosed.yaml', text: unclosed }).then(
      () => 0,
      (e: Error) => e.message.split('\n').length,
    )
    expect(await error.getByTestId('scenario-error-others').textContent()).toMatch(
      new RegExp(`^and ${count - 1} more error`),
    )
    await page.evaluate(() => window.scrollTo(0, 0))
    await page.screenshot({ path: join(ARTIFACTS, 'scenario-error.png') })
    await error.getByRole('button', { name: 'Dismiss' }).click()
    expect(await error.count()).toBe(0)
  })

  it.skipIf(!ready)('says next to the seed and "pause at" what they expect, keeping what was typed', async () => {
    const seed = page.getByTestId('seed')
    for (const bad of ['xyz', '-5']) {
      await seed.fill(bad)
      await seed.press('Enter')
      const error = page.getByTestId('seed-error')
      await expect
        .poll(() => error.locator('.field-error-message').textContent())
        .toBe(`seed: expected a whole number from 0 to 4294967295, found "${bad}"`)
      expect(await seed.inputValue()).toBe(bad)
      expect(await seed.getAttribute('aria-invalid')).toBe('true')
      await expectBelow(page, error, seed)
    }
    expect(await page.getByTestId('error').count()).toBe(0)
    await seed.fill('1')
    await seed.press('Enter')
    expect(await page.getByTestId('seed-error').count()).toBe(0)

    const pauseAt = page.getByTestId('pause-at')
    await pauseAt.fill('abc')
    await pauseAt.press('Enter')
    const error = page.getByTestId('pause-at-error')
    await expect
      .poll(() => error.locator('.field-error-message').textContent())
      .toBe('pause at: expected hours after now (0d 00:00) and up to the end (1d 00:00, 24 h), found "abc"')
    expect(await pauseAt.inputValue()).toBe('abc')
    await expectBelow(page, error, pauseAt)
    // Play waits for a time it can read
    expect(await page.getByTestId('play').isDisabled()).toBe(true)
    await pauseAt.fill('')
    await pauseAt.press('Enter')
    expect(await error.count()).toBe(0)
    expect(await page.getByTestId('play').isEnabled()).toBe(true)
  })

  it.skipIf(!ready)('opens the run a link asks for', async () => {
    await page.goto(`${server!.resolvedUrls!.local[0]!}?scenario=planetlab-cloudsim&policy=thr-mmt-0.8&seed=7`)
    await expect.poll(() => page.getByTestId('policy').inputValue(), { timeout: 20_000 }).toBe('thr-mmt-0.8')
    expect(await page.getByTestId('seed').inputValue()).toBe('7')
    expect(await page.getByTestId('placement-canvas').getAttribute('data-hosts-drawn')).toBe('800')
  })

  it.skipIf(!ready)(
    'plays the lab model’s PlanetLab day to 6 h with its hosts in two Web Workers, as `conlab run` does',
    async () => {
      const cli = cliRun(['scenarios/planetlab-lab.yaml', '--until', '6h'])
      await page.goto(`${server!.resolvedUrls!.local[0]!}?scenario=planetlab-lab&workers=2`)
      await expect.poll(() => page.getByTestId('mode').textContent(), { timeout: 20_000 }).toBe('lab')
      expect(await page.getByTestId('mode').getAttribute('title')).toMatch(/^Lab mode: .*Migrations: CloudSim's/)
      expect(await page.getByTestId('migration-model').textContent()).toBe('migration: cloudsim')
      expect(await page.getByTestId('migration-model').getAttribute('title')).toMatch(/at most 4 per host/)
      expect(await page.getByTestId('policy').inputValue()).toBe('lr-mmt-1.2')
      // the coordinator runs in the lab's Web Worker, the hosts in two Web Workers it started
      const shards = page.getByTestId('shards')
      expect(await shards.getAttribute('data-count')).toBe('2')
      expect(await shards.getAttribute('data-where')).toBe('web-workers')
      await expect.poll(() => page.workers().length).toBeGreaterThanOrEqual(3)
      expect(page.workers().filter((w) => /shard\.worker/.test(w.url()))).toHaveLength(2)
      await playUntil(page, 6)
      const expected = await cli
      expect(expected.mode).toBe('lab')
      expect(expected.shards).toBe(1)
      expect((await kpi(page, 'energy')).value).toBe(expected.energyKWh)
      expect((await kpi(page, 'migrations')).value).toBe(expected.migrations)
      expect((await kpi(page, 'active-hosts')).value).toBe(expected.activeHosts)
      expect((await kpi(page, 'slatah')).value).toBe(expected.slatah)
      await expect.poll(() => page.getByTestId('report-state-hash').textContent()).toBe(expected.stateHash)
      expect(await page.getByTestId('report-host-shards').textContent()).toBe('2 in Web Workers')
      const stats = expected.migrationStats!
      expect(await page.getByTestId('report-migration-outcomes').textContent()).toBe(
        `${stats.completed} moved, ${stats.calledOff} called off, ${stats.lost} lost`,
      )
      expect(await page.getByTestId('report-migration-model').textContent()).toBe('cloudsim')
      sixHours = { energy: expected.energyKWh, stateHash: expected.stateHash }
    },
  )

  it.skipIf(!ready)(
    'takes a checkpoint, plays on, rewinds to it exactly, and branches with another policy as `conlab branch` does',
    async () => {
      const clock = page.getByTestId('clock')
      const list = page.getByTestId('checkpoint-list')
      await page.getByTestId('checkpoint-name').fill('six hours')
      await page.getByTestId('take-checkpoint').click()
      await expect.poll(() => list.getAttribute('data-count')).toBe('1')
      const row = page.getByTestId('checkpoint-row').first()
      expect(await row.getAttribute('data-time')).toBe(String(SIX_HOURS))
      expect(await row.getByTestId('checkpoint-time').textContent()).toBe('0d 06:00')
      // the file, as the browser downloads it
      const [download] = await Promise.all([page.waitForEvent('download'), row.getByTestId('save-checkpoint').click()])
      expect(download.suggestedFilename()).toBe('planetlab-lab-t0000021600.ckpt')
      const ckpt = join(ARTIFACTS, 'planetlab-lab-6h.ckpt')
      await download.saveAs(ckpt)
      const branchCli = cliBranch(ckpt, 'thr-mmt-0.8')

      // a setting the scenario does not have: the error under the settings, which keep the text; the run stays
      const settings = row.getByTestId('branch-settings')
      await settings.fill('foo.bar=3')
      await row.getByTestId('branch').click()
      const id = await row.getAttribute('data-id')
      const branchError = page.getByTestId(`branch-error-${id}`)
      await expect
        .poll(() => branchError.locator('.field-error-message').textContent())
        .toMatch(/foo.*unknown key "foo"/)
      expect(await settings.inputValue()).toBe('foo.bar=3')
      expect(await page.getByTestId('error').count()).toBe(0)
      await expectBelow(page, branchError, settings)
      expect(await clock.getAttribute('data-time')).toBe(String(SIX_HOURS))
      expect(await clock.getAttribute('data-state')).toBe('paused')
      await settings.fill('')
      await branchError.getByRole('button', { name: 'Dismiss' }).click()

      // the runs table follows the run: paused at 6 h, then playing with the clock
      const current = page.locator('[data-testid=branch-row][data-current=true]')
      expect(await current.locator('td').first().textContent()).toBe('lr-mmt-1.2 (current, paused)')
      expect(await current.getByTestId('branch-where').textContent()).toBe('paused at 0d 06:00')
      await page.getByTestId('pause-at').fill('8')
      await page.getByTestId('pause-at').press('Enter')
      await page.getByTestId('speed').selectOption('2')
      await page.getByTestId('play').click()
      await expect.poll(() => current.getByTestId('branch-where').textContent()).toMatch(/^playing at 0d 06:[1-5]\d$/)
      expect(await current.locator('td').first().textContent()).toBe('lr-mmt-1.2 (current, playing)')
      await page.getByTestId('play').click()
      await expect.poll(() => clock.getAttribute('data-state')).toBe('paused')

      // play on to 8 h: the figures move on
      await playUntil(page, 8)
      expect(await clock.getAttribute('data-time')).toBe(String(8 * 3600))
      expect((await kpi(page, 'energy')).value).toBeGreaterThan(sixHours.energy)

      // rewind: the clock, the energy and the state are the checkpoint's again, exactly
      await row.getByTestId('rewind').click()
      await expect.poll(() => clock.getAttribute('data-time')).toBe(String(SIX_HOURS))
      expect(await clock.getAttribute('data-state')).toBe('paused')
      expect((await kpi(page, 'energy')).value).toBe(sixHours.energy)
      expect(await page.getByTestId('charts').getAttribute('data-points')).toBe('72')
      await expect.poll(() => page.getByTestId('report-state-hash').textContent()).toBe(sixHours.stateHash)
      expect(await page.getByTestId('notice').textContent()).toMatch(/rewound to "six hours" \(0d 06:00\)/)
      await page.getByTestId('notice').getByRole('button', { name: 'OK' }).click()

      // branch with THR-MMT-0.8 and play it to the end
      await row.getByTestId('branch-policy').selectOption('thr-mmt-0.8')
      await row.getByTestId('branch').click()
      await expect.poll(() => page.getByTestId('policy').inputValue()).toBe('thr-mmt-0.8')
      expect(await clock.getAttribute('data-time')).toBe(String(SIX_HOURS))
      expect((await kpi(page, 'energy')).value).toBe(sixHours.energy)
      await playToEnd(page)
      // and the checkpointed policy from the same checkpoint, to the end too
      await row.getByTestId('rewind').click()
      await expect.poll(() => clock.getAttribute('data-time')).toBe(String(SIX_HOURS))
      await playToEnd(page)

      // the two branches side by side, with the figures `conlab branch` prints for the same file
      const [asTaken, branched] = await branchCli
      const table = page.getByTestId('branches')
      await expect.poll(() => table.getAttribute('data-finished')).toBe('2')
      const done = page.locator('[data-testid=branch-row][data-done=true]')
      expect(await done.count()).toBe(2)
      const rows = await done.evaluateAll((trs) =>
        trs.map((tr) => ({
          label: tr.querySelector('td')!.textContent,
          energy: tr.querySelector('[data-testid=branch-energy]')!.textContent,
          migrations: tr.querySelector('[data-testid=branch-migrations]')!.textContent,
          hash: tr.querySelector('[data-testid=branch-hash]')!.textContent,
        })),
      )
      expect(rows).toEqual([
        {
          label: 'thr-mmt-0.8',
          energy: `${branched!.energyKWh.toFixed(2)} kWh`,
          migrations: branched!.migrations.toLocaleString('en-US'),
          hash: branched!.stateHash,
        },
        {
          label: 'lr-mmt-1.2 (current, at the end)',
          energy: `${asTaken!.energyKWh.toFixed(2)} kWh`,
          migrations: asTaken!.migrations.toLocaleString('en-US'),
          hash: asTaken!.stateHash,
        },
      ])
      expect(branched!.stateHash).not.toBe(asTaken!.stateHash)
      await page.getByTestId('checkpoints').screenshot({ path: join(ARTIFACTS, 'checkpoints.png') })

      // the downloaded file loads back into the page: the lab is at 6 h again
      await page.getByTestId('checkpoint-file').setInputFiles(ckpt)
      await expect.poll(() => clock.getAttribute('data-time')).toBe(String(SIX_HOURS))
      await expect.poll(() => list.getAttribute('data-count')).toBe('2')
      expect(await page.getByTestId('checkpoint-row').nth(1).textContent()).toMatch(/^planetlab-lab-6h\.ckpt \(file\)/)
      await expect.poll(() => page.getByTestId('report-state-hash').textContent()).toBe(sixHours.stateHash)
      expect((await kpi(page, 'energy')).value).toBe(sixHours.energy)

      // in CloudSim's model the page says why there are no checkpoints, and a lab checkpoint file still loads
      await page.getByTestId('scenario').selectOption('planetlab-cloudsim')
      await expect.poll(() => page.getByTestId('mode').textContent()).toBe('cloudsim')
      expect(await page.getByTestId('take-checkpoint').count()).toBe(0)
      expect(await page.getByTestId('checkpoints-note').textContent()).toMatch(
        /CloudSim’s model keeps no checkpoints .*Load file… continues a lab checkpoint file, which brings its own scenario/,
      )
      expect(await page.getByTestId('load-checkpoint').isEnabled()).toBe(true)
      await page.getByTestId('checkpoint-file').setInputFiles(ckpt)
      await expect.poll(() => page.getByTestId('mode').textContent()).toBe('lab')
      expect(await clock.getAttribute('data-time')).toBe(String(SIX_HOURS))
      expect(await page.getByTestId('scenario').inputValue()).toBe('planetlab-lab')
      await expect.poll(() => page.getByTestId('report-state-hash').textContent()).toBe(sixHours.stateHash)
    },
  )

  it.skipIf(!ready)(
    'shows a live migration in the VM’s details: in flight, then its downtime, traffic, rounds and throttle',
    async () => {
      const cli = cliRun(['scenarios/migration-hot-working-set.yaml', '--set', 'migration.autoConverge=true'])
      await page.goto(
        `${server!.resolvedUrls!.local[0]!}?scenario=migration-hot-working-set&set=${encodeURIComponent('migration.autoConverge=true')}`,
      )
      const canvas = page.getByTestId('placement-canvas')
      await expect.poll(() => canvas.getAttribute('data-hosts-drawn'), { timeout: 20_000 }).toBe('2')
      expect(await page.getByTestId('mode').textContent()).toBe('lab')
      const badge = page.getByTestId('migration-model')
      expect(await badge.textContent()).toBe('migration: pre-copy')
      expect(await badge.getAttribute('title')).toMatch(
        /max 128 MiB\/s · downtime limit 300 ms · auto-converge on[^]*Settings: migration\.autoConverge=true/,
      )
      // pause while the VM is on its way (it leaves at 60 s)
      await page.getByTestId('pause-at').fill(String(65 / 3600))
      await page.getByTestId('pause-at').press('Enter')
      await page.getByTestId('speed').selectOption('max')
      await page.getByTestId('play').click()
      const clock = page.getByTestId('clock')
      await expect
        .poll(async () => `${await clock.getAttribute('data-state')} ${await clock.getAttribute('data-time')}`)
        .toBe('paused 70')
      expect(await clock.textContent()).toBe('0d 00:01:10.0 / 0d 00:05:00.0')
      expect(await canvas.getAttribute('aria-label')).toMatch(/2 hosts, 1 VMs, 1 migrating/)
      // an event about VM 0 selects it
      await page.locator('.log-row.kind-info').first().click()
      const details = page.getByTestId('details')
      await expect.poll(() => details.getAttribute('data-kind')).toBe('vm')
      expect(await page.getByTestId('vm-state').textContent()).toBe('migrating')
      expect(await page.getByTestId('vm-migrating-to').textContent()).toBe('host 1 (since 0d 00:01:00.0)')
      const migration = page.getByTestId('vm-migration')
      expect(await migration.count()).toBe(1)
      expect(await migration.getAttribute('data-outcome')).toBe('in-flight')
      await page.locator('.map-panel').screenshot({ path: join(ARTIFACTS, 'placement-migrating.png') })
      // live progress: query-migrate as of the end of the last step, as the same engine under Node has it
      const node = new LabSession(nodeScenarioCatalog(join(ROOT, 'scenarios')))
      await node.open({ builtin: 'migration-hot-working-set', set: ['migration.autoConverge=true'] })
      await node.advance({ untilSeconds: 70 })
      const live = (await node.vmDetails(0)).migrations[0]!
      expect(await page.getByTestId('migration-phase').textContent()).toBe(live.phase)
      expect(await page.getByTestId('migration-transferred').textContent()).toBe(
        `${(live.transferredBytes! / 2 ** 30).toFixed(2)} GiB (${(live.transferredBytes! / live.totalBytes!).toFixed(2)} × RAM)`,
      )
      expect(await page.getByTestId('migration-remaining').textContent()).toBe(
        `${(live.remainingBytes! / 2 ** 20).toFixed(1)} MiB`,
      )
      expect(await page.getByTestId('migration-expected-downtime').textContent()).toBe(
        `${live.expectedDowntimeMs!.toFixed(1)} ms`,
      )
      expect(await page.getByTestId('migration-rounds').textContent()).toBe(String(live.rounds))
      expect(await page.getByTestId('migration-throttle-now').textContent()).toBe(`${live.throttlePercent} %`)
      await page.waitForTimeout(600)
      await page.locator('.details-panel').screenshot({ path: join(ARTIFACTS, 'vm-migration-in-flight.png') })

      await page.getByTestId('play').click()
      await expect.poll(() => clock.getAttribute('data-state'), { timeout: 60_000 }).toBe('done')
      const expected = await cli
      const record = expected.migrationsDetail![0]!
      const info = record.info!
      expect(info.status).toBe('completed')
      await expect.poll(() => migration.getAttribute('data-outcome')).toBe('completed')
      expect(await page.getByTestId('vm-state').textContent()).toBe('running')
      expect(await page.getByTestId('migration-outcome').textContent()).toBe('completed')
      expect(await page.getByTestId('migration-when').textContent()).toBe(
        `0d 00:01:00.0, took ${(record.end - record.start).toFixed(1)} s`,
      )
      expect(await page.getByTestId('migration-downtime').textContent()).toBe(`${info.downtime!.toFixed(1)} ms`)
      // the last 39 MB at 10 GbE's 1.25 GB/s plus 20 ms of resume (not max-bandwidth's 128 MiB/s)
      expect(await page.getByTestId('migration-downtime').textContent()).toBe('51.5 ms')
      expect(await page.getByTestId('migration-transferred').textContent()).toBe(
        `${(info.ram.transferred / 2 ** 30).toFixed(2)} GiB (${(info.ram.transferred / info.ram.total).toFixed(2)} × RAM)`,
      )
      expect(await page.getByTestId('migration-rounds').textContent()).toBe(String(info.lab.rounds))
      expect(await page.getByTestId('migration-throttle').textContent()).toBe('20 % → 30 % → 40 %')
      // the details charts redraw at most every 500 ms: let the last one land before the picture
      await page.waitForTimeout(600)
      await page.locator('.details-panel').screenshot({ path: join(ARTIFACTS, 'vm-migration.png') })
      // the report says the same as `conlab run … --json`
      await expect.poll(() => page.getByTestId('report-state-hash').textContent()).toBe(expected.stateHash)
      const stats = expected.migrationStats!
      expect(await page.getByTestId('report-migration-model').textContent()).toBe('precopy')
      expect(await page.getByTestId('report-migration-downtime').textContent()).toBe(
        `median ${stats.medianDowntimeMs!.toFixed(0)} ms, max ${stats.maxDowntimeMs!.toFixed(0)} ms`,
      )
      expect(await page.getByTestId('report-migration-traffic').textContent()).toBe(
        `${stats.transferredGiB!.toFixed(2)} GiB`,
      )
      await page.screenshot({ path: join(ARTIFACTS, 'lab-migration.png'), fullPage: true })
    },
  )

  it.skipIf(!ready)(
    'takes VM snapshots from the VM’s panel: the tree with "You are here" and sizes, revert, and a refusal',
    async () => {
      // the snapshot fixture without its scheduled events: every snapshot here comes from the panel
      const text = readFileSync(join(ROOT, 'tests', 'fixtures', 'snapshots.yaml'), 'utf8').replace(/^events:[^]*$/m, '')
      await page.getByTestId('scenario-file').setInputFiles({
        name: 'snapshots-by-hand.yaml',
        mimeType: 'text/yaml',
        buffer: Buffer.from(text),
      })
      await expect.poll(() => page.locator('.scenario-line strong').textContent()).toBe('VM snapshot tree')
      for (let i = 0; i < 10; i++) await page.getByTestId('step').click()
      await expect.poll(() => page.getByTestId('clock').getAttribute('data-time')).toBe('600')
      await clickHost(page, 0)
      await expect.poll(() => page.getByTestId('details').getAttribute('data-kind')).toBe('host')
      await page.locator('.vm-table tr.clickable').first().click()
      await expect.poll(() => page.getByTestId('details').getAttribute('data-kind')).toBe('vm')
      const panel = page.getByTestId('vm-snapshots')
      expect(await panel.getAttribute('data-count')).toBe('0')
      expect(await panel.getByTestId('you-are-here').count()).toBe(1)

      await panel.getByTestId('snapshot-name').fill('base')
      await panel.getByTestId('snapshot-description').fill('before the change')
      await panel.getByTestId('snapshot-take').click()
      await expect
        .poll(() => panel.getByTestId('vm-pending-orders').textContent())
        .toBe('take snapshot "base" with memory — at the next step')
      await page.getByTestId('step').click()
      await expect.poll(() => panel.getAttribute('data-count')).toBe('1')
      expect(await panel.getByTestId('vm-pending-orders').count()).toBe(0)
      // the same orders in a session under Node give the snapshot's size
      const node = new LabSession(nodeScenarioCatalog(join(ROOT, 'scenarios')))
      await node.open({ fileName: 'snapshots-by-hand.yaml', text })
      await node.advance({ steps: 10 })
      await node.order({ snapshot: { vm: 0, name: 'base', description: 'before the change', memory: true } })
      await node.advance({ steps: 1 })
      const base = (await node.vmDetails(0)).snapshots![0]!
      const snapshot = panel.getByTestId('snapshot').first()
      expect(await snapshot.getAttribute('data-name')).toBe('base')
      expect(await snapshot.getAttribute('data-current')).toBe('true')
      expect(await snapshot.getByTestId('snapshot-size').first().textContent()).toBe(
        `${(base.sizeBytes / 2 ** 20).toFixed(1)} MiB`,
      )
      // "You are here" hangs under the snapshot the VM's state follows
      expect(await snapshot.getByTestId('you-are-here').count()).toBe(1)
      expect(await panel.getByTestId('snapshot-events').textContent()).toMatch(
        /VM 0: snapshot "base" with memory stores \d+\.\d MiB/,
      )

      // a disk-only child on top: "You are here" moves under it
      await panel.getByTestId('snapshot-name').fill('retry')
      await panel.getByTestId('snapshot-memory').uncheck()
      await panel.getByTestId('snapshot-take').click()
      await page.getByTestId('step').click()
      await expect.poll(() => panel.getAttribute('data-count')).toBe('2')
      const retry = panel.locator('[data-testid=snapshot][data-name=retry]')
      expect(await retry.getAttribute('data-current')).toBe('true')
      expect(await retry.getByTestId('you-are-here').count()).toBe(1)
      expect(await panel.getByTestId('you-are-here').count()).toBe(1)
      // names pick the snapshot to revert or delete: the panel takes no second "base"
      await panel.getByTestId('snapshot-name').fill('base')
      expect(await panel.getByTestId('snapshot-take').isDisabled()).toBe(true)
      await panel.getByTestId('snapshot-name').fill('')
      // revert to "base": the VM goes on from its state at 600 s, and "You are here" is back under it
      await snapshot.getByTestId('snapshot-revert').first().click()
      await page.getByTestId('step').click()
      await expect
        .poll(() => panel.getByTestId('snapshot-events').locator('li').first().textContent())
        .toMatch(/VM 0: reverted to "base" \(taken at 600 s\)/)
      await expect.poll(() => snapshot.getAttribute('data-current')).toBe('true')
      await page.locator('.details-panel').screenshot({ path: join(ARTIFACTS, 'vm-snapshots.png') })
      await retry.getByTestId('snapshot-delete').click()
      await page.getByTestId('step').click()
      await expect.poll(() => panel.getAttribute('data-count')).toBe('1')
      // the event log filters the new kinds
      expect(await page.locator('label.kind-snapshot').textContent()).toBe('VM snapshots 4')

      // where VMs have no memory images the lab refuses snapshots, and the panel says why
      await page.goto(`${server!.resolvedUrls!.local[0]!}?scenario=planetlab-lab`)
      await expect.poll(() => page.getByTestId('mode').textContent(), { timeout: 20_000 }).toBe('lab')
      await clickHost(page, 0)
      await expect.poll(() => page.getByTestId('details').getAttribute('data-kind')).toBe('host')
      await page.locator('.vm-table tr.clickable').first().click()
      await expect.poll(() => page.getByTestId('details').getAttribute('data-kind')).toBe('vm')
      expect(await panel.textContent()).toMatch(/no memory images, so the lab refuses snapshots/)
      await panel.getByTestId('snapshot-name').fill('before')
      await panel.getByTestId('snapshot-take').click()
      await page.getByTestId('step').click()
      await expect
        .poll(() => panel.locator('.snapshot-events li[data-kind=warning]').first().textContent())
        .toMatch(
          /ordered: snapshot operation: VMs have no memory images in this scenario \(set memory\.images: true\)$/,
        )
      expect(await panel.getAttribute('data-count')).toBe('0')
    },
  )

  it.skipIf(!ready)('fails a host from its panel in the HA drill: HA restarts its VMs elsewhere', async () => {
    await page.goto(`${server!.resolvedUrls!.local[0]!}?scenario=ha-drill`)
    await expect.poll(() => page.getByTestId('placement-canvas').getAttribute('data-hosts-drawn')).toBe('8')
    await playUntil(page, 1)
    // which host runs VMs at 1 h, as the same engine under Node has it
    const node = new LabSession(nodeScenarioCatalog(join(ROOT, 'scenarios')))
    await node.open({ builtin: 'ha-drill' })
    await node.advance({ untilSeconds: 3600 })
    const placement = await node.placement()
    const host = placement.vmHost[0]!
    const victims = [...placement.vmHost].flatMap((h, v) => (h === host ? [v] : []))
    await clickHost(page, host)
    await expect.poll(() => page.getByTestId('details').getAttribute('data-kind')).toBe('host')
    expect(await page.locator('#details-title').textContent()).toBe(`Host ${host}`)
    expect(await page.getByTestId('host-state').textContent()).toBe('on')
    await page.getByTestId('fail-host').click()
    await expect
      .poll(() => page.getByTestId('host-pending-order').textContent())
      .toBe(`fail host ${host} at the next step`)
    await page.getByTestId('step').click()
    await expect.poll(() => page.getByTestId('host-state').textContent()).toBe('failed')
    expect(await page.getByTestId('fail-host').isDisabled()).toBe(true)
    expect(await page.getByTestId('repair-host').isEnabled()).toBe(true)
    await page.getByTestId('step').click()
    // the log: the failure, then one HA restart per VM the host ran
    await expect.poll(() => page.locator('label.kind-ha-restart').textContent()).toBe(`HA restarts ${victims.length}`)
    expect(await page.locator('label.kind-host-failed').textContent()).toBe('host failures 1')
    // only the HA events in the log
    for (const chip of await page.locator('.log-filters label.chip[class*="kind-"]').all()) {
      const kind = /kind-([a-z-]+)/.exec((await chip.getAttribute('class')) ?? '')![1]
      if (kind !== 'ha-restart' && kind !== 'host-failed') await chip.locator('input').uncheck()
    }
    expect(await page.locator('.log-row').count()).toBe(victims.length + 1)
    const restarts = page.locator('.log-row.kind-ha-restart')
    expect(await restarts.first().textContent()).toMatch(/HA: VM \d+ (cold-boots|resumes) on host \d/)
    // the log is below the details: clicking an event there brings the details panel into view
    await page.locator('.log-panel').scrollIntoViewIfNeeded()
    expect((await page.getByTestId('details').boundingBox())!.y).toBeLessThan(0)
    await page.locator('.log-row.kind-host-failed').first().click() // selects the failed host
    await expect.poll(() => page.getByTestId('host-state').textContent()).toBe('failed')
    await expect
      .poll(async () => {
        const box = (await page.getByTestId('details').boundingBox())!
        return box.y >= 0 && box.y < 960 - 100
      })
      .toBe(true)
    // the report's HA section, as the lab counts it
    await expect.poll(() => page.getByTestId('report-host-failures').textContent()).toBe('1 (0 repaired)')
    expect(await page.getByTestId('report-HA-restarts').textContent()).toMatch(
      new RegExp(
        `^${victims.length} of ${victims.length} VMs: \\d+ from their checkpoint, \\d+ cold-booted, 0 not restarted$`,
      ),
    )
    // the legend shows the states a host can be in here, the operator's modes too (lab mode)
    expect(await page.locator('.map-legend').textContent()).toMatch(
      /off.*booting.*failed.*evacuating.*maintenance.*standby/,
    )
    await page.locator('.map-panel').screenshot({ path: join(ARTIFACTS, 'ha-failed-host.png') })
    await page.locator('.details-panel').screenshot({ path: join(ARTIFACTS, 'host-ha.png') })
    await page.locator('.log-panel').screenshot({ path: join(ARTIFACTS, 'ha-event-log.png') })
    // repaired: back in service
    await page.getByTestId('repair-host').click()
    await page.getByTestId('step').click()
    await expect.poll(() => page.getByTestId('host-state').textContent()).not.toBe('failed')
  })

  it.skipIf(!ready)('charts the memory section over time for a scenario whose hosts manage memory', async () => {
    await page.goto(`${server!.resolvedUrls!.local[0]!}?scenario=memory-overcommit`)
    await expect.poll(() => page.getByTestId('mode').textContent(), { timeout: 20_000 }).toBe('lab')
    await playUntil(page, 1)
    const chart = page.getByTestId('chart-memory')
    await expect.poll(() => chart.locator('.chart-line path.recharts-line-curve').count()).toBe(5)
    // the 16 GiB server: its physical RAM, what is resident, and apart the admission capacity:
    // (16384 MiB − the 512 MiB host reserve) × the scenario's RAM allocation ratio 1.6 = 24.80 GiB
    await clickHost(page, 0)
    await expect.poll(() => page.getByTestId('host-ram').textContent()).toBe('16.00 GiB')
    const node = new LabSession(nodeScenarioCatalog(join(ROOT, 'scenarios')))
    await node.open({ builtin: 'memory-overcommit' })
    await node.advance({ untilSeconds: 3600 })
    const host = await node.hostDetails(0)
    expect(await page.getByTestId('host-ram-used').textContent()).toBe(
      `${(host.ramUsedMB / 1024).toFixed(2)} GiB (${((host.ramUsedMB / 16384) * 100).toFixed(1)} %)`,
    )
    expect(await page.getByTestId('host-ram-admission').textContent()).toBe('24.00 GiB of 24.80 GiB')
    await page.locator('.details-panel').screenshot({ path: join(ARTIFACTS, 'host-memory.png') })
    await page.getByTestId('report').screenshot({ path: join(ARTIFACTS, 'report-memory.png') })
  })

  it.skipIf(!ready)(
    'plays diurnal sines, Gaussian noise, page writes, random failures and host swap to the bits `conlab run` gives',
    async () => {
      // every one goes through the engine's log, log1p, expm1 or sin (engine/math/fdlibm.ts): with Math's,
      // which differ in the last bit between Chromium's V8 and Node's, these runs parted within a few steps
      const runs = [
        // diurnal workloads with noise, hot-cold and sequential page writes, maintenance at 2 h, a failure at 4 h
        { scenario: 'maintenance-and-affinity', set: [], hours: 5 },
        // random failures (exponential times to failure) beside the one scheduled at 2 h
        { scenario: 'ha-drill', set: ['ha.mtbf=1d'], hours: 5 },
        // host swap: the swapped pages coming back, 1 − e^(−ρt) of them
        { scenario: 'memory-overcommit', set: [], hours: 1 },
      ]
      for (const run of runs) {
        const sets = run.set.flatMap((s) => ['--set', s])
        const cli = cliRun([`scenarios/${run.scenario}.yaml`, ...sets, '--until', `${run.hours}h`])
        const query = run.set.map((s) => `&set=${encodeURIComponent(s)}`).join('')
        await page.goto(`${server!.resolvedUrls!.local[0]!}?scenario=${run.scenario}${query}`)
        await expect.poll(() => page.getByTestId('mode').textContent(), { timeout: 20_000 }).toBe('lab')
        expect(await page.getByTestId('scenario').inputValue()).toBe(run.scenario)
        await playUntil(page, run.hours)
        const expected = await cli
        expect(expected.simulatedSeconds).toBe(run.hours * 3600)
        if (run.scenario === 'ha-drill') expect(expected.ha!.hostFailures).toBeGreaterThan(1)
        if (run.scenario === 'memory-overcommit') expect(expected.memory!.final.hostSwappedGiB).toBeGreaterThan(1)
        await expect
          .poll(() => page.getByTestId('report-state-hash').textContent(), { message: run.scenario })
          .toBe(expected.stateHash)
        expect((await kpi(page, 'energy')).value).toBe(expected.energyKWh)
        expect((await kpi(page, 'migrations')).value).toBe(expected.migrations)
      }
    },
  )

  it.skipIf(!ready)(
    'shows on a host’s tile the VMs left to evacuate as it enters maintenance, down to 0, then the maintenance state',
    async () => {
      // host 0 enters maintenance at 2 h (a scenario event): its VMs leave over the next steps, as the engine
      // under Node counts them (hostDetails' vmsLeft)
      await page.goto(`${server!.resolvedUrls!.local[0]!}?scenario=maintenance-and-affinity`)
      await expect.poll(() => page.getByTestId('mode').textContent(), { timeout: 20_000 }).toBe('lab')
      expect(await page.evaluate(() => window.devicePixelRatio)).toBe(1)
      await playUntil(page, 2 - 1 / 60)
      const node = new LabSession(nodeScenarioCatalog(join(ROOT, 'scenarios')))
      await node.open({ builtin: 'maintenance-and-affinity' })
      await node.advance({ untilSeconds: 2 * 3600 - 60 })
      const clock = page.getByTestId('clock')
      const badges = page.getByTestId('evac-badge')
      expect(await badges.count()).toBe(0)
      const shown: number[] = []
      let mode = (await node.hostDetails(0)).mode!
      for (let step = 0; step < 10 && mode.mode !== 'maintenance'; step++) {
        const t = Number(await clock.getAttribute('data-time'))
        await page.getByTestId('step').click()
        await expect.poll(() => clock.getAttribute('data-time')).toBe(String(t + 60))
        await node.advance({ steps: 1 })
        mode = (await node.hostDetails(0)).mode!
        if (mode.mode !== 'entering-maintenance') continue
        // one badge, on host 0's tile, with the count the host's details give
        await expect.poll(() => badges.getAttribute('data-vms-left')).toBe(String(mode.vmsLeft))
        expect(await badges.count()).toBe(1)
        expect(await badges.getAttribute('data-host')).toBe('0')
        expect(await badges.textContent()).toBe(`↦${mode.vmsLeft}`)
        const label = `${mode.vmsLeft} VM${mode.vmsLeft === 1 ? '' : 's'} left to evacuate`
        expect(await badges.getAttribute('aria-label')).toBe(`Host 0: ${label}`)
        if (!shown.length) {
          // the badge sits on host 0's tile, and the tile's tooltip says the same
          const tile = (await page.getByTestId('placement-canvas').boundingBox())!
          const [, , tileW, tileH, , pad] = (
            (await page.getByTestId('placement-canvas').getAttribute('data-grid')) ?? ''
          )
            .split(' ')
            .map(Number)
          const badge = (await badges.boundingBox())!
          expect(badge.x).toBeGreaterThanOrEqual(tile.x + pad!)
          expect(badge.x + badge.width).toBeLessThanOrEqual(tile.x + pad! + tileW! + 0.5)
          expect(badge.y).toBeGreaterThanOrEqual(tile.y + pad!)
          expect(badge.y + badge.height).toBeLessThanOrEqual(tile.y + pad! + tileH!)
          expect(await hostTooltip(page, 0)).toMatch(new RegExp(`evacuating .*${label}$`))
          await page.locator('.map-panel').screenshot({ path: join(ARTIFACTS, 'evacuating-host.png') })
        }
        shown.push(mode.vmsLeft)
      }
      // the count fell, step by step, to 0
      expect(shown.length).toBeGreaterThan(1)
      expect(shown[0]).toBeGreaterThan(0)
      for (let i = 1; i < shown.length; i++) expect(shown[i]).toBeLessThanOrEqual(shown[i - 1]!)
      expect(shown.at(-1)).toBe(0)
      // then in maintenance: no badge, the tile in maintenance's fill (empty: the centre is the tile's own)
      expect(mode.mode).toBe('maintenance')
      await expect.poll(() => badges.count()).toBe(0)
      await expect.poll(() => tileCentre(page, 0)).toBe(MAINTENANCE_FILL)
      expect(await hostTooltip(page, 0)).toMatch(/^Host 0 · .* in maintenance · /)
    },
  )

  it.skipIf(!ready)(
    'gives orders in the app — maintenance, a migration picked by eligibility, a rule — and `conlab run --orders` replays them',
    async () => {
      // a small lab with issue 17's rules, diurnal sines with noise among its workloads (see the file)
      const file = join(ROOT, 'tests', 'fixtures', 'operator-replay.yaml')
      const text = readFileSync(file, 'utf8')
      await openScenarioText(page, 'operator-replay.yaml', text, 'Operator replay', 8)
      // the same engine under Node, given the same orders at the same steps: what the page must show
      const node = new LabSession(nodeScenarioCatalog(join(ROOT, 'scenarios')))
      await node.open({ fileName: file, text })
      const clock = page.getByTestId('clock')
      const step = async (n = 1) => {
        for (let i = 0; i < n; i++) {
          const t = Number(await clock.getAttribute('data-time'))
          await page.getByTestId('step').click()
          await expect.poll(() => clock.getAttribute('data-time')).toBe(String(t + 60))
          await expect.poll(() => clock.getAttribute('data-state')).toBe('paused')
        }
        await node.advance({ steps: n })
      }
      await step()

      // maintenance on the host of web VM 0, from its panel
      const host = (await node.placement()).vmHost[0]!
      await clickHost(page, host)
      await expect.poll(() => page.locator('#details-title').textContent()).toBe(`Host ${host}`)
      await page.getByTestId('enter-maintenance').click()
      await expect
        .poll(() => page.getByTestId('host-pending-order').textContent())
        .toBe(`enter maintenance on host ${host} at the next step`)
      await node.order({ maintenance: { host, enter: true } })
      await step()
      const mode = (await node.hostDetails(host)).mode!
      await expect.poll(() => page.getByTestId('host-mode').getAttribute('data-mode')).toBe(mode.mode)
      expect(mode.mode).toMatch(/maintenance/)
      expect(await page.getByTestId('exit-maintenance').isEnabled()).toBe(true)
      // on the map: the host's tile counts the VMs left to evacuate while it enters maintenance
      const badge = page.locator(`[data-testid=evac-badge][data-host="${host}"]`)
      if (mode.mode === 'entering-maintenance')
        expect(await badge.getAttribute('data-vms-left')).toBe(String(mode.vmsLeft))
      else expect(await badge.count()).toBe(0)

      // the app server (VM 4), from the table of its host: Migrate… lists every host as the lab's filters judge it
      const vm = 4
      const vmHost = (await node.placement()).vmHost[vm]!
      await clickHost(page, vmHost)
      await expect.poll(() => page.locator('#details-title').textContent()).toBe(`Host ${vmHost}`)
      await page
        .locator('.details-panel .vm-table tbody tr.clickable')
        .filter({ has: page.locator('td:first-child', { hasText: new RegExp(`^${vm}(\\s|$)`) }) })
        .click()
      await expect.poll(() => page.locator('#details-title').textContent()).toBe(`VM ${vm}`)
      await page.getByTestId('migrate-vm').click()
      const rows = page.getByTestId('target-picker').getByTestId('target')
      await expect.poll(() => rows.count()).toBe(8)
      const verdicts = await node.eligibility(vm)
      const row = (h: number) => rows.and(page.locator(`[data-host="${h}"]`))
      for (const e of verdicts) {
        expect(await row(e.host).getAttribute('data-eligible')).toBe(String(e.eligible))
        expect(await row(e.host).getByTestId('target-verdict').textContent()).toBe(
          e.eligible
            ? e.breaksShould
              ? `eligible, breaks should rule “${e.breaksShould}”`
              : 'eligible'
            : `${e.filter}: ${e.reason}`,
        )
      }
      // in words: the host in maintenance refused by its state; the VM's own host is no move
      expect(await row(host).getByTestId('target-verdict').textContent()).toMatch(
        /^state: the host is (entering maintenance|in maintenance)$/,
      )
      expect(verdicts.find((e) => e.host === vmHost)!.eligible).toBe(false)
      await page.locator('.details-panel').screenshot({ path: join(ARTIFACTS, 'target-picker.png') })
      // the database (VM 5) runs on the app server's host: every host that takes the app server breaks the should
      // rule app-with-db, and the app asks before it moves the VM away from its database
      expect((await node.placement()).vmHost[5]).toBe(vmHost)
      const target = verdicts.find((e) => e.eligible)!
      expect(target.breaksShould).toBe('app-with-db')
      await page.getByTestId('migrate-vm').click() // closes the picker
      await expect.poll(() => page.getByTestId('target-picker').count()).toBe(0)

      // dragging the VM onto a host of the map opens the same picker with that host first
      const canvas = page.getByTestId('placement-canvas')
      const [cols, , tileW, tileH, gap, pad] = ((await canvas.getAttribute('data-grid')) ?? '').split(' ').map(Number)
      const box = (await canvas.boundingBox())!
      const tile = (h: number) => ({
        x: box.x + pad! + (h % cols!) * (tileW! + gap!),
        y: box.y + pad! + Math.floor(h / cols!) * (tileH! + gap!),
      })
      const from = tile(vmHost)
      let grabX = -1
      for (let dx = 1; dx < tileW! - 1 && grabX < 0; dx++) {
        await page.mouse.move(from.x + dx, from.y + tileH! / 2 - 1)
        const tip = page.locator('.map-tooltip')
        if ((await tip.count()) && ((await tip.textContent()) ?? '').startsWith(`VM ${vm} ·`)) grabX = from.x + dx
      }
      expect(grabX).toBeGreaterThan(0)
      const to = tile(target.host)
      await page.mouse.down()
      await page.mouse.move(to.x + tileW! / 2, to.y + tileH! / 2, { steps: 5 })
      await page.mouse.up()
      await expect.poll(() => rows.first().getAttribute('data-host')).toBe(String(target.host))
      expect(await rows.first().getAttribute('data-first')).toBe('true')
      expect(await page.locator('#details-title').textContent()).toBe(`VM ${vm}`)
      await row(target.host).getByTestId('move-here').click()
      expect(await page.getByTestId('confirm-force').textContent()).toContain('“app-with-db”')
      await page.getByTestId('confirm-force-move').click()
      await expect
        .poll(() => page.getByTestId('vm-pending-order').textContent())
        .toBe(`migrate VM ${vm} to host ${target.host} (forced) at the next step`)
      await node.order({ migrate: { vm, to: target.host, force: true } })
      await step()
      await expect.poll(() => page.getByTestId('vm-migrating-to').textContent()).toMatch(`host ${target.host}`)
      // the host in maintenance by now, emptied: no count on its tile, the tile in maintenance's fill
      expect((await node.hostDetails(host)).mode!.mode).toBe('maintenance')
      expect(await badge.count()).toBe(0)
      expect(await tileCentre(page, host)).toBe(MAINTENANCE_FILL)

      // a rule added from the rules panel: two batch VMs should run apart
      await page.getByTestId('rule-name').fill('batch-pair-apart')
      await page.getByTestId('rule-kind').selectOption('anti-affinity')
      await page.getByTestId('rule-vms').fill('8, 9')
      await page.getByTestId('rule-enforcement').selectOption('should')
      await page.getByTestId('add-rule').click()
      await node.order({
        addRule: { name: 'batch-pair-apart', kind: 'anti-affinity', vms: [8, 9], enforcement: 'should' },
      })
      await step(3)
      const rules = await node.rules()
      const added = rules.find((r) => r.name === 'batch-pair-apart')!
      await expect
        .poll(() => page.locator('[data-testid=rule][data-name=batch-pair-apart]').getAttribute('data-state'))
        .toBe(added.state)
      expect(await page.getByTestId('rule').count()).toBe(rules.length)
      // the VMs breaking a rule now are marked on the map
      const violating = new Set(rules.flatMap((r) => r.violating))
      expect(violating.size).toBeGreaterThan(0)
      await expect.poll(() => canvas.getAttribute('data-violating')).toBe(String(violating.size))
      await page.locator('.map-panel').screenshot({ path: join(ARTIFACTS, 'operator-map.png') })
      await page.getByTestId('rules').screenshot({ path: join(ARTIFACTS, 'rules-panel.png') })

      // in one step: the host leaves maintenance, an empty host goes to standby, batch VM 8 is pinned
      await canvas.scrollIntoViewIfNeeded() // the screenshots scrolled the page to the rules panel
      await clickHost(page, host)
      await expect.poll(() => page.locator('#details-title').textContent()).toBe(`Host ${host}`)
      await page.getByTestId('exit-maintenance').click()
      const placed = (await node.placement()).vmHost
      const empty = [...Array(8).keys()].find((h) => h !== host && !placed.includes(h) && h !== target.host)!
      expect(empty).toBeDefined()
      await clickHost(page, empty)
      await expect.poll(() => page.locator('#details-title').textContent()).toBe(`Host ${empty}`)
      await page.getByTestId('standby-host').click()
      await expect
        .poll(() => page.getByTestId('host-pending-order').textContent())
        .toBe(`standby host ${empty} at the next step`)
      await clickHost(page, placed[8]!)
      await page
        .locator('.details-panel .vm-table tbody tr.clickable')
        .filter({ has: page.locator('td:first-child', { hasText: /^8(\s|$)/ }) })
        .click()
      await expect.poll(() => page.locator('#details-title').textContent()).toBe('VM 8')
      await page.getByTestId('pin-vm').click()
      await expect.poll(() => page.getByTestId('vm-pending-order').textContent()).toBe('pin VM 8 at the next step')
      await node.order({ maintenance: { host, enter: false } })
      await node.order({ standby: { host: empty, on: true } })
      await node.order({ pin: { vm: 8, pinned: true } })
      await step()
      await expect.poll(() => page.getByTestId('pin-vm').textContent()).toBe('Unpin')
      expect((await node.vmDetails(8)).pinned).toBe(true)
      await clickHost(page, empty)
      await expect
        .poll(() => page.getByTestId('host-mode').getAttribute('data-mode'))
        .toBe((await node.hostDetails(empty)).mode!.mode)
      expect(await page.getByTestId('power-on').isEnabled()).toBe(true)

      // the order log as a file, replayed by the CLI to the same time: the same state
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('save-orders').click()])
      expect(download.suggestedFilename()).toBe('operator-replay-lr-mmt-1.2-orders.yaml')
      const orders = join(ARTIFACTS, 'app-orders.yaml')
      await download.saveAs(orders)
      const events = readFileSync(orders, 'utf8')
      expect(events).toBe((await node.exportOrders()).events)
      expect(events).toBe(
        'events:\n' +
          `  - {"at":60,"maintenance":{"host":${host},"enter":true}}\n` +
          `  - {"at":120,"migrate":{"vm":${vm},"to":${target.host},"force":true}}\n` +
          '  - {"at":180,"addRule":{"name":"batch-pair-apart","kind":"anti-affinity","vms":[8,9],"enforcement":"should"}}\n' +
          `  - {"at":360,"maintenance":{"host":${host},"enter":false}}\n` +
          `  - {"at":360,"standby":{"host":${empty},"on":true}}\n` +
          '  - {"at":360,"pin":{"vm":8,"pinned":true}}\n',
      )
      const time = Number(await clock.getAttribute('data-time'))
      expect(time).toBe(7 * 60)
      const [cli, expected] = await Promise.all([
        cliRun([file, '--orders', orders, '--until', `${time}s`]),
        node.report(),
      ])
      expect(cli.stateHash).toBe(expected.stateHash)
      await expect.poll(() => page.getByTestId('report-state-hash').textContent()).toBe(cli.stateHash)
      // replayed, the orders are the scenario's events: the CLI's run was given none of its own
      expect(cli.orders ?? []).toEqual([])
      expect(expected.orders).toHaveLength(6)
    },
  )

  it.skipIf(!ready)('logs no console errors or warnings and no page errors', () => {
    expect(problems).toEqual([])
  })
})
