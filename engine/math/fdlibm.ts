// The engine's own log, log1p, expm1 and sin, the same to the last bit on every JavaScript engine.
//
// Math.log, Math.sin, … are not required to be correctly rounded (ECMA-262 leaves them
// implementation-approximated) and V8 has changed them between versions: Chromium's and Node's differ in
// the last bit for a few percent of arguments, and a lab run in the app must give the stateHash `conlab run`
// gives. These functions use only IEEE-754 basic arithmetic (+ − × ÷, which JavaScript rounds to nearest,
// without extended precision) and exact reads and writes of a double's 32-bit words, so their results are
// fixed by the argument alone. Math.sqrt, correctly rounded by the standard, is deterministic already.
//
// Ports of FreeBSD msun, which carries Sun Microsystems' fdlibm ("Developed at SunPro, a Sun Microsystems,
// Inc. business. Permission to use, copy, modify, and distribute this software is freely granted, provided
// that this notice is preserved."): e_log.c, s_log1p.c, s_expm1.c, s_sin.c with k_sin.c and k_cos.c, and
// e_rem_pio2.c's medium-argument path (https://github.com/freebsd/freebsd-src/tree/main/lib/msun/src).
// Errors below 1 ulp, as the originals state. The floating-point exception flags fdlibm raises have no
// JavaScript counterpart and are left out.

const words = new Float64Array(1)
const word = new Int32Array(words.buffer)
/** index of the high (sign, exponent, top of the mantissa) word in `word`: 1 on little-endian machines */
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0
const LO = 1 - HI

function highWord(x: number): number {
  words[0] = x
  return word[HI]!
}

function lowWord(x: number): number {
  words[0] = x
  return word[LO]!
}

/** x with its high word replaced */
function withHighWord(x: number, high: number): number {
  words[0] = x
  word[HI] = high
  return words[0]
}

function fromWords(high: number, low: number): number {
  word[HI] = high
  word[LO] = low
  return words[0]!
}

const LN2_HI = 6.9314718036912381649e-1 // 0x3FE62E42 FEE00000
const LN2_LO = 1.90821492927058770002e-10 // 0x3DEA39EF 35793C76
const TWO54 = 1.8014398509481984e16 // 2^54

// log(1 + f) = f − f²/2 + s·(f²/2 + R(s²)) with s = f / (2 + f), R a minimax polynomial (e_log.c)
const LG1 = 6.66666666666673513e-1 // 0x3FE55555 55555593
const LG2 = 3.999999999940941908e-1 // 0x3FD99999 9997FA04
const LG3 = 2.857142874366239149e-1 // 0x3FD24924 94229359
const LG4 = 2.222219843214978396e-1 // 0x3FCC71C5 1D8E78AF
const LG5 = 1.818357216161805012e-1 // 0x3FC74664 96CB03DE
const LG6 = 1.531383769920937332e-1 // 0x3FC39A09 D078C69F
const LG7 = 1.479819860511658591e-1 // 0x3FC2F112 DF3E5244

/** The natural logarithm (e_log.c): x = 2^k · (1 + f) with √2/2 < 1 + f < √2, log x = k·ln 2 + log(1 + f). */
export function log(x: number): number {
  let hx = highWord(x)
  const lx = lowWord(x)
  let k = 0
  if (hx < 0x00100000) {
    // x < 2^-1022: ±0, negative or subnormal
    if (((hx & 0x7fffffff) | lx) === 0) return -Infinity
    if (hx < 0) return NaN
    k -= 54
    x *= TWO54
    hx = highWord(x)
  }
  if (hx >= 0x7ff00000) return x + x
  k += (hx >> 20) - 1023
  hx &= 0x000fffff
  const i = (hx + 0x95f64) & 0x100000
  x = withHighWord(x, hx | (i ^ 0x3ff00000)) // x or x/2, within [√2/2, √2)
  k += i >> 20
  const f = x - 1
  if ((0x000fffff & (2 + hx)) < 3) {
    // −2^-20 ≤ f < 2^-20
    if (f === 0) return k === 0 ? 0 : k * LN2_HI + k * LN2_LO
    const R = f * f * (0.5 - 0.3333333333333333 * f)
    return k === 0 ? f - R : k * LN2_HI - (R - k * LN2_LO - f)
  }
  const s = f / (2 + f)
  const z = s * s
  const w = z * z
  const t1 = w * (LG2 + w * (LG4 + w * LG6))
  const t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)))
  const R = t2 + t1
  if (((hx - 0x6147a) | (0x6b851 - hx)) > 0) {
    const hfsq = 0.5 * f * f
    return k === 0 ? f - (hfsq - s * (hfsq + R)) : k * LN2_HI - (hfsq - (s * (hfsq + R) + k * LN2_LO) - f)
  }
  return k === 0 ? f - s * (f - R) : k * LN2_HI - (s * (f - R) - k * LN2_LO - f)
}

