// The MessagePortMain adapter (main/port-endpoint.ts) with a stand-in port: an EventEmitter that emits
// Electron-style { data, ports } events, backed by a Node MessageChannel (STACK §3). The lab behind it is a
// real LabSession; the other side is plain comlink over a standard MessagePort, as in the renderer.
import { EventEmitter } from 'node:events'
import { join } from 'node:path'
import { MessageChannel, type MessagePort } from 'node:worker_threads'
import * as Comlink from 'comlink'
import { afterEach, describe, expect, it } from 'vitest'
import type { LabApi } from '../../engine/api/lab-api'
import { LabSession } from '../../engine/api/lab-session'
import { nodeScenarioCatalog } from '../../engine/platform/node/catalog'
import { runToEnd } from '../../engine/run'
import { openScenario } from '../../engine/scenario/open'
import { nodeFiles } from '../../engine/platform/node/files'
import { LAB_API_METHODS } from '../../main/bridge-contract'
import { mainPortEndpoint, refusal, type MainPortLike } from '../../main/port-endpoint'
import { ROOT, planetLabModel } from '../helpers'

/** Stands in for Electron's MessagePortMain: an EventEmitter emitting { data, ports }. */
class StandInPortMain extends EventEmitter implements MainPortLike {
  constructor(private readonly port: MessagePort) {
    super()
    port.on('message', (data: unknown) => this.emit('message', { data, ports: [] }))
  }
  postMessage(message: unknown): void {
    this.port.postMessage(message)
  }
  start(): void {}
  close(): void {
    this.port.close()
  }
}

const open: MessagePort[] = []
afterEach(() => {
  for (const p of open.splice(0)) p.close()
})

function servedLab(): { lab: Comlink.Remote<LabApi>; page: MessagePort } {
  const session = new LabSession(nodeScenarioCatalog(join(ROOT, 'scenarios')), 'electron')
  const { port1, port2 } = new MessageChannel()
  open.push(port1, port2)
  Comlink.expose(session, mainPortEndpoint(new StandInPortMain(port1), { allowCalls: LAB_API_METHODS }))
  return { lab: Comlink.wrap<LabApi>(port2 as unknown as Comlink.Endpoint), page: port2 }
}

/** Sends a hand-made comlink request (as a compromised page could) and returns main's answer. */
function rawRequest(page: MessagePort, message: Record<string, unknown>): Promise<Record<string, unknown>> {
  const id = `raw-${Math.random()}`
  return new Promise((resolve) => {
    const onMessage = (data: Record<string, unknown>) => {
      if (data.id !== id) return
      page.off('message', onMessage)
      resolve(data)
    }
    page.on('message', onMessage)
    page.postMessage({ ...message, id })
  })
}

