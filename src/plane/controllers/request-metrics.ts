// The request rate as a custom metric for the autoscaler: what each pod served, from the nodes'
// stats (the transport's NodeStats: a container's cumulative request count over the window
// between two samples — every request that reached the instance, through the mesh or straight to
// it). Metrics `http_requests_per_second` and `requests_per_second` (the same figure):
// - type Pods: each selected pod's rate (its containers' summed);
// - type Object, describedObject Service: the sum over the pods its EndpointSlices name (the
//   Service's whole load; a Service with no pod reporting: 0); describedObject Pod: that pod's.
// The metric has no labels of its own: a metricSelector that needs one matches nothing.
import {
  matchesLabels,
  type EndpointSlice,
  type KubeObject,
  type Requirement,
} from '../../api/index.ts'
import { systemClock, type Clock } from '../../core/index.ts'
import type { MetricsSource, PodMetricValue } from './hpa-metrics.ts'

export const REQUEST_METRICS = ['http_requests_per_second', 'requests_per_second']
const SERVICE_NAME_LABEL = 'kubernetes.io/service-name'

/** what NodeStats answers, as far as this reads it */
export interface PodRequestSource {
  pods(namespace?: string): {
    name: string
    timestamp: number
    windowMs: number
    containers: { requestsPerSecond: number }[]
  }[]
}

export interface RequestMetricsOptions {
  /** the nodes' figures now (undefined: no transport, so no such metric) */
  usage(): PodRequestSource | undefined
  /** the objects of `kind` (Pod, Service, EndpointSlice) in a namespace */
  list(kind: 'Pod' | 'Service' | 'EndpointSlice', namespace: string): Promise<KubeObject[]>
  clock?: Clock
}

/** each reporting pod of the namespace → its rate, summed over its containers */
function rates(source: PodRequestSource, namespace: string): Map<string, PodMetricValue> {
  const out = new Map<string, PodMetricValue>()
  for (const p of source.pods(namespace)) {
    const value = p.containers.reduce((sum, c) => sum + c.requestsPerSecond, 0)
    out.set(p.name, { pod: p.name, value, timestamp: p.timestamp, windowMs: p.windowMs })
  }
  return out
}

/** the pods a Service's EndpointSlices name, or undefined when there is no such Service */
async function servicePods(
  o: RequestMetricsOptions,
  namespace: string,
  name: string,
): Promise<Set<string> | undefined> {
  const services = await o.list('Service', namespace)
  if (!services.some((s) => s.metadata.name === name)) return undefined
  const slices = (await o.list('EndpointSlice', namespace)) as EndpointSlice[]
  const pods = new Set<string>()
  for (const slice of slices.filter((s) => s.metadata.labels?.[SERVICE_NAME_LABEL] === name))
    for (const e of slice.endpoints ?? [])
      if (e.targetRef?.kind === 'Pod' && e.targetRef.name) pods.add(e.targetRef.name)
  return pods
}

const known = (name: string, metricSelector: Requirement[]) =>
  REQUEST_METRICS.includes(name) && matchesLabels(metricSelector, {})

export function requestMetrics(o: RequestMetricsOptions): MetricsSource {
  const clock = o.clock ?? systemClock
  return {
    podMetrics: async () => [],
    async podCustomMetric(name, q) {
      const source = o.usage()
      if (!source || !REQUEST_METRICS.includes(name)) return undefined
      if (!matchesLabels(q.metricSelector, {})) return []
      const found = rates(source, q.namespace)
      if (!found.size) return []
      const pods = await o.list('Pod', q.namespace)
      return pods
        .filter((p) => matchesLabels(q.selector, p.metadata.labels))
        .flatMap((p) => found.get(p.metadata.name!) ?? [])
    },
    async objectMetric(name, q) {
      const source = o.usage()
      const { kind, name: object } = q.object
      if (!source || !known(name, q.metricSelector)) return undefined
      const found = rates(source, q.namespace)
      if (kind === 'Pod') return found.get(object)
      if (kind !== 'Service') return undefined
      const pods = await servicePods(o, q.namespace, object)
      if (!pods) return undefined
      const summed = [...pods].flatMap((p) => found.get(p) ?? [])
      return {
        value: summed.reduce((sum, p) => sum + p.value, 0),
        timestamp: summed.length ? Math.max(...summed.map((p) => p.timestamp)) : clock.now(),
      }
    },
  }
}
