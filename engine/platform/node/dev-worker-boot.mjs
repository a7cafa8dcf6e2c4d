// Starts a TypeScript worker entry under plain Node (tests, the CLI run from sources): registers tsx
// inside the worker, then imports the entry. Node 20 ignores loader hooks passed through execArgv.
import { workerData } from 'node:worker_threads'
import { register } from 'tsx/esm/api'

register()
await import(workerData.__entry)
