// The Hono app of the plane's API server. Routes: health, /version, discovery, OpenAPI,
// /metrics, the self-reviews (reviews.ts), and every resource path through one handler
// (resource-handler.ts). Errors of any kind become metav1.Status in onError; authentication runs
// before everything but health; a path that is no resource is authorized right after it, a
// resource path by its handler (which first finds out whether the resource exists).
import type { ServerResponse } from 'node:http'
import { Hono, type Context } from 'hono'
import { resourceByKind } from '../../api/index.ts'
import type { Logger } from '../../core/index.ts'
import { ShoalError } from '../../core/index.ts'
import {
  AGGREGATED_CT,
  aggregatedDiscovery,
  legacyApiVersions,
  legacyGroupList,
  openApiDocument,
  openApiIndex,
  resourceList,
  versionInfo,
} from './discovery.ts'
import { Metrics, type StoreGauges } from './metrics.ts'
import type { ObjectStore } from './object-store.ts'
import { parseRequestInfo, type RequestInfo } from './request-info.ts'
import { handleResource, type Caller, type HandlerDeps } from './resource-handler.ts'
import { errorResponse, negotiate } from './respond.ts'
import { metricsRoutes, type UsageSource } from './metrics-api.ts'
import { reviewRoutes } from './reviews.ts'
import { openWatches } from './watch-stream.ts'
import { openAccess, type Access } from './access.ts'
import { forbiddenPathError, JOIN_PATH, NODE_CERTIFICATE_PATH } from './security/index.ts'
import { CA_PATH, joinRoutes, type JoinOptions } from './join-routes.ts'
import { isUiPath, uiRoutes } from './ui-routes.ts'

export interface ApiAppOptions {
  objects: ObjectStore
  log: Logger
  version: string
  /** absent: no authentication (loopback tests with --insecure-http only) */
  access?: Access
  storeGauges(): StoreGauges
  ready(): boolean
  podLogs?: HandlerDeps['podLogs']
  /** plane operations for admins: POST /shoal/v1/secret-keys/rotate */
  admin?: { rotateSecretKeys(): Promise<unknown> }
  /** the image registry's routes, mounted at /images (reads: any caller; writes: admin) */
  images?: { app: Hono }
  /** joining nodes (absent: a plane without TLS, which nodes cannot join) */
  join?: JoinOptions
  /** the nodes' usage, for metrics.k8s.io (absent: no nodes, empty lists) */
  usage?: () => UsageSource | undefined
}

/** Variables the middleware sets; Bindings: what @hono/node-server passes (absent under app.request()) */
type AppEnv = {
  Variables: { caller: Caller; requestInfo: RequestInfo | undefined }
  Bindings: { outgoing?: ServerResponse }
}

const PODS = resourceByKind('Pod')!
const openPaths = new Set(['/healthz', '/livez', '/readyz', '/version', CA_PATH])

/** one item per pod the nodes report on, or the meshes saw as an endpoint */
function requestRates(usage: UsageSource | undefined) {
  const items = new Map<string, Record<string, unknown>>()
  for (const p of usage?.pods() ?? [])
    items.set(`${p.namespace}/${p.name}`, {
      namespace: p.namespace,
      pod: p.name,
      timestamp: new Date(p.timestamp).toISOString(),
      requestsPerSecond: p.containers.reduce((sum, c) => sum + (c.requestsPerSecond ?? 0), 0),
    })
  for (const m of usage?.mesh?.() ?? []) {
    const key = `${m.namespace}/${m.pod}`
    const item = items.get(key) ?? { namespace: m.namespace, pod: m.pod, requestsPerSecond: 0 }
    items.set(key, {
      ...item,
      mesh: {
        requestsPerSecond: m.requestsPerSecond,
        errorsPerSecond: m.errorsPerSecond,
        ...(m.latencyP50Ms !== undefined && { latencyP50Ms: m.latencyP50Ms }),
        ...(m.latencyP99Ms !== undefined && { latencyP99Ms: m.latencyP99Ms }),
      },
    })
  }
  return [...items.values()]
}

