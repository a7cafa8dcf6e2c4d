// Checks of a validated scenario that zod cannot express: references between sections, and everything
// that makes a run impossible or unbounded before its first step (the limits of ./limits.ts, a VM no host
// type can hold, a mode without its inputs). Each problem has the JSON path of the entry at fault, so the
// message names its line.
import { isTraceWorkload, type Scenario } from './schema'
import { formatBytes } from './diagnostics'
import { formatDuration } from './duration'
import { LIMITS, WHY } from './limits'
import { ramCapacityMB, vcpuCapacity } from '../policies/admission'
import { policyInputName } from '../policies/policy-name'
import { looksLikePreset } from '../policies/presets'

export interface Problem {
  path: (string | number)[]
  message: string
}

/** A preset in cloudsim mode: CloudSim 3.0.3 has only its research policies. */
export function presetInCloudSim(name: string): string {
  return `expected a CloudSim policy in cloudsim mode (npa, dvfs or <detector>-<selection>-<safety>), found "${name}": the vendors' presets (DRS, oVirt, Watcher, CloudStack) run in mode: lab only`
}

const AUTOMATION_IN_CLOUDSIM =
  'expected no automation setting in cloudsim mode, which replays CloudSim 3.0.3 (its policies act by themselves): recommendations and automation levels exist in mode: lab only'

export const NONE_IN_CLOUDSIM =
  'expected a CloudSim policy in cloudsim mode (npa, dvfs or <detector>-<selection>-<safety>), found "none": running without consolidation exists in mode: lab only'

export function checkScenario(s: Scenario): Problem[] {
  const problems: Problem[] = []
  const checkTypes = (
    ref: string | string[],
    known: Record<string, unknown>,
    path: (string | number)[],
    what: string,
  ) => {
    const ids = Array.isArray(ref) ? ref : [ref]
    ids.forEach((t, i) => {
      if (!(t in known)) {
        const available = Object.keys(known)
        problems.push({
          path: Array.isArray(ref) ? [...path, i] : path,
          message: `expected one of the ${what} (${available.length ? available.join(', ') : 'none defined'}), found "${t}"`,
        })
      }
    })
  }
  s.hosts.forEach((g, i) => checkTypes(g.type, s.hostTypes, ['hosts', i, 'type'], 'hostTypes'))
  s.vms.forEach((g, i) => {
    checkTypes(g.type, s.vmTypes, ['vms', i, 'type'], 'vmTypes')
    if (g.workload.kind !== 'planetlab' && !isTraceWorkload(g.workload) && g.count === undefined) {
      problems.push({
        path: ['vms', i, 'count'],
        message: `expected a VM count for a "${g.workload.kind}" workload, found nothing`,
      })
    }
  })
  if (s.interval > s.duration) {
    problems.push({
      path: ['interval'],
      message: `expected an interval no longer than the duration (${s.duration} s), found ${s.interval} s`,
    })
  }
  const steps = Math.ceil(s.duration / s.interval)
  if (steps > LIMITS.steps)
    problems.push({
      path: ['interval'],
      message: `expected at most ${count(LIMITS.steps)} steps (duration ÷ interval: ${WHY.steps}), found ${count(steps)} steps of ${formatDuration(s.interval)}`,
    })
  const hosts = s.hosts.reduce((n, g) => n + g.count, 0)
  if (hosts > LIMITS.hosts)
    problems.push({
      path: ['hosts'],
      message: `expected at most ${count(LIMITS.hosts)} hosts in all (${WHY.hosts}), found ${count(hosts)}`,
    })
  const vms = s.vms.reduce((n, g) => n + (g.count ?? 0), 0)
  if (vms > LIMITS.vms)
    problems.push({
      path: ['vms'],
      message: `expected at most ${count(LIMITS.vms)} VMs in all (${WHY.vms}), found ${count(vms)}`,
    })
  const every = s.consolidation.underloadEvery
  if (every !== undefined && Math.abs(every / s.interval - Math.round(every / s.interval)) > 1e-9)
    problems.push({
      path: ['consolidation', 'underloadEvery'],
      message: `expected a multiple of the interval (${formatDuration(s.interval)}): consolidation runs at the end of a step, found ${formatDuration(every)}`,
    })
  if (problems.length > 0) return problems // the checks below rely on the references
  if (s.mode === 'cloudsim') {
    s.vms.forEach((g, i) => {
      if (g.workload.kind !== 'planetlab')
        problems.push({
          path: ['vms', i, 'workload', 'kind'],
          message: `expected "planetlab" in cloudsim mode (it replays CloudSim's PlanetLab experiments), found "${g.workload.kind}": other workloads run in mode: lab`,
        })
    })
    const name = policyInputName(s.policy).trim().toLowerCase()
    const at = typeof s.policy === 'string' ? ['policy'] : ['policy', 'name']
    if (name === 'none') problems.push({ path: at, message: NONE_IN_CLOUDSIM })
    else if (looksLikePreset(name)) problems.push({ path: at, message: presetInCloudSim(name) })
    if (s.automation !== undefined) problems.push({ path: ['automation'], message: AUTOMATION_IN_CLOUDSIM })
    s.vms.forEach((g, i) => {
      if (g.automation !== undefined) problems.push({ path: ['vms', i, 'automation'], message: AUTOMATION_IN_CLOUDSIM })
    })
  }
  const hostTypes = [...new Set(s.hosts.flatMap((g) => (Array.isArray(g.type) ? g.type : [g.type])))]
  s.vms.forEach((g, i) => {
    const types = Array.isArray(g.type) ? g.type : [g.type]
    types.forEach((id, k) => {
      const why = unplaceable(s, id, hostTypes)
      if (why) problems.push({ path: Array.isArray(g.type) ? ['vms', i, 'type', k] : ['vms', i, 'type'], message: why })
    })
    if (s.mode !== 'lab') return
    const smallestRam = Math.min(...types.map((t) => s.vmTypes[t]!.ramMB)) * 2 ** 20
    const { zero, image } = g.content
    if (zero + image > 1)
      problems.push({
        path: ['vms', i, 'content'],
        message: `expected zero + image ≤ 1 (shares of the same memory), found ${zero} + ${image} = ${zero + image}`,
      })
    const hotSet = g.pageWrites.hotSet
    if (hotSet !== undefined && hotSet > smallestRam)
      problems.push({
        path: ['vms', i, 'pageWrites', 'hotSet'],
        message: `expected a hot set no larger than the VM's RAM (${formatBytes(smallestRam)}), found ${formatBytes(hotSet)}`,
      })
    const perSecond = g.pageWrites.rate / s.memory.pageSize
    if (perSecond > LIMITS.pageWritesPerSecond)
      problems.push({
        path: ['vms', i, 'pageWrites', 'rate'],
        message: `expected at most ${count(LIMITS.pageWritesPerSecond)} page writes per second (rate ÷ memory.pageSize of ${formatBytes(s.memory.pageSize)}: ${WHY.pageWritesPerSecond}), found ${count(Math.round(perSecond))}`,
      })
    if (s.memory.pageSize > smallestRam)
      problems.push({
        path: ['memory', 'pageSize'],
        message: `expected a page size no larger than a VM's RAM (vms[${i}]: ${formatBytes(smallestRam)}), found ${formatBytes(s.memory.pageSize)}`,
      })
  })
  return problems
}

