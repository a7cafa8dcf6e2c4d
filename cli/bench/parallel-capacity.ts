// How much work this machine does on two threads at once compared with one, sustained: the ceiling of any
// 2-worker speed-up. Two busy threads of plain arithmetic (no memory traffic, no messages) run alone, then
// side by side, for a few seconds each. On a machine with two whole cores the ratio is 2.00×; on shared or
// throttled virtual CPUs it is less, and a goal of "2 workers ≥ 1.7× faster than 1" cannot be met by any
// program when it is below 1.7×. `steppedCeiling` adds what a step-by-step program pays on top: a serial
// part and the threads waking up each step.
import type { Worker } from 'node:worker_threads'

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

/** node:worker_threads, loaded by this benchmark, not with the CLI (a cloudsim run never needs it). */
const threads = () => process.getBuiltinModule('node:worker_threads')

function spin(ms: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const w = new (threads().Worker)(SPIN, { eval: true, workerData: { ms } })
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

/** n rounds of a small in-cache arithmetic loop: the unit of work of the stepped program below. */
function rounds(n: number): number {
  const a = new Float64Array(256)
  let s = 0
  for (let r = 0; r < n; r++)
    for (let i = 0; i < a.length; i++) {
      a[i] = a[i]! * 0.5 + i
      s += a[i]!
    }
  return s
}

const STEPPED_WORKER = `
const { parentPort } = require('node:worker_threads')
const rounds = ${rounds.toString()}
parentPort.on('message', (n) => parentPort.postMessage(rounds(n)))
`

/** A sharded run's shape: per step, the coordinator's serial work and the shards' work on one worker. */
export interface StepShape {
  coordinatorMs: number
  shardsMs: number
}

/**
 * An ideal sharded program of the given shape: each step, `coordinatorMs` of arithmetic on this thread,
 * then `shardsMs` of it split evenly over the workers, one message to each and one back — no memory
 * traffic, no uneven split, nothing to copy. Its speed-up from 1 to 2 workers is the best a program with
 * that serial part can reach on this machine, wake-ups included. Returns the median wall time (ms) of
 * `runs` runs of `steps` steps on 1 and on 2 workers, taken in turns.
 */
export async function steppedCeiling(
  shape: StepShape,
  steps: number,
  runs: number,
): Promise<{ oneMs: number; twoMs: number }> {
  // rounds per millisecond on this thread, once the loop is optimized: the best of a few timings
  for (const until = performance.now() + 300; performance.now() < until;) rounds(1_000)
  let perMs = 0
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now()
    rounds(20_000)
    perMs = Math.max(perMs, 20_000 / (performance.now() - t0))
  }
  const coordinator = Math.round(shape.coordinatorMs * perMs)
  const run = async (workers: number): Promise<number> => {
    const ws = Array.from({ length: workers }, () => new (threads().Worker)(STEPPED_WORKER, { eval: true }))
    const failed = new Promise<never>((_, reject) => ws.forEach((w) => w.once('error', reject)))
    const call = (w: Worker, n: number) =>
      new Promise<void>((resolve) => {
        w.once('message', () => resolve())
        w.postMessage(n)
      })
    const all = (n: number) => Promise.race([Promise.all(ws.map((w) => call(w, n))), failed])
    try {
      for (const until = performance.now() + 300; performance.now() < until;) await all(1_000)
      const share = Math.round((shape.shardsMs * perMs) / workers)
      const started = performance.now()
      for (let s = 0; s < steps; s++) {
        rounds(coordinator)
        await all(share)
      }
      return performance.now() - started
    } finally {
      await Promise.all(ws.map((w) => w.terminate()))
    }
  }
  const one: number[] = []
  const two: number[] = []
  for (let i = 0; i < runs; i++) {
    one.push(await run(1))
    two.push(await run(2))
  }
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
  return { oneMs: median(one), twoMs: median(two) }
}
