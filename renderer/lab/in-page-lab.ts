// The web build's lab: a LabSession in a dedicated Web Worker (engine/platform/browser/lab.worker.ts),
// so simulation steps never block the UI thread.
import * as Comlink from 'comlink'
import type { LabApi } from '../../engine/api/lab-api'

export function startInPageLab(): Comlink.Remote<LabApi> {
  const worker = new Worker(new URL('../../engine/platform/browser/lab.worker.ts', import.meta.url), {
    type: 'module',
    name: 'conlab-lab',
  })
  return Comlink.wrap<LabApi>(worker)
}
