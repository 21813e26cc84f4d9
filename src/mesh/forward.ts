// One request through the mesh to an endpoint: dispatched on a pooled keep-alive connection
// (loopback for a local endpoint, mutual TLS to the endpoint's node otherwise), the answer
// streamed back with backpressure both ways. A connect error or a 5xx of an idempotent request
// whose body is not streamed is tried once more on another endpoint (the 5xx is then discarded).
// Timeouts end in 504, other failures in 502; outcomes feed outlier ejection and the counters.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Dispatcher } from 'undici'
import { pickEndpoint } from './balancer.ts'
import type { EndpointState, OutlierPolicy } from './endpoint-state.ts'
import {
  downstreamHeaders,
  NODE_HEADER,
  POD_HEADER,
  TABLE_REVISION_HEADER,
  TARGET_PORT_HEADER,
  TARGET_SERVICE_HEADER,
} from './headers.ts'
import { reply } from './reply.ts'
import type { PortRoute, RoutingTable, ServiceEntry } from './routing-table.ts'
import type { MeshOptions } from './types.ts'
import type { Upstreams } from './upstreams.ts'

export interface ForwardContext {
  via: string
  timeoutMs: number
  overloadOutstanding: number
  outlier: OutlierPolicy
  table: RoutingTable
  upstreams: Upstreams
  dispatchLocal: MeshOptions['dispatchLocal']
  servesLocal: MeshOptions['servesLocal']
  log: (line: string) => void
}

export interface ForwardRequest {
  entry: ServiceEntry
  route: PortRoute
  req: IncomingMessage
  res: ServerResponse
  headers: string[]
  /** null: none; a Buffer: buffered (retryable); the request itself: streamed */
  body: Buffer | IncomingMessage | null
  retryable: boolean
  /** counted in the Service's counters (false on the receiving side of a node-to-node hop) */
  count: boolean
  client: string | undefined
}

// listeners shared by every request (no closure per request): the exchange rides on the response
const EXCHANGE = Symbol('mesh.exchange')
type ExchangeResponse = ServerResponse & { [EXCHANGE]?: Exchange }
function onClientClose(this: ExchangeResponse) {
  this[EXCHANGE]?.clientClosed()
}
function onDrain(this: ExchangeResponse) {
  this[EXCHANGE]?.drained()
}

const TIMEOUT = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT'])

/** the request's exchange with one endpoint after another; implements undici's handler (its
 *  raw form: the newer one parses every response's headers into an object first) */
export class Exchange implements Dispatcher.DispatchHandler {
  readonly #ctx: ForwardContext
  readonly #r: ForwardRequest
  readonly #started = performance.now()
  #state!: EndpointState
  #attemptStart = 0
  #attempts = 0
  #status = 0
  #next: EndpointState | undefined
  #abort: ((err: Error) => void) | undefined
  #resume: (() => void) | undefined
  #done = false

  constructor(ctx: ForwardContext, r: ForwardRequest) {
    this.#ctx = ctx
    this.#r = r
  }

  /** to `first`, picked by the caller (a node-to-node hop names its endpoint) */
  run(first: EndpointState): void {
    const res = this.#r.res as ExchangeResponse
    res[EXCHANGE] = this
    res.once('close', onClientClose)
    this.#send(first)
  }

