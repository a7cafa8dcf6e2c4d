// Admission, as OpenStack Nova's placement service decides it: a host accepts VMs while the configured RAM
// of its VMs stays within (RAM − reserved_host_memory_mb) × ram_allocation_ratio and their vCPUs within
// (cores − reserved_host_cpus) × cpu_allocation_ratio (Nova's configuration reference, "Allocation ratios";
// placement's allocation candidates). The lab's placement, consolidation, HA restarts and the validation
// of a scenario all read a host's capacities from here.
import type { AdmissionSettings } from '../scenario/schema'

/** The configured VM RAM a host of `ramMB` accepts, MB. */
export function ramCapacityMB(ramMB: number, a: AdmissionSettings): number {
  return (ramMB - a.reservedHostMemory / 2 ** 20) * a.ramAllocationRatio
}

/** The vCPUs a host of `cores` cores accepts. */
export function vcpuCapacity(cores: number, a: AdmissionSettings): number {
  return (cores - a.reservedHostCpus) * a.cpuAllocationRatio
}
