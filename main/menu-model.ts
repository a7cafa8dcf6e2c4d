// The application menu as data, built without Electron so it can be tested; index.ts turns it into an
// Electron Menu. Only commands that do something real are listed.
export type MenuCommand =
  'open-scenario' | 'save-checkpoint' | 'load-checkpoint' | 'save-report-json' | 'save-report-csv'

export type MenuRole =
  | 'about'
  | 'hide'
  | 'hideOthers'
  | 'unhide'
  | 'quit'
  | 'close'
  | 'undo'
  | 'redo'
  | 'cut'
  | 'copy'
  | 'paste'
  | 'selectAll'
  | 'reload'
  | 'toggleDevTools'
  | 'resetZoom'
  | 'zoomIn'
  | 'zoomOut'
  | 'togglefullscreen'
  | 'minimize'

export type MenuItemModel =
  | { kind: 'command'; label: string; command: MenuCommand; accelerator?: string }
  | { kind: 'role'; role: MenuRole }
  | { kind: 'separator' }
  | { kind: 'submenu'; label: string; items: MenuItemModel[] }

export interface MenuOptions {
  platform: NodeJS.Platform
  /** development build: adds reload and developer tools */
  isDev: boolean
  appName: string
}

const role = (r: MenuRole): MenuItemModel => ({ kind: 'role', role: r })
const separator: MenuItemModel = { kind: 'separator' }

export function buildMenuModel(o: MenuOptions): MenuItemModel[] {
  const mac = o.platform === 'darwin'
  const file: MenuItemModel = {
    kind: 'submenu',
    label: 'File',
    items: [
      { kind: 'command', label: 'Open Scenario…', command: 'open-scenario', accelerator: 'CmdOrCtrl+O' },
      separator,
      { kind: 'command', label: 'Save Checkpoint…', command: 'save-checkpoint', accelerator: 'CmdOrCtrl+K' },
      {
        kind: 'command',
        label: 'Load Checkpoint…',
        command: 'load-checkpoint',
        accelerator: 'CmdOrCtrl+Shift+O',
      },
      separator,
      { kind: 'command', label: 'Save Report as JSON…', command: 'save-report-json', accelerator: 'CmdOrCtrl+S' },
      { kind: 'command', label: 'Save Report as CSV…', command: 'save-report-csv', accelerator: 'CmdOrCtrl+Shift+S' },
      separator,
      role(mac ? 'close' : 'quit'),
    ],
  }
  const edit: MenuItemModel = {
    kind: 'submenu',
    label: 'Edit',
    items: [role('undo'), role('redo'), separator, role('cut'), role('copy'), role('paste'), role('selectAll')],
  }
  const view: MenuItemModel = {
    kind: 'submenu',
    label: 'View',
    items: [
      ...(o.isDev ? [role('reload'), role('toggleDevTools'), separator] : []),
      role('resetZoom'),
      role('zoomIn'),
      role('zoomOut'),
      separator,
      role('togglefullscreen'),
    ],
  }
  const app: MenuItemModel[] = mac
    ? [
        {
          kind: 'submenu',
          label: o.appName,
          items: [role('about'), separator, role('hide'), role('hideOthers'), role('unhide'), separator, role('quit')],
        },
      ]
    : []
  return [...app, file, edit, view, { kind: 'submenu', label: 'Window', items: [role('minimize'), role('close')] }]
}
