// Where the app finds its parts, in development (electron-vite) and packaged (electron-builder).
import { join } from 'node:path'

export interface AppLocation {
  isPackaged: boolean
  /** process.resourcesPath */
  resourcesPath: string
  /** app.getAppPath(): the folder of package.json in development, …/resources/app.asar when packaged */
  appPath: string
}

/** scenarios/ ships beside app.asar as extraResources (its traces must stay readable files). */
export function scenariosDir(at: AppLocation): string {
  return at.isPackaged ? join(at.resourcesPath, 'scenarios') : join(at.appPath, 'scenarios')
}

/** The bundle layout of electron-vite: out/main/index.js, out/preload/preload.cjs, out/renderer/. */
export function bundlePaths(mainDir: string): { preload: string; renderer: string } {
  return { preload: join(mainDir, '..', 'preload', 'preload.cjs'), renderer: join(mainDir, '..', 'renderer') }
}
