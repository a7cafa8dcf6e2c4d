// Web Worker entry of the browser build: hosts the lab off the UI thread and serves LabApi with comlink.
// The page starts it with `new Worker(new URL(…/lab.worker.ts, import.meta.url), { type: 'module' })`.
import * as Comlink from 'comlink'
import { packUrl } from 'virtual:conlab-scenario-pack'
import { InPageLab, fetchScenarioPack } from './in-page-lab'

Comlink.expose(new InPageLab(fetchScenarioPack(packUrl)))
