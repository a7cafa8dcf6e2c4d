// A host shard as a service: what a worker exposes over comlink. Step outputs travel back as
// transferred buffers (moved, not copied), and come back with the next input to be filled again.
import { HostShard, type ShardInit } from './shard'
import type { ShardSnapshot, StepInput, StepOutput } from './protocol'

export interface ShardService {
  init(init: ShardInit): void
  step(input: StepInput): StepOutput
  /** the shard's state for a whole-lab checkpoint */
  capture(): ShardSnapshot
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