/** log(1 + x), accurate for x near 0 (s_log1p.c): 1 + x = 2^k · (1 + f) with a correction c for 1 + x's rounding. */
export function log1p(x: number): number {
  const hx = highWord(x)
  const ax = hx & 0x7fffffff
  let k = 1
  let f = 0
  let c = 0
  let hu = 0
  if (hx < 0x3fda827a) {
    // 1 + x < √2
    if (ax >= 0x3ff00000) return x === -1 ? -Infinity : NaN // x ≤ −1 (or −NaN)
    if (ax < 0x3e200000) return ax < 0x3c900000 ? x : x - x * x * 0.5 // |x| < 2^-29
    if (hx > 0 || hx <= (0xbfd2bec4 | 0)) {
      // √2/2 ≤ 1 + x < √2
      k = 0
      f = x
      hu = 1
    }
  }
  if (hx >= 0x7ff00000) return x + x
  if (k !== 0) {
    let u: number
    if (hx < 0x43400000) {
      u = 1 + x
      hu = highWord(u)
      k = (hu >> 20) - 1023
      c = (k > 0 ? 1 - (u - x) : x - (u - 1)) / u // what 1 + x lost to rounding, relative
    } else {
      u = x
      hu = highWord(u)
      k = (hu >> 20) - 1023
      c = 0
    }
    hu &= 0x000fffff
    if (hu < 0x6a09e) {
      u = withHighWord(u, hu | 0x3ff00000) // u within [1, √2)
    } else {
      k += 1
      u = withHighWord(u, hu | 0x3fe00000) // u/2 within [√2/2, 1)
      hu = (0x00100000 - hu) >> 2
    }
    f = u - 1
  }
  const hfsq = 0.5 * f * f
  if (hu === 0) {
    // |f| < 2^-20
    if (f === 0) return k === 0 ? 0 : k * LN2_HI + (c + k * LN2_LO)
    const R = hfsq * (1 - 0.6666666666666666 * f)
    return k === 0 ? f - R : k * LN2_HI - (R - (k * LN2_LO + c) - f)
  }
  const s = f / (2 + f)
  const z = s * s
  const R = z * (LG1 + z * (LG2 + z * (LG3 + z * (LG4 + z * (LG5 + z * (LG6 + z * LG7))))))
  return k === 0 ? f - (hfsq - s * (hfsq + R)) : k * LN2_HI - (hfsq - (s * (hfsq + R) + (k * LN2_LO + c)) - f)
}

const O_THRESHOLD = 7.09782712893383973096e2 // 0x40862E42 FEFA39EF: above it e^x overflows
const INV_LN2 = 1.442695040888963387 // 0x3FF71547 652B82FE
// scaled coefficients of the rational approximation of expm1 on [−ln2/2, ln2/2] (s_expm1.c)
const Q1 = -3.33333333333331316428e-2 // 0xBFA11111 111110F4
const Q2 = 1.58730158725481460165e-3 // 0x3F5A01A0 19FE5585
const Q3 = -7.93650757867487942473e-5 // 0xBF14CE19 9EAADBB7
const Q4 = 4.00821782732936239552e-6 // 0x3ED0CFCA 86E65239
const Q5 = -2.01099218183624371326e-7 // 0xBE8AFDB7 6E09C32D

