// Weighers: which of the hosts a VM may go to is best. Power-aware best fit (PABFD, Beloglazov & Buyya,
// CCPE 2012, §6.3) weighs a host by how much its power draw rises with the VM — the least wins, ties to
// the lower host id — from the host's SPECpower table (engine/power.ts).
import { interpolateWatts } from '../power'

/**
 * PABFD's weight: watts a host with power table `table` draws at utilization `u` (within [0, 1]) after
 * taking the VM, minus the watts it draws now (`before`; what "now" is for an idle or switched-off host
 * is the mode's: the lab counts an off host at 0 W, CloudSim at its idle power).
 */
export function powerIncreaseW(table: ArrayLike<number>, u: number, before: number): number {
  return interpolateWatts(table, u) - before
}
