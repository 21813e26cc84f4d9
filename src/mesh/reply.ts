// A short plain-text answer from the mesh itself (no endpoint, refused, timed out).
import type { ServerResponse } from 'node:http'

export function reply(res: ServerResponse, status: number, text: string): void {
  if (res.headersSent) return void res.destroy()
  const body = text + '\n'
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  })
  res.end(body)
}
