// What the map shows of a host being evacuated (entering maintenance or standby): the VMs left to move off it,
// counted as the host's details count them (the engine's vmsLeft: the VMs running there, the ones leaving
// included, plus any still on their way in). Only hosts in the evacuating state get a count, and a view with
// none costs one pass over the host states: the map draws a badge for each count (a few DOM elements), never
// work per tile.
import { HOST_STATE, type PlacementView } from '../../engine/api/lab-api'

export interface Evacuation {
  host: number
  vmsLeft: number
}

const NONE: readonly Evacuation[] = []

let countScratch = new Int32Array(0)

/** The hosts being evacuated in `view`, in host order, each with its VMs left to evacuate. */
export function evacuations(view: PlacementView): readonly Evacuation[] {
  const states = view.hostState
  if (states.indexOf(HOST_STATE.evacuating) < 0) return NONE
  if (countScratch.length < states.length) countScratch = new Int32Array(states.length)
  const count = countScratch.subarray(0, states.length).fill(0)
  for (let v = 0; v < view.vmHost.length; v++) {
    const h = view.vmHost[v]!
    if (h < 0) continue
    count[h]!++
    const to = view.vmMigratingTo[v]!
    if (to >= 0) count[to]!++
  }
  const out: Evacuation[] = []
  for (let h = 0; h < states.length; h++)
    if (states[h] === HOST_STATE.evacuating) out.push({ host: h, vmsLeft: count[h]! })
  return out
}

/** "3 VMs left to evacuate", as the badge's label and the host's tooltip say it. */
export function vmsLeftText(n: number): string {
  return `${n} VM${n === 1 ? '' : 's'} left to evacuate`
}
