// engine/math/fdlibm.ts in Chromium gives the bits it gives in Node: the module, bundled by esbuild as the
// web build bundles it, evaluated in a page on 20,000 fixed arguments (5,000 per function, spread as the
// engine's call sites use them and over the functions' whole ranges), every result compared bit for bit.
// Chromium's own Math.log, Math.sin, … are compared too, to say how many of them differ from Node's.
import { build } from 'esbuild'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as fdlibm from '../../engine/math/fdlibm'
import { ROOT, mulberry32 } from '../helpers'
import { CHROMIUM, CHROMIUM_ARGS, skipAllowed } from './web-page'

const hasChromium = existsSync(CHROMIUM)

const FUNCTIONS = ['log', 'log1p', 'expm1', 'sin'] as const
type Name = (typeof FUNCTIONS)[number]
const PER_FUNCTION = 5000

/** The arguments of each function: what the engine passes it, then its whole range, then edge values. */
function argumentsOf(name: Name): Float64Array {
  const rnd = mulberry32(FUNCTIONS.indexOf(name) + 1)
  const wide = () => Math.exp((rnd() - 0.5) * 1400) // positive, every binade from 2^-1010 to 2^1010
  const generate: Record<Name, (i: number) => number> = {
    // 1 − uniform (HA failures), s of the polar method in (0, 1), then anything positive
    log: (i) => (i % 3 === 0 ? 1 - rnd() : i % 3 === 1 ? rnd() * rnd() : wide()),
    // −1/pages (page writes, the analytic model), then (−1, 1) and large arguments
    log1p: (i) => (i % 3 === 0 ? -1 / (1 + Math.floor(rnd() * 2 ** 27)) : i % 3 === 1 ? 2 * rnd() - 1 : wide()),
    // −ρ·seg (host swap), w·log1p(−1/N), then (−750, 750)
    expm1: (i) => (i % 3 === 0 ? -rnd() * 40 : i % 3 === 1 ? -rnd() * rnd() * 1e-3 : (rnd() - 0.5) * 1500),
    // 2π·phase with phase in [0, 1) (diurnal workloads), then the whole range sin accepts
    sin: (i) => (i % 2 === 0 ? 2 * Math.PI * rnd() : (rnd() - 0.5) * 2 * fdlibm.SIN_MAX_ARGUMENT),
  }
  const edges = [0, -0, 1, -1, 2, 0.5, Number.MIN_VALUE, 2 ** -1022, Number.MAX_VALUE, Infinity, -Infinity, NaN]
  const usable = edges.filter((x) => name !== 'sin' || !(Math.abs(x) >= fdlibm.SIN_MAX_ARGUMENT && isFinite(x)))
  const out = new Float64Array(PER_FUNCTION)
  out.set(usable)
  for (let i = usable.length; i < PER_FUNCTION; i++) out[i] = generate[name](i)
  return out
}

const base64 = (a: Float64Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64')
const fromBase64 = (s: string) => new Float64Array(new Uint8Array(Buffer.from(s, 'base64')).buffer)

/** Indices where two arrays of doubles differ in their bits (NaN payloads included). */
function differing(a: Float64Array, b: Float64Array): number[] {
  const x = new BigUint64Array(a.buffer, a.byteOffset, a.length)
  const y = new BigUint64Array(b.buffer, b.byteOffset, b.length)
  const out: number[] = []
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) out.push(i)
  return out
}

describe('engine/math/fdlibm.ts in Chromium', () => {
  let browser: Browser | undefined
  let page: Page

  it.skipIf(hasChromium || skipAllowed)('has Chromium', () => {
    expect.fail(`no ${CHROMIUM} (apt-get install -y chromium); set CONLAB_SKIP_E2E=1 to skip the browser tests`)
  })

  beforeAll(async () => {
    if (!hasChromium) return
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
    page = await browser.newPage()
    const bundle = await build({
      entryPoints: [join(ROOT, 'engine', 'math', 'fdlibm.ts')],
      bundle: true,
      format: 'iife',
      globalName: 'fdlibm',
      target: 'es2023',
      write: false,
      logLevel: 'warning',
    })
    await page.addScriptTag({ content: bundle.outputFiles[0]!.text })
  })

  afterAll(async () => {
    await browser?.close()
  })

  it.skipIf(!hasChromium)('gives the bits Node gives for 20,000 arguments of log, log1p, expm1 and sin', async () => {
    const args = Object.fromEntries(FUNCTIONS.map((f) => [f, base64(argumentsOf(f))])) as Record<Name, string>
    const inPage = await page.evaluate(
      ({ args, names }) => {
        const decode = (s: string) => new Float64Array(Uint8Array.from(atob(s), (c) => c.charCodeAt(0)).buffer)
        const encode = (a: Float64Array) => {
          let s = ''
          for (const byte of new Uint8Array(a.buffer)) s += String.fromCharCode(byte)
          return btoa(s)
        }
        type Fn = (x: number) => number
        const lib = (globalThis as unknown as { fdlibm: Record<string, Fn> }).fdlibm
        const math = Math as unknown as Record<string, Fn>
        const out: Record<string, { engine: string; math: string; version: string }> = {}
        for (const name of names) {
          const xs = decode(args[name])
          const engine = xs.map((x) => lib[name]!(x))
          const own = xs.map((x) => math[name]!(x))
          out[name] = { engine: encode(engine), math: encode(own), version: navigator.userAgent }
        }
        return out
      },
      { args, names: [...FUNCTIONS] },
    )
    const chromiumMath: string[] = []
    let compared = 0
    for (const name of FUNCTIONS) {
      const xs = fromBase64(args[name])
      const node = xs.map((x) => fdlibm[name](x))
      const inChromium = fromBase64(inPage[name]!.engine)
      expect(inChromium.length).toBe(PER_FUNCTION)
      const wrong = differing(inChromium, node)
      expect(
        wrong.slice(0, 5).map((i) => `${name}(${xs[i]}) = ${inChromium[i]} in Chromium, ${node[i]} in Node`),
      ).toEqual([])
      compared += inChromium.length
      const own = differing(
        fromBase64(inPage[name]!.math),
        xs.map((x) => Math[name](x)),
      )
      chromiumMath.push(`Math.${name} ${own.length}`)
    }
    expect(compared).toBe(20_000)
    console.log(
      `${/Chrome\/[\d.]+/.exec(inPage.log!.version)?.[0] ?? 'Chromium'} against Node ${process.version}: ` +
        `engine/math/fdlibm.ts identical on ${compared} arguments; Chromium's own functions differ on ` +
        chromiumMath.join(', '),
    )
  })
})
