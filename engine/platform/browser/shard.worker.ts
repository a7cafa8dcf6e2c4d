// Web Worker entry of a host shard (the browser build): the same service the Node worker threads run
// (engine/lab/shard-service.ts), served with comlink to the lab's own Web Worker, which starts one per shard.
// Step outputs go back as transferred buffers.
import * as Comlink from 'comlink'
import { createShardService, type ShardService } from '../../lab/shard-service'
import { outputBuffers } from '../../lab/output-buffers'

const service = createShardService()
const api: ShardService = {
  init: (init) => service.init(init),
  step: (input) => {
    const output = service.step(input)
    return Comlink.transfer(output, outputBuffers(output))
  },
  capture: () => service.capture(),
}
Comlink.expose(api)
