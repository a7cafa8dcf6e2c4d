// A submission as a file (what the app exports and `conlab lab grade` reads), and the lab's own solution as
// a submission. The file is YAML: the lab's id and content hash, the trainee's settings, the hints revealed
// and the order log, one order per line in the scenario events' form (`at`: the simulated time it was applied).
import { jsonPath } from '../scenario/diagnostics'
import type { LoggedOrder } from '../lab/lab-state'
import { submissionSchema } from './schema'
import { readYamlFile } from './yaml-file'
import type { GuidedLab } from './lab-file'
import type { Submission } from './grade'

/** Reads a submission file; throws LabInputError naming the file, line and entry of every problem. */
export function parseSubmission(text: string, file: string): Submission {
  const { data: s, diagnostic } = readYamlFile(
    text,
    file,
    submissionSchema,
    'lab submission',
    'lab, labHash, settings, orders…',
  )
  return {
    lab: s.lab,
    labHash: s.labHash,
    ...(s.trainee !== undefined ? { trainee: s.trainee } : {}),
    settings: s.settings,
    hintsUsed: s.hintsUsed,
    solutionSeen: s.solutionSeen,
    orders: s.orders,
    file,
    diagnostic,
  }
}

/** The lab's shipped solution, as a submission (its problems are the lab file's, under `solution`). */
export function solutionSubmission(lab: GuidedLab): Submission {
  const { settings, orders } = lab.spec.solution
  return {
    lab: lab.id,
    labHash: lab.hash,
    settings,
    hintsUsed: [],
    solutionSeen: false,
    orders,
    file: lab.file,
    diagnostic: (path, message) => lab.diagnostic(['solution', ...path], message),
  }
}

/** A submission made in the app (no file yet): problems are reported at `name`. */
export function submissionOf(
  lab: GuidedLab,
  choices: { settings: string[]; hintsUsed: string[]; solutionSeen: boolean; orders: readonly LoggedOrder[] },
  name = `${lab.id} submission`,
  trainee?: string,
): Submission {
  return {
    lab: lab.id,
    labHash: lab.hash,
    ...(trainee !== undefined ? { trainee } : {}),
    settings: [...choices.settings],
    hintsUsed: [...choices.hintsUsed],
    solutionSeen: choices.solutionSeen,
    orders: choices.orders.map((o) => ({ at: o.time, ...o.action })),
    file: name,
    diagnostic: (path, message) => ({ file: name, path: jsonPath(path), message }),
  }
}

/** The submission file's text: readable, one order per line, read back by parseSubmission to the same choices. */
export function formatSubmission(s: Submission, title?: string): string {
  const json = (v: unknown) => JSON.stringify(v)
  const lines = [
    `# Consolidation Lab submission${title ? `: ${title}` : ''} — grade it with \`conlab lab grade ${s.lab} <this file>\``,
    `lab: ${json(s.lab)}`,
    `labHash: ${json(s.labHash)}`,
    ...(s.trainee !== undefined ? [`trainee: ${json(s.trainee)}`] : []),
    `settings: ${s.settings.length ? '' : '[]'}`,
    ...s.settings.map((x) => `  - ${json(x)}`),
    `hintsUsed: ${json(s.hintsUsed)}`,
    ...(s.solutionSeen ? ['solutionSeen: true'] : []),
    `orders: ${s.orders.length ? '' : '[]'}`,
    ...s.orders.map((o) => `  - ${json(o)}`),
  ]
  return `${lines.map((l) => l.trimEnd()).join('\n')}\n`
}
