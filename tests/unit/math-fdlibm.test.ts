// engine/math/fdlibm.ts: the engine's log, log1p, expm1 and sin. Within 1 ulp of Node's Math functions
// (fdlibm's error bound is below 1 ulp, and so is V8's) over random arguments spread over their whole
// ranges, the special values as IEEE 754 and ECMA-262 define them, and values derivable by hand. That the
// results are the same bits in Chromium is tests/e2e/fdlibm-chromium.test.ts.
import { describe, expect, it } from 'vitest'
import * as fdlibm from '../../engine/math/fdlibm'
import { mulberry32 } from '../helpers'

const f64 = new Float64Array(1)
const u64 = new BigUint64Array(f64.buffer)

function bits(x: number): bigint {
  f64[0] = x
  return u64[0]!
}

function fromBits(b: bigint): number {
  u64[0] = b
  return f64[0]!
}

/** doubles in order as integers: the distance of two finite doubles in ulps is the difference */
function ordinal(x: number): bigint {
  const b = bits(x)
  return b >> 63n ? -(b & 0x7fffffffffffffffn) : b
}

function ulps(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b) ? 0 : Infinity
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b ? 0 : Infinity
  const d = ordinal(a) - ordinal(b)
  return Number(d < 0n ? -d : d)
}

/** A double with random sign (if asked), a random 52-bit mantissa and an exponent uniform in [lo, hi]. */
function spread(rnd: () => number, lo: number, hi: number, signed: boolean): number {
  const exponent = BigInt(lo + Math.floor(rnd() * (hi - lo + 1)) + 1023)
  const mantissa = (BigInt(Math.floor(rnd() * 2 ** 26)) << 26n) | BigInt(Math.floor(rnd() * 2 ** 26))
  const sign = signed && rnd() < 0.5 ? 1n : 0n
  return fromBits((sign << 63n) | (exponent << 52n) | mantissa)
}

/** The largest ulp distance from `reference` over `args`, and the argument it was found at. */
function worst(args: number[], f: (x: number) => number, reference: (x: number) => number): [number, number] {
  let most = 0
  let at = Number.NaN
  for (const x of args) {
    const d = ulps(f(x), reference(x))
    if (d > most) [most, at] = [d, x]
  }
  return [most, at]
}

const N = 50_000
const SUBNORMALS = [Number.MIN_VALUE, 2 ** -1060, fromBits(0x000fffffffffffffn)]

describe('fdlibm log', () => {
  it('is within 1 ulp of Math.log over every binade, subnormals and arguments near 1 included', () => {
    const rnd = mulberry32(1)
    const args = [
      ...Array.from({ length: N }, () => spread(rnd, -1022, 1023, false)),
      ...Array.from({ length: N }, () => 1 + (rnd() - 0.5) * 2 ** -(1 + Math.floor(rnd() * 40))),
      ...Array.from({ length: N / 5 }, () => fromBits(BigInt(Math.floor(rnd() * 2 ** 30)) << 22n)), // subnormal
      ...SUBNORMALS,
      Number.MAX_VALUE,
      2 ** -1022,
    ]
    expect(worst(args, fdlibm.log, Math.log)[0]).toBeLessThanOrEqual(1)
  })

  it('gives the values IEEE 754 and ECMA-262 define at the edges', () => {
    expect(Object.is(fdlibm.log(1), 0)).toBe(true)
    expect(fdlibm.log(0)).toBe(-Infinity)
    expect(fdlibm.log(-0)).toBe(-Infinity)
    expect(fdlibm.log(Infinity)).toBe(Infinity)
    for (const x of [-1, -Number.MIN_VALUE, -Infinity, Number.NaN]) expect(fdlibm.log(x)).toBeNaN()
  })

  it('gives ln 2 rounded to nearest, 0x3FE62E42FEFA39EF, and k·ln 2 for powers of two', () => {
    // ln 2 = 0.693147180559945309417…: the nearest double is 0x3FE62E42FEFA39EF (= Math.LN2)
    expect(bits(fdlibm.log(2))).toBe(0x3fe62e42fefa39efn)
    expect(fdlibm.log(2)).toBe(Math.LN2)
    expect(bits(fdlibm.log(0.5))).toBe(0xbfe62e42fefa39efn)
    // log 2^k = k·ln2_hi + k·ln2_lo with ln2_hi's 32 low bits zero: within 1 ulp of k·ln 2 (Math.LN10 for 10)
    for (const k of [-1074, -1022, -3, 3, 10, 1023])
      expect(ulps(fdlibm.log(2 ** k), k * Math.LN2)).toBeLessThanOrEqual(1)
    expect(ulps(fdlibm.log(10), Math.LN10)).toBeLessThanOrEqual(1)
    expect(ulps(fdlibm.log(Math.E), 1)).toBeLessThanOrEqual(1)
  })
})

