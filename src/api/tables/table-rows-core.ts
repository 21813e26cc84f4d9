// Table cells of the core/v1 kinds (and Lease), computed as kubectl's printers do (pkg/printers/internalversion).
import type {
  ConfigMap,
  ContainerStatus,
  Endpoints,
  Event,
  Lease,
  Namespace,
  Node,
  Pod,
  Secret,
  Service,
} from '../types/index.ts'
import { ageSince } from './age.ts'
import { loadBalancerAddresses } from './table-rows-networking.ts'

export type Cell = string | number
export type RowFn<T> = (obj: T, now: number) => Cell[]

const orNone = (s: string | undefined) => (s ? s : '<none>')

/** "app=web,tier=front", "<none>" when empty: labels.FormatLabels. */
export function formatLabels(labels: Record<string, string> | undefined): string {
  const pairs = Object.entries(labels ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))
  return pairs.length ? pairs.map(([k, v]) => `${k}=${v}`).join(',') : '<none>'
}

export const podRow: RowFn<Pod> = (pod, now) => {
  const statuses: ContainerStatus[] = pod.status?.containerStatuses ?? []
  let reason: string = pod.status?.reason || pod.status?.phase || ''
  let restarts = 0
  let ready = 0
  let lastRestart = 0
  let hasRunning = false
  for (const cs of [...statuses].reverse()) {
    restarts += cs.restartCount ?? 0
    const finished = Date.parse(cs.lastState?.terminated?.finishedAt ?? '')
    if (finished > lastRestart) lastRestart = finished
    const s = cs.state ?? {}
    if (s.waiting?.reason) reason = s.waiting.reason
    else if (s.terminated?.reason) reason = s.terminated.reason
    else if (s.terminated)
      reason = s.terminated.signal
        ? `Signal:${s.terminated.signal}`
        : `ExitCode:${s.terminated.exitCode}`
    else if (cs.ready && s.running) {
      hasRunning = true
      ready++
    }
  }
  if (reason === 'Completed' && hasRunning)
    reason = pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')
      ? 'Running'
      : 'NotReady'
  const terminal = pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed'
  if (pod.metadata.deletionTimestamp && pod.status?.reason === 'NodeLost') reason = 'Unknown'
  else if (pod.metadata.deletionTimestamp && !terminal) reason = 'Terminating'
  const restartCell =
    restarts && lastRestart
      ? `${restarts} (${ageSince(new Date(lastRestart).toISOString(), now)} ago)`
      : String(restarts)
  return [
    pod.metadata.name ?? '',
    `${ready}/${pod.spec?.containers?.length ?? 0}`,
    reason,
    restartCell,
    ageSince(pod.metadata.creationTimestamp, now),
    orNone(pod.status?.podIP),
    orNone(pod.spec?.nodeName),
    '<none>',
    '<none>',
  ]
}

function nodeRoles(labels: Record<string, string> = {}): string {
  const roles = new Set<string>()
  for (const [k, v] of Object.entries(labels)) {
    if (k.startsWith('node-role.kubernetes.io/') && k.length > 24) roles.add(k.slice(24))
    else if (k === 'kubernetes.io/role' && v) roles.add(v)
  }
  return orNone([...roles].sort().join(','))
}

export const nodeRow: RowFn<Node> = (node, now) => {
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready')
  const status = [ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown']
  if (node.spec?.unschedulable) status.push('SchedulingDisabled')
  const address = (type: string) =>
    orNone(node.status?.addresses?.find((a) => a.type === type)?.address)
  const info = node.status?.nodeInfo ?? {}
  const unknown = (s: string | undefined) => (s ? s : '<unknown>')
  return [
    node.metadata.name ?? '',
    status.join(','),
    nodeRoles(node.metadata.labels),
    ageSince(node.metadata.creationTimestamp, now),
    info.kubeletVersion ?? '',
    address('InternalIP'),
    address('ExternalIP'),
    unknown(info.osImage),
    unknown(info.kernelVersion),
    unknown(info.containerRuntimeVersion),
  ]
}

export const namespaceRow: RowFn<Namespace> = (ns, now) => [
  ns.metadata.name ?? '',
  ns.status?.phase ?? '',
  ageSince(ns.metadata.creationTimestamp, now),
]

export const serviceRow: RowFn<Service> = (svc, now) => {
  const ports = (svc.spec?.ports ?? [])
    .map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`)
    .join(',')
  return [
    svc.metadata.name ?? '',
    svc.spec?.type ?? 'ClusterIP',
    orNone(svc.spec?.clusterIP),
    externalIP(svc),
    orNone(ports),
    ageSince(svc.metadata.creationTimestamp, now),
    formatLabels(svc.spec?.selector),
  ]
}

/** getServiceExternalIP: a LoadBalancer's ingress addresses, "<pending>" until it has some */
function externalIP(svc: Service): string {
  const external = Array.isArray(svc.spec?.externalIPs) ? svc.spec.externalIPs.join(',') : ''
  if (svc.spec?.type !== 'LoadBalancer') return orNone(external)
  const lb = loadBalancerAddresses(svc.status?.loadBalancer)
  return [lb, external].filter(Boolean).join(',') || '<pending>'
}

/** "10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 2 more...", as kubectl shows endpoints. */
export function formatEndpoints(ep: Endpoints): string {
  const list: string[] = []
  let count = 0
  for (const s of ep.subsets ?? []) {
    const addresses = s.addresses ?? []
    const ports = s.ports?.length ? s.ports.map((p) => `:${p.port}`) : ['']
    for (const port of ports) {
      count += addresses.length
      for (const a of addresses) list.push(`${a.ip.includes(':') ? `[${a.ip}]` : a.ip}${port}`)
    }
  }
  if (list.length > 3) return `${list.slice(0, 3).join(',')} + ${count - 3} more...`
  return orNone(list.join(','))
}

export const endpointsRow: RowFn<Endpoints> = (ep, now) => [
  ep.metadata.name ?? '',
  formatEndpoints(ep),
  ageSince(ep.metadata.creationTimestamp, now),
]

export const secretRow: RowFn<Secret> = (s, now) => [
  s.metadata.name ?? '',
  s.type ?? '',
  Object.keys(s.data ?? {}).length,
  ageSince(s.metadata.creationTimestamp, now),
]

export const configMapRow: RowFn<ConfigMap> = (cm, now) => [
  cm.metadata.name ?? '',
  Object.keys(cm.data ?? {}).length + Object.keys(cm.binaryData ?? {}).length,
  ageSince(cm.metadata.creationTimestamp, now),
]

export const eventRow: RowFn<Event> = (ev, now) => {
  const first = ageSince(ev.firstTimestamp ?? ev.eventTime, now)
  const last = ev.lastTimestamp ? ageSince(ev.lastTimestamp, now) : first
  const kind = (ev.involvedObject?.kind ?? '').toLowerCase()
  const target = ev.involvedObject?.name ? `${kind}/${ev.involvedObject.name}` : kind
  const component = ev.source?.component || ev.reportingComponent || ''
  const source = ev.source?.host ? `${component}, ${ev.source.host}` : component
  return [
    last,
    ev.type ?? '',
    ev.reason ?? '',
    target,
    ev.involvedObject?.fieldPath ?? '',
    source,
    (ev.message ?? '').trim(),
    first,
    ev.count ?? 1,
    ev.metadata.name ?? '',
  ]
}

export const leaseRow: RowFn<Lease> = (l, now) => [
  l.metadata.name ?? '',
  l.spec?.holderIdentity ?? '',
  ageSince(l.metadata.creationTimestamp, now),
]
