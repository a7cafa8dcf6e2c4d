// conlab resume <checkpoint>: continues a whole-lab checkpoint to the scenario's end, in this process,
// with any number of workers; the result is bit for bit the run that was checkpointed.
import { UsageError } from '../usage'
import { nodeFiles } from '../../engine/platform/node/files'
import { checkpointModel } from '../../engine/checkpoint/lab-checkpoint'
import { command, finish } from '../command'
import { EXECUTE_FLAGS, execute, planRun } from '../execute'
import { loadLabCheckpoint } from '../checkpoints'

export const resumeCommand = command({
  name: 'resume',
  args: '<checkpoint>',
  summary:
    'Continues a whole-lab checkpoint (a .ckpt file of run --checkpoint-every) to the scenario’s end, with any number of workers, to the same end state bit for bit.',
  flags: EXECUTE_FLAGS,
  async run({ values, positionals }, io) {
    if (positionals.length !== 1)
      throw new UsageError(`resume: expected one checkpoint file, found ${positionals.length}`)
    const file = positionals[0]!
    const c = loadLabCheckpoint(file)
    const model = checkpointModel(c, nodeFiles, { file })
    const plan = planRun(model, values, c.time)
    for (const n of plan.notices) io.err(`${n}\n`)
    const { report, failures } = await execute(model, {
      io,
      plan,
      events: values.events,
      progress: values.progress,
      origin: c.scenario,
      resume: { state: c.lab, file, time: c.time, policy: c.policy },
    })
    return finish(io, [report], { json: values.json, out: values.out, single: true }, failures)
  },
})
