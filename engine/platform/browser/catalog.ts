// The built-in scenarios as the browser sees them: the YAML files packed from scenarios/ at build time,
// listed the way engine/platform/node/catalog.ts lists the folder on Node.
import { parseScenario } from '../../scenario/load'
import { catalogEntry, type ScenarioCatalog } from '../../api/scenario-catalog'
import { byteOrder } from '../files'
import { decodeScenarioPack } from './scenario-pack'
import { SCENARIOS_DIR, packFiles } from './files'

export function packScenarioCatalog(data: Uint8Array): ScenarioCatalog {
  const files = packFiles(decodeScenarioPack(data))
  const entries = files
    .listDir(SCENARIOS_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort(byteOrder)
    .map((f) => {
      const path = files.join(SCENARIOS_DIR, f)
      const { scenario } = parseScenario(files.readText(path), path)
      return catalogEntry(f.replace(/\.yaml$/, ''), scenario)
    })
  return { files, dir: SCENARIOS_DIR, entries }
}
