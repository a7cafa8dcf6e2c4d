// `conlab`: the headless lab. Commands: run, compare, resume, branch, snapshots, validate, schema, import, bench.
// Exit codes: 0 ok, 1 failure while running, 2 bad input (scenario, flags, traces). No stack traces
// unless --debug.
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util'
import { LabInputError } from '../engine/scenario/diagnostics'
import { PolicyNameError } from '../engine/policies/policy-name'
import { runCommand } from './commands/run'
import { compareCommand } from './commands/compare'
import { validateCommand } from './commands/validate'
import { schemaCommand } from './commands/schema'
import { benchCommand } from './commands/bench'
import { snapshotsCommand } from './commands/snapshots'
import { resumeCommand } from './commands/resume'
import { branchCommand } from './commands/branch'
import { importCommand } from './commands/import'
import { CheckpointError } from '../engine/checkpoint/format'
import { UsageError } from './usage'

const HELP = `conlab — Consolidation Lab from the command line

  conlab run <scenario> [--policy P] [--traces DIR] [--seed N] [--workers N] [--until T]
             [--set path=value]… [--events] [--checkpoint-every T --checkpoint-dir DIR]
             [--json] [--out FILE.{json,csv,md}] [--series FILE.csv]
  conlab resume <checkpoint> [--workers N] [--until T] [--events] [--json] [--out FILE]
  conlab branch <checkpoint> --policy P[,Q…] [--set path=value]… [--json] [--out FILE]
  conlab snapshots <checkpoint> [--vm N] [--json]
  conlab compare <scenario> --policies a,b,c [--traces DIR] [--seed N] [--json] [--out FILE] [--reference FILE]
  conlab validate <scenario>
  conlab schema
  conlab import <bitbrains|azure|alibaba|csv> <source> --out DIR [--from T] [--to T] [--interval T]
             [--vms a,b,…] [--count N] [--skip-bad-rows] [--set key=value]…
  conlab bench [--quick] [--only planetlab,osic,lab,checkpoint,ui-frames]

Policies: npa, dvfs, or <thr|iqr|mad|lr|lrr>-<mmt|mc|mu|rs>-<safety>, e.g. thr-mmt-0.8, lr-mc-1.2.
Add --debug to any command for stack traces.`

const COMMANDS: Record<string, (args: string[]) => Promise<number> | number> = {
  run: runCommand,
  compare: compareCommand,
  validate: validateCommand,
  schema: schemaCommand,
  bench: benchCommand,
  snapshots: snapshotsCommand,
  resume: resumeCommand,
  branch: branchCommand,
  import: importCommand,
}

export async function main(argv: string[]): Promise<number> {
  const debug = argv.includes('--debug')
  const args = argv.filter((a) => a !== '--debug')
  const [command, ...rest] = args
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${HELP}\n`)
    return command === undefined ? 2 : 0
  }
  const handler = COMMANDS[command]
  if (handler && (rest.includes('--help') || rest.includes('-h'))) {
    // the usage lines of this command (each command's first line starts with "conlab <command> ")
    const lines = HELP.split('\n')
    const from = lines.findIndex(
      (l) => l.trimStart().startsWith(`conlab ${command} `) || l.trim() === `conlab ${command}`,
    )
    let to = from + 1
    while (to < lines.length && lines[to]!.startsWith('             ')) to++
    process.stdout.write(`${from >= 0 ? lines.slice(from, to).join('\n') : HELP}\n`)
    return 0
  }
  if (!handler) {
    process.stderr.write(`conlab: unknown command "${command}"\n\n${HELP}\n`)
    return 2
  }
  try {
    return await handler(rest)
  } catch (e) {
    if (
      e instanceof LabInputError ||
      e instanceof UsageError ||
      e instanceof PolicyNameError ||
      e instanceof CheckpointError
    ) {
      process.stderr.write(`${e.message}\n`)
      if (debug) process.stderr.write(`${e.stack ?? ''}\n`)
      return 2
    }
    if (debug) throw e
    process.stderr.write(`conlab ${command}: ${(e as Error).message}\n(run again with --debug for the stack trace)\n`)
    return 1
  }
}

/** parseArgs with errors that name the flag. */
export function parseFlags<T extends ParseArgsOptionsConfig>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true })
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/^TypeError \[.*?\]: /, ''))
  }
}
