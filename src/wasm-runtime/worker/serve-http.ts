// Adapter (worker side): a wasi:http/proxy instance served on 127.0.0.1:<ephemeral port> through
// preview2-shim's HTTPServer (its socket lives in the process's shared I/O thread, io-main.ts). Every
// request goes through `call`, which meters and guards it; a request whose call fails gets a 503.
import * as shimHttp from '@bytecodealliance/preview2-shim/http'
import { http } from '@bytecodealliance/preview2-shim'
import type { CallResult } from './call-guard.ts'

interface IncomingHandler {
  handle(request: unknown, responseOut: object): void
}

interface Served {
  port: number
  stop(): void
}

interface ShimHttpServer {
  listen(port: number, host: string): void
  address(): { port: number }
  stop(): void
}
// the package's type conditions resolve to the browser build, which has no HTTPServer
const { HTTPServer } = shimHttp as unknown as {
  HTTPServer: new (handler: IncomingHandler) => ShimHttpServer
}
const encoder = new TextEncoder()
type Types = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

const types = http.types as Types
// Which response outparams have been set: a second set (after a guest trapped mid-response) must
// not happen. The glue looks the static up at call time, so this sees the guests' calls too.
const answered = new WeakSet<object>()
const setResponse = types.ResponseOutparam.set as (out: object, response: unknown) => void
types.ResponseOutparam.set = (out: object, response: unknown) => {
  answered.add(out)
  setResponse.call(types.ResponseOutparam, out, response)
}

/** Answer with a plain-text status unless the guest had set a response already. */
function respondWith(responseOut: object, status: number, text: string): void {
  if (answered.has(responseOut)) return
  const { Fields, OutgoingResponse, OutgoingBody, ResponseOutparam } = types
  try {
    const response = new OutgoingResponse(
      Fields.fromList([['content-type', encoder.encode('text/plain')]]),
    )
    response.setStatusCode(status)
    const body = response.body()
    ResponseOutparam.set(responseOut, { tag: 'ok', val: response })
    const stream = body.write()
    stream.blockingWriteAndFlush(encoder.encode(text + '\n'))
    stream[Symbol.dispose]()
    OutgoingBody.finish(body, undefined)
  } catch {
    // the guest had already answered (or the connection is gone)
  }
}

interface Listener {
  port: number
  target: { call: (fn: () => void) => CallResult<void>; handler: () => IncomingHandler } | undefined
}

// The shim's HTTPServer.stop() blocks this thread until every connection of that server has
// ended, and a connection can only end when this thread answers it: stopping could freeze every
// instance of the worker. So a listener is never stopped: when its instance ends it answers 503
// and is parked, and the next http instance started in this worker takes it over (new port owner).
const parked: Listener[] = []

function listen(): Listener {
  const listener: Listener = { port: 0, target: undefined }
  const guard: IncomingHandler = {
    handle(request, responseOut) {
      const target = listener.target
      if (!target) return respondWith(responseOut, 503, 'runtime: instance has exited')
      const result = target.call(() => target.handler().handle(request, responseOut))
      if (!result.ok) respondWith(responseOut, 503, result.message)
    },
  }
  const server = new HTTPServer(guard)
  server.listen(0, '127.0.0.1')
  listener.port = server.address().port
  return listener
}

export function serveHttp(
  call: (fn: () => void) => CallResult<void>,
  handler: () => IncomingHandler,
): Served {
  const listener = parked.pop() ?? listen()
  listener.target = { call, handler }
  let stopped = false
  const stop = () => {
    if (stopped) return
    stopped = true
    listener.target = undefined
    parked.push(listener)
  }
  return { port: listener.port, stop }
}
