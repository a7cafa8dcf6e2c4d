// The web build (npm run build:web → out/web) in Debian's Chromium, driven by playwright-core: the same
// renderer as the desktop app, with the lab in a Web Worker. Plays the PlanetLab day with LR-MMT-1.2 to
// 6 h in CloudSim's model and in the lab's, and a live migration with auto-converge, and checks the UI
// against CLI runs of the same scenarios and seeds. Chromium or the web build missing is a failure
// (CONLAB_SKIP_E2E=1 turns it into a skip); screenshots go to tests/e2e/artifacts/.
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { preview, type PreviewServer } from 'vite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunReport } from '../../engine/api/lab-api'
import { LabSession } from '../../engine/api/lab-session'
import { reportsToCsv } from '../../engine/api/report-format'
import { nodeScenarioCatalog } from '../../engine/platform/node/catalog'
import { ROOT } from '../helpers'

const CHROMIUM = '/usr/bin/chromium'
const WEB_BUILD = join(ROOT, 'out', 'web')
const ARTIFACTS = join(ROOT, 'tests', 'e2e', 'artifacts')
const ready = existsSync(CHROMIUM) && existsSync(join(WEB_BUILD, 'index.html'))
/** `npm test` builds the web version and CI installs Chromium: a missing one fails unless skipping is asked for. */
const skipAllowed = process.env.CONLAB_SKIP_E2E === '1'
const SIX_HOURS = 6 * 3600

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]

/** `conlab run … --json` as a child process: the reference the UI must match. */
function cliRun(args: string[]): Promise<RunReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'cli', 'bin', 'conlab.mjs'), 'run', ...args, '--json'], {
      cwd: ROOT,
    })
    let out = ''
    let err = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.stderr.on('data', (d: Buffer) => (err += d.toString()))
    child.on('error', reject)
    child.on('close', (code) =>
      code === 0 ? resolve(JSON.parse(out) as RunReport) : reject(new Error(`conlab exited ${code}: ${err}`)),
    )
  })
}

async function kpi(page: Page, id: string): Promise<{ value: number; text: string }> {
  const el = page.getByTestId(`kpi-${id}`)
  return { value: Number(await el.getAttribute('data-value')), text: (await el.textContent()) ?? '' }
}

