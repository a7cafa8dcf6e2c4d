// conlab validate <scenario>: parse, validate and resolve everything a run would need, and check what a
// run would find impossible before its first step — without running.
import { UsageError } from '../usage'
import { openScenario } from '../../engine/scenario/open'
import { nodeFiles } from '../../engine/platform/node/files'
import { seedFlag } from '../flag-values'
import { command } from '../command'
import { SCENARIO_FLAGS } from './run'

export const validateCommand = command({
  name: 'validate',
  args: '<scenario>',
  summary:
    'Checks a scenario as run would (with the same --policy, --traces, --seed and --set) without running it: what validate accepts, run accepts.',
  flags: SCENARIO_FLAGS,
  run({ values, positionals }, io) {
    if (positionals.length !== 1)
      throw new UsageError(`validate: expected one scenario file, found ${positionals.length}`)
    const model = openScenario(positionals[0]!, nodeFiles, {
      policy: values.policy,
      seed: seedFlag(values.seed),
      traces: values.traces,
      set: values.set ?? [],
    })
    const traces = model.traces.names.length ? `, ${model.traces.names.length} traces` : ''
    io.out(
      `${positionals[0]}: ok — "${model.name}", ${model.mode} mode, ${model.hostCount} hosts, ${model.vmCount} VMs${traces}, policy ${model.policy.name}\n`,
    )
    return 0
  },
})
