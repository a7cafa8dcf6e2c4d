// Parsing and validating a scenario file (YAML or JSON) into a typed Scenario, with diagnostics that
// name the file, the JSON path, the line and what was expected versus found.
import { LineCounter, parse as parseYaml, parseDocument, isMap, isNode, isScalar, visit, type Document } from 'yaml'
import type { $ZodIssue } from 'zod/v4/core'
import { scenarioSchema, workloadSchema, type Scenario } from './schema'
import { LabInputError, describeFound, jsonPath, type Diagnostic } from './diagnostics'
import { checkScenario } from './checks'

/** A `path=value` change to a scenario (`conlab run --set`), and what to call its source in messages. */
export interface Setting {
  setting: string
  /** "--set" (default); a resumed checkpoint names its file and the run the setting came from */
  source?: string
}

export interface ParsedScenario {
  scenario: Scenario
  /** The file the scenario came from (as given), used in messages and to resolve relative paths. */
  file: string
  /**
   * A diagnostic at a JSON path of the scenario, blamed on where that value came from: the file (with
   * its line and column) or the `--set` setting that wrote it.
   */
  diagnostic(path: readonly (string | number)[], message: string): Diagnostic
}

/**
 * A YAML or JSON file's document, every syntax error a diagnostic at its line and column (scenarios, orders
 * files and guided labs alike).
 */
export function parseYamlDocument(text: string, file: string): { doc: Document; lineCounter: LineCounter } {
  const lineCounter = new LineCounter()
  let doc: Document
  try {
    doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true })
  } catch (e) {
    // the parser's own limits (a nesting too deep for the stack)
    throw new LabInputError([{ file, message: `not valid YAML/JSON: ${firstLine((e as Error).message)}` }])
  }
  if (doc.errors.length > 0) {
    throw new LabInputError(
      doc.errors.map((e) => {
        const pos = e.linePos?.[0] ?? lineCounter.linePos(e.pos[0])
        return { file, line: pos.line, column: pos.col, message: `not valid YAML/JSON: ${firstLine(e.message)}` }
      }),
    )
  }
  return { doc, lineCounter }
}

/**
 * Parses scenario text; throws LabInputError listing every problem found. `settings` (`path=value`, as
 * `conlab run --set` takes them) replace or add values before validation: `migration.autoConverge=true`,
 * `vms[0].pageWrites.rate=64MiB/s`; a problem in a value a setting wrote is reported at that setting.
 */
export function parseScenario(
  text: string,
  file: string,
  settings: readonly (string | Setting)[] = [],
): ParsedScenario {
  const { doc, lineCounter } = parseYamlDocument(text, file)
  checkAliases(doc, file, lineCounter)
  const applied = applySettings(
    doc,
    settings.map((s) => (typeof s === 'string' ? { setting: s } : s)),
  )
  let raw: unknown
  try {
    raw = doc.toJS({ maxAliasCount: MAX_ALIAS_EXPANSION })
  } catch (e) {
    throw new LabInputError([
      {
        file,
        ...firstAlias(doc, lineCounter),
        message: `expected YAML aliases that expand to at most ${MAX_ALIAS_EXPANSION} nodes in all (more is how "billion laughs" documents fill memory), found more (${firstLine((e as Error).message)})`,
      },
    ])
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new LabInputError([
      {
        file,
        line: 1,
        message: `expected a scenario object at the top level, found ${text.trim() === '' ? 'an empty file' : describeFound(raw)}`,
      },
    ])
  }
  const locate = locator(doc, lineCounter)
  const diagnostic = (path: readonly (string | number)[], message: string, unknownKey = false): Diagnostic => {
    // a value a setting wrote (or, for an unknown key, a key it created) is that setting's fault
    const setting = applied.find((a) => isPrefix(a.keys, path) || (unknownKey && isPrefix(path, a.keys)))
    if (setting) return { file: `${setting.source ?? '--set'} ${setting.setting}`, path: jsonPath(path), message }
    return { file, path: jsonPath(path), ...locate(path), message }
  }
  const result = scenarioSchema.safeParse(raw)
  if (!result.success) {
    throw new LabInputError(
      relevantIssues(result.error.issues).map((issue) => {
        const { path, message } = issueMessage(issue, raw)
        return diagnostic(path, message, issue.code === 'unrecognized_keys')
      }),
    )
  }
  const problems = checkScenario(result.data).map((p) => diagnostic(p.path, p.message))
  if (problems.length > 0) throw new LabInputError(problems)
  return { scenario: result.data, file, diagnostic }
}

/** Aliases expand to at most this many nodes: YAML's "billion laughs" stays a small document. */
const MAX_ALIAS_EXPANSION = 100

function isPrefix(prefix: readonly (string | number)[], path: readonly (string | number)[]): boolean {
  return prefix.length <= path.length && prefix.every((k, i) => String(k) === String(path[i]))
}

/** Every alias names an anchor defined before it (the parser leaves that to toJS, which names no line). */
function checkAliases(doc: Document, file: string, lineCounter: LineCounter): void {
  const problems: Diagnostic[] = []
  visit(doc, {
    Alias(_, node) {
      if (node.resolve(doc) === undefined) {
        const pos = node.range ? lineCounter.linePos(node.range[0]) : undefined
        problems.push({
          file,
          line: pos?.line,
          column: pos?.col,
          message: `the alias *${node.source} names no anchor &${node.source} defined before it`,
        })
      }
    },
  })
  if (problems.length) throw new LabInputError(problems)
}

