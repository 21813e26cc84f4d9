// Where a request enters the mesh: the listener it came on decides what it may reach.
// local (trusted): any Service by Host; public (outside the fleet) and the TLS ingress listener:
// an exposed Service by its name, else the Ingress rule of the Host and path (any Service an
// Ingress names, through that rule only), else refused — 403 for an unexposed Service's name,
// 404 naming the Host and path that match nothing;
// a NodePort: its Service port; mtls (another node's mesh, already balanced): the Service and
// the loopback port the hop names, which must be one of this node's endpoints of that Service.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { MeshIngressRoute } from '../api/index.ts'
import { pickEndpoint } from './balancer.ts'
import { Exchange, type ForwardContext } from './forward.ts'
import {
  TABLE_REVISION_HEADER,
  TARGET_PORT_HEADER,
  TARGET_SERVICE_HEADER,
  upstreamHeaders,
} from './headers.ts'
import { parseHost } from './host-route.ts'
import { hostName } from './ingress-routes.ts'
import { reply } from './reply.ts'
import type { EndpointState } from './endpoint-state.ts'
import type { PortRoute, ServiceEntry } from './routing-table.ts'

export type EntryKind = 'local' | 'public' | 'ingress-tls'

export interface EntryContext extends ForwardContext {
  namespace: string
  clusterDomain: string
  nodeName: string
  retryBodyBytes: number
}

interface Resolved {
  entry: ServiceEntry
  route: PortRoute
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'])

/** on a connection the fast path (fast-path.ts) handed over: the endpoint it picked for the
 *  request it could not take, used for that request (a second pick would advance round robin) */
export const PRE_PICKED = Symbol('mesh.prePicked')
export interface PrePicked {
  [PRE_PICKED]?: { route: PortRoute; state: EndpointState }
}
const HOST_CACHE_MAX = 4096

/** Host header → Service and port; cached until the next table (cleared by the mesh) */
export class HostResolver {
  readonly cache = new Map<string, Resolved | string>()
  constructor(readonly ctx: EntryContext) {}

  /** the Service and port, or the reason it names none */
  resolve(host: string | undefined): Resolved | string {
    const key = host ?? ''
    let r = this.cache.get(key)
    if (r === undefined) {
      r = this.#resolve(host)
      if (this.cache.size >= HOST_CACHE_MAX) this.cache.clear()
      this.cache.set(key, r)
    }
    return r
  }

  #resolve(host: string | undefined): Resolved | string {
    const h = parseHost(host, this.ctx)
    if (!h)
      return `mesh: Host "${host ?? ''}" names no Service (<svc>[.<ns>[.svc[.${this.ctx.clusterDomain}]]][:port])`
    const entry = this.ctx.table.services.get(`${h.namespace}/${h.name}`)
    if (!entry) return `mesh: no service ${h.namespace}/${h.name}`
    const route = entry.ports.find((p) => p.port.port === h.port) ?? entry.ports[0]
    if (!route) return `mesh: service ${entry.key} has no port`
    return { entry, route }
  }
}

export function handleEntry(
  kind: EntryKind,
  resolver: HostResolver,
  req: IncomingMessage,
  res: ServerResponse,
): void {
  const r = resolver.resolve(req.headers.host)
  const proto = kind === 'ingress-tls' ? 'https' : 'http'
  if (kind === 'local' || (typeof r !== 'string' && r.entry.service.exposed)) {
    if (typeof r === 'string') return reply(res, 404, r)
    return balance(resolver.ctx, r, req, res, proto)
  }
  const route = resolver.ctx.table.ingress.match(req.headers.host, req.url)
  if (route) {
    const to = ingressTarget(resolver.ctx, route)
    if (typeof to === 'string') return reply(res, 503, to)
    return balance(resolver.ctx, to, req, res, proto)
  }
  if (typeof r !== 'string')
    return reply(
      res,
      403,
      `mesh: service ${r.entry.key} is not exposed outside the fleet (type ${r.entry.service.type})`,
    )
  const path = (req.url ?? '/').split('?', 1)[0]
  reply(
    res,
    404,
    `mesh: no Ingress rule for host "${hostName(req.headers.host)}" and path "${path}", and no exposed Service of that name`,
  )
}

