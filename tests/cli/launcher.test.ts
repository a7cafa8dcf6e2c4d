// The launcher (cli/bin/conlab.cjs) in a checkout of its own: it runs the script bundle while no .ts file
// under engine/ or cli/ is newer than it, `bench` the ES module bundle, and the TypeScript sources as soon
// as one is (at any depth) — an edit is never hidden behind a stale bundle. A bundle that is not ASCII
// still reads as UTF-8.
import { spawnSync } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ROOT } from '../helpers'

let dir: string
/** A stand-in for the CLI's main: prints its name, and the options Node was started with if any. */
const stand = (name: string) =>
  `async function main() { process.stdout.write(['${name}', ...process.execArgv].join(' ') + '\\n'); return 0 }`
const BUILT = new Date('2026-01-02T00:00:00Z')
const BEFORE = new Date('2026-01-01T00:00:00Z')
const AFTER = new Date('2026-01-03T00:00:00Z')

function write(path: string, text: string, time: Date): void {
  mkdirSync(join(path, '..'), { recursive: true })
  writeFileSync(path, text)
  utimesSync(path, time, time)
}

/** What the launcher ran: each stand-in prints its own name. `asCommand`: executed as the bin file itself. */
function launch(...args: string[]): string {
  return launchHow(false, 'conlab.cjs', ...args)
}

function launchHow(asCommand: boolean, file: string, ...args: string[]): string {
  const env = { ...process.env }
  delete env.CONLAB_FROM_SOURCE
  if (args[0] === 'FROM_SOURCE') env.CONLAB_FROM_SOURCE = '1'
  const bin = join(dir, 'cli', 'bin', file)
  const r = spawnSync(asCommand ? bin : process.execPath, asCommand ? args : [bin, ...args], {
    encoding: 'utf8',
    env,
    timeout: 60_000,
  })
  expect(r.stderr).toBe('')
  expect(r.status).toBe(0)
  return r.stdout
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'conlab-launcher-'))
  mkdirSync(join(dir, 'cli', 'bin'), { recursive: true })
  for (const file of ['conlab.cjs', 'conlab.mjs'])
    copyFileSync(join(ROOT, 'cli', 'bin', file), join(dir, 'cli', 'bin', file))
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir')
  write(join(dir, 'package.json'), '{ "type": "module" }\n', BEFORE)
  write(join(dir, 'cli', 'main.ts'), `export ${stand('source')}\n`, BEFORE)
  write(join(dir, 'engine', 'deep', 'er', 'model.ts'), 'export const x: number = 1\n', BEFORE)
  write(join(dir, 'engine', 'notes.md'), 'not a source\n', BEFORE)
  write(join(dir, 'out', 'cli', 'conlab.mjs'), `export ${stand('esm')}\n`, BUILT)
  write(join(dir, 'out', 'cli', 'conlab.cjs'), `module.exports.main = ${stand('script')}\n`, BUILT)
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('the launcher', () => {
  it('runs the script bundle while the sources are older, the ES module one for bench', () => {
    expect(launch('run')).toBe('script\n')
    expect(launch('bench')).toBe('esm\n')
    expect(launch('FROM_SOURCE')).toBe('source\n')
  })

  it.skipIf(process.platform === 'win32')(
    'executed as the `conlab` command, starts Node with the options of its shebang line',
    () => {
      expect(launchHow(true, 'conlab.cjs', 'run')).toBe('script --v8-pool-size=0\n')
      expect(launchHow(true, 'conlab.cjs', 'bench')).toBe('esm --v8-pool-size=0\n')
      expect(launchHow(true, 'conlab.mjs', 'run')).toBe('script --v8-pool-size=0\n')
    },
  )

  it('runs the same from cli/bin/conlab.mjs, the ES module path it had before', () => {
    expect(launchHow(false, 'conlab.mjs', 'run')).toBe('script\n')
    expect(launchHow(false, 'conlab.mjs', 'bench')).toBe('esm\n')
    expect(launchHow(false, 'conlab.mjs', 'FROM_SOURCE')).toBe('source\n')
  })

  it('reads a bundle that is not ASCII as UTF-8', () => {
    const cjs = join(dir, 'out', 'cli', 'conlab.cjs')
    write(cjs, `// µs\nmodule.exports.main = async () => { process.stdout.write('≥ 1 µs\\n'); return 0 }\n`, BUILT)
    expect(launch('run')).toBe('≥ 1 µs\n')
  })

  it('runs the sources once any .ts file under engine/ or cli/ is newer than the bundle, at any depth', () => {
    write(join(dir, 'out', 'cli', 'conlab.cjs'), `module.exports.main = ${stand('script')}\n`, BUILT)
    write(join(dir, 'engine', 'notes.md'), 'edited, but not a source\n', AFTER)
    expect(launch('run')).toBe('script\n')
    utimesSync(join(dir, 'engine', 'deep', 'er', 'model.ts'), AFTER, AFTER)
    expect(launch('run')).toBe('source\n')
    expect(launch('bench')).toBe('source\n')
    utimesSync(join(dir, 'engine', 'deep', 'er', 'model.ts'), BEFORE, BEFORE)
    write(join(dir, 'cli', 'new-command.ts'), 'export {}\n', AFTER)
    expect(launch('run')).toBe('source\n')
  })
})
