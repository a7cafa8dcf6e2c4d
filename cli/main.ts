// `conlab`: the headless lab. Commands: run, compare, resume, branch, snapshots, recommend, validate, schema, import, lab,
// bench.
// Exit codes: 0 ok, 1 failure while running, 2 bad input (scenario, flags, traces, checkpoints). No stack
// traces unless --debug. Help is made from the commands' flag tables (./flags.ts), the same the parser uses.
import packageJson from '../package.json'
import { LabInputError } from '../engine/scenario/diagnostics'
import { PolicyNameError } from '../engine/policies/policy-name'
import { CheckpointError } from '../engine/checkpoint/format'
import { runCommand } from './commands/run'
import { compareCommand } from './commands/compare'
import { validateCommand } from './commands/validate'
import { schemaCommand } from './commands/schema'
import { benchCommand } from './commands/bench'
import { snapshotsCommand } from './commands/snapshots'
import { recommendCommand } from './commands/recommend'
import { resumeCommand } from './commands/resume'
import { branchCommand } from './commands/branch'
import { importCommand } from './commands/import'
import { labCommand } from './commands/lab'
import { UsageError } from './usage'
import { POLICY_HELP, parseFlags, wrap } from './flags'
import { commandHelp, usageLine, type Command } from './command'
import { processIo, type Io } from './io'

export const VERSION = packageJson.version

export const COMMANDS: Command[] = [
  runCommand,
  compareCommand,
  resumeCommand,
  branchCommand,
  snapshotsCommand,
  recommendCommand,
  validateCommand,
  schemaCommand,
  importCommand,
  labCommand,
  benchCommand,
] as Command[]

export function overview(): string {
  return [
    `conlab ${VERSION} — Consolidation Lab from the command line`,
    '',
    ...COMMANDS.flatMap((c) => [`  ${usageLine(c)}`, ...wrap(c.summary, 94).map((l) => `      ${l}`)]),
    '',
    ...wrap(`Policies: ${POLICY_HELP}.`, 100),
    'Exit codes: 0 done, 1 a failure while running, 2 bad input (a scenario, a flag, a checkpoint file).',
    '`conlab <command> --help` lists the flags of a command; --debug prints stack traces; --version the version.',
    '',
  ].join('\n')
}

/** Input the user can fix: exit 2 with the message alone. */
function isBadInput(e: unknown): e is Error {
  return (
    e instanceof LabInputError ||
    e instanceof UsageError ||
    e instanceof PolicyNameError ||
    e instanceof CheckpointError
  )
}

/**
 * Runs one command line. Without `io` it is the process's: stdout, stderr, and SIGINT/SIGTERM stop the
 * run between two steps (never in the middle of writing a file) with exit code 130/143.
 */
export async function main(argv: string[], io?: Io): Promise<number> {
  const own = io === undefined
  const out = io ?? processIo()
  const debug = argv.includes('--debug')
  const args = argv.filter((a) => a !== '--debug')
  const [name, ...rest] = args
  if (name === '--version' || name === '-V' || name === 'version') {
    out.out(`${VERSION}\n`)
    return 0
  }
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    if (name === undefined) out.err(overview())
    else out.out(overview())
    return name === undefined ? 2 : 0
  }
  const command = COMMANDS.find((c) => c.name === name)
  if (!command) {
    out.err(`conlab: unknown command "${name}"\n\n${overview()}`)
    return 2
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    out.out(commandHelp(command))
    return 0
  }
  const stop = (signal: NodeJS.Signals) => {
    out.err(`\nconlab ${name}: stopped by ${signal}\n`)
    process.exit(signal === 'SIGINT' ? 130 : 143)
  }
  if (own) for (const s of ['SIGINT', 'SIGTERM'] as const) process.on(s, stop)
  try {
    return await command.run(parseFlags(rest, command.flags, command.name), out)
  } catch (e) {
    if (isBadInput(e)) {
      out.err(`${e.message}\n`)
      if (debug) out.err(`${e.stack ?? ''}\n`)
      return 2
    }
    if (debug) throw e
    const message = e instanceof Error ? e.message : String(e)
    out.err(`conlab ${name}: ${message}\n(run again with --debug for the stack trace)\n`)
    return 1
  } finally {
    if (own) for (const s of ['SIGINT', 'SIGTERM'] as const) process.off(s, stop)
  }
}
