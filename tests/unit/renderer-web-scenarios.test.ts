// The web build's built-in scenarios: the pack the Vite plugin writes (engine/platform/browser/
// scenario-pack.ts) holds every scenarios/*.yaml and each PlanetLab folder they use; the browser
// FileSource serves each file's exact text, lists folders as Node does, and a LabSession over it runs
// exactly as one over the file system.
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { LabSession } from '../../engine/api/lab-session'
import { nodeScenarioCatalog } from '../../engine/platform/node/catalog'
import { decodeScenarioPack, encodeScenarioPack, type PackFile } from '../../engine/platform/browser/scenario-pack'
import { SCENARIOS_DIR, normalizePath, packFiles } from '../../engine/platform/browser/files'
import { packScenarioCatalog } from '../../engine/platform/browser/catalog'
import { collectScenarioFiles } from '../../renderer/vite.web.config'
import { ROOT } from '../helpers'

const TRACES = 'scenarios/traces/planetlab/20110303'
let files: PackFile[]
let pack: Uint8Array

beforeAll(() => {
  files = collectScenarioFiles(ROOT)
  pack = encodeScenarioPack(files)
})

describe('scenario pack', () => {
  it('holds every scenarios/*.yaml and the PlanetLab traces, compactly', () => {
    const yaml = readdirSync(join(ROOT, 'scenarios')).filter((f) => f.endsWith('.yaml'))
    const paths = files.map((f) => f.path)
    for (const y of yaml) expect(paths).toContain(`scenarios/${y}`)
    for (const y of readdirSync(join(ROOT, 'scenarios', 'labs'))) expect(paths).toContain(`scenarios/labs/${y}`)
    const traces = readdirSync(join(ROOT, TRACES)).filter((f) => statSync(join(ROOT, TRACES, f)).isFile())
    expect(paths.filter((p) => p.startsWith(`${TRACES}/`))).toHaveLength(traces.length)
    // PlanetLab: one byte per sample, plus names, well under a tenth of its 4 MB of text; the other
    // traces (CSV) are stored as text
    const otherText = files
      .filter((f) => f.path.startsWith('scenarios/traces/') && !f.path.startsWith(`${TRACES}/`))
      .reduce((n, f) => n + JSON.stringify(f.text).length, 0)
    expect(pack.length).toBeLessThan(traces.length * 288 + 120_000 + otherText)
  })

  it('gives back each file exactly, and lists folders in Node order', () => {
    const fs = packFiles(decodeScenarioPack(pack))
    for (const f of files) expect(fs.readText(f.path)).toBe(readFileSync(join(ROOT, f.path), 'utf8'))
    expect(fs.listDir(TRACES)).toEqual(readdirSync(join(ROOT, TRACES)))
    expect(() => fs.readText('scenarios/none.yaml')).toThrow(/no bundled file/)
    expect(() => fs.listDir('scenarios/nowhere')).toThrow(/no bundled folder/)
  })

  it('stores files that are not byte lists as text', () => {
    const odd: PackFile[] = [
      { path: 'a/one', text: '1\n2\n3\n' },
      { path: 'a/crlf', text: '1\r\n2\r\n' },
      { path: 'a/big', text: '300\n' },
      { path: 'a/zero-padded', text: '007\n' },
      { path: 'a/no-eol', text: '4\n5' },
      { path: 'a/empty', text: '' },
      { path: 'b/readme.md', text: '# hi\n' },
    ]
    const fs = packFiles(decodeScenarioPack(encodeScenarioPack(odd)))
    for (const f of odd) expect(fs.readText(f.path)).toBe(f.text)
    expect(fs.listDir('a')).toEqual(['one', 'crlf', 'big', 'zero-padded', 'no-eol', 'empty'])
    expect(fs.listDir('')).toEqual(['a', 'b'])
  })

  it('rejects what is not a pack', () => {
    expect(() => decodeScenarioPack(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]))).toThrow(/not a CLPK file/)
    expect(() => decodeScenarioPack(pack.subarray(0, pack.length - 1))).toThrow(/expected \d+ bytes/)
  })

  it('resolves paths like the scenario folder on disk; bare file names against scenarios/', () => {
    const fs = packFiles(decodeScenarioPack(pack))
    expect(fs.resolve('scenarios/planetlab-cloudsim.yaml', 'traces/planetlab/20110303')).toBe(TRACES)
    expect(fs.resolve('my-upload.yaml', 'traces/planetlab/20110303')).toBe(TRACES)
    expect(fs.resolve('scenarios/x.yaml', '../scenarios/./traces')).toBe('scenarios/traces')
    expect(fs.join(SCENARIOS_DIR, 'a.yaml')).toBe('scenarios/a.yaml')
    expect(normalizePath('/a//b/../c/')).toBe('a/c')
  })
})

