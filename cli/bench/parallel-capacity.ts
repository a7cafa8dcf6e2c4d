// How much work this machine does on two threads at once compared with one, sustained: the ceiling of any
// 2-worker speed-up. Two busy threads of plain arithmetic (no memory traffic, no messages) run alone, then
// side by side, for a few seconds each. On a machine with two whole cores the ratio is 2.00×; on shared or
// throttled virtual CPUs it is less, and a goal of "2 workers ≥ 1.7× faster than 1" cannot be met by any
// program when it is below 1.7×.
import { Worker } from 'node:worker_threads'

const SPIN = `
const { parentPort, workerData } = require('node:worker_threads')
const a = new Float64Array(1 << 14)
let s = 0, n = 0
const end = Date.now() + workerData.ms
while (Date.now() < end) {
  for (let i = 0; i < a.length; i++) { a[i] = a[i] * 0.5 + i; s += a[i] }
  n++
}
parentPort.postMessage(s > 0 ? n : -n)
`

function spin(ms: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const w = new Worker(SPIN, { eval: true, workerData: { ms } })
    w.once('message', (n: number) => {
      resolve(Math.abs(n))
      void w.terminate()
    })
    w.once('error', reject)
  })
}

/** Rounds of work two threads do together ÷ rounds one thread does alone, over `seconds` each. */
export async function parallelCapacity(seconds: number): Promise<number> {
  const ms = seconds * 1000
  const alone = await spin(ms)
  const [a, b] = await Promise.all([spin(ms), spin(ms)])
  return (a + b) / alone
}