/** e^x − 1, accurate for x near 0 (s_expm1.c): x = k·ln 2 + r, |r| ≤ ln2/2, e^x − 1 = 2^k · (expm1(r) + 1) − 1. */
export function expm1(x: number): number {
  let hx = highWord(x)
  const negative = hx < 0
  hx &= 0x7fffffff
  if (hx >= 0x4043687a) {
    // |x| ≥ 56·ln 2
    if (hx >= 0x40862e42) {
      // |x| ≥ 709.78…
      if (hx >= 0x7ff00000) return ((hx & 0xfffff) | lowWord(x)) !== 0 ? x + x : negative ? -1 : x
      if (x > O_THRESHOLD) return Infinity
    }
    if (negative) return -1 // e^x below 2^-56: −1 rounded
  }
  let k: number
  let c = 0
  if (hx > 0x3fd62e42) {
    // |x| > ln2/2: reduce
    let hi: number
    let lo: number
    if (hx < 0x3ff0a2b2) {
      // |x| < 3·ln2/2
      k = negative ? -1 : 1
      hi = negative ? x + LN2_HI : x - LN2_HI
      lo = negative ? -LN2_LO : LN2_LO
    } else {
      k = (INV_LN2 * x + (negative ? -0.5 : 0.5)) | 0 // C's conversion to int: toward zero
      hi = x - k * LN2_HI // exact: k·LN2_HI has the low bits of LN2_HI free
      lo = k * LN2_LO
    }
    x = hi - lo
    c = hi - x - lo
  } else if (hx < 0x3c900000) {
    return x // |x| < 2^-54
  } else {
    k = 0
  }
  const hfx = 0.5 * x
  const hxs = x * hfx
  const r1 = 1 + hxs * (Q1 + hxs * (Q2 + hxs * (Q3 + hxs * (Q4 + hxs * Q5))))
  const t = 3 - r1 * hfx
  let e = hxs * ((r1 - t) / (6 - x * t))
  if (k === 0) return x - (x * e - hxs)
  e = x * (e - c) - c
  e -= hxs
  if (k === -1) return 0.5 * (x - e) - 0.5
  if (k === 1) return x < -0.25 ? -2 * (e - (x + 0.5)) : 1 + 2 * (x - e)
  if (k <= -2 || k > 56) {
    const y = 1 - (e - x)
    // 2^k; 2^1024 is out of range, so twice 2^1023
    return (k === 1024 ? y * 2 * fromWords(0x7fe00000, 0) : y * fromWords((0x3ff + k) << 20, 0)) - 1
  }
  const twopk = fromWords((0x3ff + k) << 20, 0)
  if (k < 20) return (fromWords(0x3ff00000 - (0x200000 >> k), 0) - (e - x)) * twopk // (1 − 2^-k) − (e − x)
  return (x - (e + fromWords((0x3ff - k) << 20, 0)) + 1) * twopk
}

// sin on [−π/4, π/4] (k_sin.c): x + x³·(S1 + x²·R(x²))
const S1 = -1.66666666666666324348e-1 // 0xBFC55555 55555549
const S2 = 8.33333333332248946124e-3 // 0x3F811111 1110F8A6
const S3 = -1.98412698298579493134e-4 // 0xBF2A01A0 19C161D5
const S4 = 2.75573137070700676789e-6 // 0x3EC71DE3 57B1FE7D
const S5 = -2.50507602534068634195e-8 // 0xBE5AE5E6 8A2B9CEB
const S6 = 1.58969099521155010221e-10 // 0x3DE5D93A 5ACFD57C

/** sin(x + y) for |x + y| ≤ π/4, y the tail of a reduced argument (k_sin.c, iy = 1 when y counts). */
function kernelSin(x: number, y: number, hasTail: boolean): number {
  const z = x * x
  const w = z * z
  const r = S2 + z * (S3 + z * S4) + z * w * (S5 + z * S6)
  const v = z * x
  if (!hasTail) return x + v * (S1 + z * r)
  return x - (z * (0.5 * y - v * r) - y - v * S1)
}

// cos on [−π/4, π/4] (FreeBSD's k_cos.c): 1 − x²/2 + x⁴·R(x²), the 1 − x²/2 split to keep its rounding error
const C1 = 4.16666666666666019037e-2 // 0x3FA55555 5555554C
const C2 = -1.38888888888741095749e-3 // 0xBF56C16C 16C15177
const C3 = 2.48015872894767294178e-5 // 0x3EFA01A0 19CB1590
const C4 = -2.75573143513906633035e-7 // 0xBE927E4F 809C52AD
const C5 = 2.0875723212981748279e-9 // 0x3E21EE9E BDB4B1C4
const C6 = -1.13596475577881948265e-11 // 0xBDA8FAE9 BE8838D4

