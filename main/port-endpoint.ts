// comlink over Electron's MessagePortMain (STACK §3). MessagePortMain is an EventEmitter emitting
// Electron MessageEvents ({ data, ports }), not a DOM port, so comlink needs this small adapter.
// Its transfer list takes only ports: ArrayBuffers are copied across the process boundary.
//
// An endpoint that *exposes* an object to the renderer also filters what the renderer may ask:
// comlink would otherwise let the other side GET any property path, SET properties (`__proto__`
// included: prototype pollution in main) or CONSTRUCT objects. Only calls of the named methods
// with plain (cloned) arguments get through; anything else is answered with an error.
import type { Endpoint } from 'comlink'

/** The part of MessagePortMain the adapter uses (a stand-in implements it in unit tests). */
export interface MainPortLike {
  postMessage(message: unknown): void
  on(event: 'message', listener: (event: { data: unknown }) => void): unknown
  off(event: 'message', listener: (event: { data: unknown }) => void): unknown
  start(): void
}

export interface EndpointOptions {
  /** Serve only calls of these methods (for an endpoint passed to `Comlink.expose`). */
  allowCalls?: readonly string[]
}

type Listener = EventListenerOrEventListenerObject

interface WireRequest {
  id: string
  type: string
  path?: unknown
  argumentList?: unknown
}

/** Why a request from the other side is refused, or undefined if it is an allowed method call. */
export function refusal(data: WireRequest, allowed: ReadonlySet<string>): string | undefined {
  if (data.type !== 'APPLY') return `${String(data.type)} requests are not served`
  const path = data.path
  if (!Array.isArray(path) || path.length !== 1 || typeof path[0] !== 'string' || !allowed.has(path[0]))
    return `no method ${Array.isArray(path) ? path.map(String).join('.') : '?'}`
  const args = data.argumentList
  if (args !== undefined && (!Array.isArray(args) || !args.every(isRawWireValue))) return 'arguments must be plain data'
  return undefined
}

function isRawWireValue(v: unknown): boolean {
  return typeof v === 'object' && v !== null && (v as { type?: unknown }).type === 'RAW'
}

function isRequest(data: unknown): data is WireRequest {
  return typeof data === 'object' && data !== null && typeof (data as { id?: unknown }).id === 'string'
}

export function mainPortEndpoint(port: MainPortLike, options: EndpointOptions = {}): Endpoint {
  const allowed = options.allowCalls ? new Set(options.allowCalls) : undefined
  const listeners = new Map<Listener, (e: { data: unknown }) => void>()
  return {
    postMessage(message: unknown) {
      port.postMessage(message) // transfer list ignored: MessagePortMain transfers only ports
    },
    addEventListener(_type: string, handler: Listener) {
      const listener = (e: { data: unknown }) => {
        if (allowed) {
          if (!isRequest(e.data)) return
          if (e.data.type === 'RELEASE') return // the renderer dropped its proxy; the lab stays served
          const why = refusal(e.data, allowed)
          if (why !== undefined) {
            port.postMessage({
              id: e.data.id,
              type: 'HANDLER',
              name: 'throw',
              value: { isError: true, value: { name: 'Error', message: `refused: ${why}`, stack: '' } },
            })
            return
          }
        }
        const event = { data: e.data } as MessageEvent
        if (typeof handler === 'function') handler(event)
        else handler.handleEvent(event)
      }
      listeners.set(handler, listener)
      port.on('message', listener)
    },
    removeEventListener(_type: string, handler: Listener) {
      const listener = listeners.get(handler)
      if (listener) port.off('message', listener)
      listeners.delete(handler)
    },
    start: () => port.start(),
  }
}