  /** the client went away first: the upstream request is aborted */
  clientClosed(): void {
    if (!this.#done && this.#abort) this.#abort(new Error('mesh: the client went away'))
  }

  drained(): void {
    this.#resume?.()
  }

  #send(state: EndpointState): void {
    const ctx0 = this.#ctx
    if (state.local && ctx0.dispatchLocal && this.#inProcess(state)) return
    if (!ctx0.upstreams.ready) {
      // the first request of a mesh that had no endpoints yet: undici is being loaded
      ctx0.upstreams.load().then(
        () => this.#send(state),
        (err: Error) =>
          reply(this.#r.res, 502, `mesh: cannot load its HTTP client: ${err.message}`),
      )
      return
    }
    const { entry, route, req } = this.#r
    this.#state = state
    this.#attempts++
    this.#attemptStart = performance.now()
    this.#status = 0
    this.#next = undefined
    state.begin()
    const port = state.endpoint.ports[route.port.name]!
    const ctx = this.#ctx
    let headers = this.#r.headers
    let pool: Dispatcher | undefined
    if (state.local) pool = ctx.upstreams.local(port)
    else {
      const node = ctx.table.nodes.get(state.endpoint.node)
      pool = node && ctx.upstreams.remote(node)
      headers = headers.concat(
        ...[TARGET_SERVICE_HEADER, entry.key, TARGET_PORT_HEADER, String(port)],
        ...[TABLE_REVISION_HEADER, String(ctx.table.revision)],
      )
    }
    if (!pool) return this.onError(new Error('mesh: no pool to node'))
    const timeout = entry.service.timeoutMs ?? ctx.timeoutMs
    pool.dispatch(
      {
        path: req.url ?? '/',
        method: req.method as Dispatcher.HttpMethod,
        headers,
        body: this.#r.body,
        headersTimeout: timeout,
        bodyTimeout: timeout,
      },
      this,
    )
  }

  /** hands the request to dispatchLocal; false: it declined (not an instance it serves) */
  #inProcess(state: EndpointState): boolean {
    const { entry, route, req, res } = this.#r
    const ctx = this.#ctx
    const port = state.endpoint.ports[route.port.name]!
    const target = { service: entry.service, endpoint: state.endpoint, port }
    const e = state.endpoint
    res.setHeader('via', ctx.via)
    res.setHeader(POD_HEADER, e.pod)
    res.setHeader(NODE_HEADER, e.node)
    const began = performance.now()
    if (!ctx.dispatchLocal!(target, req, res, this.#r.body)) {
      for (const h of ['via', POD_HEADER, NODE_HEADER]) res.removeHeader(h)
      return false
    }
    // the answer ends no sooner than a tick after this ('close' is emitted on the next tick)
    this.#state = state
    this.#attempts++
    this.#attemptStart = began
    state.begin()
    res.once('close', () => {
      this.#end(res.statusCode, !res.writableFinished)
      this.#finish(res.statusCode)
    })
    return true
  }

  onConnect(abort: (err?: Error) => void): void {
    this.#abort = abort
  }

  onHeaders(status: number, raw: Buffer[], resume: () => void, message: string): boolean {
    this.#status = status
    this.#resume = resume
    if (status >= 500 && (this.#next = this.#retryTarget())) return true
    const res = this.#r.res
    if (res.headersSent) return true
    const headers = downstreamHeaders(raw, this.#ctx.via)
    // the node whose instance answered names it (a node-to-node hop passes it on as it came)
    const e = this.#state.endpoint
    if (this.#state.local) headers.push(POD_HEADER, e.pod, NODE_HEADER, e.node)
    res.writeHead(status, message, headers)
    return true
  }

  onData(chunk: Buffer): boolean {
    if (this.#next) return true
    if (this.#r.res.write(chunk)) return true
    this.#r.res.once('drain', onDrain)
    return false
  }

  onComplete(): void {
    this.#end(this.#status, false)
    if (this.#next) return this.#send(this.#next)
    this.#finish(this.#status)
    this.#r.res.end()
  }

  onError(err: Error): void {
    const code = (err as { code?: string }).code ?? ''
    const timedOut = TIMEOUT.has(code)
    const before = this.#status === 0
    const res = this.#r.res
    if (res.destroyed) {
      // the client went away: not the endpoint's failure
      this.#end(this.#status || 499, true, 'none')
      return this.#finish(499)
    }
    this.#end(this.#status || 502, true, before && !timedOut ? 'connect' : undefined)
    if (this.#next || (before && !timedOut)) {
      const next = this.#next ?? this.#retryTarget()
      if (next) return this.#send(next)
    }
    if (res.headersSent) {
      this.#finish(502)
      return void res.destroy(err)
    }
    const svc = this.#r.entry.key
    const e = this.#state.endpoint
    const timeout = this.#r.entry.service.timeoutMs ?? this.#ctx.timeoutMs
    if (timedOut) {
      this.#finish(504)
      return reply(res, 504, `mesh: service ${svc} did not answer within ${timeout} ms`)
    }
    this.#finish(502)
    reply(
      res,
      502,
      `mesh: service ${svc}: endpoint ${e.pod} on node ${e.node} failed: ${err.message}`,
    )
  }

  /** another endpoint for a retry, if this request may be tried again */
  #retryTarget(): EndpointState | undefined {
    if (!this.#r.retryable || this.#attempts > 1 || this.#r.res.destroyed) return undefined
    return pickEndpoint(this.#r.entry, this.#r.route, {
      now: Date.now(),
      client: undefined,
      exclude: this.#state,
      overloadOutstanding: this.#ctx.overloadOutstanding,
    })
  }

  /** one attempt is over: endpoint counters and outlier detection (`outcome` when not by status) */
  #end(status: number, failed: boolean, outcome?: 'connect' | 'none'): void {
    const s = this.#state
    s.end(performance.now() - this.#attemptStart, status, failed)
    if (outcome === 'none') return
    const kind = outcome ?? (status >= 500 ? '5xx' : failed ? undefined : 'ok')
    if (kind && s.recordOutcome(kind, Date.now(), this.#ctx.outlier))
      this.#ctx.log(`mesh: ejected ${s.endpoint.pod} (${this.#r.entry.key}) after ${kind}`)
  }

  /** the request is over: Service counters */
  #finish(status: number): void {
    this.#done = true
    if (!this.#r.count) return
    const c = this.#r.entry.counters
    c.requests++
    if (status >= 500) c.errors++
    c.latency.observe(performance.now() - this.#started)
  }
}
