// Adapter (the shared I/O thread): a component's outgoing wasi:http request to a Service
// (service-proxy.ts's rule) goes to the node's mesh, Host kept. preview2-shim's I/O code makes
// every plain-http outgoing request with node:http's `request({ host, port, path, … })`; that
// function is wrapped, before the shim's code is loaded, to send such a request to the proxy's
// host and port with the header `Host: <the name asked for>`. https and every other host go out
// as asked. The setting is read from the runtime's cell at each request.
import { createRequire, syncBuiltinESMExports } from 'node:module'
import type { RequestOptions } from 'node:http'
import { isServiceHost, type ServiceProxyCell } from '../service-proxy.ts'

type Http = typeof import('node:http')

/** The options of a request to `options.host` through the mesh, or undefined: not a Service. */
export function meshRequest(
  options: RequestOptions,
  cell: ServiceProxyCell | undefined,
): RequestOptions | undefined {
  const proxy = cell?.get()
  if (!proxy || typeof options.host !== 'string') return undefined
  const authority = options.port ? `${options.host}:${options.port}` : options.host
  if (!isServiceHost(authority, proxy)) return undefined
  const headers = { ...(options.headers as Record<string, string>), host: authority }
  return { ...options, host: proxy.host, port: proxy.port, headers }
}

/** From now on, node:http's request() in this thread routes Services by `cell()`'s setting. */
export function routeServicesToMesh(cell: () => ServiceProxyCell | undefined): void {
  const http = createRequire(import.meta.url)('node:http') as Http
  const direct = http.request
  function request(this: unknown, ...args: unknown[]) {
    const [options] = args
    const plain = typeof options === 'object' && options !== null && !(options instanceof URL)
    const routed = plain ? meshRequest(options as RequestOptions, cell()) : undefined
    if (routed) args[0] = routed
    return (direct as (...a: unknown[]) => unknown).apply(this, args)
  }
  http.request = request as Http['request']
  syncBuiltinESMExports()
}
