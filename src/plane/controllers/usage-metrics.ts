// The MetricsSource over what the nodes report (the transport's NodeStats: rates over each node's
// last two samples, in memory) — the same figures metrics.k8s.io serves to kubectl top, read in
// process. Pods are matched to the selector by their labels, read from the plane's objects
// as metrics-server does. It has no custom metrics: the request rate is request-metrics.ts's.
import { matchesLabels, type KubeObject } from '../../api/index.ts'
import { noMetrics, type MetricsSource, type PodResourceMetrics } from './hpa-metrics.ts'

/** what NodeStats answers, as far as this reads it */
export interface PodUsageSource {
  pods(namespace?: string): {
    namespace: string
    name: string
    timestamp: number
    windowMs: number
    containers: { name: string; cpuMillicores: number; memoryBytes: number }[]
  }[]
}

export function usageMetrics(o: {
  /** the nodes' usage now (undefined: no transport, so no figures) */
  usage(): PodUsageSource | undefined
  /** the pods of a namespace, with their labels */
  pods(namespace: string): Promise<KubeObject[]>
}): MetricsSource {
  return {
    ...noMetrics,
    async podMetrics(namespace, selector) {
      const found = o.usage()?.pods(namespace) ?? []
      if (!found.length) return []
      const selected = new Set(
        (await o.pods(namespace))
          .filter((p) => matchesLabels(selector, p.metadata.labels))
          .map((p) => p.metadata.name),
      )
      return found
        .filter((p) => selected.has(p.name))
        .map((p): PodResourceMetrics => ({
          pod: p.name,
          timestamp: p.timestamp,
          windowMs: p.windowMs,
          containers: p.containers.map((c) => ({
            name: c.name,
            cpuMillicores: c.cpuMillicores,
            memoryBytes: c.memoryBytes,
          })),
        }))
    },
  }
}
