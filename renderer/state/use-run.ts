// React access to the RunStore: the store from context, and subscriptions to slices of its state.
import { createContext, useContext, useSyncExternalStore } from 'react'
import type { RunState, RunStore } from './run-store'

export const StoreContext = createContext<RunStore | null>(null)

export function useStore(): RunStore {
  const store = useContext(StoreContext)
  if (!store) throw new Error('useStore outside <StoreContext.Provider>')
  return store
}

/** A slice of the run state; the selector must return a stored value (not a new object each call). */
export function useRun<T>(selector: (s: RunState) => T): T {
  const store = useStore()
  return useSyncExternalStore(store.subscribe, () => selector(store.getState()))
}

/**
 * Whether the trainee may give orders of a kind: always, unless a guided lab is open that does not allow it (the
 * lab screen then shows the allowed controls only; the lab refuses the others anyway).
 */
export function useOrderAllowed(): (kind: string) => boolean {
  const allowed = useRun((s) => s.guided?.lab.allowed.orders)
  return (kind) => !allowed || allowed.includes(kind)
}
