// A 64-bit FNV-1a digest over typed arrays and numbers: the `stateHash` that tells two runs (any worker
// count, paused, resumed, replayed) ended in bit-identical states.

const PRIME_LO = 0x01b3
const PRIME_HI = 0x100 // FNV 64-bit prime = 2^40 + 2^8 + 0xb3

export class StateHasher {
  private lo = 0x84222325 >>> 0
  private hi = 0xcbf29ce4 >>> 0
  private readonly scratch = new Float64Array(1)

  bytes(view: ArrayBufferView): this {
    const b = new Uint8Array(view.buffer, view.byteOffset, view.byteLength)
    // (hi:lo) × prime mod 2^64 per byte, with prime = 2^40 + 0x1b3, in 32-bit integer operations only: the
    // product's high word is (lo·0x1b3) >> 32, computed from lo's 16-bit halves so that nothing is rounded.
    // The state stays in locals (a run's state is a few hundred kB).
    let lo = this.lo
    let hi = this.hi
    for (let i = 0; i < b.length; i++) {
      lo = (lo ^ b[i]!) >>> 0
      const carry = ((lo >>> 16) * PRIME_LO + (((lo & 0xffff) * PRIME_LO) >>> 16)) >>> 16
      hi = (Math.imul(hi, PRIME_LO) + carry + Math.imul(lo, PRIME_HI)) >>> 0
      lo = Math.imul(lo, PRIME_LO) >>> 0
    }
    this.lo = lo
    this.hi = hi
    return this
  }

  number(x: number): this {
    this.scratch[0] = x
    return this.bytes(this.scratch)
  }

  text(s: string): this {
    // UTF-16 code units, low byte first
    const b = new Uint8Array(s.length * 2)
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i)
      b[2 * i] = c & 0xff
      b[2 * i + 1] = c >>> 8
    }
    return this.bytes(b)
  }

  hex(): string {
    return this.hi.toString(16).padStart(8, '0') + this.lo.toString(16).padStart(8, '0')
  }
}
