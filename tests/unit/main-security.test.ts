// The Electron security checklist as main/index.ts carries it out: the module is loaded against a recording
// stand-in for `electron` (the real one cannot start here) and the test asserts what it does — the sandbox
// and the app:// scheme before the app is ready, the window it opens, the session's permission handlers,
// navigation, redirects, new windows and webviews refused for foreign pages, IPC refused from senders that
// are not its window's main frame, and the app:// handler serving only the renderer's files. The CSP is
// checked against renderer/index.html.
import { EventEmitter } from 'node:events'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { MessageChannel, type MessagePort } from 'node:worker_threads'
import * as Comlink from 'comlink'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { LabApi } from '../../engine/api/lab-api'
import { ACQUIRE_PORT_CHANNEL, PORT_CHANNEL } from '../../main/bridge-contract'
import { CONTENT_SECURITY_POLICY } from '../../main/csp'
import { APP_URL } from '../../main/trusted-origin'
import { ROOT } from '../helpers'

type Listener = (...args: unknown[]) => unknown

/** What main asked of Electron, in order. */
interface Recording {
  log: string[]
  app: EventEmitter & { quitCalls: number; ready: () => Promise<void> }
  windows: StandInWindow[]
  ipc: Map<string, Listener>
  permissionRequest?: (contents: unknown, permission: string, callback: (granted: boolean) => void) => void
  permissionCheck?: (...args: unknown[]) => boolean
  schemes: unknown[]
  protocolHandlers: Map<string, (request: { url: string }) => Promise<Response>>
  menu?: unknown[]
  errorBoxes: string[]
}

class StandInContents extends EventEmitter {
  static nextId = 1
  readonly id = StandInContents.nextId++
  windowOpenHandler?: (details: { url: string }) => { action: string }
  posted: { channel: string; message: unknown; ports: unknown[] }[] = []
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler
  }
  postMessage(channel: string, message: unknown, ports: unknown[] = []): void {
    this.posted.push({ channel, message, ports })
  }
}

class StandInWindow extends EventEmitter {
  readonly webContents = new StandInContents()
  loaded: string[] = []
  shown = false
  constructor(readonly options: Record<string, unknown>) {
    super()
  }
  loadURL(url: string): Promise<void> {
    this.loaded.push(url)
    return Promise.resolve()
  }
  show(): void {
    this.shown = true
  }
}

/** Electron's MessagePortMain emits { data, ports } events; this one is backed by a Node MessageChannel. */
class StandInPortMain extends EventEmitter {
  constructor(private readonly port: MessagePort) {
    super()
    port.on('message', (data: unknown) => this.emit('message', { data, ports: [] }))
  }
  postMessage(message: unknown): void {
    this.port.postMessage(message)
  }
  start(): void {}
}

const openPorts: MessagePort[] = []

