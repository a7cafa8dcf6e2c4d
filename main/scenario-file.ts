// Reading a scenario the user picked in the open dialog. The file name travels with the text so the
// engine resolves relative trace folders against the file's own folder and names it in messages.
import { readFileSync, statSync } from 'node:fs'
import type { ScenarioFile } from './bridge-contract'

/** Scenario files are small YAML/JSON; anything bigger is almost certainly the wrong file. */
export const MAX_SCENARIO_BYTES = 4 * 1024 * 1024

export function readScenarioFile(path: string): ScenarioFile {
  const size = statSync(path).size
  if (size > MAX_SCENARIO_BYTES)
    throw new Error(`${path}: expected a scenario file of at most 4 MB, found ${(size / 1048576).toFixed(1)} MB`)
  return { fileName: path, text: readFileSync(path, 'utf8') }
}

export const SCENARIO_FILE_FILTERS = [
  { name: 'Scenarios', extensions: ['yaml', 'yml', 'json'] },
  { name: 'All files', extensions: ['*'] },
]
