// Moving the rows of tables kept in typed arrays (`stride` entries per row) to a new order, in place.
// Rows are copied as 32-bit words (or bytes), whatever the element type: bit for bit, through one
// monomorphic loop instead of one per element type, via a scratch copy kept between calls (allocating
// fresh megabytes for each table cost more than the moves).
export class RowPermutation {
  private words = new Uint32Array(0)
  private bytes = new Uint8Array(0)

  /** Row order[k] goes to row k, for k < order.length; rows past it keep stale contents. */
  order = new Int32Array(0)

  apply(a: Float64Array | Float32Array | Int32Array | Uint8Array, stride = 1): void {
    const rowBytes = stride * a.BYTES_PER_ELEMENT
    if (rowBytes % 4 === 0) {
      const w = new Uint32Array(a.buffer, a.byteOffset, a.byteLength >> 2)
      if (this.words.length < w.length) this.words = new Uint32Array(w.length)
      this.words.set(w)
      move(w, this.words, this.order, rowBytes >> 2)
    } else {
      const b = new Uint8Array(a.buffer, a.byteOffset, a.byteLength)
      if (this.bytes.length < b.length) this.bytes = new Uint8Array(b.length)
      this.bytes.set(b)
      moveBytes(b, this.bytes, this.order, rowBytes)
    }
  }
}

function move(to: Uint32Array, from: Uint32Array, order: Int32Array, n: number): void {
  for (let k = 0; k < order.length; k++) {
    const src = order[k]! * n
    const dst = k * n
    for (let i = 0; i < n; i++) to[dst + i] = from[src + i]!
  }
}

function moveBytes(to: Uint8Array, from: Uint8Array, order: Int32Array, n: number): void {
  for (let k = 0; k < order.length; k++) {
    const src = order[k]! * n
    const dst = k * n
    for (let i = 0; i < n; i++) to[dst + i] = from[src + i]!
  }
}
