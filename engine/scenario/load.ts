// Parsing and validating a scenario file (YAML or JSON) into a typed Scenario, with diagnostics that
// name the file, the JSON path, the line and what was expected versus found.
import { LineCounter, parse as parseYaml, parseDocument, isMap, isNode, isScalar, type Document } from 'yaml'
import type { $ZodIssue } from 'zod/v4/core'
import { isTraceWorkload, scenarioSchema, workloadSchema, type Scenario } from './schema'
import { LabInputError, describeFound, jsonPath, type Diagnostic } from './diagnostics'

export interface ParsedScenario {
  scenario: Scenario
  /** The file the scenario came from (as given), used in messages and to resolve relative paths. */
  file: string
}

/**
 * Parses scenario text; throws LabInputError listing every problem found. `settings` (`path=value`, as
 * `conlab run --set` takes them) replace or add values before validation: `migration.autoConverge=true`,
 * `vms[0].pageWrites.rate=64MiB/s`.
 */
export function parseScenario(text: string, file: string, settings: readonly string[] = []): ParsedScenario {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true })
  if (doc.errors.length > 0) {
    throw new LabInputError(
      doc.errors.map((e) => {
        const pos = e.linePos?.[0] ?? lineCounter.linePos(e.pos[0])
        return { file, line: pos.line, column: pos.col, message: `not valid YAML/JSON: ${firstLine(e.message)}` }
      }),
    )
  }
  applySettings(doc, settings)
  const raw: unknown = doc.toJS({ maxAliasCount: 100 })
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new LabInputError([
      { file, line: 1, message: `expected a scenario object at the top level, found ${describeFound(raw)}` },
    ])
  }
  const result = scenarioSchema.safeParse(raw)
  const locate = locator(doc, lineCounter)
  if (!result.success) {
    throw new LabInputError(result.error.issues.map((issue) => issueDiagnostic(issue, raw, file, locate)))
  }
  const problems = checkReferences(result.data).map((p) => ({
    file,
    path: jsonPath(p.path),
    ...locate(p.path),
    message: p.message,
  }))
  if (problems.length > 0) throw new LabInputError(problems)
  return { scenario: result.data, file }
}

/** `a.b[0].c=value`: the value is read as YAML (so 30s, true, [1, 2] and 128MiB/s all work). */
function applySettings(doc: Document, settings: readonly string[]): void {
  const problems: Diagnostic[] = []
  for (const setting of settings) {
    const eq = setting.indexOf('=')
    const path = eq > 0 ? setting.slice(0, eq).trim() : ''
    const keys = path.split(/\.|\[(\d+)\]\.?/).filter((k) => k !== undefined && k !== '')
    if (eq <= 0 || keys.length === 0 || !/^[A-Za-z$][\w$.[\]-]*$/.test(path)) {
      problems.push({
        file: '--set',
        message: `expected path=value such as migration.autoConverge=true, found "${setting}"`,
      })
      continue
    }
    let value: unknown
    try {
      value = parseYaml(setting.slice(eq + 1))
    } catch (e) {
      problems.push({ file: '--set', path, message: `the value is not valid YAML: ${firstLine((e as Error).message)}` })
      continue
    }
    doc.setIn(
      keys.map((k) => (/^\d+$/.test(k) ? Number(k) : k)),
      doc.createNode(value),
    )
  }
  if (problems.length) throw new LabInputError(problems)
}

interface Problem {
  path: (string | number)[]
  message: string
}

/** Checks zod cannot express: references between sections. */
function checkReferences(s: Scenario): Problem[] {
  const problems: Problem[] = []
  const checkTypes = (
    ref: string | string[],
    known: Record<string, unknown>,
    path: (string | number)[],
    what: string,
  ) => {
    const ids = Array.isArray(ref) ? ref : [ref]
    ids.forEach((t, i) => {
      if (!(t in known)) {
        const available = Object.keys(known)
        problems.push({
          path: Array.isArray(ref) ? [...path, i] : path,
          message: `expected one of the ${what} (${available.length ? available.join(', ') : 'none defined'}), found "${t}"`,
        })
      }
    })
  }
  s.hosts.forEach((g, i) => checkTypes(g.type, s.hostTypes, ['hosts', i, 'type'], 'hostTypes'))
  s.vms.forEach((g, i) => {
    checkTypes(g.type, s.vmTypes, ['vms', i, 'type'], 'vmTypes')
    if (g.workload.kind !== 'planetlab' && !isTraceWorkload(g.workload) && g.count === undefined) {
      problems.push({
        path: ['vms', i, 'count'],
        message: `expected a VM count for a "${g.workload.kind}" workload, found nothing`,
      })
    }
  })
  if (s.interval > s.duration) {
    problems.push({
      path: ['interval'],
      message: `expected an interval no longer than the duration (${s.duration} s), found ${s.interval} s`,
    })
  }
  return problems
}

