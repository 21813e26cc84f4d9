// fetch over node:https with a trust of our choosing (Node's global fetch takes no CA): only the
// given CA (the plane's), or — for the one unauthenticated step of a join, whose answer is then
// checked against a pinned hash — no verification at all. Keep-alive connections; an answer
// that does not start within timeoutMs, or a body idle that long, fails. Connection failures
// reject with TypeError("fetch failed: …") as fetch does, so callers (pullBlob) retry them.
import { request as httpRequest } from 'node:http'
import { Agent, request as httpsRequest } from 'node:https'
import { Readable } from 'node:stream'

export interface HttpsFetchOptions {
  /** PEM of the only CA to trust */
  ca?: string
  /** no verification at all (the CA download of a join, checked by hash afterwards) */
  insecure?: boolean
  timeoutMs?: number
}

function responseHeaders(raw: NodeJS.Dict<string | string[]>): Headers {
  const headers = new Headers()
  for (const [name, value] of Object.entries(raw))
    for (const v of [value ?? []].flat()) headers.append(name, v)
  return headers
}

export function httpsFetch(o: HttpsFetchOptions = {}): typeof fetch {
  const agent = new Agent({ keepAlive: true, ca: o.ca, rejectUnauthorized: o.insecure !== true })
  const timeout = o.timeoutMs ?? 30_000
  const call = (input: string | URL | Request, init: RequestInit = {}) =>
    new Promise<Response>((resolve, reject) => {
      const url = new URL(input instanceof Request ? input.url : input)
      const method = init.method ?? 'GET'
      const headers: Record<string, string> = {}
      new Headers(init.headers).forEach((value, name) => (headers[name] = value))
      const tls = url.protocol === 'https:'
      const req = (tls ? httpsRequest : httpRequest)(url, {
        method,
        headers,
        timeout,
        ...(tls ? { agent } : {}),
      })
      req.on('response', (res) => {
        const status = res.statusCode ?? 500
        const empty = method === 'HEAD' || status === 204 || status === 304
        if (empty) res.resume()
        const body = empty ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>)
        resolve(new Response(body, { status, headers: responseHeaders(res.headers) }))
      })
      req.on('timeout', () => req.destroy(new Error(`no answer within ${timeout} ms`)))
      req.on('error', (error) =>
        reject(new TypeError(`fetch failed: ${error.message}`, { cause: error })),
      )
      init.signal?.addEventListener('abort', () => req.destroy(new Error('aborted')), {
        once: true,
      })
      req.end(typeof init.body === 'string' ? init.body : undefined)
    })
  return call as typeof fetch
}
