// Adapter (worker side): a wasi:http/proxy instance served on 127.0.0.1:<ephemeral port> through
// preview2-shim's HTTPServer (its socket lives in the shim's I/O thread of this worker). Every
// request goes through `call`, which meters and guards it; a request whose call fails gets a 503.
import * as shimHttp from '@bytecodealliance/preview2-shim/http'
import { http } from '@bytecodealliance/preview2-shim'
import type { CallResult } from './call-guard.ts'

interface IncomingHandler {
  handle(request: unknown, responseOut: unknown): void
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
const { HTTPServer } = shimHttp as unknown as { HTTPServer: new (handler: IncomingHandler) => ShimHttpServer }
const encoder = new TextEncoder()
type Types = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

/** Answer with a plain-text status if the guest did not set a response (ignored if it did). */
function respondWith(responseOut: unknown, status: number, text: string): void {
  const { Fields, OutgoingResponse, OutgoingBody, ResponseOutparam } = http.types as Types
  try {
    const response = new OutgoingResponse(Fields.fromList([['content-type', encoder.encode('text/plain')]]))
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

export function serveHttp(call: (fn: () => void) => CallResult<void>, handler: () => IncomingHandler): Served {
  const guard: IncomingHandler = {
    handle(request, responseOut) {
      const result = call(() => handler().handle(request, responseOut))
      if (!result.ok) respondWith(responseOut, 503, result.message)
    },
  }
  const server = new HTTPServer(guard)
  server.listen(0, '127.0.0.1')
  return { port: server.address().port, stop: () => server.stop() }
}
