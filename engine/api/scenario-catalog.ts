// The built-in scenarios a LabSession offers: where their files are (a platform's FileSource) and how they
// are listed. Both platforms (engine/platform/node/catalog.ts over scenarios/, engine/platform/browser/
// catalog.ts over the packed copy) list them through `catalogEntry`, so the lists are identical.
import type { FileSource } from '../platform/files'
import type { Scenario } from '../scenario/schema'
import type { ScenarioSummary } from './lab-api'

/** What the lab opens first: CloudSim's PlanetLab experiment, the reference every policy is compared on. */
export const DEFAULT_SCENARIO = 'planetlab-cloudsim'

export interface ScenarioCatalog {
  files: FileSource
  /** the folder holding the built-in scenario files */
  dir: string
  entries: ScenarioSummary[]
}

/** The list entry of the built-in scenario file `<id>.yaml`. */
export function catalogEntry(id: string, scenario: Scenario): ScenarioSummary {
  return {
    id,
    name: scenario.name,
    description: scenario.description ?? '',
    mode: scenario.mode,
    ...(id === DEFAULT_SCENARIO ? { default: true } : {}),
  }
}
