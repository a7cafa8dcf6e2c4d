// A run's orders as scenario events, and back: `conlab run … --orders FILE.yaml` appends the events of an
// orders file (a list of events, or a document with an `events:` list — what LabApi.exportOrders gives) to
// the scenario's own, so that a run the trainee drove can be replayed exactly. The events keep their text
// (durations as written); they are checked against the events' schema first, at their own file's lines.
import { isMap, isSeq } from 'yaml'
import { z } from 'zod'
import { eventSchema } from './schema'
import { LabInputError, jsonPath } from './diagnostics'
import { applySettings, issueMessage, locator, parseYamlDocument } from './load'

/** The scenario text with the orders file's events appended to its `events:` list (checked first). */
export function mergeOrders(
  scenarioText: string,
  scenarioFile: string,
  ordersText: string,
  ordersFile: string,
): string {
  const orders = parseYamlDocument(ordersText, ordersFile)
  const root = orders.doc.contents
  const list = isMap(root) ? root.get('events', true) : root
  const path = isMap(root) ? ['events'] : []
  if (!isSeq(list) && !(list === undefined && isMap(root)))
    throw new LabInputError([
      { file: ordersFile, line: 1, message: 'expected a list of events, or a document with an events: list' },
    ])
  const raw: unknown = isSeq(list) ? list.toJS(orders.doc, { maxAliasCount: 100 }) : []
  const checked = z.array(eventSchema).safeParse(raw)
  if (!checked.success) {
    const locate = locator(orders.doc, orders.lineCounter)
    throw new LabInputError(
      checked.error.issues.map((issue) => {
        const { path: at, message } = issueMessage(issue, raw)
        const full = [...path, ...at]
        return { file: ordersFile, path: jsonPath(full), ...locate(full), message }
      }),
    )
  }
  const scenario = parseYamlDocument(scenarioText, scenarioFile).doc
  if (!isSeq(scenario.get('events', true))) scenario.set('events', scenario.createNode([]))
  for (const item of isSeq(list) ? list.items : [])
    (scenario.get('events', true) as { items: unknown[] }).items.push(item)
  return scenario.toString({ lineWidth: 0 })
}

/** The orders as a YAML `events:` list (one flow mapping per line). */
export function eventsYaml(events: readonly Record<string, unknown>[]): string {
  if (events.length === 0) return 'events: []\n'
  return `events:\n${events.map((e) => `  - ${JSON.stringify(e)}`).join('\n')}\n`
}

export interface ScenarioSource {
  text: string
  file: string
  /** `path=value` settings the run had, policy and seed when they were chosen outside the file */
  set: readonly string[]
  policy?: string
  seed?: number
}

/** The whole scenario of a run, its settings, policy and seed written in, with `events` appended. */
export function scenarioWithEvents(source: ScenarioSource, events: readonly Record<string, unknown>[]): string {
  const { doc } = parseYamlDocument(source.text, source.file)
  applySettings(
    doc,
    source.set.map((setting) => ({ setting })),
  )
  if (source.policy !== undefined) doc.set('policy', source.policy)
  if (source.seed !== undefined) doc.set('seed', source.seed)
  if (!isSeq(doc.get('events', true))) doc.set('events', doc.createNode([]))
  const list = doc.get('events', true) as { items: unknown[] }
  for (const e of events) {
    const node = doc.createNode(e)
    if (isMap(node)) node.flow = true
    list.items.push(node)
  }
  return doc.toString({ lineWidth: 0 })
}