describe('fdlibm log1p', () => {
  it('is within 1 ulp of Math.log1p from −1 to the largest double, tiny arguments included', () => {
    const rnd = mulberry32(2)
    const args = [
      ...Array.from({ length: N }, () => spread(rnd, -1074 + 52, 1023, false)),
      ...Array.from({ length: N }, () => -spread(rnd, -1022, -1, false)), // (−1, 0)
      ...Array.from({ length: N / 5 }, () => rnd() * 2 - 1),
      ...SUBNORMALS,
      ...SUBNORMALS.map((x) => -x),
      Number.MAX_VALUE,
      -1 + 2 ** -53,
    ]
    expect(worst(args, fdlibm.log1p, Math.log1p)[0]).toBeLessThanOrEqual(1)
  })

  it('gives the defined values at the edges and log1p(x) = x below 2^-54', () => {
    expect(Object.is(fdlibm.log1p(0), 0)).toBe(true)
    expect(Object.is(fdlibm.log1p(-0), -0)).toBe(true)
    expect(fdlibm.log1p(-1)).toBe(-Infinity)
    expect(fdlibm.log1p(Infinity)).toBe(Infinity)
    for (const x of [-1.5, -Infinity, Number.NaN]) expect(fdlibm.log1p(x)).toBeNaN()
    // x − x²/2 rounds to x when |x| < 2^-54
    for (const x of [2 ** -60, -(2 ** -60), Number.MIN_VALUE]) expect(fdlibm.log1p(x)).toBe(x)
    expect(bits(fdlibm.log1p(1))).toBe(0x3fe62e42fefa39efn)
  })
})

describe('fdlibm expm1', () => {
  it('is within 1 ulp of Math.expm1 from −750 to past the overflow threshold, tiny arguments included', () => {
    const rnd = mulberry32(3)
    const args = [
      ...Array.from({ length: N }, () => (rnd() - 0.5) * 1500),
      ...Array.from({ length: N }, () => spread(rnd, -1022, 9, true)),
      ...Array.from({ length: N / 5 }, () => (rnd() - 0.5) * 4),
      ...SUBNORMALS,
      709.782712893384,
      709.7827128933841,
      -37.42994775023705, // about 54·ln 2
      Math.LN2,
      -Math.LN2,
    ]
    expect(worst(args, fdlibm.expm1, Math.expm1)[0]).toBeLessThanOrEqual(1)
  })

  it('gives the defined values at the edges: ±0, ±Infinity, overflow, −1 for large negative arguments', () => {
    expect(Object.is(fdlibm.expm1(0), 0)).toBe(true)
    expect(Object.is(fdlibm.expm1(-0), -0)).toBe(true)
    expect(fdlibm.expm1(Infinity)).toBe(Infinity)
    expect(fdlibm.expm1(-Infinity)).toBe(-1)
    expect(fdlibm.expm1(Number.NaN)).toBeNaN()
    // e^709.79 is past the largest double; e^-40 < 2^-57 is below half an ulp of 1
    expect(fdlibm.expm1(709.79)).toBe(Infinity)
    expect(fdlibm.expm1(-40)).toBe(-1)
    expect(fdlibm.expm1(-1000)).toBe(-1)
    for (const x of [2 ** -60, -(2 ** -60), Number.MIN_VALUE]) expect(fdlibm.expm1(x)).toBe(x)
    // expm1(log1p(x)) = x up to the two functions' rounding, for x spread over (−1, 1)
    for (let x = -0.9375; x < 1; x += 0.0625) expect(ulps(fdlibm.expm1(fdlibm.log1p(x)), x)).toBeLessThanOrEqual(2)
  })
})

