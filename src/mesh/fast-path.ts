// The local listener's fast path: plain HTTP/1.1 proxied at the socket level, without node:http's
// IncomingMessage / ServerResponse or undici's objects. A request's head is parsed from the
// client's bytes (http1.ts), the endpoint picked by the mesh's balancer, the head rewritten with
// the headers the mesh sets (hop-by-hop ones dropped; x-forwarded-*, via) and written with the
// body to a pooled keep-alive loopback connection; the answer's bytes are relayed as they come,
// framed by Content-Length, chunked encoding or the upstream's close. The same behaviour as the
// node:http path (forward.ts) for what it takes: an idempotent request is retried once on another
// endpoint after a connect error or a 5xx, connect errors and 5xx feed outlier ejection, the
// Service's timeout (idle, as undici's headers / body timeouts) ends in 504, the counters and
// latency histograms, draining and ClientIP affinity (the balancer's). Anything else is handed
// with its connection to the node:http server, for the rest of that connection: HTTP/1.0,
// Upgrade, a chunked or larger than retryBodyBytes request body, an endpoint on another
// node (mutual TLS hop) or one dispatchLocal may take in process. A malformed head gets 400 (431
// if too large, 417 for an expectation other than 100-continue) and the connection closed; a
// malformed answer 502.
import { createConnection, createServer, type Server as NetServer, type Socket } from 'node:net'
import { STATUS_CODES, type Server as HttpServer } from 'node:http'
import { pickEndpoint } from './balancer.ts'
import { PRE_PICKED, type EntryContext, type HostResolver, type PrePicked } from './entry.ts'
import type { EndpointState } from './endpoint-state.ts'
import { HOP, NODE_HEADER, POD_HEADER } from './headers.ts'
import {
  ChunkedScanner,
  headEnd,
  HttpError,
  MAX_HEAD_BYTES,
  parseRequestHead,
  parseResponseHead,
  type RequestHead,
  type ResponseHead,
} from './http1.ts'
import type { PortRoute, ServiceEntry } from './routing-table.ts'

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'])
/** a client connection with no request in flight is closed after this (node:http's default) */
const CLIENT_IDLE_MS = 5_000
/** an idle pooled upstream connection is closed after this (undici's keepAliveTimeout here) */
const UPSTREAM_IDLE_MS = 4_000

// state rides on the sockets: listeners are shared, no closure per request or connection
const CONN = Symbol('mesh.fast.conn')
const OWNER = Symbol('mesh.fast.owner')
type ClientSocket = Socket & { [CONN]?: Conn } & PrePicked
type UpstreamSocket = Socket & { [OWNER]?: FastExchange; reused?: boolean; port?: number }

export class FastPath {
  readonly server: NetServer
  readonly #clients = new Set<Socket>()
  readonly #idle = new Map<number, UpstreamSocket[]>()
  readonly #busy = new Set<UpstreamSocket>()

  constructor(
    readonly ctx: EntryContext,
    readonly resolver: HostResolver,
    /** not listening: connections the fast path does not take are handed to it */
    readonly fallback: HttpServer,
  ) {
    this.server = createServer({ allowHalfOpen: true, noDelay: true }, (sock: ClientSocket) => {
      this.#clients.add(sock)
      sock[CONN] = new Conn(this, sock)
      sock.on('data', onClientData)
      sock.on('end', onClientEnd)
      sock.on('close', onClientClose)
      sock.on('error', noop)
      sock.on('timeout', onClientTimeout)
      sock.on('drain', onClientDrain)
      sock.setTimeout(CLIENT_IDLE_MS)
    })
  }

