// A guided-lab file (a lab or a submission) read as YAML or JSON and validated by its zod schema, every problem
// a compiler-style diagnostic: the file, the line and column of a syntax error, the JSON path and line of a
// value the schema refuses.
import { isMap } from 'yaml'
import type { z } from 'zod'
import { LabInputError, describeFound, jsonPath, type Diagnostic } from '../scenario/diagnostics'
import { issueMessage, locator, parseYamlDocument, relevantIssues, type Locate } from '../scenario/load'

export interface ReadFile<T> {
  data: T
  locate: Locate
  /** a diagnostic at a JSON path of the file, at its line */
  diagnostic: (path: readonly (string | number)[], message: string) => Diagnostic
}

/** `what` names the file's kind in messages ("lab", "lab submission"); `expected` lists its main fields. */
export function readYamlFile<S extends z.ZodType>(
  text: string,
  file: string,
  schema: S,
  what: string,
  expected: string,
): ReadFile<z.infer<S>> {
  const { doc, lineCounter } = parseYamlDocument(text, file)
  let raw: unknown
  try {
    raw = doc.toJS({ maxAliasCount: 100 })
  } catch (e) {
    throw new LabInputError([{ file, message: `not a usable ${what} file: ${(e as Error).message.split('\n')[0]}` }])
  }
  if (!isMap(doc.contents) || typeof raw !== 'object' || raw === null)
    throw new LabInputError([
      { file, line: 1, message: `expected a ${what} (${expected}), found ${describeFound(raw)}` },
    ])
  const locate = locator(doc, lineCounter)
  const diagnostic = (path: readonly (string | number)[], message: string): Diagnostic => ({
    file,
    path: jsonPath(path),
    ...locate(path),
    message,
  })
  const result = schema.safeParse(raw)
  if (!result.success)
    throw new LabInputError(
      relevantIssues(result.error.issues).map((issue) => {
        const { path, message } = issueMessage(issue, raw)
        return diagnostic(path, message)
      }),
    )
  return { data: result.data, locate, diagnostic }
}
