// Whole-lab checkpoint files for the CLI: load and verify one (every failure names the file and what is
// wrong with it), save one beside the others of a run, named so they sort by simulated time.
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import {
  checkCheckpointFile,
  loadCheckpoint,
  saveCheckpoint,
  type SaveResult,
} from '../engine/platform/node/checkpoint-files'
import { asLabCheckpoint, checkpointFileName, type LabCheckpoint } from '../engine/checkpoint/lab-checkpoint'

export function loadLabCheckpoint(path: string): LabCheckpoint {
  checkCheckpointFile(path)
  return asLabCheckpoint(loadCheckpoint(path).value, path)
}

export function saveLabCheckpoint(dir: string, checkpoint: LabCheckpoint): SaveResult {
  mkdirSync(dir, { recursive: true })
  return saveCheckpoint(join(dir, checkpointFileName(checkpoint.scenario.file, checkpoint.time)), checkpoint)
}
