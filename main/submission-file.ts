// Saving a guided lab's submission from the desktop app: the lab's export (LabApi.exportSubmission, what
// `conlab lab grade` reads) written atomically, with a YAML extension when the save dialog returned a bare name.
import { writeFileAtomic } from '../engine/platform/node/atomic-write'
import type { SubmissionExport } from '../engine/api/lab-api'

export function saveSubmissionFile(path: string, file: SubmissionExport): string {
  const target = /\.ya?ml$/i.test(path) ? path : `${path}.yaml`
  writeFileAtomic(target, file.text)
  return target
}