describe('comlink over the MessagePortMain adapter', () => {
  it('serves LabApi calls: a 6 h PlanetLab run ends where a CLI run ends', async () => {
    const { lab } = servedLab()
    expect(await lab.hello()).toEqual({ version: expect.any(String) as string, platform: 'electron' })
    const info = await lab.open({ builtin: 'planetlab-cloudsim', policy: 'lr-mmt-1.2' })
    expect(info.hosts).toBe(800)
    expect(info.hostType).toBeInstanceOf(Int32Array)
    const { frames } = await lab.advance({ untilSeconds: 6 * 3600 })
    const cli = await runToEnd(planetLabModel({ policy: 'lr-mmt-1.2' }), { untilSeconds: 6 * 3600 })
    expect(frames.at(-1)!.energyKWh).toBe(cli.energyKWh)
    expect(frames.at(-1)!.migrations).toBe(cli.migrations)
    expect((await lab.report()).stateHash).toBe(cli.stateHash)
    const view = await lab.placement()
    expect(view.hostCpu).toBeInstanceOf(Float64Array)
    expect(view.hostCpu).toHaveLength(800)
    expect(view.vmHost).toHaveLength(1052)
  })

  it('serves a lab-model run: a live migration’s query-migrate figures cross the port intact', async () => {
    const { lab } = servedLab()
    const set = ['migration.autoConverge=true']
    const info = await lab.open({ builtin: 'migration-hot-working-set', set })
    expect(info.mode).toBe('lab')
    expect(info.migrationModel).toBe('precopy')
    for (;;) if ((await lab.advance({ steps: 10 })).done) break
    const cli = await runToEnd(
      openScenario(join(ROOT, 'scenarios', 'migration-hot-working-set.yaml'), nodeFiles, { set }),
    )
    const report = await lab.report()
    expect(report.stateHash).toBe(cli.stateHash)
    expect(report.migrationsDetail).toEqual(cli.migrationsDetail)
    const vm = await lab.vmDetails(0)
    expect(vm.migrations).toHaveLength(1)
    expect(vm.migrations[0]!.info).toEqual(cli.migrationsDetail![0]!.info)
    expect(vm.migrations[0]!.throttleSteps).toEqual([20, 30, 40])
  })

  it('serves orders and checkpoints: a checkpoint file crosses the port both ways and continues exactly', async () => {
    const { lab } = servedLab()
    await lab.open({ builtin: 'ha-drill' })
    await lab.advance({ untilSeconds: 3600 })
    await lab.order({ failHost: { host: 0 } })
    const { events } = await lab.advance({ steps: 1 })
    expect(events.filter((e) => e.kind === 'host-failed').map((e) => e.host)).toEqual([0])
    const file = await lab.checkpoint('after the failure')
    expect(file.bytes).toBeInstanceOf(Uint8Array)
    expect(file.bytes.length).toBe(file.sizeBytes)
    await lab.advance({ untilSeconds: 2 * 3600 })
    const expected = (await lab.report()).stateHash
    // the bytes go back as the argument of a call (plain data: the port's filter lets them through)
    const r = await lab.restoreCheckpoint(file.bytes, { fileName: 'back.ckpt' })
    expect(r.checkpoint).toMatchObject({ id: 2, name: 'back.ckpt', time: 3660 })
    expect(r.frames).toHaveLength(61)
    await lab.advance({ untilSeconds: 2 * 3600 })
    expect((await lab.report()).stateHash).toBe(expected)
    expect((await lab.checkpoints()).checkpoints.map((c) => c.name)).toEqual(['after the failure', 'back.ckpt'])
    const again = (await lab.checkpointFile(1)).bytes
    expect(Buffer.compare(Buffer.from(again), Buffer.from(file.bytes))).toBe(0)
    await expect(lab.order({ failHost: { host: 99 } })).rejects.toThrow(/order: failHost\.host: expected a host/)
  })

  it('passes engine errors through as rejections', async () => {
    const { lab } = servedLab()
    await expect(lab.open({ builtin: 'nope' })).rejects.toThrow(/expected one of the built-in scenarios/)
  })

  it('refuses everything but calls of the named methods', async () => {
    const { lab, page } = servedLab()
    const raw = lab as unknown as Record<string, Record<string, Record<string, (p: string) => Promise<string>>>>
    // reading a private field (the catalog, and through it the file system) is refused
    await expect(Promise.resolve(raw.catalog as unknown)).rejects.toThrow(/refused: GET/)
    await expect(raw.catalog!.files!.readText!('/etc/hostname')).rejects.toThrow(/refused: no method catalog.files/)
    // setting properties, __proto__ included, is refused: no prototype pollution in main
    const set = await rawRequest(page, {
      type: 'SET',
      path: ['__proto__', 'polluted'],
      value: { type: 'RAW', value: 'yes' },
    })
    expect(set).toMatchObject({ type: 'HANDLER', name: 'throw', value: { value: { message: /refused: SET/ } } })
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    const construct = await rawRequest(page, { type: 'CONSTRUCT', path: ['constructor'], argumentList: [] })
    expect(construct).toMatchObject({ name: 'throw', value: { value: { message: /refused: CONSTRUCT/ } } })
    // methods of the session outside the contract are refused
    await expect((lab as unknown as { reset(): Promise<unknown> }).reset()).rejects.toThrow(/refused: no method reset/)
    // and the lab still answers afterwards
    expect((await lab.listScenarios()).map((s) => s.id)).toContain('planetlab-cloudsim')
  })

  it('explains each refusal', () => {
    const allowed = new Set(['open'])
    expect(
      refusal({ id: '1', type: 'APPLY', path: ['open'], argumentList: [{ type: 'RAW', value: 1 }] }, allowed),
    ).toBe(undefined)
    expect(refusal({ id: '1', type: 'GET', path: ['open'] }, allowed)).toMatch(/GET requests are not served/)
    expect(refusal({ id: '1', type: 'APPLY', path: ['open', 'call'] }, allowed)).toMatch(/no method open.call/)
    expect(refusal({ id: '1', type: 'CONSTRUCT', path: ['open'] }, allowed)).toMatch(/CONSTRUCT/)
    expect(
      refusal(
        { id: '1', type: 'APPLY', path: ['open'], argumentList: [{ type: 'HANDLER', name: 'proxy', value: 0 }] },
        allowed,
      ),
    ).toMatch(/plain data/)
  })

  it('wraps a page-side object for main (the menu port) and detaches listeners', async () => {
    const { port1, port2 } = new MessageChannel()
    open.push(port1, port2)
    const opened: string[] = []
    Comlink.expose(
      { openScenario: (f: { fileName: string }) => void opened.push(f.fileName) },
      port2 as unknown as Comlink.Endpoint,
    )
    const stand = new StandInPortMain(port1)
    const endpoint = mainPortEndpoint(stand)
    const target = Comlink.wrap<{ openScenario(f: { fileName: string; text: string }): Promise<void> }>(endpoint)
    await target.openScenario({ fileName: '/tmp/x.yaml', text: 'name: x' })
    expect(opened).toEqual(['/tmp/x.yaml'])
    const handler = () => {}
    endpoint.addEventListener('message', handler)
    const before = stand.listenerCount('message')
    endpoint.removeEventListener('message', handler)
    expect(stand.listenerCount('message')).toBe(before - 1)
  })
})