/** cos(x + y) for |x + y| ≤ π/4 (k_cos.c). */
function kernelCos(x: number, y: number): number {
  const z = x * x
  let w = z * z
  const r = z * (C1 + z * (C2 + z * C3)) + w * w * (C4 + z * (C5 + z * C6))
  const hz = 0.5 * z
  w = 1 - hz
  return w + (1 - w - hz + (z * r - x * y))
}

// π/2 in four pieces of 33 bits each (the first three with zero low bits, so fn × piece is exact) and tails
const INV_PIO2 = 6.36619772367581382433e-1 // 0x3FE45F30 6DC9C883
const PIO2_1 = 1.57079632673412561417 // 0x3FF921FB 54400000
const PIO2_1T = 6.07710050650619224932e-11 // 0x3DD0B461 1A626331
const PIO2_2 = 6.0771005063039659766e-11 // 0x3DD0B461 1A600000
const PIO2_2T = 2.02226624879595063154e-21 // 0x3BA3198A 2E037073
const PIO2_3 = 2.0222662487111664558e-21 // 0x3BA3198A 2E000000
const PIO2_3T = 8.47842766036889956997e-32 // 0x397B839A 252049C1
/** 1.5 · 2^52: adding and subtracting it rounds a double below 2^51 to an integer, ties to even */
const ROUNDER = 6755399441055744

/** |x| below 1647099 (0x413921FB 00000000: the high word of 2^20·π/2): what the medium-argument reduction covers */
export const SIN_MAX_ARGUMENT = fromWords(0x413921fb, 0)
const reduced = new Float64Array(2)

/**
 * x − n·π/2 as reduced[0] + reduced[1] with |reduced| ≤ π/4 (about), and n, for |x| < 2^20·π/2: e_rem_pio2.c's
 * medium path, Cody–Waite reduction with π/2 in up to three pieces, the next taken only when cancellation
 * ate the bits the last one gave. (fdlibm takes shortcuts for |x| < 9π/4; this path is exact enough for
 * them too.)
 */
function reducePio2(x: number, ix: number): number {
  const fn = x * INV_PIO2 + ROUNDER - ROUNDER
  const n = fn | 0
  let r = x - fn * PIO2_1
  let w = fn * PIO2_1T // first round: 85 bits
  const j = ix >> 20
  let y0 = r - w
  if (j - ((highWord(y0) >> 20) & 0x7ff) > 16) {
    // second round: 118 bits
    let t = r
    w = fn * PIO2_2
    r = t - w
    w = fn * PIO2_2T - (t - r - w)
    y0 = r - w
    if (j - ((highWord(y0) >> 20) & 0x7ff) > 49) {
      // third round: 151 bits, enough for every double in range
      t = r
      w = fn * PIO2_3
      r = t - w
      w = fn * PIO2_3T - (t - r - w)
      y0 = r - w
    }
  }
  reduced[0] = y0
  reduced[1] = r - y0 - w
  return n
}

/**
 * The sine (s_sin.c) for |x| < SIN_MAX_ARGUMENT (1647099, about 2^20·π/2): the engine reduces a periodic phase to
 * one period before it asks, so larger arguments would be a bug upstream and throw a RangeError rather than
 * need fdlibm's multi-precision Payne–Hanek reduction. NaN and ±Infinity give NaN, as Math.sin does.
 */
export function sin(x: number): number {
  const ix = highWord(x) & 0x7fffffff
  if (ix <= 0x3fe921fb) return ix < 0x3e500000 ? x : kernelSin(x, 0, false) // |x| ≤ π/4; |x| < 2^-26: x
  if (ix >= 0x7ff00000) return NaN
  if (ix >= 0x413921fb) throw new RangeError(`sin(${x}): the argument must be below ${SIN_MAX_ARGUMENT} in magnitude`)
  const n = reducePio2(x, ix)
  switch (n & 3) {
    case 0:
      return kernelSin(reduced[0]!, reduced[1]!, true)
    case 1:
      return kernelCos(reduced[0]!, reduced[1]!)
    case 2:
      return -kernelSin(reduced[0]!, reduced[1]!, true)
    default:
      return -kernelCos(reduced[0]!, reduced[1]!)
  }
}
