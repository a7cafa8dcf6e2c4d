// Electron main process: one hardened window showing the renderer, the lab (a LabSession over the
// scenarios folder, its host shards in worker threads: out/main/shard-worker.js) served to it over a
// MessagePort with comlink, native dialogs (scenarios, reports, checkpoints) and the menu.
// Electron-free logic lives in the sibling modules (unit-tested); this file only wires Electron to them.
import {
  BrowserWindow,
  Menu,
  MessageChannelMain,
  app,
  dialog,
  ipcMain,
  protocol,
  session,
  type MenuItemConstructorOptions,
} from 'electron'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import * as Comlink from 'comlink'
import { LabSession } from '../engine/api/lab-session'
import type { RestoreOptions, RestoreResult } from '../engine/api/lab-api'
import { nodeScenarioCatalog } from '../engine/platform/node/catalog'
import { bundledSpawner, nodeShardPlanner } from '../engine/platform/node/app-shards'
import {
  CHECKPOINT_FILE_FILTERS,
  readCheckpointBytes,
  saveCheckpointBytes,
} from '../engine/platform/node/app-checkpoint-files'
import { contentTypeFor, resolveAppAsset } from './app-protocol'
import {
  ACQUIRE_PORT_CHANNEL,
  DESKTOP_API_METHODS,
  LAB_API_METHODS,
  PORT_CHANNEL,
  parsePortRequest,
  type DesktopApi,
  type MenuTarget,
  type OrdersFileKind,
  type ReportFormat,
} from './bridge-contract'
import { CONTENT_SECURITY_POLICY } from './csp'
import { onTrusted, type GuardContext } from './ipc-guard'
import { buildMenuModel, type MenuCommand, type MenuItemModel } from './menu-model'
import { bundlePaths, scenariosDir } from './paths'
import { mainPortEndpoint } from './port-endpoint'
import { defaultReportFileName, saveReportFile } from './report-file'
import { ordersFileName } from '../engine/api/report-format'
import { saveOrdersFile } from './orders-file'
import { readLabPackFolder } from './lab-pack-folder'
import { saveSubmissionFile } from './submission-file'
import { SCENARIO_FILE_FILTERS, readScenarioFile } from './scenario-file'
import { APP_SCHEME, APP_URL, isTrustedPageUrl } from './trusted-origin'
import { mainWindowOptions } from './window-options'

protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
])
app.enableSandbox()

const bundle = bundlePaths(import.meta.dirname)
const devServerUrl = app.isPackaged ? undefined : process.env.ELECTRON_RENDERER_URL
const windowIds = new Set<number>()
const guard: GuardContext = { devServerUrl, windowIds: () => windowIds }
let lab: LabSession | undefined
let menuTarget: Comlink.Remote<MenuTarget> | undefined

function hardenSessionAndContents(): void {
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false))
  session.defaultSession.setPermissionCheckHandler(() => false)
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event) => {
      if (!isTrustedPageUrl(event.url, guard)) event.preventDefault()
    })
    contents.on('will-redirect', (event) => {
      if (!isTrustedPageUrl(event.url, guard)) event.preventDefault()
    })
    contents.setWindowOpenHandler(() => ({ action: 'deny' }))
    contents.on('will-attach-webview', (event) => event.preventDefault())
  })
}

function serveRendererFiles(): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const file = resolveAppAsset(bundle.renderer, request.url)
    if (!file) return new Response('not found', { status: 404 })
    try {
      const body = await readFile(file)
      return new Response(new Uint8Array(body), {
        headers: {
          'content-type': contentTypeFor(file),
          'content-security-policy': CONTENT_SECURITY_POLICY,
          'x-content-type-options': 'nosniff',
        },
      })
    } catch {
      return new Response('not found', { status: 404 })
    }
  })
}

