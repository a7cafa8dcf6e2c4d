// The contract between the desktop app's processes, beyond the lab itself (LabApi): what the preload bridge
// exposes, and what main and the page serve each other over MessagePorts speaking comlink. Main
// (main/bridge-contract.ts adds the channel names and checks) and the renderer both import it from here.
import type { LabPack, RestoreOptions, RestoreResult } from './lab-api'

/** lab: LabApi served by main; desktop: DesktopApi served by main; menu: MenuTarget served by the page */
export type PortKind = 'lab' | 'desktop' | 'menu'

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

/** The order log as a file: its scenario `events:` list (`conlab run … --orders`), or the whole scenario. */
export type OrdersFileKind = 'events' | 'scenario'

/** What only the desktop app can do: native file dialogs and writing files. */
export interface DesktopApi {
  /** Shows an open dialog and reads the chosen scenario; undefined when cancelled. */
  chooseScenarioFile(): Promise<ScenarioFile | undefined>
  /** Saves the current run's report via a save dialog; the path written, or undefined when cancelled. */
  saveReport(format: ReportFormat): Promise<string | undefined>
  /** Saves the run's order log (LabApi.exportOrders) via a save dialog, atomically; the path, or undefined. */
  saveOrders(what: OrdersFileKind): Promise<string | undefined>
  /** Saves a checkpoint of the session's list via a save dialog (verified, atomic); the path, or undefined. */
  saveCheckpoint(id: number): Promise<string | undefined>
  /** Shows an open dialog and continues the lab from the chosen checkpoint file; undefined when cancelled. */
  loadCheckpoint(options?: RestoreOptions): Promise<RestoreResult | undefined>
  /** Saves the open guided lab's submission (LabApi.exportSubmission) via a save dialog; the path, or undefined. */
  saveSubmission(trainee?: string): Promise<string | undefined>
  /** Shows a folder dialog and reads the lab pack in the chosen folder (for LabApi.loadLabPack); undefined when cancelled. */
  chooseLabPack(): Promise<LabPack | undefined>
}

/** What the menu asks of the page (the page drives the lab, so it opens what the menu chose). */
export interface MenuTarget {
  openScenario(file: ScenarioFile): Promise<void>
  /** File ▸ Save Checkpoint…: take a checkpoint now and save it */
  saveCheckpoint(): Promise<void>
  /** File ▸ Load Checkpoint…: continue from a checkpoint file */
  loadCheckpoint(): Promise<void>
}