describe('the web UI in Chromium', () => {
  it.skipIf(ready || skipAllowed)('has Chromium and the web build', () => {
    expect.fail(
      `${existsSync(CHROMIUM) ? '' : `no ${CHROMIUM} (apt-get install -y chromium); `}${existsSync(join(WEB_BUILD, 'index.html')) ? '' : 'no out/web (npm run build:web); '}set CONLAB_SKIP_E2E=1 to skip the browser tests`,
    )
  })

  let server: PreviewServer | undefined
  let browser: Browser | undefined
  let page: Page
  const problems: string[] = []

  beforeAll(async () => {
    if (!ready) return
    mkdirSync(ARTIFACTS, { recursive: true })
    server = await preview({
      configFile: false,
      root: ROOT,
      logLevel: 'silent',
      build: { outDir: WEB_BUILD },
      preview: { host: '127.0.0.1', port: 0, strictPort: false },
    })
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
    page = await browser.newPage({ viewport: { width: 1440, height: 960 }, acceptDownloads: true })
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`)
    })
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`))
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`))
    await page.goto(server.resolvedUrls!.local[0]!)
  })

  afterAll(async () => {
    await browser?.close()
    await server?.close()
  })

  it.skipIf(!ready)('opens the PlanetLab scenario in the page and draws all 800 hosts', async () => {
    const canvas = page.getByTestId('placement-canvas')
    await expect.poll(() => canvas.getAttribute('data-hosts-drawn'), { timeout: 20_000 }).toBe('800')
    expect(await page.getByTestId('scenario').inputValue()).toBe('planetlab-cloudsim')
    expect(await page.getByTestId('mode').textContent()).toBe('cloudsim')
    expect(await page.getByTestId('mode').getAttribute('title')).toMatch(/CloudSim 3\.0\.3/)
    expect(await page.getByTestId('migration-model').textContent()).toBe('migration: cloudsim')
    expect(await canvas.getAttribute('aria-label')).toMatch(/^Placement map: 800 hosts, 1052 VMs/)
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
      await expect.poll(() => page.locator('[data-testid=chart-cpu] path.recharts-curve').count()).toBe(1)
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
    await expect.poll(() => page.locator('[data-testid=vm-workload-chart] path.recharts-curve').count()).toBe(1)
    await page.locator('.details-panel').screenshot({ path: join(ARTIFACTS, 'vm-details.png') })

    await page.locator('.details-panel button.link').click() // its host
    await expect.poll(() => details.getAttribute('data-kind')).toBe('host')
    expect(await page.getByTestId('host-cpu').textContent()).toMatch(/^\d+\.\d %$/)
    await page.getByTestId('step').click()
    await expect
      .poll(() => page.locator('[data-testid=host-stack-chart] path.recharts-area-area').count())
      .toBeGreaterThan(0)
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
    expect(png.suggestedFilename()).toBe('power-and-energy.png')
    const pngBytes = readFileSync(await png.path())
    expect([...pngBytes.subarray(1, 4)].map((b) => String.fromCharCode(b)).join('')).toBe('PNG')
    expect(pngBytes.length).toBeGreaterThan(5_000)

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
    await input.setInputFiles({
      name: 'broken.yaml',
      mimeType: 'text/yaml',
      buffer: Buffer.from(text.replace('interval: 5m', 'interval: soon')),
    })
    const error = page.getByTestId('error')
    await expect.poll(() => error.textContent()).toMatch(/broken\.yaml:\d+:\d+: interval: expected a duration/)
    // the lab keeps the scenario that was open
    expect(await page.locator('.scenario-line strong').textContent()).toBe('My PlanetLab copy')
    await error.getByRole('button', { name: 'Dismiss' }).click()
  })

  it.skipIf(!ready)('opens the run a link asks for', async () => {
    await page.goto(`${server!.resolvedUrls!.local[0]!}?scenario=planetlab-cloudsim&policy=thr-mmt-0.8&seed=7`)
    await expect.poll(() => page.getByTestId('policy').inputValue(), { timeout: 20_000 }).toBe('thr-mmt-0.8')
    expect(await page.getByTestId('seed').inputValue()).toBe('7')
    expect(await page.getByTestId('placement-canvas').getAttribute('data-hosts-drawn')).toBe('800')
  })

  it.skipIf(!ready)('plays the lab model’s PlanetLab day to 6 h as `conlab run` does', async () => {
    const cli = cliRun(['scenarios/planetlab-lab.yaml', '--until', '6h'])
    await page.getByTestId('scenario').selectOption('planetlab-lab')
    await expect.poll(() => page.getByTestId('mode').textContent(), { timeout: 20_000 }).toBe('lab')
    expect(await page.getByTestId('mode').getAttribute('title')).toMatch(/^Lab mode: .*Migrations: CloudSim's/)
    expect(await page.getByTestId('migration-model').textContent()).toBe('migration: cloudsim')
    expect(await page.getByTestId('migration-model').getAttribute('title')).toMatch(/at most 4 per host/)
    expect(await page.getByTestId('policy').inputValue()).toBe('lr-mmt-1.2')
    await page.getByTestId('pause-at').fill('6')
    await page.getByTestId('pause-at').press('Enter')
    await page.getByTestId('speed').selectOption('max')
    await page.getByTestId('play').click()
    const clock = page.getByTestId('clock')
    await expect
      .poll(async () => `${await clock.getAttribute('data-state')} ${await clock.getAttribute('data-time')}`, {
        timeout: 60_000,
      })
      .toBe(`paused ${SIX_HOURS}`)
    const expected = await cli
    expect(expected.mode).toBe('lab')
    expect((await kpi(page, 'energy')).value).toBe(expected.energyKWh)
    expect((await kpi(page, 'migrations')).value).toBe(expected.migrations)
    expect((await kpi(page, 'active-hosts')).value).toBe(expected.activeHosts)
    expect((await kpi(page, 'slatah')).value).toBe(expected.slatah)
    await expect.poll(() => page.getByTestId('report-state-hash').textContent()).toBe(expected.stateHash)
    const stats = expected.migrationStats!
    expect(await page.getByTestId('report-migration-outcomes').textContent()).toBe(
      `${stats.completed} moved, ${stats.calledOff} called off, ${stats.lost} lost`,
    )
    expect(await page.getByTestId('report-migration-model').textContent()).toBe('cloudsim')
  })

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

      await page.getByTestId('play').click()
      await expect.poll(() => clock.getAttribute('data-state')).toBe('done')
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
      expect(await page.getByTestId('migration-downtime').textContent()).toBe('312.0 ms')
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

  it.skipIf(!ready)('logs no console errors or warnings and no page errors', () => {
    expect(problems).toEqual([])
  })
})
