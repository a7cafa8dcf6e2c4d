// The renderer's copy of main/bridge-contract.ts's types (renderer/ may not import main/);
// tests/unit/main-bridge-contract.test.ts checks that both copies stay identical.
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

/** What only the desktop app can do: native file dialogs and writing files. */
export interface DesktopApi {
  /** Shows an open dialog and reads the chosen scenario; undefined when cancelled. */
  chooseScenarioFile(): Promise<ScenarioFile | undefined>
  /** Saves the current run's report via a save dialog; the path written, or undefined when cancelled. */
  saveReport(format: ReportFormat): Promise<string | undefined>
}

/** What the menu asks of the page (the page drives the lab, so it opens what the menu chose). */
export interface MenuTarget {
  openScenario(file: ScenarioFile): Promise<void>
}
