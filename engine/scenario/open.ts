// Opening a scenario file: read, parse, validate, resolve workloads, build the cluster model.
import type { FileSource } from '../platform/files'
import { buildClusterModel, type ClusterModel, type ModelOverrides } from '../model/cluster-model'
import { LabInputError } from './diagnostics'
import { parseScenario, type ParsedScenario } from './load'

export function readScenarioFile(file: string, files: FileSource, settings: readonly string[] = []): ParsedScenario {
  let text: string
  try {
    text = files.readText(file)
  } catch (e) {
    const code = (e as { code?: string }).code
    throw new LabInputError([
      {
        file,
        message: code === 'ENOENT' ? 'no such scenario file' : `cannot read the scenario file (${code ?? String(e)})`,
      },
    ])
  }
  return parseScenario(text, file, settings)
}

export function openScenario(file: string, files: FileSource, overrides: ModelOverrides = {}): ClusterModel {
  const { scenario } = readScenarioFile(file, files, overrides.set)
  return buildClusterModel(scenario, file, files, overrides)
}
