// The built-in scenarios as the Node platform sees them: the YAML files in scenarios/.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseScenario } from '../../scenario/load'
import { catalogEntry, type ScenarioCatalog } from '../../api/scenario-catalog'
import { nodeFiles } from './files'

export function nodeScenarioCatalog(dir: string): ScenarioCatalog {
  const entries = readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => {
      const { scenario } = parseScenario(readFileSync(join(dir, f), 'utf8'), join(dir, f))
      return catalogEntry(f.replace(/\.yaml$/, ''), scenario)
    })
  return { files: nodeFiles, dir, entries }
}
