// What the browser tests share: the web build (npm run build:web → out/web) served by vite's preview server,
// Debian's Chromium driven by playwright-core, a page that records console errors and warnings, page errors
// and failed requests, and `conlab` as a child process (the reference the UI must match).
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { preview, type PreviewServer } from 'vite'
import { expect } from 'vitest'
import { CONLAB_BIN, ROOT } from '../helpers'

export const CHROMIUM = '/usr/bin/chromium'
export const WEB_BUILD = join(ROOT, 'out', 'web')
export const ARTIFACTS = join(ROOT, 'tests', 'e2e', 'artifacts')
export const ready = existsSync(CHROMIUM) && existsSync(join(WEB_BUILD, 'index.html'))
/** `npm test` builds the web version and CI installs Chromium: a missing one fails unless skipping is asked for. */
export const skipAllowed = process.env.CONLAB_SKIP_E2E === '1'

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]

/** Why the browser tests cannot run here (for the test that fails when they are not skipped on purpose). */
export function notReadyReason(): string {
  return `${existsSync(CHROMIUM) ? '' : `no ${CHROMIUM} (apt-get install -y chromium); `}${existsSync(join(WEB_BUILD, 'index.html')) ? '' : 'no out/web (npm run build:web); '}set CONLAB_SKIP_E2E=1 to skip the browser tests`
}

export interface WebUi {
  server: PreviewServer
  browser: Browser
  page: Page
  url: string
  /** console errors and warnings, page errors, failed requests */
  problems: string[]
  close(): Promise<void>
}

/** Serves the web build and opens it in one Chromium page (1440 × 960, downloads accepted). */
export async function openWebUi(): Promise<WebUi> {
  mkdirSync(ARTIFACTS, { recursive: true })
  const server = await preview({
    configFile: false,
    root: ROOT,
    logLevel: 'silent',
    build: { outDir: WEB_BUILD },
    preview: { host: '127.0.0.1', port: 0, strictPort: false },
  })
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
  const page = await browser.newPage({ viewport: { width: 1440, height: 960 }, acceptDownloads: true })
  const problems: string[] = []
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`)
  })
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`))
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`))
  const url = server.resolvedUrls!.local[0]!
  await page.goto(url)
  return {
    server,
    browser,
    page,
    url,
    problems,
    close: async () => {
      await browser.close()
      await server.close()
    },
  }
}

/** `conlab <args>` as a child process: its exit code, stdout and stderr. */
export function conlab(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CONLAB_BIN, ...args], { cwd: ROOT })
    let out = ''
    let err = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.stderr.on('data', (d: Buffer) => (err += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, out, err }))
  })
}

/**
 * Opens a scenario's text as a chosen file, once what the page shows is drawn and standing still (a file
 * chosen while the page still opens would be overtaken), and waits for its title and its `hosts` tiles.
 */
export async function openScenarioText(page: Page, name: string, text: string, title: string, hosts: number) {
  await expect
    .poll(() => page.getByTestId('placement-canvas').getAttribute('data-hosts-drawn'), { timeout: 20_000 })
    .toMatch(/^\d+$/)
  await expect.poll(() => page.getByTestId('clock').getAttribute('data-state')).toMatch(/paused|done/)
  await page.getByTestId('scenario-file').setInputFiles({ name, mimeType: 'text/yaml', buffer: Buffer.from(text) })
  await expect.poll(() => page.locator('.scenario-line strong').textContent()).toBe(title)
  await expect.poll(() => page.getByTestId('placement-canvas').getAttribute('data-hosts-drawn')).toBe(String(hosts))
}

/** Plays at full speed to the end of the run (no pause time), and acknowledges the notice. */
export async function playToEnd(page: Page): Promise<void> {
  await page.getByTestId('pause-at').fill('')
  await page.getByTestId('pause-at').press('Enter')
  await page.getByTestId('speed').selectOption('max')
  await page.getByTestId('play').click()
  await expect.poll(() => page.getByTestId('clock').getAttribute('data-state'), { timeout: 60_000 }).toBe('done')
  await page.getByTestId('notice').getByRole('button', { name: 'OK' }).click()
}

/** Where host `h`'s utilization bar is on the placement map, in page coordinates (the host, not one of its VMs). */
export async function hostBar(page: Page, h: number): Promise<{ x: number; y: number }> {
  const canvas = page.getByTestId('placement-canvas')
  const [cols, , tileW, tileH, gap, pad] = ((await canvas.getAttribute('data-grid')) ?? '').split(' ').map(Number)
  const box = (await canvas.boundingBox())!
  return {
    x: box.x + pad! + (h % cols!) * (tileW! + gap!) + tileW! / 2,
    y: box.y + pad! + Math.floor(h / cols!) * (tileH! + gap!) + tileH! - 1.5,
  }
}

/** Clicks host `h` on the placement map. */
export async function clickHost(page: Page, h: number): Promise<void> {
  const { x, y } = await hostBar(page, h)
  await page.mouse.click(x, y)
}