/** A stand-in `electron` module that records every call main makes. */
function standInElectron(r: Recording, o: { isPackaged: boolean }) {
  let becomeReady!: () => void
  const ready = new Promise<void>((resolve) => (becomeReady = resolve))
  r.app.ready = async () => {
    becomeReady()
    await ready
    await new Promise((resolve) => setTimeout(resolve, 0))
  }
  const app = Object.assign(r.app, {
    isPackaged: o.isPackaged,
    name: 'Consolidation Lab',
    enableSandbox: () => r.log.push('app.enableSandbox'),
    whenReady: () => {
      r.log.push('app.whenReady')
      return ready.then(() => {
        r.log.push('ready')
      })
    },
    getAppPath: () => ROOT,
    getPath: () => '/documents',
    quit: () => {
      r.app.quitCalls++
    },
  })
  class BrowserWindow extends StandInWindow {
    constructor(options: Record<string, unknown>) {
      super(options)
      r.log.push('new BrowserWindow')
      r.windows.push(this)
      // Electron emits web-contents-created for every new webContents
      app.emit('web-contents-created', {}, this.webContents)
    }
    static fromWebContents(contents: unknown) {
      return r.windows.find((w) => w.webContents === contents) ?? null
    }
    static getAllWindows() {
      return r.windows
    }
    static getFocusedWindow() {
      return r.windows[0] ?? null
    }
  }
  return {
    app,
    BrowserWindow,
    MessageChannelMain: class {
      port1: StandInPortMain
      port2: MessagePort
      constructor() {
        const { port1, port2 } = new MessageChannel()
        openPorts.push(port1, port2)
        this.port1 = new StandInPortMain(port1)
        this.port2 = port2
      }
    },
    Menu: {
      buildFromTemplate: (template: unknown[]) => template,
      setApplicationMenu: (menu: unknown[]) => (r.menu = menu),
    },
    dialog: {
      showErrorBox: (title: string, text: string) => r.errorBoxes.push(`${title}: ${text}`),
      showOpenDialog: () => Promise.resolve({ canceled: true, filePaths: [] }),
      showSaveDialog: () => Promise.resolve({ canceled: true }),
    },
    ipcMain: {
      on: (channel: string, listener: Listener) => r.ipc.set(channel, listener),
    },
    protocol: {
      registerSchemesAsPrivileged: (schemes: unknown[]) => {
        r.log.push('protocol.registerSchemesAsPrivileged')
        r.schemes.push(...schemes)
      },
      handle: (scheme: string, handler: (request: { url: string }) => Promise<Response>) =>
        r.protocolHandlers.set(scheme, handler),
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (h: Recording['permissionRequest']) => (r.permissionRequest = h),
        setPermissionCheckHandler: (h: Recording['permissionCheck']) => (r.permissionCheck = h),
      },
    },
  }
}

/** Loads main/index.ts afresh against a new stand-in; `ready` makes the app ready. */
async function loadMain(o: { isPackaged: boolean; devServerUrl?: string }): Promise<Recording> {
  const r: Recording = {
    log: [],
    app: Object.assign(new EventEmitter(), { quitCalls: 0, ready: async () => {} }),
    windows: [],
    ipc: new Map(),
    schemes: [],
    protocolHandlers: new Map(),
    errorBoxes: [],
  }
  vi.resetModules()
  vi.doMock('electron', () => standInElectron(r, o))
  vi.stubEnv('ELECTRON_RENDERER_URL', o.devServerUrl)
  await import('../../main/index')
  return r
}

/** A navigation event as Electron passes it to 'will-navigate' and 'will-redirect'. */
function navigation(url: string) {
  return { url, preventDefault: vi.fn() }
}

/** An IPC event from a sender (Electron's IpcMainEvent: sender, senderFrame). */
function ipcEvent(sender: { id: number }, url: string | undefined, parent: unknown = null) {
  return { sender, senderFrame: url === undefined ? null : { url, parent } }
}

const NONCE = 'nonce-0123456789abcdef'

let warnings: string[] = []
beforeEach(() => {
  warnings = []
  vi.spyOn(console, 'warn').mockImplementation((m: string) => void warnings.push(m))
  // packaged, Electron sets process.resourcesPath (scenarios/ ships there)
  Object.assign(process, { resourcesPath: ROOT })
})
afterEach(() => {
  vi.doUnmock('electron')
  vi.unstubAllEnvs()
  vi.restoreAllMocks()
  for (const p of openPorts.splice(0)) p.close()
  delete (process as { resourcesPath?: string }).resourcesPath
})

describe('main process, before the app is ready', () => {
  it('enables the sandbox for every renderer and registers app:// as a secure standard scheme', async () => {
    const r = await loadMain({ isPackaged: true })
    expect(r.log).toEqual(['protocol.registerSchemesAsPrivileged', 'app.enableSandbox', 'app.whenReady'])
    expect(r.schemes).toEqual([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }])
    expect(r.windows).toEqual([])
    expect(r.ipc.size).toBe(0)
  })
})

