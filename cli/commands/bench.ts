// conlab bench (npm run bench): the benchmarks of the issues, printed as tables. Speed goals live here,
// not in timed tests. Builds the CLI bundle first so processes start as users start them.
import { join } from 'node:path'
import { UsageError } from '../usage'
import { pick } from '../flags'
import { command } from '../command'
import { benchPlanetLab, type BenchContext } from '../bench/planetlab'
import { benchOsic } from '../bench/osic'
import { benchLab } from '../bench/lab'
import { benchMemory } from '../bench/memory'
import { benchCheckpoint } from '../bench/checkpoint'
import { repositoryRoot } from '../repository'
import { benchUiFrames } from '../bench/ui-frames'

const BENCHMARKS: Record<string, (ctx: BenchContext) => Promise<string>> = {
  planetlab: benchPlanetLab,
  osic: benchOsic,
  lab: benchLab,
  memory: benchMemory,
  checkpoint: benchCheckpoint,
  'ui-frames': benchUiFrames,
}

export const benchCommand = command({
  name: 'bench',
  args: '',
  summary: 'Builds the CLI and runs the speed benchmarks, one table each (speed goals live here, not in tests).',
  flags: pick('quick', 'only'),
  async run({ values }, io) {
    const names = values.only ? values.only.split(',') : Object.keys(BENCHMARKS)
    for (const n of names)
      if (!BENCHMARKS[n])
        throw new UsageError(`bench: unknown benchmark "${n}"; known: ${Object.keys(BENCHMARKS).join(', ')}`)
    const root = repositoryRoot()
    // node:child_process loads here, not with the CLI (a run never needs it)
    process
      .getBuiltinModule('node:child_process')
      .execFileSync(process.execPath, [join(root, 'cli', 'build.mjs')], { stdio: 'inherit' })
    const ctx: BenchContext = { root, quick: values.quick === true }
    for (const n of names) io.out(`\n== ${n} ==\n${await BENCHMARKS[n]!(ctx)}\n`)
    return 0
  },
})
