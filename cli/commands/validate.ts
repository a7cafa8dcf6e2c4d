// conlab validate <scenario>: parse, validate and resolve everything a run would need, without running.
import { parseFlags } from '../main'
import { UsageError } from '../usage'
import { openScenario } from '../../engine/scenario/open'
import { nodeFiles } from '../../engine/platform/node/files'

export function validateCommand(args: string[]): number {
  const { positionals } = parseFlags(args, {})
  if (positionals.length !== 1)
    throw new UsageError(`validate: expected one scenario file, found ${positionals.length}`)
  const model = openScenario(positionals[0]!, nodeFiles)
  const traces = model.traces.names.length ? `, ${model.traces.names.length} traces` : ''
  process.stdout.write(
    `${positionals[0]}: ok — "${model.name}", ${model.mode} mode, ${model.hostCount} hosts, ${model.vmCount} VMs${traces}, policy ${model.policy.name}\n`,
  )
  return 0
}
