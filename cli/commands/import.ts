// conlab import <bitbrains|azure|alibaba|csv> <source> --out DIR [--from T] [--to T] [--interval T]
//   [--vms a,b,…] [--count N] [--skip-bad-rows] [--set key=value]…: reads a trace as a scenario would
// (streamed, resampled to the interval, the same errors) and writes the lab's compact trace folder —
// trace.json, one CSV per VM, README.md with the attribution — and scenario.yaml, the lines that replay it.
import { mkdirSync, statSync } from 'node:fs'
import { basename, join, relative, resolve } from 'node:path'
import { parse as parseYaml } from 'yaml'
import { UsageError } from '../usage'
import { command } from '../command'
import { indexFlag } from '../flag-values'
import { nodeFiles } from '../../engine/platform/node/files'
import { writeFileAtomic } from '../../engine/platform/node/atomic-write'
import { workloadSchema, type TraceWorkload } from '../../engine/scenario/schema'
import { parseDuration } from '../../engine/scenario/duration'
import { LabInputError } from '../../engine/scenario/diagnostics'
import { readTrace } from '../../engine/workload/trace-import'
import type { Io } from '../io'
import { TRACE_ATTRIBUTION, traceFolder, traceFolderSnippet } from '../../engine/workload/trace-folder'

const KINDS = ['bitbrains', 'azure', 'alibaba', 'csv'] as const

export const importCommand = command({
  name: 'import',
  args: '<bitbrains|azure|alibaba|csv> <source>',
  summary:
    "Converts a trace (a Bitbrains folder, an Azure or Alibaba file, any CSV) into the lab's compact trace folder, with the scenario lines that replay it (docs/workloads.md).",
  flags: {
    out: { type: 'string', value: 'DIR', help: 'The folder to write the trace to (created if missing).' },
    from: { type: 'string', value: 'T', help: 'Start of the window: a duration from the trace start or an ISO date.' },
    to: { type: 'string', value: 'T', help: 'End of the window: a duration from the trace start or an ISO date.' },
    interval: { type: 'string', value: 'T', help: 'The interval the readings are averaged over (default 5m).' },
    vms: { type: 'string', value: 'a,b,…', help: 'Only these VMs (file names or ids in the source).' },
    count: { type: 'string', value: 'N', help: 'Only the first N VMs.' },
    'skip-bad-rows': { type: 'boolean', help: 'Skip malformed rows and count them instead of stopping at the first.' },
    set: {
      type: 'string',
      multiple: true,
      value: 'key=value',
      help: 'A workload setting, e.g. --set columns.time=timestamp for a CSV (repeatable).',
    },
  },
  run({ values, positionals }, io) {
    return importTrace(values, positionals, io)
  },
})

function importTrace(
  values: {
    out?: string
    from?: string
    to?: string
    interval?: string
    vms?: string
    count?: string
    'skip-bad-rows'?: boolean
    set?: string[]
  },
  positionals: string[],
  io: Io,
): number {
  if (positionals.length !== 2)
    throw new UsageError(
      `import: expected a kind (${KINDS.join(', ')}) and a source, found ${positionals.length} arguments`,
    )
  const [kind, source] = positionals as [string, string]
  if (!(KINDS as readonly string[]).includes(kind))
    throw new UsageError(`import: expected a kind of ${KINDS.join(', ')}, found "${kind}"`)
  if (!values.out) throw new UsageError('import: expected --out DIR, the folder to write the trace to')
  const interval = values.interval === undefined ? 300 : parseDuration(values.interval)
  if (interval === undefined || !(interval > 0))
    throw new UsageError(`--interval: expected a duration such as 5m or 300, found "${values.interval}"`)
  const count = indexFlag('count', values.count)

  const path = resolve(source)
  let isDir: boolean
  try {
    isDir = statSync(path).isDirectory()
  } catch {
    throw new UsageError(`import: no file or folder "${source}"`)
  }
  const raw: Record<string, unknown> = {
    kind,
    [kind === 'bitbrains' || (kind === 'csv' && isDir) ? 'dir' : 'file']: path,
  }
  if (values.from !== undefined) raw.from = values.from
  if (values.to !== undefined) raw.to = values.to
  if (values.vms !== undefined) raw.vms = values.vms.split(',').map((v) => v.trim())
  if (values['skip-bad-rows']) raw.badRows = 'skip'
  for (const setting of values.set ?? []) {
    const eq = setting.indexOf('=')
    if (eq <= 0) throw new UsageError(`--set: expected key=value such as columns.time=timestamp, found "${setting}"`)
    let target = raw
    const keys = setting.slice(0, eq).trim().split('.')
    for (const key of keys.slice(0, -1)) target = (target[key] ??= {}) as Record<string, unknown>
    target[keys.at(-1)!] = parseYaml(setting.slice(eq + 1)) as unknown
  }
  const parsed = workloadSchema.safeParse(raw)
  if (!parsed.success)
    throw new LabInputError(
      parsed.error.issues.map((i) => ({ file: 'conlab import', path: i.path.join('.'), message: i.message })),
    )
  const workload = parsed.data as TraceWorkload

  const data = readTrace({
    files: nodeFiles,
    scenarioFile: 'conlab import',
    path: 'workload',
    workload,
    interval,
    count,
  })
  const out = resolve(values.out)
  const words = [kind, source, '--out', values.out]
  for (const flag of ['from', 'to', 'interval', 'vms', 'count'] as const)
    if (values[flag] !== undefined) words.push(`--${flag}`, values[flag])
  if (values['skip-bad-rows']) words.push('--skip-bad-rows')
  for (const setting of values.set ?? []) words.push('--set', setting)
  const made = `conlab import ${words.map((a) => (/[\s"'$]/.test(a) ? JSON.stringify(a) : a)).join(' ')}`
  const attribution = TRACE_ATTRIBUTION[kind]
  mkdirSync(out, { recursive: true })
  for (const f of traceFolder(data, source, attribution)) writeFileAtomic(join(out, f.name), f.text)
  const readme = [
    `# ${basename(out)}: ${data.kind} trace, ${data.vms.length} VMs`,
    '',
    `Made by \`${made}\` from \`${source}\`: each row is the mean of the readings in its ${interval} s`,
    `(intervals without a reading: ${workload.gaps === 'hold' ? 'the last one held' : 'zero'}). ${data.skippedRows} bad rows skipped.`,
    'The lab reads it with `workload: { kind: csv, dir: <this folder> }` (see scenario.yaml and docs/workloads.md).',
    '',
    ...(attribution ? ['## Source and terms', '', attribution, ''] : []),
  ].join('\n')
  writeFileAtomic(join(out, 'README.md'), readme)
  writeFileAtomic(join(out, 'scenario.yaml'), traceFolderSnippet(data, basename(out), made))
  const rel = relative(process.cwd(), out) || '.'
  io.out(
    `${rel}: ${data.vms.length} VMs × ${data.bins} rows of ${interval} s (${data.skippedRows} bad rows skipped); replay it with ${join(rel, 'scenario.yaml')}\n`,
  )
  return 0
}
