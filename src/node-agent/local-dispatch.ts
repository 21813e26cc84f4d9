// The mesh's in-process path to this node's handler pods (MeshOptions.dispatchLocal): a request
// for a local endpoint whose port is a live handler instance's is handed to the runtime
// (Runtime.handler) — to the instance's thread, with no loopback TCP hop and no HTTP server in
// between. Anything else (a wasi:http instance, whose server lives in preview2-shim's I/O thread;
// a port no instance has) goes over HTTP as before. The answer is what the handler's own server
// gives (wasm-runtime's serve-handler.ts): 200 application/octet-stream, a failed call 503, a
// body over 16 MiB 413.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { LocalTarget } from '../mesh/index.ts'
import type { Runtime } from '../wasm-runtime/index.ts'

const MAX_BODY_BYTES = 16 * 1024 * 1024

export interface LocalDispatcher {
  dispatch(
    target: LocalTarget,
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer | IncomingMessage | null,
  ): boolean
  /** whether dispatch takes a request for this target (a live handler instance's port) */
  serves(target: LocalTarget): boolean
  /** requests handed over in process so far */
  readonly handed: number
  stop(): void
}

export function localDispatcher(runtime: Runtime): LocalDispatcher {
  const byPort = new Map<number, string>()
  const portOf = (url: string | undefined) => (url ? Number(new URL(url).port) : undefined)
  const note = (id: string, url: string | undefined) => {
    for (const [port, owner] of byPort) if (owner === id) byPort.delete(port)
    const port = portOf(url)
    if (port) byPort.set(port, id)
  }
  const unlisten = runtime.onStatus((s) => note(s.id, s.url))
  for (const s of runtime.list()) note(s.id, s.url)
  const d = {
    handed: 0,
    serves(target: LocalTarget): boolean {
      const id = byPort.get(target.port)
      return id !== undefined && runtime.handler?.(id) !== undefined
    },
    dispatch(
      target: LocalTarget,
      req: IncomingMessage,
      res: ServerResponse,
      body: Buffer | IncomingMessage | null,
    ): boolean {
      const id = byPort.get(target.port)
      const handle = id === undefined ? undefined : runtime.handler?.(id)
      if (!handle) return false
      d.handed++
      const answer = (bytes: Uint8Array) =>
        void handle(bytes).then((r) => {
          if (res.destroyed) return
          if (!r.ok)
            return void res.writeHead(503, { 'content-type': 'text/plain' }).end(r.message + '\n')
          res.writeHead(200, {
            'content-type': 'application/octet-stream',
            'content-length': r.body.length,
          })
          res.end(r.body)
        })
      if (body === null) answer(new Uint8Array(0))
      else if (Buffer.isBuffer(body))
        answer(new Uint8Array(body)) // its own bytes, not a pool's
      else readBody(body, res, answer)
      return true
    },
    stop: unlisten,
  }
  return d
}

function readBody(req: IncomingMessage, res: ServerResponse, then: (b: Uint8Array) => void) {
  const chunks: Buffer[] = []
  let size = 0
  req.on('data', (chunk: Buffer) => {
    size += chunk.length
    if (size <= MAX_BODY_BYTES) chunks.push(chunk)
  })
  req.on('end', () => {
    if (size > MAX_BODY_BYTES)
      return void res.writeHead(413).end('runtime: request body too large\n')
    then(new Uint8Array(Buffer.concat(chunks)))
  })
  req.on('error', () => res.destroy())
}
