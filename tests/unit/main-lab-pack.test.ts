// The desktop app's side of guided labs: a lab pack folder read as LabApi.loadLabPack takes it (YAML and JSON
// files, folders below it, nothing hidden or bigger than a scenario file), loaded by a real LabSession, and a
// submission saved atomically with a YAML extension.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { LabSession } from '../../engine/api/lab-session'
import { nodeScenarioCatalog } from '../../engine/platform/node/catalog'
import { labPackName, readLabPackFolder } from '../../main/lab-pack-folder'
import { MAX_SCENARIO_BYTES } from '../../main/scenario-file'
import { saveSubmissionFile } from '../../main/submission-file'
import { ROOT } from '../helpers'

const tmp = mkdtempSync(join(tmpdir(), 'conlab-main-pack-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

const powerCurve = readFileSync(join(ROOT, 'scenarios', 'labs', 'power-curve.yaml'), 'utf8')

describe('a lab pack folder', () => {
  it('is read with paths relative to it, and the lab session lists its labs beside the built-in ones', async () => {
    const dir = join(tmp, 'Course 2026')
    mkdirSync(join(dir, 'scenarios'), { recursive: true })
    mkdirSync(join(dir, '.git'))
    writeFileSync(join(dir, 'my-power.yaml'), powerCurve)
    writeFileSync(join(dir, 'scenarios', 'two.json'), '{}')
    writeFileSync(join(dir, 'README.md'), '# not read')
    writeFileSync(join(dir, '.hidden.yaml'), 'x')
    writeFileSync(join(dir, '.git', 'config.yaml'), 'x')
    const pack = readLabPackFolder(dir)
    expect(pack).toEqual({
      name: 'Course 2026',
      files: [
        { path: 'my-power.yaml', text: powerCurve },
        { path: 'scenarios/two.json', text: '{}' },
      ],
    })
    const session = new LabSession(nodeScenarioCatalog(join(ROOT, 'scenarios')))
    const labs = await session.loadLabPack({ name: pack.name, files: pack.files.slice(0, 1) })
    expect(labs.find((l) => l.id === 'my-power')?.source).toBe('Course 2026')
    expect(labs.filter((l) => l.source === 'built-in').length).toBe(
      readdirSync(join(ROOT, 'scenarios', 'labs')).filter((f) => f.endsWith('.yaml')).length,
    )
  })

  it('refuses a file bigger than a scenario file may be, naming it', () => {
    const dir = join(tmp, 'big')
    mkdirSync(dir)
    writeFileSync(join(dir, 'huge.yaml'), Buffer.alloc(MAX_SCENARIO_BYTES + 1, 0x20))
    expect(() => readLabPackFolder(dir)).toThrow(/huge\.yaml: expected a lab or scenario file of at most 4 MB/)
  })

  it('is named in the characters a pack name may have', () => {
    expect(labPackName('/home/ada/Kurs: Woche 1')).toBe('Kurs- Woche 1')
    expect(labPackName('/tmp/__x')).toBe('x')
    expect(labPackName('/tmp/...')).toBe('lab-pack')
    expect(labPackName(`/tmp/${'a'.repeat(80)}`)).toHaveLength(64)
  })
})

describe('a submission saved from the desktop app', () => {
  it('is written atomically, with .yaml added to a bare name', async () => {
    const session = new LabSession(nodeScenarioCatalog(join(ROOT, 'scenarios')))
    await session.openLab({ lab: 'power-curve' })
    const file = await session.exportSubmission({ trainee: 'Ada' })
    const target = saveSubmissionFile(join(tmp, 'mine'), file)
    expect(target).toBe(join(tmp, 'mine.yaml'))
    expect(readFileSync(target, 'utf8')).toBe(file.text)
    expect(saveSubmissionFile(join(tmp, 'kept.YML'), file)).toBe(join(tmp, 'kept.YML'))
    expect(readdirSync(tmp).filter((f) => f.endsWith('.tmp'))).toEqual([])
  })
})
