// Table cells of networking.k8s.io/v1 Ingress (printIngress), and the load balancer address
// string Services and Ingresses share (loadBalancerStatusStringer, not wide: 16 characters).
import type { Ingress, IngressRule, LoadBalancerStatus } from '../types/index.ts'
import { ageSince } from './age.ts'
import type { RowFn } from './table-rows-core.ts'

const LOAD_BALANCER_WIDTH = 16

export function loadBalancerAddresses(status: LoadBalancerStatus | undefined): string {
  const list = (status?.ingress ?? []).map((i) => i?.ip || i?.hostname || '').filter(Boolean)
  const all = list.join(',')
  return all.length > LOAD_BALANCER_WIDTH ? `${all.slice(0, LOAD_BALANCER_WIDTH - 3)}...` : all
}

/** formatHosts: the first three hosts, "+ N more...", "*" when no rule names one */
function formatHosts(rules: IngressRule[]): string {
  const max = 3
  const list = rules
    .slice(0, max)
    .map((r) => r?.host)
    .filter((h): h is string => !!h)
  if (!list.length) return '*'
  return rules.length > max ? `${list.join(',')} + ${rules.length - max} more...` : list.join(',')
}

export const ingressRow: RowFn<Ingress> = (ing, now) => [
  ing.metadata.name ?? '',
  ing.spec?.ingressClassName ?? '<none>',
  formatHosts(Array.isArray(ing.spec?.rules) ? ing.spec.rules : []),
  loadBalancerAddresses(ing.status?.loadBalancer),
  ing.spec?.tls?.length ? '80, 443' : '80',
  ageSince(ing.metadata.creationTimestamp, now),
]