describe('fdlibm sin', () => {
  it('is within 1 ulp of Math.sin over one period, near multiples of π/2 and up to its limit', () => {
    const rnd = mulberry32(4)
    const args = [
      ...Array.from({ length: N }, () => 2 * Math.PI * rnd()),
      ...Array.from({ length: N }, () => (rnd() - 0.5) * 2 * fdlibm.SIN_MAX_ARGUMENT),
      ...Array.from({ length: N }, () => spread(rnd, -1022, 2, true)),
      // next to k·π/2, where the reduction cancels most bits (the second and third rounds of e_rem_pio2.c)
      ...Array.from({ length: 4000 }, (_, i) => {
        const x = (Math.floor(i / 8) + 1) * (Math.PI / 2)
        return fromBits(bits(x) + BigInt((i % 8) - 4))
      }),
      ...SUBNORMALS,
    ]
    expect(worst(args, fdlibm.sin, Math.sin)[0]).toBeLessThanOrEqual(1)
  })

  it('is odd: sin(−x) = −sin(x) bit for bit', () => {
    const rnd = mulberry32(5)
    for (let i = 0; i < 10_000; i++) {
      const x = (rnd() - 0.5) * 2 * fdlibm.SIN_MAX_ARGUMENT
      expect(bits(fdlibm.sin(-x))).toBe(bits(-fdlibm.sin(x)))
    }
  })

  it('gives the defined and derivable values: ±0, x below 2^-26, sin(π) = π − Math.PI, NaN', () => {
    expect(Object.is(fdlibm.sin(0), 0)).toBe(true)
    expect(Object.is(fdlibm.sin(-0), -0)).toBe(true)
    for (const x of [Infinity, -Infinity, Number.NaN]) expect(fdlibm.sin(x)).toBeNaN()
    // sin x = x − x³/6…: x³/6 is below half an ulp of x when |x| < 2^-26
    for (const x of [2 ** -27, -(2 ** -30), Number.MIN_VALUE]) expect(fdlibm.sin(x)).toBe(x)
    // Math.PI = π − 1.2246467991473532e-16…: sin(Math.PI) = sin(π − Math.PI) is that difference, rounded
    expect(fdlibm.sin(Math.PI)).toBe(1.2246467991473532e-16)
    expect(fdlibm.sin(Math.PI / 2)).toBe(1)
    expect(fdlibm.sin(-Math.PI / 2)).toBe(-1)
    expect(ulps(fdlibm.sin(Math.PI / 6), 0.5)).toBeLessThanOrEqual(1)
  })

  it('refuses arguments beyond 2^20·π/2, which the medium-argument reduction does not cover', () => {
    // e_rem_pio2.c's test: the high word below 2^20·π/2's, 0x413921FB, i.e. |x| < 1647099 = 0x413921FB 00000000
    expect(fdlibm.SIN_MAX_ARGUMENT).toBe(1647099)
    expect(2 ** 20 * (Math.PI / 2) - fdlibm.SIN_MAX_ARGUMENT).toBeLessThan(1)
    const below = fromBits(bits(fdlibm.SIN_MAX_ARGUMENT) - 1n)
    expect(ulps(fdlibm.sin(below), Math.sin(below))).toBeLessThanOrEqual(1)
    expect(ulps(fdlibm.sin(-below), Math.sin(-below))).toBeLessThanOrEqual(1)
    for (const x of [fdlibm.SIN_MAX_ARGUMENT, -fdlibm.SIN_MAX_ARGUMENT, 1e300])
      expect(() => fdlibm.sin(x)).toThrow(RangeError)
  })
})
