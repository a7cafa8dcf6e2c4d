// Worker-thread entry of a host shard (Node: CLI, tests, Electron main).
import { parentPort } from 'node:worker_threads'
import * as Comlink from 'comlink'
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs'
import { createShardService, type ShardService } from '../../lab/shard-service'
import { outputBuffers } from '../../lab/output-buffers'

if (!parentPort) throw new Error('shard-worker must run in a worker thread')
const service = createShardService()
let T = 0,
  N = 0
const api: ShardService = {
  init: (init) => service.init(init),
  step: (input) => {
    const t0 = performance.now()
    const output = service.step(input)
    T += performance.now() - t0
    N++
    if (N % 576 === 0) console.error('worker step ms', T.toFixed(0), N)
    return Comlink.transfer(output, outputBuffers(output))
  },
  capture: () => service.capture(),
}
Comlink.expose(api, nodeEndpoint(parentPort))
