// Issue 6's speed goal: a whole-lab checkpoint of the PlanetLab day in lab mode (800 hosts, 1052 VMs)
// saves and loads in ≤ 200 ms each; its file size is reported. Save = capture the lab (all shards) +
// encode + write atomically; load = read + verify every checksum + decode + restore a running lab.
// Measured at 12 h simulated, in this process, median of several rounds; with the cloudsim migration model
// (no memory images) and with pre-copy (every VM's memory image and page-write state in the file).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { BenchContext } from './planetlab'
import { median, table } from './measure'
import { openScenario } from '../../engine/scenario/open'
import { nodeFiles } from '../../engine/platform/node/files'
import { LabSimulation } from '../../engine/lab/simulation'
import { loadCheckpoint, saveCheckpoint } from '../../engine/platform/node/checkpoint-files'
import { asLabCheckpoint, labCheckpoint } from '../../engine/checkpoint/lab-checkpoint'

export async function benchCheckpoint(ctx: BenchContext): Promise<string> {
  const rounds = ctx.quick ? 3 : 7
  const dir = mkdtempSync(join(tmpdir(), 'conlab-bench-'))
  const file = join(ctx.root, 'scenarios', 'planetlab-lab.yaml')
  const rows: string[][] = []
  try {
    for (const migration of ['cloudsim', 'precopy']) {
      const set = [`migration.model=${migration}`]
      const model = openScenario(file, nodeFiles, { set })
      const sim = await LabSimulation.create(model, 1)
      while (sim.time < 12 * 3600 && (await sim.step()));
      const path = join(dir, `planetlab-lab-${migration}.ckpt`)
      const save: number[] = []
      const load: number[] = []
      let bytes = 0
      let same = true
      for (let i = 0; i < rounds; i++) {
        const t0 = performance.now()
        const state = await sim.checkpoint()
        const r = saveCheckpoint(path, labCheckpoint(model, { file, text: '', name: model.name, set }, state))
        save.push(performance.now() - t0)
        bytes = r.bytes
        const t1 = performance.now()
        const c = asLabCheckpoint(loadCheckpoint(path).value, path)
        const back = await LabSimulation.restore(model, c.lab, 1)
        load.push(performance.now() - t1)
        same &&= back.stateHash() === sim.stateHash()
      }
      const s = median(save)
      const l = median(load)
      rows.push([
        `planetlab-lab, ${migration}`,
        String(model.vmCount),
        (bytes / 2 ** 20).toFixed(1),
        s.toFixed(0),
        l.toFixed(0),
        same ? 'identical' : 'DIFFERS',
        s <= 200 && l <= 200 ? 'met' : 'NOT met',
      ])
      await sim.close()
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  return [
    'Whole-lab checkpoint of the PlanetLab day in lab mode at 12 h (median of rounds; goal: save and load ≤ 200 ms each).',
    'save = capture all shards + encode + atomic write; load = read + verify + decode + restore.',
    '',
    table(
      ['scenario, migration model', 'VMs', 'file (MiB)', 'save (ms)', 'load (ms)', 'state after load', 'goal'],
      rows,
    ),
  ].join('\n')
}
