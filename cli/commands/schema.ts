// conlab schema: the JSON Schema of scenario files, for editors (YAML language servers, VS Code).
import { scenarioJsonSchema } from '../../engine/scenario/schema'
import { UsageError } from '../usage'
import { command } from '../command'

export const schemaCommand = command({
  name: 'schema',
  args: '',
  summary: 'Prints the JSON Schema of scenario files, for editors (e.g. conlab schema > scenario.schema.json).',
  flags: {},
  run({ positionals }, io) {
    if (positionals.length) throw new UsageError(`schema: expected no arguments, found ${positionals.length}`)
    io.out(`${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`)
    return 0
  },
})
