// Every IPC listener in main goes through `onTrusted`: a message is handled only when it comes from the
// main frame of one of the app's windows showing one of the app's pages (checklist item 17). main/ has no
// other ipcMain.on/handle call (tests/unit/main-ipc-guard.test.ts checks the sources).
import type { IpcMain, IpcMainEvent } from 'electron'
import { isTrustedPageUrl, type TrustedPages } from './trusted-origin'

/** The parts of an IPC event the guard reads (Electron's IpcMainEvent has them). */
export interface SenderInfo {
  sender: { id: number }
  senderFrame: { url: string; parent: unknown } | null
}

export interface GuardContext extends TrustedPages {
  /** webContents ids of the app's own windows */
  windowIds(): ReadonlySet<number>
}

export function isTrustedSender(event: SenderInfo, context: GuardContext): boolean {
  const frame = event.senderFrame
  if (!frame || frame.parent !== null) return false // destroyed, or a subframe
  if (!context.windowIds().has(event.sender.id)) return false
  return isTrustedPageUrl(frame.url, context)
}

export function onTrusted(
  ipcMain: Pick<IpcMain, 'on'>,
  channel: string,
  context: GuardContext,
  handler: (event: IpcMainEvent, payload: unknown) => void,
  onRefused: (channel: string, url: string | undefined) => void = () => {},
): void {
  ipcMain.on(channel, (event: IpcMainEvent, payload: unknown) => {
    if (!isTrustedSender(event, context)) {
      onRefused(channel, event.senderFrame?.url)
      return
    }
    handler(event, payload)
  })
}
