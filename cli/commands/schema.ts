// conlab schema: the JSON Schema of scenario files, for editors (YAML language servers, VS Code).
import { scenarioJsonSchema } from '../../engine/scenario/schema'

export function schemaCommand(): number {
  process.stdout.write(`${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`)
  return 0
}
