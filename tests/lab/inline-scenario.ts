// Small lab scenarios written in the tests themselves (YAML text), run to their end in this thread.
import { parseScenario } from '../../engine/scenario/load'
import { buildClusterModel, type ClusterModel } from '../../engine/model/cluster-model'
import { nodeFiles } from '../../engine/platform/node/files'
import { LabSimulation } from '../../engine/lab/simulation'
import type { LabEvent } from '../../engine/api/lab-api'
import { join } from 'node:path'
import { ROOT } from '../helpers'

/** The cluster model of a scenario given as text (`set`: --set overrides). */
export function inlineModel(yaml: string, set: string[] = []): ClusterModel {
  const file = join(ROOT, 'tests', 'inline.yaml')
  const { scenario } = parseScenario(yaml, file, set)
  return buildClusterModel(scenario, file, nodeFiles, {})
}

/** Runs a model to its end; `each` sees the simulation after every step. */
export async function playModel(
  model: ClusterModel,
  each?: (sim: LabSimulation) => void,
): Promise<{ sim: LabSimulation; events: LabEvent[] }> {
  const sim = await LabSimulation.create(model, 1)
  const events: LabEvent[] = []
  sim.onEvent = (e) => events.push(e)
  while (await sim.step()) each?.(sim)
  await sim.close()
  return { sim, events }
}
