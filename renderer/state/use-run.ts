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
