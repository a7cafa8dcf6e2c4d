// The lab's own compact trace folder, what `conlab import` writes and `kind: csv` reads back: one CSV per
// VM (`time,cpu,memory,<io…>`, time in seconds from the window's start, one row per interval, each the
// mean over that interval as resampled at import; memory in KiB or a fraction of the VM) and `trace.json`, which says the units, the VMs' sizes,
// the wall-clock start, where the data came from and its attribution. Pure text in and out: the CLI
// writes the files, the browser can hold them in its scenario pack.
import type { CpuUnit, TraceData } from './trace-source'

export const TRACE_MANIFEST = 'trace.json'
export const TRACE_FORMAT = 'conlab-trace'

export interface TraceManifest {
  format: typeof TRACE_FORMAT
  version: 1
  /** the kind of trace it was imported from */
  kind: string
  /** what was imported, as given to `conlab import` */
  source: string
  /** seconds per row */
  interval: number
  rows: number
  /** seconds since 1970 of time 0 for traces with wall-clock times, else null (times after the trace's start) */
  startUnix: number | null
  /** time 0 on the source's clock (seconds after its start when startUnix is null) */
  startOffset: number
  /** memory in KiB (bytes ÷ 1024, whole) or as a fraction of the VM's RAM */
  units: { cpu: CpuUnit; memory?: 'kib' | 'fraction'; io?: string }
  /** the columns after time and cpu (memory, then the disk and network columns) */
  columns: string[]
  vms: { id: string; file: string; vcpus?: number; mhzPerCore?: number; memoryBytes?: number; gapBins: number }[]
  skippedRows: number
  attribution?: string
}

/** What the public traces ask of those who use them, written into every trace folder made from them. */
export const TRACE_ATTRIBUTION: Record<string, string> = {
  bitbrains:
    'GWA-T-12 Bitbrains (Bitbrains; Grid Workloads Archive, TU Delft / AtLarge Research, http://gwa.ewi.tudelft.nl/datasets/gwa-t-12-bitbrains). ' +
    'Cite: S. Shen, V. van Beek, A. Iosup, "Statistical Characterization of Business-Critical Workloads Hosted in Cloud Datacenters", CCGrid 2015. ' +
    'No explicit license: research data given out for research and practice with attribution; do not re-license it.',
  azure:
    'Azure Public Dataset V1 (Microsoft Azure and Microsoft Research, https://github.com/Azure/AzurePublicDataset), published as-is for research. ' +
    'Cite: E. Cortez et al., "Resource Central: Understanding and Predicting Workloads for Improved Resource Management in Large Cloud Platforms", SOSP 2017.',
  alibaba:
    'Alibaba cluster-trace-v2018 (Alibaba Group, https://github.com/alibaba/clusterdata): "You may use trace however you want as long as it is for research or study purpose". ' +
    'Alibaba asks to be told of publications that use the trace.',
}

export interface TraceFolderFile {
  name: string
  text: string
}

/** Decimals kept per unit: enough for the model (MHz to 0.01, fractions of a VM to 1e-4, memory in whole KiB). */
const DECIMALS: Record<string, number> = { mhz: 2, cores: 4, fraction: 4, io: 2 }

function format(x: number, decimals: number): string {
  if (decimals === 0) return String(Math.round(x))
  const s = x.toFixed(decimals)
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s
}

/** A file name for a VM id: the id where it is a safe name, else a sanitized one made unique. */
function fileNames(ids: string[]): string[] {
  const used = new Set<string>()
  return ids.map((id) => {
    let base = id.replace(/[^A-Za-z0-9_.-]/g, '_').replace(/^\.+/, '_') || 'vm'
    if (base.toLowerCase() === 'trace') base = `${base}_`
    let name = `${base}.csv`
    for (let n = 2; used.has(name.toLowerCase()); n++) name = `${base}-${n}.csv`
    used.add(name.toLowerCase())
    return name
  })
}