  /** gives the connection and the bytes read but not used to the node:http server */
  handOver(sock: ClientSocket, unread: Buffer | undefined): void {
    sock.off('data', onClientData)
    sock.off('end', onClientEnd)
    sock.off('close', onClientClose)
    sock.off('error', noop)
    sock.off('timeout', onClientTimeout)
    sock.off('drain', onClientDrain)
    sock[CONN] = undefined
    // still closed by stop(): a server that never listens does not track its connections
    sock.once('close', () => this.#clients.delete(sock))
    sock.setTimeout(0)
    sock.pause()
    if (unread) sock.unshift(unread)
    this.fallback.emit('connection', sock)
    process.nextTick(() => sock.resume())
  }

  forget(sock: Socket): void {
    this.#clients.delete(sock)
  }

  /** a keep-alive loopback connection to the port, pooled or new */
  upstream(port: number): UpstreamSocket {
    const idle = this.#idle.get(port)
    while (idle && idle.length > 0) {
      const s = idle.pop()!
      if (!s.destroyed) {
        s.reused = true
        this.#busy.add(s)
        return s
      }
    }
    const s: UpstreamSocket = createConnection({ port, host: '127.0.0.1', noDelay: true })
    s.port = port
    s.reused = false
    s.on('data', onUpstreamData)
    s.on('end', onUpstreamEnd)
    s.on('close', onUpstreamClose)
    s.on('error', onUpstreamError)
    s.on('timeout', onUpstreamTimeout)
    this.#busy.add(s)
    return s
  }

  release(s: UpstreamSocket, reusable: boolean): void {
    s[OWNER] = undefined
    this.#busy.delete(s)
    if (!reusable || s.destroyed) return void s.destroy()
    s.setTimeout(UPSTREAM_IDLE_MS)
    let idle = this.#idle.get(s.port!)
    if (!idle) this.#idle.set(s.port!, (idle = []))
    idle.push(s)
  }

  /** drops idle connections to loopback ports no endpoint uses any more */
  prune(localPorts: Set<number>): void {
    for (const [port, idle] of this.#idle)
      if (!localPorts.has(port)) {
        for (const s of idle) s.destroy()
        this.#idle.delete(port)
      }
  }

  close(): Promise<void> {
    const closed = new Promise<void>((resolve) =>
      this.server.listening ? this.server.close(() => resolve()) : resolve(),
    )
    for (const s of this.#clients) s.destroy()
    for (const s of this.#busy) s.destroy()
    for (const idle of this.#idle.values()) for (const s of idle) s.destroy()
    this.#idle.clear()
    this.fallback.closeAllConnections()
    return closed
  }
}

function noop() {}
function onClientData(this: ClientSocket, chunk: Buffer) {
  this[CONN]?.data(chunk)
}
function onClientEnd(this: ClientSocket) {
  this[CONN]?.ended()
}
function onClientClose(this: ClientSocket) {
  this[CONN]?.closed()
}
function onClientTimeout(this: ClientSocket) {
  const c = this[CONN]
  if (c && !c.exchange) this.destroy()
}
function onClientDrain(this: ClientSocket) {
  this[CONN]?.exchange?.drained()
}
function onUpstreamData(this: UpstreamSocket, chunk: Buffer) {
  const ex = this[OWNER]
  if (ex) ex.upstreamData(chunk)
  else this.destroy() // bytes nobody asked for: not reusable
}
function onUpstreamEnd(this: UpstreamSocket) {
  const ex = this[OWNER]
  if (ex) ex.upstreamEnded()
  else this.destroy()
}
function onUpstreamClose(this: UpstreamSocket) {
  this[OWNER]?.upstreamEnded()
}
function onUpstreamError(this: UpstreamSocket, err: Error) {
  this[OWNER]?.upstreamFailed(err, false)
}
function onUpstreamTimeout(this: UpstreamSocket) {
  const ex = this[OWNER]
  if (ex) ex.upstreamFailed(new Error('timed out'), true)
  else this.destroy()
}

/** one client connection: its requests one at a time (pipelined ones wait their turn) */
class Conn {
  readonly client: string | undefined
  #buf: Buffer | undefined
  #head: RequestHead | undefined
  #ended = false
  exchange: FastExchange | undefined

  constructor(
    readonly fast: FastPath,
    readonly sock: ClientSocket,
  ) {
    this.client = sock.remoteAddress
  }

  data(chunk: Buffer): void {
    const buf = (this.#buf = this.#buf ? Buffer.concat([this.#buf, chunk]) : chunk)
    if (!this.exchange) this.next()
    // pipelined bytes wait for the answer in flight: no more read than one request may hold
    else if (buf.length > MAX_HEAD_BYTES + this.fast.ctx.retryBodyBytes) this.sock.pause()
  }

  ended(): void {
    this.#ended = true
    if (!this.exchange) this.sock.end()
  }

  closed(): void {
    this.fast.forget(this.sock)
    this.exchange?.clientGone()
  }

  /** the request in flight is answered: the next one, if it came */
  done(close: boolean): void {
    this.exchange = undefined
    if (close || this.#ended) return void this.sock.end()
    if (this.sock.isPaused()) this.sock.resume()
    if (this.#buf) this.next()
  }

  /** a short answer of the mesh's own; `close`: the connection ends after it */
  reply(status: number, text: string, close: boolean): void {
    const body = text + '\n'
    this.sock.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\ncontent-type: text/plain; charset=utf-8\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\n${close ? 'connection: close\r\n' : ''}\r\n${body}`,
    )
    if (close) {
      this.#buf = undefined
      this.sock[CONN] = undefined
      this.fast.forget(this.sock)
      this.sock.end()
      this.sock.destroySoon()
    }
  }

  next(): void {
    const buf = this.#buf
    if (!buf) return
    let head = this.#head
    if (!head) {
      const end = headEnd(buf)
      if (end < 0) {
        if (buf.length > MAX_HEAD_BYTES)
          this.reply(431, `mesh: request head larger than ${MAX_HEAD_BYTES} bytes`, true)
        return
      }
      if (end > MAX_HEAD_BYTES + 4)
        return this.reply(431, `mesh: request head larger than ${MAX_HEAD_BYTES} bytes`, true)
      try {
        head = parseRequestHead(buf, end)
      } catch (err) {
        if (!(err instanceof HttpError)) throw err
        return this.reply(err.status, `mesh: bad request: ${err.message}`, true)
      }
      if (head.fallback || head.contentLength > this.fast.ctx.retryBodyBytes)
        return this.#handOver()
      this.#head = head
      // the body is sent to the endpoint with the head: the mesh says go on itself
      if (head.expectContinue && buf.length < head.headBytes + head.contentLength)
        this.sock.write('HTTP/1.1 100 Continue\r\n\r\n')
    }
    const total = head.headBytes + head.contentLength
    if (buf.length < total) return // the body has not all come
    const ctx = this.fast.ctx
    const r = this.fast.resolver.resolve(head.host)
    let first: EndpointState | undefined
    if (typeof r !== 'string') {
      first = pickEndpoint(r.entry, r.route, {
        now: Date.now(),
        client: this.client,
        exclude: undefined,
        overloadOutstanding: ctx.overloadOutstanding,
      })
      // another node's endpoint (the mutual TLS hop) or one served in process: node:http's path
      if (
        first &&
        (!first.local || (ctx.dispatchLocal && this.#inProcess(r.entry, r.route, first)))
      ) {
        // node:http's path serves it with this pick
        this.sock[PRE_PICKED] = { route: r.route, state: first }
        return this.#handOver()
      }
    }
    this.#head = undefined
    this.#buf = buf.length > total ? buf.subarray(total) : undefined
    if (typeof r === 'string') {
      this.reply(404, r, head.close)
      return head.close ? undefined : this.next()
    }
    if (!first) {
      r.entry.counters.requests++
      r.entry.counters.errors++
      this.reply(503, `mesh: service ${r.entry.key} has no ready endpoint`, head.close)
      return head.close ? undefined : this.next()
    }
    const body = head.contentLength > 0 ? buf.subarray(head.headBytes, total) : undefined
    this.exchange = new FastExchange(this, r.entry, r.route, head, body)
    this.exchange.send(first)
  }

  /** whether dispatchLocal takes requests for this endpoint (assumed so when the mesh cannot ask) */
  #inProcess(entry: ServiceEntry, route: PortRoute, state: EndpointState): boolean {
    const serves = this.fast.ctx.servesLocal
    if (!serves) return true
    const port = state.endpoint.ports[route.port.name]!
    return serves({ service: entry.service, endpoint: state.endpoint, port })
  }

  #handOver(): void {
    const buf = this.#buf
    this.#buf = undefined
    this.#head = undefined
    this.fast.handOver(this.sock, buf)
  }
}

/** one request's exchange with one endpoint, then maybe one more */
class FastExchange {
  readonly #conn: Conn
  readonly #entry: ServiceEntry
  readonly #route: PortRoute
  readonly #req: RequestHead
  readonly #head: string
  readonly #body: Buffer | undefined
  readonly #retryable: boolean
  readonly #started = performance.now()
  #state!: EndpointState
  #up: UpstreamSocket | undefined
  #attempts = 0
  #attemptStart = 0
  #buf: Buffer | undefined
  #res: ResponseHead | undefined
  #remaining = 0
  #chunks: ChunkedScanner | undefined
  #sent = false
  #paused = false
  /** the endpoint a 5xx being discarded is retried on */
  #next: EndpointState | undefined
  #over = false

  constructor(
    conn: Conn,
    entry: ServiceEntry,
    route: PortRoute,
    req: RequestHead,
    body: Buffer | undefined,
  ) {
    this.#conn = conn
    this.#entry = entry
    this.#route = route
    this.#req = req
    this.#body = body
    this.#retryable = IDEMPOTENT.has(req.method)
    this.#head = upstreamHead(req, conn.client, conn.fast.ctx.via)
  }

  send(state: EndpointState): void {
    this.#state = state
    this.#attempts++
    this.#attemptStart = performance.now()
    this.#buf = undefined
    this.#res = undefined
    this.#chunks = undefined
    this.#next = undefined
    state.begin()
    const port = state.endpoint.ports[this.#route.port.name]!
    const up = this.#conn.fast.upstream(port)
    up[OWNER] = this
    this.#up = up
    up.setTimeout(this.#entry.service.timeoutMs ?? this.#conn.fast.ctx.timeoutMs)
    if (this.#body) {
      up.cork()
      up.write(this.#head, 'latin1')
      up.write(this.#body)
      up.uncork()
    } else up.write(this.#head, 'latin1')
  }

  upstreamData(chunk: Buffer): void {
    let head: string | undefined
    if (!this.#res) {
      const buf = (this.#buf = this.#buf ? Buffer.concat([this.#buf, chunk]) : chunk)
      const end = headEnd(buf)
      if (end < 0) {
        if (buf.length > MAX_HEAD_BYTES)
          this.upstreamFailed(new Error(`answer head larger than ${MAX_HEAD_BYTES} bytes`), false)
        return
      }
      let res: ResponseHead
      try {
        res = parseResponseHead(buf, end, this.#req.method === 'HEAD', HOP)
      } catch (err) {
        if (!(err instanceof HttpError)) throw err
        return this.upstreamFailed(new Error(`bad answer: ${err.message}`), false)
      }
      this.#buf = undefined
      if (res.status < 200) {
        // an interim answer (100 Continue, 103 Early Hints): not relayed, the final one follows
        if (res.status === 101)
          return this.upstreamFailed(new Error('switched protocols unasked'), false)
        if (buf.length > end) this.upstreamData(buf.subarray(end))
        return
      }
      this.#res = res
      this.#remaining = res.contentLength
      if (res.framing === 'chunked') this.#chunks = new ChunkedScanner()
      if (res.status >= 500) this.#next = this.#retryTarget()
      if (!this.#next) head = this.#responseHead(res)
      chunk = buf.subarray(end)
    }
    const res = this.#res
    // where the answer ends in chunk (-1: it goes on)
    let end = -1
    if (res.framing === 'length') {
      if (chunk.length >= this.#remaining) end = this.#remaining
      else this.#remaining -= chunk.length
    } else if (res.framing === 'chunked') {
      try {
        end = this.#chunks!.scan(chunk)
      } catch (err) {
        if (!(err instanceof HttpError)) throw err
        return this.upstreamFailed(new Error(`bad answer: ${err.message}`), false)
      }
    } else if (res.framing === 'none') end = 0
    if (!this.#next) {
      const part = end >= 0 && end < chunk.length ? chunk.subarray(0, end) : chunk
      if (head !== undefined) {
        this.#sent = true
        const sock = this.#conn.sock
        sock.cork()
        sock.write(head, 'latin1')
        this.#write(part)
        sock.uncork()
      } else this.#write(part)
    }
    // bytes past the answer's end: the upstream broke framing, the connection is not reused
    if (end >= 0) this.#complete(res.reusable && end === chunk.length)
  }

  #responseHead(res: ResponseHead): string {
    const ctx = this.#conn.fast.ctx
    const h = res.headers
    let s = `HTTP/1.1 ${res.status} ${res.reason || STATUS_CODES[res.status] || ''}\r\n`
    for (let i = 0; i < h.length; i += 2) s += `${h[i]}: ${h[i + 1]}\r\n`
    s += `via: ${res.via ? `${res.via}, ${ctx.via}` : ctx.via}\r\n`
    const e = this.#state.endpoint
    s += `${POD_HEADER}: ${e.pod}\r\n${NODE_HEADER}: ${e.node}\r\n`
    if (res.framing === 'chunked') s += 'transfer-encoding: chunked\r\n'
    if (res.framing === 'close' || this.#req.close) s += 'connection: close\r\n'
    return s + '\r\n'
  }

  #write(b: Buffer): void {
    if (b.length === 0) return
    if (!this.#conn.sock.write(b) && !this.#paused) {
      this.#paused = true
      this.#up?.pause()
    }
  }

  drained(): void {
    if (!this.#paused) return
    this.#paused = false
    this.#up?.resume()
  }

  upstreamEnded(): void {
    if (this.#res?.framing === 'close') return this.#complete(false)
    this.upstreamFailed(new Error('it closed the connection'), false)
  }

  #complete(reusable: boolean): void {
    const up = this.#up!
    this.#up = undefined
    if (this.#paused) {
      this.#paused = false
      up.resume()
    }
    this.#conn.fast.release(up, reusable)
    const status = this.#res!.status
    this.#end(status, false)
    const next = this.#next
    if (next) return this.send(next)
    this.#finish(status)
    this.#conn.done(this.#req.close || this.#res!.framing === 'close')
  }

  /** the client went away with this request in flight: not the endpoint's failure */
  clientGone(): void {
    if (this.#over || !this.#up) return
    const up = this.#up
    this.#up = undefined
    up[OWNER] = undefined
    up.destroy()
    this.#end(this.#res?.status || 499, true, 'none')
    this.#finish(499)
  }

  upstreamFailed(err: Error, timedOut: boolean): void {
    const up = this.#up
    if (!up) return
    this.#up = undefined
    up[OWNER] = undefined
    up.destroy()
    const conn = this.#conn
    if (conn.sock.destroyed) return this.#clientGoneAfter()
    const status = this.#res?.status ?? 0
    const before = status === 0
    // a pooled connection the endpoint had closed (the keep-alive race): not a connect error
    const connect = before && !timedOut && !up.reused
    this.#end(status || 502, true, connect ? 'connect' : before && !timedOut ? 'none' : undefined)
    if (this.#next || (before && !timedOut)) {
      const next = this.#next ?? this.#retryTarget()
      if (next) return this.send(next)
    }
    if (this.#sent) {
      this.#finish(502)
      conn.sock.destroy()
      return
    }
    const svc = this.#entry.key
    const e = this.#state.endpoint
    const ctx = conn.fast.ctx
    if (timedOut) {
      this.#finish(504)
      conn.reply(
        504,
        `mesh: service ${svc} did not answer within ${this.#entry.service.timeoutMs ?? ctx.timeoutMs} ms`,
        this.#req.close,
      )
    } else {
      this.#finish(502)
      conn.reply(
        502,
        `mesh: service ${svc}: endpoint ${e.pod} on node ${e.node} failed: ${err.message}`,
        this.#req.close,
      )
    }
    conn.done(this.#req.close)
  }

  #clientGoneAfter(): void {
    this.#end(this.#res?.status || 499, true, 'none')
    this.#finish(499)
  }

  #retryTarget(): EndpointState | undefined {
    if (!this.#retryable || this.#attempts > 1 || this.#conn.sock.destroyed) return undefined
    return pickEndpoint(this.#entry, this.#route, {
      now: Date.now(),
      client: undefined,
      exclude: this.#state,
      overloadOutstanding: this.#conn.fast.ctx.overloadOutstanding,
    })
  }

  /** one attempt is over: endpoint counters and outlier detection (`outcome` when not by status) */
  #end(status: number, failed: boolean, outcome?: 'connect' | 'none'): void {
    const s = this.#state
    s.end(performance.now() - this.#attemptStart, status, failed)
    if (outcome === 'none') return
    const kind = outcome ?? (status >= 500 ? '5xx' : failed ? undefined : 'ok')
    const ctx = this.#conn.fast.ctx
    if (kind && s.recordOutcome(kind, Date.now(), ctx.outlier))
      ctx.log(`mesh: ejected ${s.endpoint.pod} (${this.#entry.key}) after ${kind}`)
  }

  #finish(status: number): void {
    this.#over = true
    const c = this.#entry.counters
    c.requests++
    if (status >= 500) c.errors++
    c.latency.observe(performance.now() - this.#started)
  }
}

/** the request head for the endpoint: hop-by-hop headers dropped, x-forwarded-* and via set */
export function upstreamHead(req: RequestHead, client: string | undefined, via: string): string {
  let s = `${req.method} ${req.target} HTTP/1.1\r\n`
  const h = req.headers
  const named = req.connectionTokens
  let xff: string | undefined
  let upVia: string | undefined
  let proto = false
  let host = false
  for (let i = 0; i < h.length; i += 2) {
    const name = h[i]!.toLowerCase()
    if (HOP.has(name) || (named && named.has(name)) || name === 'expect') continue
    const value = h[i + 1]!
    if (name === 'x-forwarded-for') xff = xff ? `${xff}, ${value}` : value
    else if (name === 'via') upVia = upVia ? `${upVia}, ${value}` : value
    else {
      if (name === 'x-forwarded-proto') proto = true
      else if (name === 'x-forwarded-host') host = true
      s += `${h[i]}: ${value}\r\n`
    }
  }
  if (client !== undefined) xff = xff ? `${xff}, ${client}` : client
  if (xff !== undefined) s += `x-forwarded-for: ${xff}\r\n`
  if (!proto) s += 'x-forwarded-proto: http\r\n'
  if (!host && req.host) s += `x-forwarded-host: ${req.host}\r\n`
  return s + `via: ${upVia ? `${upVia}, ${via}` : via}\r\n\r\n`
}