const WORKLOAD_KINDS = workloadSchema.options.map((o) => o.shape.kind.value)

type Locate = (path: readonly PropertyKey[]) => { line?: number; column?: number }

function locator(doc: Document, lineCounter: LineCounter): Locate {
  return (path) => {
    // A key of a mapping is reported where the key is written.
    const parent: unknown = path.length > 0 ? doc.getIn(path.slice(0, -1) as unknown[], true) : undefined
    if (isMap(parent)) {
      const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === path[path.length - 1])
      if (pair && isScalar(pair.key) && pair.key.range) {
        const pos = lineCounter.linePos(pair.key.range[0])
        return { line: pos.line, column: pos.col }
      }
    }
    // Otherwise walk up until a node exists (a missing key is reported at its parent).
    for (let n = path.length; n >= 0; n--) {
      const node: unknown = doc.getIn(path.slice(0, n) as unknown[], true)
      if (isNode(node) && node.range) {
        const pos = lineCounter.linePos(node.range[0])
        return { line: pos.line, column: pos.col }
      }
    }
    return {}
  }
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = root
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined
    v = (v as Record<PropertyKey, unknown>)[key]
  }
  return v
}

function issueDiagnostic(issue: $ZodIssue, raw: unknown, file: string, locate: Locate): Diagnostic {
  const found = valueAt(raw, issue.path)
  let message: string
  switch (issue.code) {
    case 'invalid_type':
      message = `expected ${article(issue.expected)}, found ${describeFound(found)}`
      break
    case 'unrecognized_keys':
      message = `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`
      return {
        file,
        path: jsonPath([...issue.path, issue.keys[0] ?? '']),
        ...locate([...issue.path, issue.keys[0] ?? '']),
        message,
      }
    case 'invalid_value':
      message = `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, found ${describeFound(found)}`
      break
    case 'invalid_union':
      message =
        issue.discriminator === 'kind'
          ? `expected one of the workload kinds (${WORKLOAD_KINDS.join(', ')}), found ${describeFound(found)}`
          : `expected ${describeExpectedUnion(issue)}, found ${describeFound(found)}`
      break
    case 'too_small':
    case 'too_big': {
      const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum
      const op = issue.code === 'too_small' ? (issue.inclusive ? '≥' : '>') : issue.inclusive ? '≤' : '<'
      const what =
        issue.origin === 'array' ? 'a list with length' : issue.origin === 'string' ? 'a text of length' : 'a number'
      message =
        issue.origin === 'array' && issue.exact
          ? `expected a list of exactly ${String(bound)} values, found ${describeFound(found)}`
          : `expected ${what} ${op} ${String(bound)}, found ${describeFound(found)}`
      break
    }
    case 'invalid_format':
      message = `${issue.message.replace(/^Invalid string: /, '')}, found ${describeFound(found)}`
      break
    default:
      message = issue.message.startsWith('expected') ? issue.message : `${issue.message}, found ${describeFound(found)}`
  }
  return { file, path: jsonPath(issue.path), ...locate(issue.path), message }
}

function describeExpectedUnion(issue: Extract<$ZodIssue, { code: 'invalid_union' }>): string {
  const kinds = new Set<string>()
  for (const branch of issue.errors)
    for (const sub of branch) if (sub.code === 'invalid_type' && sub.path.length === 0) kinds.add(sub.expected)
  return kinds.size ? [...kinds].map(article).join(' or ') : 'a valid value'
}

function article(type: string): string {
  if (type === 'int') return 'an integer'
  if (type === 'object' || type === 'array') return type === 'array' ? 'a list' : 'an object'
  return `a ${type}`
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text
}
