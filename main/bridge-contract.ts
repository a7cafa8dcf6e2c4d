// What crosses the preload bridge. The preload exposes one function, `acquirePort`; everything else
// travels over MessagePorts speaking comlink. renderer/lab/bridge-contract.ts holds the renderer's copy of
// these types (renderer/ and main/ may not import each other); tests/unit/main-bridge-contract.test.ts
// checks that the two stay identical.
import type { LabApi, RestoreOptions, RestoreResult } from '../engine/api/lab-api'

export const ACQUIRE_PORT_CHANNEL = 'conlab:acquire-port'
export const PORT_CHANNEL = 'conlab:port'
/** The global the preload defines in the page (contextBridge.exposeInMainWorld). */
export const BRIDGE_GLOBAL = 'conlabBridge'

/** lab: LabApi served by main; desktop: DesktopApi served by main; menu: MenuTarget served by the page */
export type PortKind = 'lab' | 'desktop' | 'menu'
export const PORT_KINDS: readonly PortKind[] = ['lab', 'desktop', 'menu']

export interface PortRequest {
  kind: PortKind
  nonce: string
}

export interface ConlabBridge {
  /** Asks main for a port; it arrives as `window.postMessage(nonce, …, [port])` from the preload. */
  acquirePort(kind: PortKind, nonce: string): void
}

export interface ScenarioFile {
  /** the full path on disk (relative trace folders resolve against it) */
  fileName: string
  text: string
}

export type ReportFormat = 'json' | 'csv'

/** What only the desktop app can do: native file dialogs and writing files. */
export interface DesktopApi {
  /** Shows an open dialog and reads the chosen scenario; undefined when cancelled. */
  chooseScenarioFile(): Promise<ScenarioFile | undefined>
  /** Saves the current run's report via a save dialog; the path written, or undefined when cancelled. */
  saveReport(format: ReportFormat): Promise<string | undefined>
  /** Saves a checkpoint of the session's list via a save dialog (verified, atomic); the path, or undefined. */
  saveCheckpoint(id: number): Promise<string | undefined>
  /** Shows an open dialog and continues the lab from the chosen checkpoint file; undefined when cancelled. */
  loadCheckpoint(options?: RestoreOptions): Promise<RestoreResult | undefined>
}

/** What the menu asks of the page (the page drives the lab, so it opens what the menu chose). */
export interface MenuTarget {
  openScenario(file: ScenarioFile): Promise<void>
  /** File ▸ Save Checkpoint…: take a checkpoint now and save it */
  saveCheckpoint(): Promise<void>
  /** File ▸ Load Checkpoint…: continue from a checkpoint file */
  loadCheckpoint(): Promise<void>
}

export const LAB_API_METHODS = [
  'hello',
  'listScenarios',
  'open',
  'advance',
  'placement',
  'hostDetails',
  'vmDetails',
  'report',
  'order',
  'checkpoint',
  'checkpointFile',
  'checkpoints',
  'restoreCheckpoint',
] as const satisfies readonly (keyof LabApi)[]
export const DESKTOP_API_METHODS = [
  'chooseScenarioFile',
  'saveReport',
  'saveCheckpoint',
  'loadCheckpoint',
] as const satisfies readonly (keyof DesktopApi)[]

// Compile-time: the method lists name every method of their interfaces.
type Missing<T, L extends readonly unknown[]> = Exclude<keyof T, L[number]>
export const labMethodsComplete: [Missing<LabApi, typeof LAB_API_METHODS>] extends [never] ? true : never = true
export const desktopMethodsComplete: [Missing<DesktopApi, typeof DESKTOP_API_METHODS>] extends [never] ? true : never =
  true

/** Validates a port request from the page (anything else is refused). */
export function parsePortRequest(value: unknown): PortRequest | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const { kind, nonce } = value as { kind?: unknown; nonce?: unknown }
  if (typeof kind !== 'string' || !(PORT_KINDS as readonly string[]).includes(kind)) return undefined
  if (typeof nonce !== 'string' || !/^[A-Za-z0-9-]{16,64}$/.test(nonce)) return undefined
  return { kind: kind as PortKind, nonce }
}
