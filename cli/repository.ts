// The repository the CLI runs from (cli/… in the sources, out/cli/… in the bundle): the built-in labs and the
// benchmarks' scenarios are found from it.
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export function repositoryRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (let i = 0; i < 4; i++, dir = dirname(dir)) if (existsSync(join(dir, 'package.json'))) return dir
  throw new Error('cannot find the repository root')
}
