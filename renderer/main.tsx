// Entry of the renderer (desktop and web alike): connect to the lab, then show the UI.
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './App'
import { connectLab } from './lab/connect'
import { RunStore, type StartOptions } from './state/run-store'
import { StoreContext } from './state/use-run'

const root = createRoot(document.getElementById('root')!)

/**
 * ?scenario=<id>&policy=<name>&seed=<n>&set=<path=value>…&workers=<n>: a link that opens a particular run
 * (workers: host shards in Web Workers, as `conlab run --workers` takes it).
 */
function startOptions(search: string): StartOptions {
  const q = new URLSearchParams(search)
  const seed = Number(q.get('seed') ?? Number.NaN)
  const workers = Number(q.get('workers') ?? Number.NaN)
  return {
    scenario: q.get('scenario') ?? undefined,
    policy: q.get('policy') ?? undefined,
    seed: Number.isInteger(seed) && seed >= 0 ? seed : undefined,
    set: q.getAll('set'),
    workers: Number.isInteger(workers) && workers >= 0 ? workers : undefined,
  }
}

connectLab().then(
  (connection) => {
    const store = new RunStore(connection)
    root.render(
      <StrictMode>
        <StoreContext.Provider value={store}>
          <App />
        </StoreContext.Provider>
      </StrictMode>,
    )
    void store.start(startOptions(window.location.search))
  },
  (e: unknown) => {
    root.render(
      <div className="banner error" role="alert">
        <pre>{`Cannot reach the lab: ${e instanceof Error ? e.message : String(e)}`}</pre>
      </div>,
    )
  },
)
