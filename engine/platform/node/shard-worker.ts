// Worker-thread entry of a host shard (Node: CLI, tests, Electron main).
import { parentPort } from 'node:worker_threads'
import * as Comlink from 'comlink'
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs'
import { createShardService, type ShardService } from '../../lab/shard-service'
import { outputBuffers } from '../../lab/output-buffers'

if (!parentPort) throw new Error('shard-worker must run in a worker thread')
const service = createShardService()
const api: ShardService = {
  init: (init) => service.init(init),
  step: (input) => {
    const output = service.step(input)
    return Comlink.transfer(output, outputBuffers(output))
  },
  capture: () => service.capture(),
}
Comlink.expose(api, nodeEndpoint(parentPort))
