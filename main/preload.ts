// Sandboxed preload (bundled as CommonJS, out/preload/preload.cjs). It exposes exactly one function: ask
// main for a MessagePort. MessagePorts cannot cross contextBridge, so the port is handed to the page with
// window.postMessage, tagged with the nonce the page chose (VS Code's pattern); the page accepts it only
// from `e.source === window` with its own nonce. Everything else speaks comlink over those ports.
import { contextBridge, ipcRenderer } from 'electron'
import {
  ACQUIRE_PORT_CHANNEL,
  BRIDGE_GLOBAL,
  PORT_CHANNEL,
  parsePortRequest,
  type ConlabBridge,
} from './bridge-contract'

const requested = new Set<string>()

ipcRenderer.on(PORT_CHANNEL, (event, nonce: unknown) => {
  if (typeof nonce !== 'string' || !requested.delete(nonce)) return
  window.postMessage(nonce, window.location.origin, event.ports)
})

const bridge: ConlabBridge = {
  acquirePort(kind, nonce) {
    const request = parsePortRequest({ kind, nonce })
    if (!request) throw new Error('acquirePort: expected a port kind and a nonce')
    requested.add(request.nonce)
    ipcRenderer.send(ACQUIRE_PORT_CHANNEL, request)
  },
}

contextBridge.exposeInMainWorld(BRIDGE_GLOBAL, bridge)