export function createApiApp(o: ApiAppOptions) {
  const app = new Hono<AppEnv>()
  const metrics = new Metrics()
  const access = o.access ?? openAccess(o.objects)
  const json = (body: unknown, status = 200, ct = 'application/json') =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': ct } })

  app.onError((err, c) => {
    if (!(err instanceof ShoalError))
      o.log.error('request failed', {
        path: c.req.path,
        err: String(err),
        stack: (err as Error).stack,
      })
    return errorResponse(err, negotiate(c.req.header('accept')))
  })
  app.notFound((c) =>
    errorResponse(
      new ShoalError(
        'NotFound',
        `the server could not find the requested resource (${c.req.path})`,
      ),
    ),
  )

  app.use('*', async (c, next) => {
    const t0 = performance.now()
    await next()
    const ri =
      c.get('requestInfo') ?? parseRequestInfo(c.req.method, c.req.path, c.req.query('watch'))
    metrics.record(
      ri?.verb ?? c.req.method.toLowerCase(),
      ri
        ? `${ri.resource}${ri.subresource ? '/' + ri.subresource : ''}`
        : c.req.path.split('/')[1] || '/',
      c.res.status,
      (performance.now() - t0) / 1000,
    )
  })
  app.use('*', async (c, next) => {
    if (openPaths.has(c.req.path) || isUiPath(c.req.path)) return next() // the dashboard's files: no data
    const caller = access.authenticate(c.req.header('authorization'))
    if (!caller) throw new ShoalError('Unauthorized', 'Unauthorized')
    c.set('caller', caller)
    const ri = parseRequestInfo(c.req.method, c.req.path, c.req.query('watch')) // once per request: auth, handler and metrics share it
    c.set('requestInfo', ri)
    if (!ri) {
      const d = access.decideNonResource(caller, {
        verb: c.req.method.toLowerCase(),
        path: c.req.path,
      })
      if (!d.allowed) throw forbiddenPathError(d.reason)
    }
    return next()
  })

  app.get('/healthz', (c) => c.text('ok'))
  app.get('/livez', (c) => c.text('ok'))
  app.get('/readyz', (c) =>
    o.ready() ? c.text('ok') : c.text('not ready: the store is not open', 503),
  )
  app.get('/version', () => json(versionInfo(o.version)))
  app.get('/metrics', (c) =>
    c.text(metrics.render(o.storeGauges(), openWatches()), 200, {
      'content-type': 'text/plain; version=0.0.4',
    }),
  )

  const wantsAggregated = (accept?: string) => !!accept && accept.includes('apidiscovery.k8s.io')
  app.get('/api', (c) =>
    wantsAggregated(c.req.header('accept'))
      ? json(aggregatedDiscovery(true), 200, AGGREGATED_CT)
      : json(legacyApiVersions()),
  )
  app.get('/apis', (c) =>
    wantsAggregated(c.req.header('accept'))
      ? json(aggregatedDiscovery(false), 200, AGGREGATED_CT)
      : json(legacyGroupList()),
  )
  app.get('/api/:version', (c) =>
    json(resourceList('', c.req.param('version')) ?? notFound(c.req.path)),
  )
  app.get('/apis/:group/:version', (c) =>
    json(resourceList(c.req.param('group'), c.req.param('version')) ?? notFound(c.req.path)),
  )
  app.get('/openapi/v3', () => json(openApiIndex()))
  app.get('/openapi/v3/api/:version', (c) =>
    json(openApiDocument('', c.req.param('version')) ?? notFound(c.req.path)),
  )
  app.get('/openapi/v3/apis/:group/:version', (c) =>
    json(openApiDocument(c.req.param('group'), c.req.param('version')) ?? notFound(c.req.path)),
  )

  uiRoutes(app)
  // each pod's request rate as the nodes report it (every request that reached the instance),
  // and what the nodes' meshes saw of it as an endpoint (attempts, errors a second, latency
  // quantiles over the last window), for the dashboard's per-Service figures: not stored, read
  // like /metrics (any signed-in caller)
  app.get('/shoal/v1/request-rates', () => json({ items: requestRates(o.usage?.()) }))

  if (o.images) app.route('/images', o.images.app) // reads: any caller; writes: admins (non-resource rules)

  app.post('/shoal/v1/secret-keys/rotate', async () => {
    if (!o.admin) throw new ShoalError('NotFound', 'this plane has no secret keys to rotate')
    return json(await o.admin.rotateSecretKeys())
  })

  const join = joinRoutes(o.join)
  app.get(CA_PATH, () => join.ca())
  app.post(JOIN_PATH, (c) => join.join(c.req.raw))
  app.post(NODE_CERTIFICATE_PATH, (c) => join.renew(c.req.raw, c.get('caller').node))

  const deps: HandlerDeps = {
    objects: o.objects,
    log: o.log,
    podLogs: o.podLogs,
    authorize: (caller, ri, query) => access.authorize(caller, ri, query),
  }
  app.route('/apis', reviewRoutes(access))
  metricsRoutes(app, {
    usage: () => o.usage?.(),
    listPods: async (namespace) => (await o.objects.list(PODS, { namespace })).items,
    authorize: (c) =>
      access.authorize(c.get('caller'), c.get('requestInfo')!, new URL(c.req.url).searchParams),
  })
  // served by @hono/node-server, env carries the Node response (watches write to it directly)
  const resource = (c: Context<AppEnv>) =>
    handleResource(deps, c.req.raw, {
      caller: c.get('caller'),
      requestInfo: c.get('requestInfo'),
      outgoing: c.env?.outgoing,
    })
  app.all('/api/*', resource)
  app.all('/apis/*', resource)
  return app
}

function notFound(path: string): never {
  throw new ShoalError('NotFound', `the server could not find the requested resource (${path})`)
}
