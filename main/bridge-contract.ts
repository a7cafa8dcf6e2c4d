// What crosses the preload bridge: the channel names and the checks main applies. The preload exposes one
// function, `acquirePort`; everything else travels over MessagePorts speaking comlink. The types both
// sides share are in engine/api/desktop-contract.ts (renderer/ and main/ may not import each other).
import type { LabApi } from '../engine/api/lab-api'
import type { DesktopApi, PortKind } from '../engine/api/desktop-contract'

export type {
  ConlabBridge,
  DesktopApi,
  MenuTarget,
  OrdersFileKind,
  PortKind,
  ReportFormat,
  ScenarioFile,
} from '../engine/api/desktop-contract'

export const ACQUIRE_PORT_CHANNEL = 'conlab:acquire-port'
export const PORT_CHANNEL = 'conlab:port'
/** The global the preload defines in the page (contextBridge.exposeInMainWorld). */
export const BRIDGE_GLOBAL = 'conlabBridge'

export const PORT_KINDS: readonly PortKind[] = ['lab', 'desktop', 'menu']

export interface PortRequest {
  kind: PortKind
  nonce: string
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
  'rules',
  'recommendations',
  'eligibility',
  'exportOrders',
  'listLabs',
  'labBriefing',
  'openLab',
  'labStatus',
  'revealHint',
  'revealSolution',
  'submitLab',
  'exportSubmission',
  'loadLabPack',
] as const satisfies readonly (keyof LabApi)[]
export const DESKTOP_API_METHODS = [
  'chooseScenarioFile',
  'saveReport',
  'saveOrders',
  'saveCheckpoint',
  'loadCheckpoint',
  'saveSubmission',
  'chooseLabPack',
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
