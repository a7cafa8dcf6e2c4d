// Which pages may talk to main (IPC sender checks) and where the window may navigate: the app's own
// pages only — app://conlab/… when packaged or built, the electron-vite dev server in development.
export const APP_SCHEME = 'app'
export const APP_HOST = 'conlab'
export const APP_URL = `${APP_SCHEME}://${APP_HOST}/index.html`

export interface TrustedPages {
  /** ELECTRON_RENDERER_URL in development, undefined otherwise */
  devServerUrl?: string
}

export function isTrustedPageUrl(url: string | undefined, trusted: TrustedPages): boolean {
  if (!url) return false
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return false
  }
  if (u.username || u.password) return false
  if (u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST) return true
  if (trusted.devServerUrl) {
    const dev = new URL(trusted.devServerUrl)
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.origin === dev.origin
  }
  return false
}
