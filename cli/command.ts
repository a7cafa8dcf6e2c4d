// A command of `conlab`: its name, arguments, one-sentence summary and flags (from ./flags.ts), and what
// it does. `conlab --help` and `conlab <command> --help` are made from these.
import type { Io } from './io'
import { flagHelp, wrap, type FlagTable, type Parsed } from './flags'
import type { RunReport } from '../engine/report'
import { formatSummary } from '../engine/report'
import { writeReports } from './outputs'

export interface Command<T extends FlagTable = FlagTable> {
  name: string
  /** the positional arguments, as usage shows them: `<scenario>` */
  args: string
  summary: string
  flags: T
  run(parsed: Parsed<T>, io: Io): Promise<number> | number
}

export function command<T extends FlagTable>(c: Command<T>): Command<T> {
  return c
}

export function usageLine(c: Command): string {
  return `conlab ${c.name}${c.args ? ` ${c.args}` : ''}${Object.keys(c.flags).length ? ' [flags]' : ''}`
}

/** Flags every command takes (main handles them before the command's parser). */
export const COMMON_FLAGS: FlagTable = {
  debug: { type: 'boolean', help: 'Print the stack trace of an error.' },
  help: { type: 'boolean', help: 'Print this help.' },
}

export function commandHelp(c: Command): string {
  return `${usageLine(c)}\n\n${wrap(c.summary, 98)
    .map((l) => `  ${l}`)
    .join('\n')}\n\n${flagHelp({ ...c.flags, ...COMMON_FLAGS })}\n`
}

/**
 * The end of a command that ran: the report on stdout (JSON or the summary table), then --out. A failure
 * that only showed while writing (a full disk, a checkpoint not saved) exits 1 with the report printed.
 */
export function finish(
  io: Io,
  reports: RunReport[],
  o: { json?: boolean; out?: string; single?: boolean; text?: () => string },
  failures: string[] = [],
): number {
  if (o.json) io.out(`${JSON.stringify(o.single ? reports[0] : reports)}\n`)
  else io.out(o.text ? o.text() : `${reports.map(formatSummary).join('\n\n')}\n`)
  const problems = [...failures]
  if (o.out !== undefined) {
    const failed = writeReports(o.out, reports)
    if (failed) {
      io.err(`${failed}\n`)
      problems.push(failed)
    }
  }
  return problems.length ? 1 : 0
}
