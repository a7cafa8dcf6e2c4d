// The one contract between the lab and whoever drives it: the renderer (over a MessagePort from Electron's
// main process, or in-page in the browser build), tests and tools. Served with comlink. Everything that
// crosses is plain data: numbers, strings, typed arrays. The renderer imports only this folder.
import type { RunReport } from '../report'

export type LabMode = 'cloudsim' | 'lab'

export interface ScenarioSummary {
  /** id of a built-in scenario (its file name without extension) */
  id: string
  name: string
  description: string
  mode: LabMode
}

export type OpenRequest = ({ builtin: string } | { fileName: string; text: string }) & {
  policy?: string
  seed?: number
}

export interface HostTypeInfo {
  id: string
  name: string
  cores: number
  totalMips: number
  ramMB: number
  /** watts at 0 %, 10 %, …, 100 % */
  power: number[]
}

export interface VmTypeInfo {
  id: string
  name: string
  vcpus: number
  mips: number
  ramMB: number
}

/** What the lab is, once a scenario is open. */
export interface LabInfo {
  scenario: string
  description: string
  mode: LabMode
  /** a sentence for the UI: which model runs and what that means */
  modeNote: string
  policy: string
  /** policies this scenario can run with */
  policies: string[]
  seed: number
  durationSeconds: number
  intervalSeconds: number
  hosts: number
  vms: number
  hostTypes: HostTypeInfo[]
  vmTypes: VmTypeInfo[]
  /** hostType[h] indexes hostTypes */
  hostType: Int32Array
  /** vmType[v] indexes vmTypes */
  vmType: Int32Array
  /** a display name per VM (trace file, or group name and index) */
  vmNames: string[]
}

/** The cluster after one scheduling interval: every figure computed by the engine. */
export interface Frame {
  time: number
  step: number
  energyKWh: number
  powerW: number
  activeHosts: number
  /** Σ used MIPS / Σ MIPS of all hosts */
  cpuUtilization: number
  migrations: number
  migrationsStarted: number
  overloadedHosts: number
  vmsRunning: number
  /** share of active-host time so far with a host short of CPU (SLATAH so far) */
  slatah: number
  /** SLA violation time of active hosts in this interval / active-host time in this interval */
  slaViolationShare: number
}

export type LabEventKind =
  'migration-start' | 'migration-end' | 'overload' | 'host-on' | 'host-off' | 'vm-removed' | 'info' | 'warning'

export interface LabEvent {
  time: number
  kind: LabEventKind
  /** one line for the event log, with the numbers that explain the decision */
  message: string
  host?: number
  vm?: number
  targetHost?: number
}

export interface AdvanceRequest {
  /** scheduling intervals to advance (default 1) */
  steps?: number
  /** advance until this simulated time (seconds) instead */
  untilSeconds?: number
}

export interface AdvanceResult {
  frames: Frame[]
  events: LabEvent[]
  done: boolean
}

export const HOST_STATE = { off: 0, on: 1, booting: 2, failed: 3, maintenance: 4 } as const
export type HostState = (typeof HOST_STATE)[keyof typeof HOST_STATE]

/** The placement map: compact arrays, one entry per host or VM. */
export interface PlacementView {
  time: number
  /** HOST_STATE per host */
  hostState: Uint8Array
  /** CPU utilization per host at the last update, 0..1 */
  hostCpu: Float64Array
  /** RAM in use per host, 0..1 of its RAM */
  hostRam: Float64Array
  /** host of each VM (−1: not placed / removed) */
  vmHost: Int32Array
  /** MIPS each VM requests now */
  vmDemandMips: Float64Array
  /** MIPS each VM is granted now */
  vmGrantedMips: Float64Array
  /** RAM of each VM, MB */
  vmRamMB: Float64Array
  /** target host of a VM being migrated (−1 otherwise) */
  vmMigratingTo: Int32Array
}

export interface SeriesPoint {
  time: number
  value: number
}

export interface HostDetails {
  host: number
  typeName: string
  state: HostState
  totalMips: number
  ramMB: number
  cpuUtilization: number
  powerW: number
  vms: { vm: number; name: string; demandMips: number; grantedMips: number; ramMB: number; migrating: boolean }[]
  /** the host's recent utilization as the overload detector sees it (newest first) */
  utilizationHistory: number[]
  /** SLA violation seconds and active seconds so far */
  slaViolationSeconds: number
  activeSeconds: number
}

export interface VmDetails {
  vm: number
  name: string
  typeName: string
  host: number
  state: 'running' | 'migrating' | 'removed'
  mips: number
  ramMB: number
  demandMips: number
  grantedMips: number
  /** demand − granted, MIPS (CPU the VM wanted and did not get) */
  stealMips: number
  /** the VM's utilization history, newest first (fractions) */
  utilizationHistory: number[]
  /** the workload over the whole run, one point per interval */
  workload: SeriesPoint[]
}

export interface LabApi {
  hello(): Promise<{ version: string; platform: 'electron' | 'web' | 'node' }>
  listScenarios(): Promise<ScenarioSummary[]>
  open(request: OpenRequest): Promise<LabInfo>
  advance(request?: AdvanceRequest): Promise<AdvanceResult>
  placement(): Promise<PlacementView>
  hostDetails(host: number): Promise<HostDetails>
  vmDetails(vm: number): Promise<VmDetails>
  /** the report of the run so far (complete once `done`) */
  report(): Promise<RunReport>
}

export type { RunReport }
