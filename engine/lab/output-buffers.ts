// The buffers a shard fills with its step outputs, recycled. The coordinator hands each output's buffers
// back with the next step's input (transferred again between threads), so a run allocates them once
// instead of every step: on 10,000 hosts that is megabytes a step, which arrived in the coordinator as
// external memory and kept its garbage collector doing full collections every few steps.
import type { StepOutput } from './protocol'

export class OutputBuffers {
  private readonly free: ArrayBuffer[] = []

  /** Buffers handed back by the coordinator (detached ones, of a dead transfer, are dropped). */
  give(buffers: readonly ArrayBuffer[]): void {
    for (const b of buffers) if (b.byteLength > 0) this.free.push(b)
  }

  float64(length: number): Float64Array {
    return new Float64Array(this.take(length * 8), 0, length)
  }

  int32(length: number): Int32Array {
    return new Int32Array(this.take(length * 4), 0, length)
  }

  /** The smallest free buffer of at least `bytes` (not cleared: the shard writes every field of its
   * tables); a new one, with room to grow, if none fits. */
  private take(bytes: number): ArrayBuffer {
    let best = -1
    for (let i = 0; i < this.free.length; i++) {
      const size = this.free[i]!.byteLength
      if (size >= bytes && (best < 0 || size < this.free[best]!.byteLength)) best = i
    }
    if (best < 0) return new ArrayBuffer(Math.max(64, Math.ceil((bytes * 1.25) / 8) * 8))
    const buffer = this.free[best]!
    this.free[best] = this.free[this.free.length - 1]!
    this.free.pop()
    return buffer
  }
}

/** The buffers of a step output: transferred to the coordinator, and handed back by it next step. */
export function outputBuffers(output: StepOutput): ArrayBuffer[] {
  const buffers = [output.hostIds.buffer, output.hosts.buffer, output.vmIds.buffer, output.vms.buffer]
  if (output.memory) buffers.push(output.memory.buffer)
  return buffers as ArrayBuffer[]
}
