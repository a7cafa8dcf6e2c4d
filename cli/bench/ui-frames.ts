// How smooth the UI stays while the lab plays at full speed: the web build (npm run build:web → out/web)
// served locally, the PlanetLab day played in Debian's Chromium, and the page's requestAnimationFrame
// deltas collected in the page. Goal (issue 7): p95 ≤ 20 ms. Builds nothing itself.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { PreviewServer } from 'vite'
import type { Browser, Page } from 'playwright-core'
import { median, table } from './measure'

const CHROMIUM = '/usr/bin/chromium'
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]
const GOAL_P95_MS = 20

// Loaded at run time, not bundled into the CLI (vite and playwright-core stay dev dependencies).
const VITE_MODULE = 'vite'
const PLAYWRIGHT_MODULE = 'playwright-core'

interface FrameRun {
  label: string
  deltas: number[]
  wallMs: number
  simulatedHours: number
}

function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? Number.NaN
}

/** Plays from the current state to `untilHours` (or the end), recording rAF deltas. */
async function playAndMeasure(
  page: Page,
  label: string,
  untilHours: number | undefined,
  speed = 'max',
): Promise<FrameRun> {
  await page.getByTestId('speed').selectOption(speed)
  await page.getByTestId('pause-at').fill(untilHours === undefined ? '' : String(untilHours))
  await page.getByTestId('pause-at').press('Enter')
  // A string, not a function: bundlers and tsx add helpers (__name) to function bodies that do not exist
  // in the page.
  await page.evaluate(`(() => {
    window.__frameDeltas = []
    window.__frameStop = false
    let last = performance.now()
    const tick = (t) => {
      window.__frameDeltas.push(t - last)
      last = t
      if (!window.__frameStop) requestAnimationFrame(tick)
    }
    requestAnimationFrame(tick)
  })()`)
  const started = performance.now()
  await page.getByTestId('play').click()
  await page.waitForFunction(
    () => {
      const c = document.querySelector<HTMLElement>('[data-testid=clock]')
      return c?.dataset.state === 'paused' || c?.dataset.state === 'done'
    },
    null,
    { timeout: 300_000, polling: 50 },
  )
  const wallMs = performance.now() - started
  const deltas = await page.evaluate(() => {
    const w = window as unknown as { __frameDeltas: number[]; __frameStop: boolean }
    w.__frameStop = true
    return w.__frameDeltas.slice(1) // the first delta spans the set-up, not a frame
  })
  const time = Number(await page.getByTestId('clock').getAttribute('data-time'))
  return { label, deltas, wallMs, simulatedHours: time / 3600 }
}

export async function benchUiFrames(ctx: { root: string; quick: boolean }): Promise<string> {
  const outDir = join(ctx.root, 'out', 'web')
  if (!existsSync(join(outDir, 'index.html')))
    return `no web build in ${outDir}: run \`npm run build:web\` first (this benchmark builds nothing)`
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} not found: install Chromium with \`apt-get install -y chromium\``
  const { preview } = (await import(VITE_MODULE)) as typeof import('vite')
  const { chromium } = (await import(PLAYWRIGHT_MODULE)) as typeof import('playwright-core')
  let server: PreviewServer | undefined
  let browser: Browser | undefined
  try {
    server = await preview({
      configFile: false,
      root: ctx.root,
      logLevel: 'silent',
      build: { outDir },
      preview: { host: '127.0.0.1', port: 0 },
    })
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
    const page = await browser.newPage({ viewport: { width: 1440, height: 960 } })
    await page.goto(server.resolvedUrls!.local[0]!)
    await page.waitForFunction(
      () => document.querySelector<HTMLElement>('[data-testid=placement-canvas]')?.dataset.hostsDrawn === '800',
      null,
      { timeout: 30_000 },
    )
    const runs: FrameRun[] = []
    const restart = async (policy: string) => {
      await page.getByTestId('policy').selectOption(policy)
      await page.waitForFunction(
        () => {
          const c = document.querySelector<HTMLElement>('[data-testid=clock]')
          return c?.dataset.time === '0' && c.dataset.state === 'paused'
        },
        null,
        { timeout: 30_000 },
      )
    }
    // The PlanetLab day with LR-MMT-1.2 (the scenario's own policy); --quick plays only this run.
    runs.push(await playAndMeasure(page, 'PlanetLab day, LR-MMT-1.2', undefined))
    if (!ctx.quick) {
      // again with a host selected: its details and charts refresh after every request too
      await restart('thr-mmt-0.8')
      const box = (await page.getByTestId('placement-canvas').boundingBox())!
      await page.mouse.click(box.x + 14, box.y + 14)
      runs.push(await playAndMeasure(page, 'same day, THR-MMT-0.8, host 0 selected', undefined))
      // a day watched at 30 intervals a second: a longer, steadier sample of frames
      await restart('lr-mmt-1.2')
      runs.push(await playAndMeasure(page, 'PlanetLab day, LR-MMT-1.2, 30 steps/s', undefined, '30'))
    }
    const rows = runs.map((r) => {
      const p95 = percentile(r.deltas, 95)
      return [
        r.label,
        `${r.simulatedHours.toFixed(1)} h in ${(r.wallMs / 1000).toFixed(1)} s`,
        String(r.deltas.length),
        median(r.deltas).toFixed(1),
        p95.toFixed(1),
        percentile(r.deltas, 99).toFixed(1),
        Math.max(...r.deltas).toFixed(1),
        p95 <= GOAL_P95_MS ? 'yes' : 'NO',
      ]
    })
    return [
      'requestAnimationFrame deltas in the page (ms) while the lab plays in a Web Worker (full speed unless noted)',
      table(['run', 'simulated', 'frames', 'median', 'p95', 'p99', 'max', `p95 ≤ ${GOAL_P95_MS} ms`], rows),
    ].join('\n')
  } finally {
    await browser?.close()
    await server?.close()
  }
}
