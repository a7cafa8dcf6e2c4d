// The README's `conlab` commands, run in the order it shows them, as real processes in a copy of the
// repository (its scenarios and test fixtures, with ../shared beside it when the checkout has it): each
// must succeed, so a newcomer following the README on a fresh clone meets no error. `npx conlab` is the
// package's bin (cli/bin/conlab.cjs); `npm run bench` is left to the benchmarks.
import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { CONLAB_BIN, ROOT, SHARED } from '../helpers'

/** The commands of the README's sh blocks that call conlab: continuation lines joined, comments dropped. */
function readmeCommands(markdown: string): string[] {
  const commands: string[] = []
  for (const block of markdown.matchAll(/```sh\n([\s\S]*?)```/g)) {
    const lines = block[1]!.replace(/\\\n\s*/g, ' ').split('\n')
    for (const line of lines) {
      const command = line.replace(/\s+#.*$/, '').trim()
      if (/^(npx )?conlab\b/.test(command)) commands.push(command)
    }
  }
  return commands
}

describe('the README', () => {
  const commands = readmeCommands(readFileSync(join(ROOT, 'README.md'), 'utf8'))

  it('shows the commands a newcomer needs, with the checkpoints they use made before', () => {
    expect(commands.length).toBeGreaterThanOrEqual(15)
    for (const [i, c] of commands.entries()) {
      for (const [, file] of c.matchAll(/(ckpt\/\S+\.ckpt)/g)) {
        const name = file!.split('/')[1]!.replace(/-t\d+\.ckpt$/, '')
        const before = commands
          .slice(0, i)
          .some((b) => b.includes('--checkpoint-dir ckpt') && b.includes(`${name}.yaml`))
        expect(before, `${c}: no command before it writes ${file}`).toBe(true)
      }
    }
  })

  it('runs every conlab command in order on a copy of the repository', () => {
    const base = mkdtempSync(join(tmpdir(), 'conlab-readme-'))
    const repo = join(base, 'consolidation-lab')
    mkdirSync(join(repo, 'tests'), { recursive: true })
    cpSync(join(ROOT, 'scenarios'), join(repo, 'scenarios'), { recursive: true })
    cpSync(join(ROOT, 'tests', 'fixtures'), join(repo, 'tests', 'fixtures'), { recursive: true })
    const shared = existsSync(join(SHARED, 'data', 'planetlab'))
    if (shared) symlinkSync(SHARED, join(base, 'shared'))
    const jq = spawnSync('sh', ['-c', 'command -v jq']).status === 0
    let ran = 0
    for (const command of commands) {
      if (!shared && command.includes('../shared/')) continue
      // without jq, the JSON object a `| jq .key` reads is checked here instead
      const pipe = /\s*\|\s*jq (\.\w+)$/.exec(command)
      const line = (pipe && !jq ? command.slice(0, pipe.index) : command).replace(/^(npx )?conlab\b/, 'conlab')
      const r = spawnSync(
        'bash',
        ['-c', `set -o pipefail; conlab() { "${process.execPath}" "${CONLAB_BIN}" "$@"; }; ${line}`],
        {
          cwd: repo,
          encoding: 'utf8',
          timeout: 120_000,
        },
      )
      expect(r.status, `${command}\n${r.stderr}`).toBe(0)
      expect(r.stderr, command).not.toMatch(/\n\s+at |conlab: .*(error|cannot)/i)
      if (pipe && !jq)
        expect(JSON.parse(r.stdout) as Record<string, unknown>, command).toHaveProperty(pipe[1]!.slice(1))
      ran++
    }
    expect(ran).toBeGreaterThanOrEqual(shared ? commands.length : commands.length - 1)
    expect(existsSync(join(repo, 'scenario.schema.json'))).toBe(true)
    if (shared)
      expect(readFileSync(join(repo, 'day2.md'), 'utf8')).toMatch(/Scenario: PlanetLab 2011-03-06, CloudSim setup\./)
  }, 300_000)
})
