// Charts refresh one per animation frame instead of all in the same task, and each at most every
// `minIntervalMs`: the run's five charts redraw together a few times a second, and a details chart's data
// changes with every step the page is shown, far more often than a chart needs to move while the run plays.
import { useEffect, useState } from 'react'

interface Queued {
  apply(): void
}

/** One chart's place in the queue: the value waiting to be shown and when it last changed. */
class Slot<T> implements Queued {
  lastAt = 0
  timer: ReturnType<typeof setTimeout> | undefined
  show: ((value: T) => void) | undefined

  constructor(public latest: T) {}

  apply(): void {
    this.lastAt = performance.now()
    this.show?.(this.latest)
  }

  /** Queues the latest value, now or once `minIntervalMs` has passed since the last one was shown. */
  request(minIntervalMs: number): void {
    const wait = this.lastAt + minIntervalMs - performance.now()
    if (wait <= 0) enqueue(this)
    else
      this.timer ??= setTimeout(() => {
        this.timer = undefined
        enqueue(this)
      }, wait)
  }

  attach(show: (value: T) => void): void {
    this.show = show
  }

  /** A new value from the component: queue it unless it is what is shown already. */
  offer(value: T, shown: T, minIntervalMs: number): void {
    this.latest = value
    if (Object.is(value, shown)) pending.delete(this)
    else this.request(minIntervalMs)
  }

  cancel(): void {
    pending.delete(this)
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
  }
}

const pending = new Set<Queued>()
let scheduled = false

function applyNext(): void {
  const next = pending.values().next()
  if (next.done) {
    scheduled = false
    return
  }
  pending.delete(next.value)
  next.value.apply()
  requestAnimationFrame(applyNext)
}

function enqueue(slot: Queued): void {
  pending.add(slot)
  if (!scheduled) {
    scheduled = true
    requestAnimationFrame(applyNext)
  }
}

/**
 * `value`, handed over in its own animation frame and no more often than every `minIntervalMs`; while `hold`
 * (a chart out of view while the run plays) the value shown stays, and the latest follows once it is lifted.
 */
export function useStaggered<T>(value: T, minIntervalMs = 0, hold = false): T {
  const [shown, setShown] = useState(value)
  const [slot] = useState(() => new Slot(value))
  useEffect(() => {
    slot.attach((v) => setShown(() => v))
    return () => slot.cancel()
  }, [slot])
  useEffect(() => {
    if (hold) slot.cancel()
    else slot.offer(value, shown, minIntervalMs)
  }, [slot, value, shown, minIntervalMs, hold])
  return shown
}