/** The folder for a trace as read and resampled: the manifest and one CSV per VM. */
export function traceFolder(data: TraceData, source: string, attribution?: string): TraceFolderFile[] {
  const names = fileNames(data.vms.map((vm) => vm.id))
  const memory = data.memoryUnit !== undefined
  const io = data.io?.names ?? []
  const columns = [...(memory ? ['memory'] : []), ...io]
  const manifest: TraceManifest = {
    format: TRACE_FORMAT,
    version: 1,
    kind: data.kind,
    source,
    interval: data.interval,
    rows: data.bins,
    startUnix: data.absolute ? data.from : null,
    startOffset: data.absolute ? 0 : data.from,
    units: {
      cpu: data.cpuUnit,
      ...(data.memoryUnit ? { memory: data.memoryUnit === 'bytes' ? ('kib' as const) : ('fraction' as const) } : {}),
      ...(data.io ? { io: data.io.unit } : {}),
    },
    columns,
    vms: data.vms.map((vm, i) => ({ id: vm.id, file: names[i]!, ...vm.size, gapBins: vm.gapBins })),
    skippedRows: data.skippedRows,
    ...(attribution ? { attribution } : {}),
  }
  const cpuDecimals = DECIMALS[data.cpuUnit]!
  const memoryDecimals = data.memoryUnit === 'fraction' ? DECIMALS.fraction! : 0
  const memoryPer = data.memoryUnit === 'fraction' ? 1 : 1 / 1024
  const files: TraceFolderFile[] = [{ name: TRACE_MANIFEST, text: `${JSON.stringify(manifest, null, 2)}\n` }]
  data.vms.forEach((vm, i) => {
    const lines = [['time', 'cpu', ...columns].join(',')]
    for (let k = 0; k < data.bins; k++) {
      const cells = [String(k * data.interval), format(vm.cpu[k]!, cpuDecimals)]
      if (memory) cells.push(format(vm.memory![k]! * memoryPer, memoryDecimals))
      for (const series of vm.io) cells.push(format(series[k]!, DECIMALS.io!))
      lines.push(cells.join(','))
    }
    files.push({ name: names[i]!, text: `${lines.join('\n')}\n` })
  })
  return files
}

/** The manifest's text as a TraceManifest, or a message saying what is wrong with it. */
export function parseManifest(text: string): TraceManifest | string {
  let m: unknown
  try {
    m = JSON.parse(text)
  } catch (e) {
    return `not valid JSON: ${(e as Error).message}`
  }
  const o = m as Partial<TraceManifest>
  if (typeof o !== 'object' || o === null || o.format !== TRACE_FORMAT) return `expected "format": "${TRACE_FORMAT}"`
  if (o.version !== 1) return `expected version 1, found ${String(o.version)}`
  if (!(typeof o.interval === 'number' && o.interval > 0)) return 'expected an interval in seconds'
  if (!Array.isArray(o.vms) || o.vms.some((v) => typeof v?.id !== 'string' || typeof v.file !== 'string'))
    return 'expected vms: a list of { id, file }'
  if (!o.units || !['fraction', 'mhz', 'cores'].includes(o.units.cpu))
    return 'expected units.cpu: fraction, mhz or cores'
  if (o.units.memory !== undefined && !['kib', 'fraction'].includes(o.units.memory))
    return 'expected units.memory: kib or fraction'
  if (!Array.isArray(o.columns)) return 'expected columns: a list of names'
  return o as TraceManifest
}

/** The scenario lines that replay a trace folder (`dir` as the scenario will see it). */
export function traceFolderSnippet(data: TraceData, dir: string, command: string): string {
  const sized = data.vms.every((vm) => vm.size.vcpus !== undefined || vm.size.memoryBytes !== undefined)
  const interval = data.interval % 60 === 0 ? `${data.interval / 60}m` : `${data.interval}s`
  const days = (data.bins * data.interval) / 86400
  const duration = Number.isInteger(days) ? `${days}d` : `${(data.bins * data.interval) / 3600}h`
  return [
    `# ${command}`,
    `# ${data.vms.length} VMs, ${data.bins} rows of ${interval}. Paste into a scenario; the dir is relative to the scenario file.`,
    `interval: ${interval}`,
    `duration: ${duration}`,
    'vmTypes:',
    sized
      ? '  traced: { vcpus: 1, mips: 2600, ramMB: 2048 } # each VM takes its vCPUs, MHz and RAM from the trace (sizes: trace)'
      : '  traced: { vcpus: 1, mips: 2600, ramMB: 2048 } # the trace gives no sizes: this type sizes every VM',
    'vms:',
    '  - type: traced',
    `    workload: { kind: csv, dir: ${JSON.stringify(dir)} }`,
    '',
  ].join('\n')
}
