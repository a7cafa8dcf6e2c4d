// Chooses how the page reaches the lab, once, at startup: in the desktop app the preload offers a bridge
// to Electron's main process (comlink over MessagePorts); in a browser tab the lab runs in a Web Worker
// (comlink over the worker). Either way the UI gets the same LabApi.
import * as Comlink from 'comlink'
import type { LabApi } from '../../engine/api/lab-api'
import type { ConlabBridge, DesktopApi, MenuTarget, PortKind } from '../../engine/api/desktop-contract'

export interface LabConnection {
  transport: 'electron' | 'web'
  lab: Comlink.Remote<LabApi>
  /** native dialogs and file writing: the desktop app only */
  desktop?: Comlink.Remote<DesktopApi>
  /** lets the desktop menu reach the page */
  serveMenu?: (target: MenuTarget) => void
}

/** A port from main via the preload, accepted only from this window and with this request's nonce. */
function acquirePort(bridge: ConlabBridge, kind: PortKind): Promise<MessagePort> {
  const nonce = crypto.randomUUID()
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      window.removeEventListener('message', onMessage)
      reject(new Error(`no ${kind} port from the desktop app`))
    }, 10_000)
    function onMessage(e: MessageEvent) {
      if (e.source !== window || e.data !== nonce || !e.ports[0]) return
      clearTimeout(timer)
      window.removeEventListener('message', onMessage)
      resolve(e.ports[0])
    }
    window.addEventListener('message', onMessage)
    bridge.acquirePort(kind, nonce)
  })
}

export async function connectLab(): Promise<LabConnection> {
  const bridge = window.conlabBridge
  if (bridge) {
    const [labPort, desktopPort, menuPort] = await Promise.all([
      acquirePort(bridge, 'lab'),
      acquirePort(bridge, 'desktop'),
      acquirePort(bridge, 'menu'),
    ])
    return {
      transport: 'electron',
      lab: Comlink.wrap<LabApi>(labPort),
      desktop: Comlink.wrap<DesktopApi>(desktopPort),
      serveMenu: (target) => Comlink.expose(target, menuPort),
    }
  }
  if (__IN_PAGE_LAB__) {
    const { startInPageLab } = await import('./in-page-lab')
    return { transport: 'web', lab: startInPageLab() }
  }
  throw new Error('This build of the renderer needs the desktop app (no preload bridge found).')
}
