// Which pods a Service selects, and which Services select a pod: the lookups the Endpoints and
// EndpointSlice controllers share over the shared pod and Service caches (Kubernetes' both
// controllers ask the same of their listers). A Service without a selector selects nothing.
import { matchesLabelSelector, type Pod, type Service } from '../../api/index.ts'
import type { Cache } from './kit/index.ts'

export const selects = (svc: Service, pod: Pod): boolean =>
  !!svc.spec?.selector &&
  matchesLabelSelector({ matchLabels: svc.spec.selector }, pod.metadata.labels)

/** the pods of the Service's namespace it selects */
export function podsOf(pods: Cache<Pod>, svc: Service): Pod[] {
  return pods.byNamespace(svc.metadata.namespace ?? '').filter((p) => selects(svc, p))
}

/** the Services that select any of these pods (all of one namespace: a pod and its old self) */
export function servicesOf(services: Cache<Service>, ...pods: Pod[]): Service[] {
  const ns = pods[0]?.metadata.namespace ?? ''
  return services.byNamespace(ns).filter((s) => pods.some((p) => selects(s, p)))
}
