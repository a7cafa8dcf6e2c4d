// A host shard as a service: what a worker exposes over comlink. Step outputs travel back as
// transferred buffers (moved, not copied).
import { HostShard, type ShardInit } from './shard'
import type { ShardSnapshot, StepInput, StepOutput } from './protocol'

export interface ShardService {
  init(init: ShardInit): void
  step(input: StepInput): StepOutput
  /** the shard's state for a whole-lab checkpoint */
  capture(): ShardSnapshot
}

/** The buffers of a step output that can be transferred instead of copied. */
export function transferables(output: StepOutput): ArrayBuffer[] {
  const buffers = [output.hostIds.buffer, output.hosts.buffer, output.vmIds.buffer, output.vms.buffer]
  if (output.memory) buffers.push(output.memory.buffer)
  return buffers as ArrayBuffer[]
}

export function createShardService(): ShardService & { shard(): HostShard } {
  let shard: HostShard | undefined
  const current = () => {
    if (!shard) throw new Error('shard not initialised: init() first')
    return shard
  }
  return {
    init(init) {
      shard = new HostShard(init)
    },
    step(input) {
      return current().step(input)
    },
    capture() {
      return current().capture()
    },
    shard: current,
  }
}
