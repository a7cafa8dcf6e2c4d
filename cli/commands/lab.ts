// conlab lab <list|show|solve|grade>: the guided labs from the command line — list them, show one's briefing,
// grade its shipped solution, and grade trainees' submissions (an instructor's folder of them) into one table.
// A lab is a built-in id (scenarios/labs/<id>.yaml), an id of the --labs pack, or a lab file's path.
import { basename, join } from 'node:path'
import { UsageError } from '../usage'
import { pick } from '../flags'
import { command } from '../command'
import { repositoryRoot } from '../repository'
import type { Io } from '../io'
import { nodeFiles } from '../../engine/platform/node/files'
import { LabInputError, formatDiagnostic } from '../../engine/scenario/diagnostics'
import { formatDuration } from '../../engine/scenario/duration'
import { LIMITS } from '../../engine/scenario/limits'
import { LabLibrary, BUILT_IN, readLab } from '../../engine/guided-labs/library'
import type { GuidedLab } from '../../engine/guided-labs/lab-file'
import { gradeSubmission, type LabGrade } from '../../engine/guided-labs/grade'
import { parseSubmission, solutionSubmission } from '../../engine/guided-labs/submission-file'
import { COMPARATOR_WORDS } from '../../engine/api/lab-comparators'
import { comparatorOf } from '../../engine/guided-labs/schema'
import { formatValue } from '../../engine/guided-labs/words'
import { briefingOf } from '../../engine/api/session-guided'

const ACTIONS = ['list', 'show', 'solve', 'grade'] as const

function library(pack: string | undefined): LabLibrary {
  const labs = new LabLibrary(nodeFiles, join(repositoryRoot(), 'scenarios', 'labs'))
  if (pack !== undefined) labs.addPack(pack, nodeFiles, pack)
  return labs
}

/** The lab named on the command line: a lab file's path, or an id of the built-in labs or the pack. */
function labOf(labs: LabLibrary, ref: string): { lab: GuidedLab; source: string } {
  if (ref.endsWith('.yaml') || ref.includes('/'))
    return { lab: readLab(nodeFiles, basename(ref).replace(/\.yaml$/, ''), ref), source: ref }
  return { lab: labs.get(ref), source: labs.sourceOf(ref) }
}

function gradeLines(g: LabGrade): string {
  const width = Math.max(...g.objectives.map((o) => o.id.length))
  const rows = g.objectives.map(
    (o) =>
      `  ${o.passed ? '✓' : '✗'} ${o.id.padEnd(width)}  ${formatValue(o.metric, o.value)} ${COMPARATOR_WORDS[o.comparator]} ${formatValue(o.metric, o.target)}${o.at !== undefined ? ` at ${formatDuration(o.at)}` : ''}  ${o.passed ? o.points : 0}/${o.points}${o.passed ? '' : ` (settled at ${formatDuration(o.decidedAt)})`}${o.note ? ` — ${o.note}` : ''}`,
  )
  const hints = g.hintsUsed.length ? `; hints ${g.hintsUsed.join(', ')} (−${g.hintCost})` : ''
  return [
    `${g.lab}: ${g.passed ? 'passed' : 'not passed'} — ${g.score} / ${g.maxScore} points${hints}${g.solutionSeen ? '; solution seen: 0 points' : ''}`,
    ...rows,
    `  replay: ${formatDuration(g.simulatedSeconds)} simulated, state hash ${g.stateHash}`,
  ].join('\n')
}

function csvCell(v: string | number | boolean | null | undefined): string {
  const s = v === undefined || v === null ? '' : String(v)
  return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s
}

interface Row {
  submission: string
  trainee?: string
  grade?: LabGrade
  refused?: string[]
}

function table(lab: GuidedLab, rows: Row[]): string {
  const ids = lab.spec.objectives.map((o) => o.id)
  // each objective's column says its target: `short-pause ≤ 100 ms`, `in-maintenance ≥ 1 at 2m`
  const targets = lab.spec.objectives.map((o) => {
    const { comparator, target } = comparatorOf(o.check)
    const at = o.check.at !== undefined ? ` at ${formatDuration(o.check.at)}` : ''
    return `${o.id} ${COMPARATOR_WORDS[comparator]} ${formatValue(o.check.metric, target)}${at}`
  })
  const head = ['submission', 'trainee', 'passed', 'score', ...targets, 'hints']
  const body = rows.map((r) =>
    r.grade
      ? [
          r.submission,
          r.trainee ?? '',
          r.grade.passed ? 'yes' : 'no',
          `${r.grade.score}/${r.grade.maxScore}`,
          ...r.grade.objectives.map((o) => `${o.passed ? '✓' : '✗'} ${formatValue(o.metric, o.value)}`),
          r.grade.hintsUsed.join(' ') || '-',
        ]
      : [r.submission, r.trainee ?? '', 'REFUSED', '-', ...ids.map(() => '-'), 'see stderr'],
  )
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)))
  return [head, ...body]
    .map((cells) =>
      cells
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
}

