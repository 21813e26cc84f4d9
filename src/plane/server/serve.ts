// Binds the API app to a Node HTTP or HTTPS server, and shuts it down gracefully: stop
// accepting, let in-flight requests finish, end watch streams, then return.
import { createServer as createHttpsServer } from 'node:https'
import { createServer as createHttpServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { getRequestListener } from '@hono/node-server'

export interface ServeOptions {
  host: string
  port: number
  /** PEM cert and key; absent: plain HTTP (loopback tests only) */
  tls?: { cert: string; key: string }
}

export interface RunningServer {
  url: string
  port: number
  close(graceMs?: number): Promise<void>
}

export async function serveApi(
  fetch: (req: Request) => Response | Promise<Response>,
  o: ServeOptions,
): Promise<RunningServer> {
  const listener = getRequestListener(fetch)
  const server: Server = o.tls
    ? createHttpsServer({ cert: o.tls.cert, key: o.tls.key }, listener)
    : createHttpServer(listener)
  server.keepAliveTimeout = 65_000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(o.port, o.host, () => resolve())
  })
  const port = (server.address() as AddressInfo).port
  const host = o.host.includes(':') ? `[${o.host}]` : o.host
  return {
    url: `${o.tls ? 'https' : 'http'}://${host}:${port}`,
    port,
    close: (graceMs = 5000) =>
      new Promise<void>((resolve) => {
        const force = setTimeout(() => server.closeAllConnections(), graceMs)
        force.unref()
        server.close(() => (clearTimeout(force), resolve()))
        server.closeIdleConnections()
      }),
  }
}