describe('main process, once ready', () => {
  it('opens one hidden, sandboxed, isolated window without Node and shows it when ready', async () => {
    const r = await loadMain({ isPackaged: true, devServerUrl: 'http://localhost:5173/' })
    await r.app.ready()
    expect(r.errorBoxes).toEqual([])
    expect(r.windows).toHaveLength(1)
    const win = r.windows[0]!
    expect(win.options).toMatchObject({ show: false, title: 'Consolidation Lab' })
    const prefs = win.options.webPreferences as Record<string, unknown>
    expect(prefs).toEqual({
      preload: join(ROOT, 'preload', 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      disableBlinkFeatures: 'Auxclick',
    })
    // packaged, the dev server variable is ignored: the app's own page
    expect(win.loaded).toEqual([APP_URL])
    expect(win.shown).toBe(false)
    win.emit('ready-to-show')
    expect(win.shown).toBe(true)
  })

  it('loads the dev server in development', async () => {
    const r = await loadMain({ isPackaged: false, devServerUrl: 'http://localhost:5173/' })
    await r.app.ready()
    expect(r.windows[0]!.loaded).toEqual(['http://localhost:5173/'])
  })

  it('denies every permission request and check', async () => {
    const r = await loadMain({ isPackaged: true })
    await r.app.ready()
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal']) {
      const callback = vi.fn()
      r.permissionRequest!({}, permission, callback)
      expect(callback).toHaveBeenCalledExactlyOnceWith(false)
      expect(r.permissionCheck!({}, permission, APP_URL, {})).toBe(false)
    }
  })

  it('refuses navigation and redirects to foreign pages, every new window and every webview', async () => {
    const r = await loadMain({ isPackaged: false, devServerUrl: 'http://localhost:5173/' })
    await r.app.ready()
    const contents = r.windows[0]!.webContents
    for (const channel of ['will-navigate', 'will-redirect']) {
      for (const url of [
        'https://evil.example/',
        'file:///etc/passwd',
        'app://other/index.html',
        'http://localhost:5174/',
        'http://user:pw@localhost:5173/',
        'javascript:alert(1)',
      ]) {
        const e = navigation(url)
        contents.emit(channel, e)
        expect(e.preventDefault, `${channel} ${url}`).toHaveBeenCalled()
      }
      for (const url of [APP_URL, 'app://conlab/assets/x.js', 'http://localhost:5173/index.html']) {
        const e = navigation(url)
        contents.emit(channel, e)
        expect(e.preventDefault, `${channel} ${url}`).not.toHaveBeenCalled()
      }
    }
    for (const url of ['https://evil.example/', APP_URL])
      expect(contents.windowOpenHandler!({ url })).toEqual({ action: 'deny' })
    const webview = { preventDefault: vi.fn() }
    contents.emit('will-attach-webview', webview, {}, {})
    expect(webview.preventDefault).toHaveBeenCalled()
    // any webContents, not only the window's (Electron creates them for devtools, popups, …)
    const other = new StandInContents()
    r.app.emit('web-contents-created', {}, other)
    const e = navigation('https://evil.example/')
    other.emit('will-navigate', e)
    expect(e.preventDefault).toHaveBeenCalled()
    expect(other.windowOpenHandler!({ url: 'https://evil.example/' })).toEqual({ action: 'deny' })
  })

  it('hands out ports only to the main frame of its own window showing its own page', async () => {
    const r = await loadMain({ isPackaged: true })
    await r.app.ready()
    const win = r.windows[0]!
    const acquire = r.ipc.get(ACQUIRE_PORT_CHANNEL)!
    expect([...r.ipc.keys()]).toEqual([ACQUIRE_PORT_CHANNEL])
    const stranger = new StandInContents()
    const request = { kind: 'desktop', nonce: NONCE }
    acquire(ipcEvent(stranger, APP_URL), request) // another webContents
    acquire(ipcEvent(win.webContents, 'https://evil.example/'), request) // the window, on a foreign page
    acquire(ipcEvent(win.webContents, APP_URL, { url: APP_URL }), request) // a subframe
    acquire(ipcEvent(win.webContents, undefined), request) // a destroyed frame
    expect(stranger.posted).toEqual([])
    expect(win.webContents.posted).toEqual([])
    expect(warnings).toEqual([
      `refused IPC on ${ACQUIRE_PORT_CHANNEL} from ${APP_URL}`,
      `refused IPC on ${ACQUIRE_PORT_CHANNEL} from https://evil.example/`,
      `refused IPC on ${ACQUIRE_PORT_CHANNEL} from ${APP_URL}`,
      `refused IPC on ${ACQUIRE_PORT_CHANNEL} from an unknown frame`,
    ])
    // malformed requests from the right sender get nothing either
    for (const bad of [undefined, { kind: 'shell', nonce: NONCE }, { kind: 'lab', nonce: 'short' }, 'lab'])
      acquire(ipcEvent(win.webContents, APP_URL), bad)
    expect(win.webContents.posted).toEqual([])
    acquire(ipcEvent(win.webContents, APP_URL), request)
    expect(win.webContents.posted).toHaveLength(1)
    expect(win.webContents.posted[0]).toMatchObject({ channel: PORT_CHANNEL, message: NONCE })
    // a closed window's contents are no longer trusted
    win.emit('closed')
    acquire(ipcEvent(win.webContents, APP_URL), request)
    expect(win.webContents.posted).toHaveLength(1)
  })

  it('serves the lab over the port it hands out, refusing what the page may not ask', async () => {
    const r = await loadMain({ isPackaged: true })
    await r.app.ready()
    const win = r.windows[0]!
    r.ipc.get(ACQUIRE_PORT_CHANNEL)!(ipcEvent(win.webContents, APP_URL), { kind: 'lab', nonce: NONCE })
    const page = win.webContents.posted[0]!.ports[0] as MessagePort
    const lab = Comlink.wrap<LabApi>(page as unknown as Comlink.Endpoint)
    const scenarios = await lab.listScenarios()
    expect(scenarios.map((s) => s.id)).toContain('planetlab-cloudsim')
    // LabSession has methods the page may not call (main closes the lab on quit)
    const unlisted = lab as unknown as { close(): Promise<void> }
    await expect(unlisted.close()).rejects.toThrow('refused: no method close')
    r.app.emit('will-quit')
  })

  it('serves only the renderer’s files on app://, with the CSP and nosniff headers', async () => {
    const r = await loadMain({ isPackaged: true })
    await r.app.ready()
    const handle = r.protocolHandlers.get('app')!
    const page = await handle({ url: APP_URL })
    expect(page.status).toBe(200)
    expect(page.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY)
    expect(page.headers.get('x-content-type-options')).toBe('nosniff')
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(await page.text()).toBe(readFileSync(join(ROOT, 'renderer', 'index.html'), 'utf8'))
    for (const url of [
      'app://conlab/../package.json',
      'app://conlab/%2e%2e/package.json',
      'app://other/index.html',
      'app://conlab/missing.js',
      'app://conlab/%00',
    ])
      expect((await handle({ url })).status, url).toBe(404)
  })

  it('quits when its window closes (except on macOS), and when the lab cannot start', async () => {
    const r = await loadMain({ isPackaged: true })
    await r.app.ready()
    r.app.emit('window-all-closed')
    expect(r.app.quitCalls).toBe(process.platform === 'darwin' ? 0 : 1)
    delete (process as { resourcesPath?: string }).resourcesPath
    Object.assign(process, { resourcesPath: join(ROOT, 'no-such-folder') })
    const broken = await loadMain({ isPackaged: true })
    await broken.app.ready()
    expect(broken.errorBoxes).toEqual([expect.stringMatching(/^Consolidation Lab cannot start: ENOENT/)])
    expect(broken.app.quitCalls).toBe(1)
    expect(broken.windows).toEqual([])
    expect(broken.ipc.size).toBe(0)
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
