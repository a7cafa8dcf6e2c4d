// Where the desktop app finds its parts, how they are packaged, and the menu it shows.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { bundlePaths, scenariosDir } from '../../main/paths'
import { buildMenuModel, type MenuCommand, type MenuItemModel } from '../../main/menu-model'
import { ROOT } from '../helpers'

interface BuildConfig {
  files: string[]
  extraResources: { from: string; to: string }[]
  linux: { target: string[] }
  mac: { target: string[] }
  win: { target: string[] }
  electronFuses: Record<string, boolean>
}

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { main: string; build: BuildConfig }

describe('paths', () => {
  it('finds scenarios beside the app in development and in resources when packaged', () => {
    expect(scenariosDir({ isPackaged: false, resourcesPath: '/r', appPath: '/src/lab' })).toBe(
      join('/src/lab', 'scenarios'),
    )
    expect(scenariosDir({ isPackaged: true, resourcesPath: '/r', appPath: '/r/app.asar' })).toBe(
      join('/r', 'scenarios'),
    )
  })
  it('matches the electron-vite output layout and the package entry', () => {
    const main = join(ROOT, 'out', 'main')
    expect(bundlePaths(main)).toEqual({
      preload: join(ROOT, 'out', 'preload', 'preload.cjs'),
      renderer: join(ROOT, 'out', 'renderer'),
    })
    expect(pkg.main).toBe('out/main/index.js')
  })
  it('packages the bundles, ships scenarios/ as extra resources, and sets the fuses', () => {
    expect(pkg.build.files).toContain('out/main/**')
    expect(pkg.build.files).toContain('out/preload/**')
    expect(pkg.build.files).toContain('out/renderer/**')
    expect(pkg.build.extraResources).toContainEqual(expect.objectContaining({ from: 'scenarios', to: 'scenarios' }))
    expect(pkg.build.linux.target).toEqual(expect.arrayContaining(['AppImage', 'deb']))
    expect(pkg.build.mac.target).toContain('dmg')
    expect(pkg.build.win.target).toContain('nsis')
    expect(pkg.build.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
    })
  })
})

function commands(items: MenuItemModel[]): MenuCommand[] {
  return items.flatMap((i) =>
    i.kind === 'command' ? [i.command] : i.kind === 'submenu' ? commands(i.items) : ([] as MenuCommand[]),
  )
}
function labels(items: MenuItemModel[]): string[] {
  return items.flatMap((i) =>
    i.kind === 'command' || i.kind === 'submenu'
      ? [i.label, ...(i.kind === 'submenu' ? labels(i.items) : [])]
      : i.kind === 'role'
        ? [i.role]
        : [],
  )
}

describe('menu', () => {
  it('offers opening a scenario, saving and loading checkpoints, and saving the report', () => {
    const menu = buildMenuModel({ platform: 'linux', isDev: false, appName: 'Consolidation Lab' })
    expect(commands(menu)).toEqual([
      'open-scenario',
      'save-checkpoint',
      'load-checkpoint',
      'save-report-json',
      'save-report-csv',
    ])
    expect(labels(menu)).toEqual(expect.arrayContaining(['Save Checkpoint…', 'Load Checkpoint…']))
    // every accelerator is different
    const accelerators = (function collect(items: MenuItemModel[]): string[] {
      return items.flatMap((i) =>
        i.kind === 'command' ? (i.accelerator ? [i.accelerator] : []) : i.kind === 'submenu' ? collect(i.items) : [],
      )
    })(menu)
    expect(new Set(accelerators).size).toBe(accelerators.length)
    expect(labels(menu)).not.toContain('toggleDevTools')
    expect(labels(menu)).toContain('quit')
  })
  it('adds developer tools in development and the app menu on macOS', () => {
    expect(labels(buildMenuModel({ platform: 'linux', isDev: true, appName: 'X' }))).toContain('toggleDevTools')
    const mac = buildMenuModel({ platform: 'darwin', isDev: false, appName: 'Consolidation Lab' })
    expect(mac[0]).toMatchObject({ kind: 'submenu', label: 'Consolidation Lab' })
    expect(labels(mac)).toContain('about')
  })
})