function csv(lab: GuidedLab, rows: Row[]): string {
  const ids = lab.spec.objectives.map((o) => o.id)
  const head = [
    'submission',
    'trainee',
    'lab',
    'passed',
    'score',
    'maxScore',
    'hintsUsed',
    ...ids.flatMap((id) => [`${id}.passed`, `${id}.value`]),
    'refused',
  ]
  const body = rows.map((r) => {
    const g = r.grade
    return [
      r.submission,
      r.trainee,
      lab.id,
      g?.passed,
      g?.score,
      g?.maxScore,
      g?.hintsUsed.join(' '),
      ...ids.flatMap((id) => {
        const o = g?.objectives.find((x) => x.id === id)
        return [o?.passed, o?.value]
      }),
      r.refused?.join(' | '),
    ]
      .map(csvCell)
      .join(',')
  })
  return `${[head.join(','), ...body].join('\n')}\n`
}

async function grade(lab: GuidedLab, files: string[], io: Io, format: 'text' | 'json' | 'csv'): Promise<number> {
  const rows: Row[] = []
  for (const file of files) {
    const row: Row = { submission: file }
    try {
      const submission = parseSubmission(
        nodeFiles.readText(file, { maxBytes: LIMITS.scenarioBytes, what: 'submission file' }),
        file,
      )
      if (submission.trainee !== undefined) row.trainee = submission.trainee
      row.grade = await gradeSubmission(lab, submission, nodeFiles)
    } catch (e) {
      if (!(e instanceof LabInputError)) throw e
      row.refused = e.diagnostics.map(formatDiagnostic)
      io.err(`${e.message}\n`)
    }
    rows.push(row)
  }
  if (format === 'json')
    io.out(
      `${JSON.stringify(rows.map((r) => ({ submission: r.submission, ...(r.trainee !== undefined ? { trainee: r.trainee } : {}), ...(r.grade ?? { lab: lab.id, refused: r.refused }) })))}\n`,
    )
  else if (format === 'csv') io.out(csv(lab, rows))
  else io.out(`${lab.id}: ${lab.spec.title}\n${table(lab, rows)}\n`)
  return rows.some((r) => r.refused) ? 2 : 0
}

export const labCommand = command({
  name: 'lab',
  args: '<list|show|solve|grade> [lab] [submission.yaml…]',
  summary:
    'Guided labs: list them; show one (briefing, objectives, allowed controls, hints); solve (grade the shipped solution); grade submissions by replay into one table (exit 2 if one is refused).',
  flags: pick('labs', 'json', 'csv'),
  async run({ values, positionals }, io) {
    const [action, ref, ...files] = positionals
    if (!action || !(ACTIONS as readonly string[]).includes(action))
      throw new UsageError(`lab: expected one of ${ACTIONS.join(', ')}, found ${action ? `"${action}"` : 'nothing'}`)
    if (values.csv && action !== 'grade') throw new UsageError('lab: --csv is for lab grade')
    if (values.csv && values.json) throw new UsageError('lab: give --json or --csv, not both')
    const labs = library(values.labs)
    if (action === 'list') {
      if (ref !== undefined) throw new UsageError(`lab list: expected no argument, found "${ref}"`)
      const list = labs.list()
      if (values.json) io.out(`${JSON.stringify(list)}\n`)
      else {
        const width = Math.max(...list.map((l) => l.id.length))
        io.out(
          `${list
            .map(
              (l) =>
                `${l.id.padEnd(width)}  ${l.level.padEnd(12)}  ${l.title} [${l.topics.join(', ')}]${l.source === BUILT_IN ? '' : ` (${l.source})`}`,
            )
            .join('\n')}\n`,
        )
      }
      return 0
    }
    if (ref === undefined) throw new UsageError(`lab ${action}: expected a lab id or a lab file`)
    const { lab, source } = labOf(labs, ref)
    if (action === 'show') {
      if (files.length) throw new UsageError(`lab show: expected one lab, found ${files.length + 1} arguments`)
      const b = briefingOf(lab, source)
      if (values.json) {
        io.out(`${JSON.stringify(b)}\n`)
        return 0
      }
      io.out(
        [
          `${b.id} — ${b.title}`,
          `level ${b.level} · topics ${b.topics.join(', ')} · ${formatDuration(b.durationSeconds)} simulated · ${b.maxScore} points · hash ${b.hash}`,
          '',
          b.briefing.trimEnd(),
          '',
          'Objectives',
          ...b.objectives.flatMap((o) => [`  ${o.id} (${o.points} points): ${o.text}`, `      check: ${o.check}`]),
          '',
          'Allowed',
          `  settings: ${b.allowed.settings.map((s) => (s.values ? `${s.path} (${s.values.map(String).join(', ')})` : s.path)).join(', ') || 'none'}`,
          `  orders: ${b.allowed.orders.join(', ') || 'none'}`,
          '',
          'Hints',
          ...(b.hints.length ? b.hints.map((h) => `  ${h.id}: costs ${h.cost} points`) : ['  none']),
          '',
        ].join('\n'),
      )
      return 0
    }
    if (action === 'solve') {
      if (files.length) throw new UsageError(`lab solve: expected one lab, found ${files.length + 1} arguments`)
      const g = await gradeSubmission(lab, solutionSubmission(lab), nodeFiles)
      io.out(values.json ? `${JSON.stringify(g)}\n` : `${gradeLines(g)}\n`)
      return g.passed ? 0 : 1
    }
    if (files.length === 0) throw new UsageError('lab grade: expected one or more submission files')
    return grade(lab, files, io, values.json ? 'json' : values.csv ? 'csv' : 'text')
  },
})
