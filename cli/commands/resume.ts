// conlab resume <checkpoint> [--workers N] [--until T] [--events] [--checkpoint-every T --checkpoint-dir DIR]
//   [--json] [--out FILE]: continues a whole-lab checkpoint to the scenario's end, in this process, with any
// number of workers; the result is bit for bit the run that was checkpointed.
import { parseFlags } from '../main'
import { UsageError, requireInt } from '../usage'
import { nodeFiles } from '../../engine/platform/node/files'
import { checkpointModel } from '../../engine/checkpoint/lab-checkpoint'
import { formatSummary } from '../../engine/report'
import { writeReports } from '../output'
import { EXECUTE_FLAGS, execute } from '../execute'
import { loadLabCheckpoint } from '../checkpoints'

export async function resumeCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags(args, EXECUTE_FLAGS)
  if (positionals.length !== 1)
    throw new UsageError(`resume: expected one checkpoint file, found ${positionals.length}`)
  const file = positionals[0]!
  const c = loadLabCheckpoint(file)
  const model = checkpointModel(c, nodeFiles)
  const report = await execute(model, {
    workers: requireInt('workers', values.workers, 0),
    until: values.until,
    events: values.events,
    checkpointEvery: values['checkpoint-every'],
    checkpointDir: values['checkpoint-dir'],
    origin: c.scenario,
    resume: { state: c.lab, file, time: c.time, policy: c.policy },
  })
  if (values.out) writeReports(values.out, [report])
  if (values.json) process.stdout.write(`${JSON.stringify(report)}\n`)
  else process.stdout.write(`${formatSummary(report)}\n`)
  return 0
}
