// Reading a trace workload (bitbrains, azure, alibaba, csv) and turning it into the model's trace pool: CPU
// demand as a fraction of each VM's capacity and memory demand in bytes, one sample per scenario interval,
// plus what the report says about the source (window, skipped rows, gaps, clipped samples, disk/network).
import { formatDiagnostic } from '../scenario/diagnostics'
import { readAlibaba } from './alibaba'
import { readAzure } from './azure'
import { readBitbrains } from './bitbrains'
import { readCsv } from './csv-trace'
import type { TraceData, TraceRequest, TraceVm } from './trace-source'

export function readTrace(req: TraceRequest): TraceData {
  const w = req.workload
  const data =
    w.kind === 'bitbrains'
      ? readBitbrains(req)
      : w.kind === 'azure'
        ? readAzure(req)
        : w.kind === 'alibaba'
          ? readAlibaba(req)
          : readCsv(req)
  return req.duration === undefined ? closeWindow(data, w.gaps) : data
}

/** An open-ended read (an import to the end of the data): every VM to the longest one's end, as gaps. */
function closeWindow(data: TraceData, rule: 'hold' | 'zero'): TraceData {
  const bins = Math.max(0, ...data.vms.map((vm) => vm.cpu.length))
  const extend = (x: Float64Array): Float64Array => {
    if (x.length === bins) return x
    const out = new Float64Array(bins)
    out.set(x)
    if (rule === 'hold' && x.length > 0) out.fill(x[x.length - 1]!, x.length)
    return out
  }
  const vms = data.vms.map((vm): TraceVm => ({
    ...vm,
    cpu: extend(vm.cpu),
    ...(vm.memory ? { memory: extend(vm.memory) } : {}),
    io: vm.io.map(extend),
    gapBins: vm.gapBins + bins - vm.cpu.length,
  }))
  return { ...data, bins, to: data.from + bins * data.interval, vms }
}

/** What a run's report says about one trace workload. */
export interface TraceSourceReport {
  /** the VM group (index in the scenario's vms) */
  group: number
  kind: string
  source: string
  vms: number
  /** seconds per sample (the scenario's interval) */
  interval: number
  /** the window replayed: ISO date-times for wall-clock traces, else seconds after the trace's start */
  from: string | number
  to: string | number
  skippedRows: number
  /** the first skipped row's diagnostic */
  firstSkipped?: string
  /** intervals without a reading, filled by the gap rule (summed over the VMs) */
  gapBins: number
  /** samples above the VM's capacity (CPU) or RAM (memory), clipped to it */
  clippedSamples: number
  /** whether the trace's memory drives the guests' memory demand */
  memory: boolean
  /** the disk and network columns, which the model does not use: each summed over the VMs of their means */
  io?: { unit: string; totals: Record<string, number> }
  attribution?: string
}

/** A VM's capacity as the model sizes it. */
export interface TracedVmCapacity {
  mips: number
  vcpus: number
  ramBytes: number
}

export interface PooledTrace {
  /** samples[i * slots + k]: VM i's CPU demand at k × interval, a fraction of its capacity (0..1) */
  samples: Float64Array
  /** memory[i * slots + k]: its memory demand in bytes (absent: the trace has none) */
  memory?: Float64Array
  report: TraceSourceReport
}

const iso = (s: number) => new Date(s * 1000).toISOString().replace('.000Z', 'Z')

/**
 * The trace as pool samples: `slots` per VM (the last bin repeats past the window's end), CPU scaled and
 * turned into a fraction of each VM's capacity, memory into bytes; both clipped to the VM's size.
 */
export function poolTrace(
  data: TraceData,
  capacity: TracedVmCapacity[],
  slots: number,
  scale: { cpu: number; memory: number },
  group: number,
): PooledTrace {
  const n = data.vms.length
  const samples = new Float64Array(n * slots)
  const memory = data.memoryUnit ? new Float64Array(n * slots) : undefined
  let clipped = 0
  let gaps = 0
  const totals: Record<string, number> = {}
  data.vms.forEach((vm, i) => {
    const c = capacity[i]!
    const per = data.cpuUnit === 'mhz' ? 1 / (c.mips * c.vcpus) : data.cpuUnit === 'cores' ? 1 / c.vcpus : 1
    const bins = vm.cpu.length
    for (let k = 0; k < slots; k++) {
      let x = vm.cpu[Math.min(k, bins - 1)]! * per * scale.cpu
      if (x > 1) {
        if (k < bins) clipped++
        x = 1
      }
      samples[i * slots + k] = x
    }
    if (memory && vm.memory) {
      const toBytes = data.memoryUnit === 'fraction' ? c.ramBytes : 1
      for (let k = 0; k < slots; k++) {
        let x = vm.memory[Math.min(k, bins - 1)]! * toBytes * scale.memory
        if (x > c.ramBytes) {
          if (k < bins) clipped++
          x = c.ramBytes
        }
        memory[i * slots + k] = x
      }
    }
    gaps += vm.gapBins
    data.io?.names.forEach((name, m) => {
      const series = vm.io[m]!
      let sum = 0
      for (let k = 0; k < series.length; k++) sum += series[k]!
      totals[name] = (totals[name] ?? 0) + (series.length > 0 ? sum / series.length : 0)
    })
  })
  const at = (s: number) => (data.absolute ? iso(s) : s)
  return {
    samples,
    ...(memory ? { memory } : {}),
    report: {
      group,
      kind: data.kind,
      source: data.source,
      vms: n,
      interval: data.interval,
      from: at(data.from),
      to: at(Number.isFinite(data.to) ? data.to : data.from + data.bins * data.interval),
      skippedRows: data.skippedRows,
      ...(data.firstSkipped ? { firstSkipped: formatDiagnostic(data.firstSkipped) } : {}),
      gapBins: gaps,
      clippedSamples: clipped,
      memory: memory !== undefined,
      ...(data.io ? { io: { unit: data.io.unit, totals } } : {}),
      ...(data.attribution ? { attribution: data.attribution } : {}),
    },
  }
}
