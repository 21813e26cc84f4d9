// Adapter (worker side): a `handle: func(list<u8>) -> list<u8>` instance served over HTTP on
// 127.0.0.1:<ephemeral port>, so the mesh reaches it like an http one: request body in, response
// body out (200, application/octet-stream); a failed call answers 503.
import { createServer } from 'node:http'
import type { CallResult } from './call-guard.ts'

type Handle = (request: Uint8Array) => Uint8Array
const maxBodyBytes = 16 * 1024 * 1024

export async function serveHandler(
  call: (fn: () => Uint8Array) => CallResult<Uint8Array>,
  handle: () => Handle,
): Promise<{ port: number; stop(): void }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size <= maxBodyBytes) chunks.push(chunk)
    })
    req.on('end', () => {
      if (size > maxBodyBytes)
        return void res.writeHead(413).end('runtime: request body too large\n')
      const body = new Uint8Array(Buffer.concat(chunks))
      const result = call(() => handle()(body))
      if (!result.ok)
        return void res.writeHead(503, { 'content-type': 'text/plain' }).end(result.message + '\n')
      res.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': result.value.length,
      })
      res.end(result.value)
    })
  })
  server.keepAliveTimeout = 5000
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  return { port, stop: () => void server.close() }
}