async function chooseScenarioFile(win: BrowserWindow) {
  const result = await dialog.showOpenDialog(win, {
    title: 'Open scenario',
    properties: ['openFile'],
    filters: SCENARIO_FILE_FILTERS,
  })
  const path = result.canceled ? undefined : result.filePaths[0]
  return path === undefined ? undefined : readScenarioFile(path)
}

async function saveReport(win: BrowserWindow, format: ReportFormat): Promise<string | undefined> {
  if (!lab) throw new Error('the lab is not running')
  const report = await lab.report()
  const result = await dialog.showSaveDialog(win, {
    title: `Save report as ${format.toUpperCase()}`,
    defaultPath: join(app.getPath('documents'), defaultReportFileName(report, format)),
    filters: [{ name: format.toUpperCase(), extensions: [format] }],
  })
  if (result.canceled || !result.filePath) return undefined
  return saveReportFile(result.filePath, report, format)
}

async function saveOrders(win: BrowserWindow, what: OrdersFileKind): Promise<string | undefined> {
  if (!lab) throw new Error('the lab is not running')
  const [orders, report] = await Promise.all([lab.exportOrders(), lab.report()])
  const result = await dialog.showSaveDialog(win, {
    title: what === 'events' ? 'Save the order log (conlab run … --orders)' : 'Save the run as a scenario',
    defaultPath: join(app.getPath('documents'), ordersFileName(report, what)),
    filters: [{ name: 'YAML', extensions: ['yaml', 'yml'] }],
  })
  if (result.canceled || !result.filePath) return undefined
  return saveOrdersFile(result.filePath, orders, what)
}

async function saveCheckpoint(win: BrowserWindow, id: number): Promise<string | undefined> {
  if (!lab) throw new Error('the lab is not running')
  if (typeof id !== 'number') throw new TypeError('saveCheckpoint: expected the id of a checkpoint')
  const file = await lab.checkpointFile(id)
  const result = await dialog.showSaveDialog(win, {
    title: `Save checkpoint "${file.name}"`,
    defaultPath: join(app.getPath('documents'), file.fileName),
    filters: CHECKPOINT_FILE_FILTERS,
  })
  if (result.canceled || !result.filePath) return undefined
  return saveCheckpointBytes(result.filePath, file.bytes)
}

async function loadCheckpoint(win: BrowserWindow, options: RestoreOptions = {}): Promise<RestoreResult | undefined> {
  if (!lab) throw new Error('the lab is not running')
  const result = await dialog.showOpenDialog(win, {
    title: 'Load checkpoint',
    properties: ['openFile'],
    filters: CHECKPOINT_FILE_FILTERS,
  })
  const path = result.canceled ? undefined : result.filePaths[0]
  if (path === undefined) return undefined
  const { policy, set, workers } = typeof options === 'object' && options !== null ? options : {}
  return lab.restoreCheckpoint(readCheckpointBytes(path), { policy, set, workers, fileName: path })
}

async function saveSubmission(win: BrowserWindow, trainee: unknown): Promise<string | undefined> {
  if (!lab) throw new Error('the lab is not running')
  const file = await lab.exportSubmission(typeof trainee === 'string' ? { trainee } : {})
  const result = await dialog.showSaveDialog(win, {
    title: 'Save the submission (conlab lab grade)',
    defaultPath: join(app.getPath('documents'), file.fileName),
    filters: [{ name: 'YAML', extensions: ['yaml', 'yml'] }],
  })
  if (result.canceled || !result.filePath) return undefined
  return saveSubmissionFile(result.filePath, file)
}

async function chooseLabPack(win: BrowserWindow) {
  const result = await dialog.showOpenDialog(win, { title: 'Open a lab pack folder', properties: ['openDirectory'] })
  const dir = result.canceled ? undefined : result.filePaths[0]
  return dir === undefined ? undefined : readLabPackFolder(dir)
}