function firstAlias(doc: Document, lineCounter: LineCounter): { line?: number; column?: number } {
  let at: { line?: number; column?: number } = {}
  visit(doc, {
    Alias(_, node) {
      if (node.range) {
        const pos = lineCounter.linePos(node.range[0])
        at = { line: pos.line, column: pos.col }
      }
      return visit.BREAK
    },
  })
  return at
}

interface AppliedSetting extends Setting {
  keys: (string | number)[]
}

/** `a.b[0].c=value`: the value is read as YAML (so 30s, true, [1, 2] and 128MiB/s all work). */
export function applySettings(doc: Document, settings: readonly Setting[]): AppliedSetting[] {
  const problems: Diagnostic[] = []
  const applied: AppliedSetting[] = []
  for (const s of settings) {
    const { setting } = s
    const source = `${s.source ?? '--set'} ${setting}`
    const eq = setting.indexOf('=')
    const path = eq > 0 ? setting.slice(0, eq).trim() : ''
    const keys = path.split(/\.|\[(\d+)\]\.?/).filter((k) => k !== undefined && k !== '')
    if (eq <= 0 || keys.length === 0 || !/^[A-Za-z$][\w$.[\]-]*$/.test(path)) {
      problems.push({ file: source, message: 'expected path=value such as migration.autoConverge=true' })
      continue
    }
    let value: unknown
    try {
      value = parseYaml(setting.slice(eq + 1), { maxAliasCount: MAX_ALIAS_EXPANSION })
    } catch (e) {
      problems.push({ file: source, message: `the value is not valid YAML: ${firstLine((e as Error).message)}` })
      continue
    }
    const at = keys.map((k) => (/^\d+$/.test(k) ? Number(k) : k))
    try {
      // `policy: drs-3` with `policy.threshold=4`: the name becomes `{ name: drs-3 }` for its parameters
      const policy: unknown = doc.get('policy')
      if (at.length > 1 && at[0] === 'policy' && typeof policy === 'string')
        doc.set('policy', doc.createNode({ name: policy }))
      doc.setIn(at, doc.createNode(value))
    } catch (e) {
      // e.g. a key below a number: there is no such place in the scenario
      problems.push({ file: source, message: `cannot set ${path}: ${firstLine((e as Error).message)}` })
      continue
    }
    applied.push({ ...s, keys: at })
  }
  if (problems.length) throw new LabInputError(problems)
  return applied
}

const WORKLOAD_KINDS = workloadSchema.options.map((o) => o.shape.kind.value)

export type Locate = (path: readonly PropertyKey[]) => { line?: number; column?: number }

export function locator(doc: Document, lineCounter: LineCounter): Locate {
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

/**
 * The issues worth a message: zod checks an integer against the safe-integer range as well as against the
 * schema's own bound; the schema's bound (with its reason) is the one to report.
 */
export function relevantIssues(issues: readonly $ZodIssue[]): $ZodIssue[] {
  return issues.filter(
    (i) =>
      !(
        i.code === 'too_big' &&
        i.maximum === Number.MAX_SAFE_INTEGER &&
        issues.some((o) => o !== i && o.code === 'too_big')
      ) &&
      !(
        i.code === 'too_small' &&
        i.minimum === Number.MIN_SAFE_INTEGER &&
        issues.some((o) => o !== i && o.code === 'too_small')
      ),
  )
}

/** What a zod issue says, in the lab's words: the JSON path and "expected …, found …". */
export function issueMessage(issue: $ZodIssue, raw: unknown): { path: (string | number)[]; message: string } {
  const path = issue.path.map((k) => (typeof k === 'number' ? k : String(k)))
  const found = valueAt(raw, issue.path)
  let message: string
  switch (issue.code) {
    case 'invalid_type':
      message = `expected ${article(issue.expected)}, found ${describeFound(found)}`
      break
    case 'unrecognized_keys':
      message = `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`
      return { path: [...path, issue.keys[0] ?? ''], message }
    case 'invalid_value': {
      const values = issue.values.map((v) => JSON.stringify(v)).join(', ')
      // a long list (a lab's metrics) would push what was found past the message's length limit: it comes first
      message =
        values.length > 200
          ? `found ${describeFound(found)}, expected one of ${values}`
          : `expected one of ${values}, found ${describeFound(found)}`
      break
    }
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
      // a bound given with its reason (schema.ts: `.max(LIMIT, WHY)`) says why
      const why = /^Too (big|small)/.test(issue.message) ? '' : ` (${issue.message})`
      message =
        issue.origin === 'array' && issue.exact
          ? `expected a list of exactly ${String(bound)} values, found ${describeFound(found)}`
          : `expected ${what} ${op} ${String(bound)}${why}, found ${describeFound(found)}`
      break
    }
    case 'invalid_format':
      message = `${issue.message.replace(/^Invalid string: /, '')}, found ${describeFound(found)}`
      break
    default:
      message = / found /.test(issue.message) ? issue.message : `${issue.message}, found ${describeFound(found)}`
  }
  return { path, message }
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