/**
 * Why VM type `id` fits on none of the host types the scenario uses, or undefined when one holds it. Lab
 * mode: admission as the initial placement sees an empty host (cores as fast as a vCPU, nominal MIPS, RAM
 * and vCPUs within the capacities of engine/policies/admission.ts). Cloudsim mode: what CloudSim requests in full at creation
 * (RAM and bandwidth); CloudSim would leave such a VM out of the run without a word.
 */
function unplaceable(s: Scenario, id: string, hostTypeIds: string[]): string | undefined {
  const t = s.vmTypes[id]!
  const what = `VM type "${id}" (${t.vcpus} vCPU${t.vcpus > 1 ? 's' : ''} × ${t.mips} MIPS, ${t.ramMB} MB RAM)`
  const reasons = hostTypeIds.map((h) => {
    const ht = s.hostTypes[h]!
    if (s.mode === 'cloudsim') {
      if (t.ramMB > ht.ramMB) return `${h} has ${ht.ramMB} MB of RAM`
      if (t.bwMbps > ht.nicMbps) return `${h} has a ${ht.nicMbps} Mbit/s NIC for ${t.bwMbps} Mbit/s`
      return undefined
    }
    const ram = ramCapacityMB(ht.ramMB, s.admission)
    const vcpus = vcpuCapacity(ht.cores, s.admission)
    const coreMips = Math.trunc(ht.mipsPerCore)
    if (coreMips < t.mips) return `${h}'s cores run ${ht.mipsPerCore} MIPS`
    if (t.vcpus * t.mips > coreMips * ht.cores) return `${h} has ${coreMips * ht.cores} MIPS in all`
    if (t.ramMB > ram) return `${h} admits ${Math.floor(ram)} MB of VM RAM`
    if (t.vcpus > vcpus) return `${h} admits ${Math.max(0, vcpus)} vCPUs`
    return undefined
  })
  if (reasons.some((r) => r === undefined)) return undefined
  return `${what} fits on no host type: ${reasons.join('; ')}`
}

export function count(n: number): string {
  return n.toLocaleString('en-US')
}
