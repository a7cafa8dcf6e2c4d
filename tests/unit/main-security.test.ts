// The window and session hardening of the Electron security checklist, checked without Electron: the
// window options, the CSP (meta tag = response header), and the guards main/index.ts installs.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { CONTENT_SECURITY_POLICY } from '../../main/csp'
import { mainWindowOptions } from '../../main/window-options'
import { ROOT } from '../helpers'

describe('main window', () => {
  it('is isolated, sandboxed and without Node', () => {
    const prefs = mainWindowOptions('/x/preload.cjs').webPreferences!
    expect(prefs).toMatchObject({
      preload: '/x/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      disableBlinkFeatures: 'Auxclick',
    })
    expect(prefs).not.toHaveProperty('enableBlinkFeatures')
  })
})

describe('content security policy', () => {
  it('is the same in renderer/index.html and in the app:// response header', () => {
    const html = readFileSync(join(ROOT, 'renderer', 'index.html'), 'utf8')
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)
    expect(meta?.[1]).toBe(CONTENT_SECURITY_POLICY)
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-(inline|eval)/)
    expect(CONTENT_SECURITY_POLICY).toMatch(/object-src 'none'/)
    expect(CONTENT_SECURITY_POLICY).toMatch(/base-uri 'none'/)
  })
})

describe('main/index.ts', () => {
  const index = readFileSync(join(ROOT, 'main', 'index.ts'), 'utf8')
  it('denies permissions, new windows, webviews and foreign navigation', () => {
    expect(index).toMatch(/setPermissionRequestHandler\(\([^)]*\) => callback\(false\)\)/)
    expect(index).toMatch(/setPermissionCheckHandler\(\(\) => false\)/)
    expect(index).toMatch(/setWindowOpenHandler\(\(\) => \(\{ action: 'deny' \}\)\)/)
    expect(index).toMatch(/'will-navigate'[\s\S]*?isTrustedPageUrl[\s\S]*?preventDefault/)
    expect(index).toMatch(/'will-attach-webview', \(event\) => event\.preventDefault\(\)/)
    expect(index).toMatch(/app\.enableSandbox\(\)/)
  })
  it('loads only its own pages, never remote content', () => {
    expect(index).not.toMatch(/loadURL\(\s*['"`]https?:/)
    expect(index).toMatch(/loadURL\(devServerUrl \?\? APP_URL\)/)
    expect(index).not.toMatch(/shell\.openExternal/)
  })
})