function desktopApi(win: BrowserWindow): DesktopApi {
  return {
    chooseScenarioFile: () => chooseScenarioFile(win),
    saveReport: (format) => saveReport(win, format === 'csv' ? 'csv' : 'json'),
    saveOrders: (what) => saveOrders(win, what === 'scenario' ? 'scenario' : 'events'),
    saveCheckpoint: (id) => saveCheckpoint(win, id),
    loadCheckpoint: (options) => loadCheckpoint(win, options),
    saveSubmission: (trainee) => saveSubmission(win, trainee),
    chooseLabPack: () => chooseLabPack(win),
  }
}

/** Ports on request from the page (through the preload): the lab, the desktop API, the menu's target. */
function servePorts(): void {
  onTrusted(
    ipcMain,
    ACQUIRE_PORT_CHANNEL,
    guard,
    (event, payload) => {
      const request = parsePortRequest(payload)
      const win = BrowserWindow.fromWebContents(event.sender)
      if (!request || !win || !lab) return
      const { port1, port2 } = new MessageChannelMain()
      if (request.kind === 'lab') Comlink.expose(lab, mainPortEndpoint(port1, { allowCalls: LAB_API_METHODS }))
      else if (request.kind === 'desktop')
        Comlink.expose(desktopApi(win), mainPortEndpoint(port1, { allowCalls: DESKTOP_API_METHODS }))
      else {
        const endpoint = mainPortEndpoint(port1)
        endpoint.start?.()
        menuTarget = Comlink.wrap<MenuTarget>(endpoint)
      }
      event.sender.postMessage(PORT_CHANNEL, request.nonce, [port2])
    },
    (channel, url) => console.warn(`refused IPC on ${channel} from ${url ?? 'an unknown frame'}`),
  )
}

async function runMenuCommand(command: MenuCommand): Promise<void> {
  const win = BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0]
  if (!win) return
  try {
    if (command === 'open-scenario') {
      const file = await chooseScenarioFile(win)
      if (file && menuTarget) await menuTarget.openScenario(file)
    } else if (command === 'save-checkpoint') {
      await menuTarget?.saveCheckpoint()
    } else if (command === 'load-checkpoint') {
      await menuTarget?.loadCheckpoint()
    } else {
      await saveReport(win, command === 'save-report-csv' ? 'csv' : 'json')
    }
  } catch (e) {
    dialog.showErrorBox('Consolidation Lab', e instanceof Error ? e.message : String(e))
  }
}

function toElectronMenu(items: MenuItemModel[]): MenuItemConstructorOptions[] {
  return items.map((item): MenuItemConstructorOptions => {
    switch (item.kind) {
      case 'separator':
        return { type: 'separator' }
      case 'role':
        return { role: item.role }
      case 'submenu':
        return { label: item.label, submenu: toElectronMenu(item.items) }
      case 'command':
        return { label: item.label, accelerator: item.accelerator, click: () => void runMenuCommand(item.command) }
    }
  })
}

function createWindow(): void {
  const win = new BrowserWindow(mainWindowOptions(bundle.preload))
  const id = win.webContents.id
  windowIds.add(id)
  win.on('closed', () => windowIds.delete(id))
  win.once('ready-to-show', () => win.show())
  void win.loadURL(devServerUrl ?? APP_URL)
}

void app.whenReady().then(() => {
  try {
    lab = new LabSession(
      nodeScenarioCatalog(
        scenariosDir({ isPackaged: app.isPackaged, resourcesPath: process.resourcesPath, appPath: app.getAppPath() }),
      ),
      'electron',
      { shards: nodeShardPlanner(bundledSpawner(import.meta.dirname)) },
    )
  } catch (e) {
    dialog.showErrorBox('Consolidation Lab cannot start', e instanceof Error ? e.message : String(e))
    app.quit()
    return
  }
  hardenSessionAndContents()
  serveRendererFiles()
  servePorts()
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      toElectronMenu(buildMenuModel({ platform: process.platform, isDev: !app.isPackaged, appName: app.name })),
    ),
  )
  createWindow()
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow()
  })
})

app.on('will-quit', () => {
  void lab?.close()
})

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit()
})
