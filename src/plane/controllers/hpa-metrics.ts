// Where the HorizontalPodAutoscaler reads its metrics: one small interface, so what measures a
// fleet can plug in without the autoscaler knowing it. Resource usage (cpu, memory: what
// metrics.k8s.io serves for kubectl top) comes from the nodes' stats (usage-metrics.ts); custom
// metrics — per pod (type Pods, e.g. http_requests_per_second) or of one object (type Object) —
// from whatever has them: the pods' request rate (request-metrics.ts). A source answers in the metric's own unit;
// undefined from a custom metric means the source does not have that metric at all.
import type { CrossVersionObjectReference, Requirement } from '../../api/index.ts'

/** one pod's usage over a window, as metrics.k8s.io PodMetrics */
export interface PodResourceMetrics {
  /** the pod's name */
  pod: string
  /** when the window ended (ms since the epoch) and how long it was */
  timestamp: number
  windowMs: number
  containers: { name: string; cpuMillicores: number; memoryBytes: number }[]
}

/** one pod's value of a custom metric (custom.metrics.k8s.io pods/<metric>) */
export interface PodMetricValue {
  pod: string
  /** in the metric's unit: requests per second for http_requests_per_second */
  value: number
  timestamp: number
  windowMs: number
}

export interface MetricsSource {
  /** the usage of the pods of `namespace` that match `selector` (pods without a sample: absent) */
  podMetrics(namespace: string, selector: Requirement[]): Promise<PodResourceMetrics[]>
  /** a custom metric of each selected pod (narrowed by the metric's own labels); undefined:
   * this source has no such metric */
  podCustomMetric(
    name: string,
    o: { namespace: string; selector: Requirement[]; metricSelector: Requirement[] },
  ): Promise<PodMetricValue[] | undefined>
  /** a custom metric describing one object of the namespace; undefined: not known */
  objectMetric(
    name: string,
    o: {
      namespace: string
      object: CrossVersionObjectReference
      metricSelector: Requirement[]
    },
  ): Promise<{ value: number; timestamp: number } | undefined>
}

/** a source with nothing: no nodes report, no custom metrics (a plane without its transport) */
export const noMetrics: MetricsSource = {
  podMetrics: async () => [],
  podCustomMetric: async () => undefined,
  objectMetric: async () => undefined,
}

/** several sources as one: the first that has a custom metric answers it; usage is the first's */
export function metricsSources(first: MetricsSource, ...more: MetricsSource[]): MetricsSource {
  const all = [first, ...more]
  return {
    podMetrics: (namespace, selector) => first.podMetrics(namespace, selector),
    async podCustomMetric(name, o) {
      for (const s of all) {
        const found = await s.podCustomMetric(name, o)
        if (found) return found
      }
      return undefined
    },
    async objectMetric(name, o) {
      for (const s of all) {
        const found = await s.objectMetric(name, o)
        if (found) return found
      }
      return undefined
    },
  }
}

const DECIMAL_SUFFIXES: [string, number][] = [
  ['E', 18],
  ['P', 15],
  ['T', 12],
  ['G', 9],
  ['M', 6],
  ['k', 3],
]

/**
 * thousandths of a unit as Kubernetes writes resource.NewMilliQuantity(v, DecimalSI): 250 → "250m",
 * 2000 → "2", 1.5e9 → "1500k" (the largest exact power of 1000)
 */
export function milliQuantity(milli: number): string {
  const m = Math.trunc(milli)
  if (m % 1000 !== 0) return `${m}m`
  const whole = m / 1000
  if (whole === 0) return '0'
  for (const [suffix, exp] of DECIMAL_SUFFIXES) {
    const unit = 10 ** exp
    if (whole % unit === 0 && Number.isSafeInteger(whole / unit)) return `${whole / unit}${suffix}`
  }
  return String(whole)
}