/** the Service and port an Ingress route names, or why it cannot be reached */
function ingressTarget(ctx: EntryContext, route: MeshIngressRoute): Resolved | string {
  const key = `${route.namespace}/${route.service}`
  const entry = ctx.table.services.get(key)
  if (!entry) return `mesh: Ingress ${route.ingress}: no service ${key}`
  const p = route.port
  const port = entry.ports.find((x) =>
    typeof p === 'number' ? x.port.port === p : x.port.name === p,
  )
  if (!port) return `mesh: Ingress ${route.ingress}: service ${key} has no port ${p}`
  return { entry, route: port }
}

/** a request from outside or from this node: balanced over the Service's endpoints */
export function balance(
  ctx: EntryContext,
  r: Resolved,
  req: IncomingMessage,
  res: ServerResponse,
  proto: 'http' | 'https',
) {
  const client = req.socket.remoteAddress
  const socket = req.socket as PrePicked
  const pre = socket[PRE_PICKED]
  if (pre) socket[PRE_PICKED] = undefined
  const first =
    pre && pre.route === r.route && !pre.state.draining
      ? pre.state
      : pickEndpoint(r.entry, r.route, {
          now: Date.now(),
          client,
          exclude: undefined,
          overloadOutstanding: ctx.overloadOutstanding,
        })
  if (!first) {
    r.entry.counters.requests++
    r.entry.counters.errors++
    return reply(res, 503, `mesh: service ${r.entry.key} has no ready endpoint`)
  }
  const headers = upstreamHeaders(req, { client, proto, via: ctx.via })
  const idempotent = IDEMPOTENT.has(req.method!)
  const length = req.headers['content-length']
  const streamed = hasBody(req)
  if (streamed && idempotent && length !== undefined && Number(length) <= ctx.retryBodyBytes) {
    // small enough to keep: buffered, so it can be sent again on a retry
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => exchange(ctx, r, req, res, headers, Buffer.concat(chunks), true, first))
    req.on('error', () => res.destroy())
    return
  }
  exchange(ctx, r, req, res, headers, streamed ? req : null, !streamed && idempotent, first)
}

function exchange(
  ctx: EntryContext,
  r: Resolved,
  req: IncomingMessage,
  res: ServerResponse,
  headers: string[],
  body: Buffer | IncomingMessage | null,
  retryable: boolean,
  first: EndpointState,
): void {
  const { entry, route } = r
  const client = req.socket.remoteAddress
  new Exchange(ctx, { entry, route, req, res, headers, body, retryable, count: true, client }).run(
    first,
  )
}

/** a node-to-node hop: to the endpoint the sending mesh chose, if it is one of this node's */
export function handleHop(ctx: EntryContext, req: IncomingMessage, res: ServerResponse): void {
  const key = String(req.headers[TARGET_SERVICE_HEADER] ?? '')
  const entry = ctx.table.services.get(key)
  if (!entry) return reply(res, 404, `mesh: no service "${key}" on node ${ctx.nodeName}`)
  const port = Number(req.headers[TARGET_PORT_HEADER])
  const state = entry.localPorts.get(port)
  let route: PortRoute | undefined
  if (state)
    for (const p of entry.ports) if (state.endpoint.ports[p.port.name] === port) route ??= p
  if (!state && ctx.table.recentlyGone(key, port, Date.now()))
    // the sender's table lags ours: a 5xx, so it tries another endpoint
    return reply(
      res,
      503,
      `mesh: port ${port} is no longer an endpoint of service ${key} on node ${ctx.nodeName}`,
    )
  if (!state && Number(req.headers[TABLE_REVISION_HEADER]) > ctx.table.revision)
    // the sender's table is newer than ours: the endpoint it chose has not reached us yet
    return reply(
      res,
      503,
      `mesh: port ${port} is not yet an endpoint of service ${key} on node ${ctx.nodeName} (its table is behind the sender's)`,
    )
  if (!state || !route)
    return reply(
      res,
      403,
      `mesh: port ${req.headers[TARGET_PORT_HEADER] ?? '(none)'} is not an endpoint of service ${key} on node ${ctx.nodeName}`,
    )
  const headers = upstreamHeaders(req, { client: undefined, proto: 'https', via: ctx.via })
  const ex = new Exchange(ctx, {
    entry,
    route,
    req,
    res,
    headers,
    body: hasBody(req) ? req : null,
    retryable: false,
    count: false,
    client: undefined,
  })
  ex.run(state)
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length']
  return length !== undefined ? length !== '0' : req.headers['transfer-encoding'] !== undefined
}
