// metrics.k8s.io/v1beta1, as metrics-server serves it, so `kubectl top nodes|pods` works: the
// nodes' and pods' usage from what the agents report (the transport's NodeStats: rates over the
// last two samples, in memory, never stored). Read-only, not stored: NodeMetrics (cluster) and
// PodMetrics (namespaced), get and list; a pod list honours labelSelector by reading the pods'
// labels. Authorized like any resource (group metrics.k8s.io; viewers may read, nodes may not).
import type { Context, Hono } from 'hono'
import {
  matchesLabels,
  parseLabelSelector,
  type KubeObject,
  type ResourceInfo,
} from '../../api/index.ts'
import { BadRequestError, ShoalError } from '../../core/index.ts'

export const METRICS_GROUP = 'metrics.k8s.io'
const VERSION = 'v1beta1'
const API_VERSION = `${METRICS_GROUP}/${VERSION}`

/** what the transport knows of usage (NodeStats), as far as this reads it */
export interface UsageSource {
  nodes(): {
    node: string
    timestamp: number
    windowMs: number
    cpuMillicores: number
    memoryBytes: number
  }[]
  pods(namespace?: string): {
    namespace: string
    name: string
    timestamp: number
    windowMs: number
    containers: {
      name: string
      cpuMillicores: number
      memoryBytes: number
      /** requests that reached the instance, a second (the dashboard's per-Service rate) */
      requestsPerSecond?: number
    }[]
  }[]
  /** per pod, what the nodes' meshes saw of it (NodeStats.mesh; the dashboard's) */
  mesh?(namespace?: string): {
    namespace: string
    pod: string
    requestsPerSecond: number
    errorsPerSecond: number
    latencyP50Ms?: number
    latencyP99Ms?: number
  }[]
}

/** the two kinds, for discovery */
export function metricsResources(): ResourceInfo[] {
  const kind = (k: string, resource: string, namespaced: boolean): ResourceInfo => ({
    group: METRICS_GROUP,
    version: VERSION,
    kind: k,
    resource,
    singular: '',
    listKind: `${k}List`,
    namespaced,
    shortNames: [],
    categories: [],
    verbs: ['get', 'list'],
    subresources: [],
    storageVersion: VERSION,
  })
  return [kind('NodeMetrics', 'nodes', false), kind('PodMetrics', 'pods', true)]
}

const usage = (u: { cpuMillicores: number; memoryBytes: number }) => ({
  cpu: `${Math.round(u.cpuMillicores * 1e6)}n`,
  memory: `${Math.round(u.memoryBytes / 1024)}Ki`,
})
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z')
const window = (ms: number) => `${Math.max(1, Math.round(ms / 1000))}s`

function nodeMetrics(n: ReturnType<UsageSource['nodes']>[number]) {
  return {
    kind: 'NodeMetrics',
    apiVersion: API_VERSION,
    metadata: { name: n.node, creationTimestamp: iso(Date.now()) },
    timestamp: iso(n.timestamp),
    window: window(n.windowMs),
    usage: usage(n),
  }
}

function podMetrics(p: ReturnType<UsageSource['pods']>[number]) {
  return {
    kind: 'PodMetrics',
    apiVersion: API_VERSION,
    metadata: { name: p.name, namespace: p.namespace, creationTimestamp: iso(Date.now()) },
    timestamp: iso(p.timestamp),
    window: window(p.windowMs),
    containers: p.containers.map((c) => ({ name: c.name, usage: usage(c) })),
  }
}

const list = (kind: string, items: unknown[]) => ({
  kind: `${kind}List`,
  apiVersion: API_VERSION,
  metadata: {},
  items,
})

export interface MetricsApiDeps {
  usage(): UsageSource | undefined
  /** the pods of a namespace (all: undefined) matching a label selector */
  listPods(namespace: string | undefined): Promise<KubeObject[]>
  /** throws Forbidden unless the request's caller may read what its path names */
  authorize(c: Context): Promise<void>
}

function selectorOf(text: string | undefined) {
  if (!text) return undefined
  const parsed = parseLabelSelector(text)
  if (!parsed.ok) throw new BadRequestError(`unable to parse requirement: ${parsed.error}`)
  return parsed.value
}

function notFound(kind: string, name: string): never {
  throw new ShoalError('NotFound', `${kind}.${METRICS_GROUP} "${name}" not found`)
}

/** the routes, under /apis/metrics.k8s.io/v1beta1 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any app's env: routes only read the request
export function metricsRoutes(app: Hono<any>, d: MetricsApiDeps): void {
  const base = `/apis/${API_VERSION}`
  const source = () => d.usage() ?? { nodes: () => [], pods: () => [] }
  const json = (body: unknown) =>
    new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } })

  app.get(`${base}/nodes`, async (c) => {
    await d.authorize(c)
    selectorOf(c.req.query('labelSelector')) // refused with its reason when malformed
    return json(list('NodeMetrics', source().nodes().map(nodeMetrics)))
  })
  app.get(`${base}/nodes/:name`, async (c) => {
    await d.authorize(c)
    const n = source()
      .nodes()
      .find((x) => x.node === c.req.param('name'))
    return json(n ? nodeMetrics(n) : notFound('nodemetrics', c.req.param('name')))
  })
  const pods = async (namespace: string | undefined, selector: string | undefined) => {
    let found = source().pods(namespace)
    const parsed = selectorOf(selector)
    if (parsed) {
      const keep = new Set(
        (await d.listPods(namespace))
          .filter((p) => matchesLabels(parsed, p.metadata.labels))
          .map((p) => `${p.metadata.namespace}/${p.metadata.name}`),
      )
      found = found.filter((p) => keep.has(`${p.namespace}/${p.name}`))
    }
    return found
  }
  app.get(`${base}/pods`, async (c) => {
    await d.authorize(c)
    return json(
      list('PodMetrics', (await pods(undefined, c.req.query('labelSelector'))).map(podMetrics)),
    )
  })
  app.get(`${base}/namespaces/:ns/pods`, async (c) => {
    await d.authorize(c)
    const found = await pods(c.req.param('ns'), c.req.query('labelSelector'))
    return json(list('PodMetrics', found.map(podMetrics)))
  })
  app.get(`${base}/namespaces/:ns/pods/:name`, async (c) => {
    await d.authorize(c)
    const p = source()
      .pods(c.req.param('ns'))
      .find((x) => x.name === c.req.param('name'))
    return json(p ? podMetrics(p) : notFound('podmetrics', c.req.param('name')))
  })
}
