import type { ConlabBridge } from '../engine/api/desktop-contract'

declare global {
  /** true in the web build (lab in a Web Worker), false in the desktop build (lab in Electron's main) */
  const __IN_PAGE_LAB__: boolean

  interface Window {
    /** defined by the Electron preload only */
    conlabBridge?: ConlabBridge
  }
}
