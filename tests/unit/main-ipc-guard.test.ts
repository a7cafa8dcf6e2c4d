// IPC sender validation (checklist item 17): one guard for every listener, checked with a stand-in
// ipcMain; and a scan of main/ proving no listener bypasses it.
import { EventEmitter } from 'node:events'
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import type { IpcMain } from 'electron'
import { describe, expect, it } from 'vitest'
import { isTrustedSender, onTrusted, type GuardContext, type SenderInfo } from '../../main/ipc-guard'
import { APP_URL, isTrustedPageUrl } from '../../main/trusted-origin'
import { ROOT } from '../helpers'

const context: GuardContext = { windowIds: () => new Set([7]) }
const dev: GuardContext = { windowIds: () => new Set([7]), devServerUrl: 'http://localhost:5173/' }
const event = (url: string | undefined, opts: { id?: number; parent?: unknown } = {}): SenderInfo => ({
  sender: { id: opts.id ?? 7 },
  senderFrame: url === undefined ? null : { url, parent: opts.parent ?? null },
})

describe('trusted pages', () => {
  it('accepts only the app: scheme on the app host, and the dev server in development', () => {
    expect(isTrustedPageUrl(APP_URL, context)).toBe(true)
    expect(isTrustedPageUrl('app://conlab/assets/x.js', context)).toBe(true)
    expect(isTrustedPageUrl('app://other/index.html', context)).toBe(false)
    expect(isTrustedPageUrl('file:///etc/passwd', context)).toBe(false)
    expect(isTrustedPageUrl('https://example.com/', context)).toBe(false)
    expect(isTrustedPageUrl('http://localhost:5173/', context)).toBe(false)
    expect(isTrustedPageUrl('http://localhost:5173/index.html', dev)).toBe(true)
    expect(isTrustedPageUrl('http://localhost:5174/', dev)).toBe(false)
    expect(isTrustedPageUrl('http://user:pw@localhost:5173/', dev)).toBe(false)
    expect(isTrustedPageUrl('not a url', dev)).toBe(false)
    expect(isTrustedPageUrl(undefined, dev)).toBe(false)
  })

  it('trusts a sender only from the main frame of an app window showing an app page', () => {
    expect(isTrustedSender(event(APP_URL), context)).toBe(true)
    expect(isTrustedSender(event(APP_URL, { id: 8 }), context)).toBe(false)
    expect(isTrustedSender(event(APP_URL, { parent: {} }), context)).toBe(false)
    expect(isTrustedSender(event(undefined), context)).toBe(false)
    expect(isTrustedSender(event('https://evil.example/'), context)).toBe(false)
  })
})

describe('onTrusted', () => {
  it('runs the handler for trusted senders only, and reports the refused ones', () => {
    const ipc = new EventEmitter()
    const handled: unknown[] = []
    const refused: (string | undefined)[] = []
    onTrusted(
      ipc as unknown as Pick<IpcMain, 'on'>,
      'chan',
      context,
      (_e, payload) => handled.push(payload),
      (_c, url) => refused.push(url),
    )
    ipc.emit('chan', event(APP_URL), 'ok')
    ipc.emit('chan', event('https://evil.example/'), 'evil')
    ipc.emit('chan', event(APP_URL, { parent: {} }), 'subframe')
    expect(handled).toEqual(['ok'])
    expect(refused).toEqual(['https://evil.example/', APP_URL])
  })
})

describe('main/ sources', () => {
  const dir = join(ROOT, 'main')
  const sources = readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => ({ file: f, text: readFileSync(join(dir, f), 'utf8') }))

  it('register IPC listeners only through the guard', () => {
    for (const { file, text } of sources) {
      const direct = text.match(/ipcMain\s*\.\s*(on|once|handle|handleOnce|addListener)\s*\(/g) ?? []
      if (file === 'ipc-guard.ts') expect(direct).toHaveLength(1)
      else expect(direct, file).toEqual([])
    }
    const index = sources.find((s) => s.file === 'index.ts')!.text
    expect(index).toMatch(/onTrusted\(\s*ipcMain,/)
  })

  it('keep the preload to one channel each way and no raw Electron objects in the page', () => {
    const preload = sources.find((s) => s.file === 'preload.ts')!.text
    expect(preload.match(/exposeInMainWorld\(/g)).toHaveLength(1)
    expect(preload).not.toMatch(/exposeInMainWorld\([^)]*ipcRenderer/)
    expect(preload.match(/ipcRenderer\.(send|invoke|sendSync)\(/g)).toEqual(['ipcRenderer.send('])
    expect(preload).toMatch(/e\.source === window|window\.postMessage\(nonce/)
  })
})