describe('LabSession over the pack', () => {
  it('lists the same scenarios and plays the same 6 h as over the file system', async () => {
    const node = nodeScenarioCatalog(join(ROOT, 'scenarios'))
    const web = packScenarioCatalog(pack)
    expect(web.entries).toEqual(node.entries)
    const a = new LabSession(web, 'web')
    const b = new LabSession(node, 'node')
    for (const lab of [a, b]) {
      await lab.open({ builtin: 'planetlab-cloudsim', policy: 'lr-mmt-1.2' })
      await lab.advance({ untilSeconds: 6 * 3600 })
    }
    const [ra, rb] = await Promise.all([a.report(), b.report()])
    expect(ra.energyKWh).toBe(rb.energyKWh)
    expect(ra.migrations).toBe(rb.migrations)
    expect(ra.stateHash).toBe(rb.stateHash)
    expect(ra.workload.bindingDigest).toBe(rb.workload.bindingDigest)
  })

  it('plays the lab model over the pack as over the file system', async () => {
    const a = new LabSession(packScenarioCatalog(pack), 'web')
    const b = new LabSession(nodeScenarioCatalog(join(ROOT, 'scenarios')), 'node')
    for (const lab of [a, b]) {
      await lab.open({ builtin: 'planetlab-lab' })
      await lab.advance({ untilSeconds: 4 * 3600 })
    }
    const [ra, rb] = await Promise.all([a.report(), b.report()])
    expect(ra.mode).toBe('lab')
    expect(ra.stateHash).toBe(rb.stateHash)
    expect(ra.migrationsDetail).toEqual(rb.migrationsDetail)
    expect(ra.activeHosts).toBe(rb.activeHosts)
    expect((await a.vmDetails(34)).workload).toEqual((await b.vmDetails(34)).workload)
  })

  it('lists the guided labs and grades one (PlanetLab traces and all) as over the file system', async () => {
    const a = new LabSession(packScenarioCatalog(pack), 'web')
    const b = new LabSession(nodeScenarioCatalog(join(ROOT, 'scenarios')), 'node')
    expect(await a.listLabs()).toEqual(await b.listLabs())
    const grades = []
    for (const lab of [a, b]) {
      await lab.openLab({ lab: 'policy-planetlab', settings: ['policy=lr-mmt-1.2'] })
      await lab.advance({ untilSeconds: 24 * 3600 })
      grades.push(await lab.submitLab())
    }
    expect(grades[0]!.passed).toBe(true)
    expect(grades[0]).toEqual(grades[1])
  })

  it('opens a scenario file from the user (bare name) with the bundled traces', async () => {
    const lab = new LabSession(packScenarioCatalog(pack), 'web')
    const text = readFileSync(join(ROOT, 'scenarios', 'planetlab-cloudsim.yaml'), 'utf8')
    const info = await lab.open({ fileName: 'my-copy.yaml', text: text.replace(/^name: .*$/m, 'name: My copy') })
    expect(info.scenario).toBe('My copy')
    expect(info.vms).toBe(1052)
    await expect(
      lab.open({ fileName: 'bad.yaml', text: text.replace('traces/planetlab/20110303', 'traces/none') }),
    ).rejects.toThrow(/^bad\.yaml:\d+:\d+: vms\[0\]\.workload\.dir: expected a folder of PlanetLab trace files/)
  })
})
