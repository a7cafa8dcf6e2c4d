// The flags of every command, in one table: the parser (node:util parseArgs) and `--help` are both made
// from it, so the help cannot drift from what the parser accepts.
import { parseArgs } from 'node:util'
import { DETECTORS, SELECTIONS } from '../engine/policies/policy-name'
import { LIMITS } from '../engine/scenario/limits'
import { LabInputError } from '../engine/scenario/diagnostics'

export interface FlagSpec {
  type: 'string' | 'boolean'
  multiple?: boolean
  /** what the value is called in help: P, N, T, DIR, FILE */
  value?: string
  /** one sentence */
  help: string
}

export type FlagTable = Record<string, FlagSpec>

export type FlagValues<T extends FlagTable> = {
  [K in keyof T]?: T[K]['type'] extends 'boolean' ? boolean : T[K]['multiple'] extends true ? string[] : string
}

/** The policy names, as the policy parser knows them. */
export const POLICY_HELP = `npa, dvfs, none (lab mode: no consolidation), or <${Object.keys(DETECTORS).join('|')}>-<${Object.keys(SELECTIONS).join('|')}>[-<safety>] such as thr-mmt-0.8 or lr-mc-1.2`

export const FLAGS = {
  policy: { type: 'string', value: 'P', help: `The consolidation policy instead of the scenario's: ${POLICY_HELP}.` },
  policies: {
    type: 'string',
    value: 'P,Q…',
    help: "The policies to compare, comma-separated, or all (CloudSim's 22); default all.",
  },
  traces: {
    type: 'string',
    value: 'DIR',
    help: 'A folder of PlanetLab trace files to use instead of the scenario’s (e.g. another day).',
  },
  seed: {
    type: 'string',
    value: 'N',
    help: "The seed of every random stream instead of the scenario's: an integer 0..4294967295.",
  },
  set: {
    type: 'string',
    multiple: true,
    value: 'path=value',
    help: 'Changes the scenario before it is validated, e.g. --set migration.model=precopy (repeatable).',
  },
  workers: {
    type: 'string',
    value: 'N',
    help: `Lab mode: run the hosts in N worker threads, 0..${LIMITS.workers} (0: this thread; default: one per core, at most one per 2000 hosts).`,
  },
  until: {
    type: 'string',
    value: 'T',
    help: 'Stop after the step that reaches simulated time T (e.g. 6h); the report covers the run up to there.',
  },
  events: { type: 'boolean', help: 'Print the event log on stderr, with the numbers behind each decision.' },
  json: { type: 'boolean', help: 'Print the report as one JSON object (a list for several runs) on stdout.' },
  out: {
    type: 'string',
    value: 'FILE',
    help: 'Also write the report to FILE, as JSON, CSV or Markdown by its extension (.json, .csv, .md).',
  },
  'checkpoint-every': {
    type: 'string',
    value: 'T',
    help: 'Lab mode: save a whole-lab checkpoint every T of simulated time (a multiple of the interval).',
  },
  'checkpoint-dir': {
    type: 'string',
    value: 'DIR',
    help: 'The folder for the checkpoints (created if missing; default: ./checkpoints).',
  },
  progress: {
    type: 'boolean',
    help: 'Show progress on stderr even when it is not a terminal (a line every few seconds).',
  },
  reference: {
    type: 'string',
    value: 'FILE',
    help: "A JSON file of CloudSim's measured figures to show beside each policy (tests/fixtures/cloudsim-reference.json).",
  },
  series: {
    type: 'string',
    value: 'FILE.csv',
    help: 'Also write one CSV row per simulated step: time, demand, grants, active hosts, power, energy so far, migrations (lab mode: and memory); columns in the README.',
  },
  orders: {
    type: 'string',
    value: 'FILE.yaml',
    help: "Lab mode: append an orders file's events (a list, or an events: list — what the app exports from a run) to the scenario's, to replay that run.",
  },
  'placement-log': {
    type: 'string',
    value: 'FILE.csv',
    help: 'Also write one CSV row per placement change: time,vm,host,event (start, migrated, restarted, stopped, killed), in time order.',
  },
  vm: { type: 'string', value: 'N', help: 'Show only the snapshot tree of VM N.' },
  labs: {
    type: 'string',
    value: 'DIR',
    help: 'A lab pack: a folder of lab files (<id>.yaml) listed and graded beside the built-in labs (scenarios/labs).',
  },
  csv: {
    type: 'boolean',
    help: 'Print the grades as CSV: one row per submission, a value and a verdict per objective.',
  },
  quick: { type: 'boolean', help: 'Fewer rounds per benchmark.' },
  only: {
    type: 'string',
    value: 'NAME,…',
    help: 'Run only these benchmarks: planetlab, lab, memory, checkpoint, osic, ui-frames.',
  },
} as const satisfies FlagTable

/** The flags of a command, picked from FLAGS by name. */
export function pick<const K extends keyof typeof FLAGS>(...names: K[]): Pick<typeof FLAGS, K> {
  return Object.fromEntries(names.map((n) => [n, FLAGS[n]])) as Pick<typeof FLAGS, K>
}

export interface Parsed<T extends FlagTable> {
  values: FlagValues<T>
  positionals: string[]
}

/**
 * parseArgs over a command's flags. A negative number after a flag that takes a value is that value
 * (`--seed -1`), so the schema, not the parser, says what is wrong with it.
 */
export function parseFlags<T extends FlagTable>(args: string[], table: T, command = ''): Parsed<T> {
  const joined: string[] = []
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!
    const name = a.startsWith('--') && !a.includes('=') ? a.slice(2) : undefined
    const next = args[i + 1]
    if (name && table[name]?.type === 'string' && next !== undefined && /^-[\d.]/.test(next)) {
      joined.push(`${a}=${next}`)
      i++
    } else joined.push(a)
  }
  const options = Object.fromEntries(
    Object.entries(table).map(([name, f]) => [name, { type: f.type, multiple: f.multiple === true }]),
  )
  try {
    const { values, positionals } = parseArgs({ args: joined, options, allowPositionals: true, strict: true })
    return { values: values as FlagValues<T>, positionals }
  } catch (e) {
    const message = (e as Error).message
    const flag = /'(--?[\w-]+)/.exec(message)?.[1] ?? 'conlab'
    const help = `\`conlab ${command ? `${command} ` : ''}--help\` lists the flags`
    const why = /^Unknown option/.test(message)
      ? `unknown flag; ${help}`
      : /argument missing/.test(message)
        ? 'expected a value after it'
        : /does not take an argument/.test(message)
          ? 'takes no value'
          : message
    throw new LabInputError([{ file: flag, message: why }])
  }
}

/** Words of `text` in lines of at most `width` characters. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = []
  let line = ''
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line)
      line = word
    } else line = line ? `${line} ${word}` : word
  }
  return [...lines, line]
}

const HELP_WIDTH = 100

/** `--name VALUE   One sentence.` lines for a command's help, the sentence wrapped beside the flag. */
export function flagHelp(table: FlagTable): string {
  const rows = Object.entries(table).map(([name, f]) => [`--${name}${f.value ? ` ${f.value}` : ''}`, f.help] as const)
  const width = Math.max(...rows.map(([left]) => left.length))
  return rows
    .map(([left, help]) =>
      wrap(help, Math.max(40, HELP_WIDTH - width - 4))
        .map((l, i) => `  ${(i === 0 ? left : '').padEnd(width)}  ${l}`)
        .join('\n'),
    )
    .join('\n')
}
