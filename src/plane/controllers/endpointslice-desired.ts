// The endpoints a Service's EndpointSlices should hold, as Kubernetes' endpointslice reconciler
// computes them (podToEndpoint, getEndpointPorts): every selected pod with an address that has
// not finished, terminating ones included, grouped by address type (the family of its pod IPs;
// Shoal Services have no ipFamilies, so a Service gets the families its pods have, IPv4 when
// none) and by the Service's ports resolved on the pod (endpoint-subsets.ts, as the Endpoints
// controller resolves them). Conditions: serving = the pod is Ready, terminating = it is being
// deleted, ready = serving and not terminating (or publishNotReadyAddresses). nodeName, the
// node's topology.kubernetes.io/zone, a hostname when the pod's subdomain names the Service, and
// targetRef. A pod on a node the cache does not know is left out (and reported) unless
// publishNotReadyAddresses. Each pod's node-local ports for the mesh travel beside (`local`).
import type { AddressType, Node, Pod, Service, SliceEndpoint, SlicePort } from '../../api/index.ts'
import { hasEndpoint, podPorts } from './endpoint-subsets.ts'
import { isReady } from './pod-state.ts'

const ZONE_LABEL = 'topology.kubernetes.io/zone'

/** one address type and set of ports, and the endpoints wanted there by identity */
export interface EndpointGroup {
  addressType: AddressType
  ports: SlicePort[]
  endpoints: Map<string, SliceEndpoint>
}

export interface DesiredEndpoints {
  /** by groupKey */
  groups: Map<string, EndpointGroup>
  addressTypes: Set<AddressType>
  /** pod name → its node-local port per Service port name (or number) */
  local: Map<string, Record<string, number>>
  /** pods left out: their node is not known (yet) */
  missingNodes: string[]
}

const family = (ip: string): AddressType => (ip.includes(':') ? 'IPv6' : 'IPv4')

function podIPs(pod: Pod): string[] {
  const ips = (pod.status?.podIPs ?? []).map((p) => p.ip).filter(Boolean)
  return ips.length ? ips : pod.status?.podIP ? [pod.status.podIP] : []
}

/** the same ports in a stable form (a slice's ports as stored compare equal to the wanted) */
export function groupKey(addressType: string, ports: SlicePort[] | undefined): string {
  const norm = (ports ?? []).map((p) => [
    p.name ?? '',
    p.protocol ?? 'TCP',
    p.port ?? null,
    p.appProtocol ?? null,
  ])
  return `${addressType} ${JSON.stringify(norm.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1)))}`
}

/** an endpoint's identity: the pod it stands for, its hostname and addresses */
export function endpointKey(e: SliceEndpoint): string {
  const ref = e.targetRef
  return `${ref?.namespace ?? ''}/${ref?.name ?? ''} ${e.hostname ?? ''} ${[...(e.addresses ?? [])].sort().join(',')}`
}

function toEndpoint(svc: Service, pod: Pod, node: Node | undefined, addresses: string[]) {
  const serving = isReady(pod)
  const terminating = !!pod.metadata.deletionTimestamp
  const ready = !!svc.spec.publishNotReadyAddresses || (serving && !terminating)
  const zone = node?.metadata.labels?.[ZONE_LABEL]
  const hostname = pod.spec.hostname
  const named = hostname && pod.spec.subdomain === svc.metadata.name
  const e: SliceEndpoint = {
    addresses,
    conditions: { ready, serving, terminating },
    ...(named ? { hostname } : {}),
    targetRef: {
      kind: 'Pod',
      namespace: pod.metadata.namespace,
      name: pod.metadata.name,
      uid: pod.metadata.uid,
    },
    ...(pod.spec.nodeName ? { nodeName: pod.spec.nodeName } : {}),
    ...(zone ? { zone } : {}),
  }
  return e
}

const byAddress = (a: Pod, b: Pod) => {
  const [x, y] = [podIPs(a)[0], podIPs(b)[0]]
  if (x !== y) return x < y ? -1 : 1
  return (a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1
}

/** what the slices of a Service with a selector should hold over these (selected) pods */
export function desiredEndpoints(
  svc: Service,
  pods: Pod[],
  nodes: (name: string) => Node | undefined,
): DesiredEndpoints {
  const out: DesiredEndpoints = {
    groups: new Map(),
    addressTypes: new Set(),
    local: new Map(),
    missingNodes: [],
  }
  for (const pod of pods.filter(hasEndpoint).sort(byAddress)) {
    const node = pod.spec.nodeName ? nodes(pod.spec.nodeName) : undefined
    if (!node && !svc.spec.publishNotReadyAddresses) {
      out.missingNodes.push(pod.metadata.name!)
      continue
    }
    const { ports, local } = podPorts(svc, pod)
    if (Object.keys(local).length) out.local.set(pod.metadata.name!, local)
    const slicePorts: SlicePort[] = ports.map((p) => ({
      name: p.name ?? '',
      protocol: p.protocol ?? 'TCP',
      port: p.port,
      ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}),
    }))
    for (const type of ['IPv4', 'IPv6'] as const) {
      const addresses = podIPs(pod).filter((ip) => family(ip) === type)
      if (!addresses.length) continue
      out.addressTypes.add(type)
      const key = groupKey(type, slicePorts)
      let g = out.groups.get(key)
      if (!g)
        out.groups.set(key, (g = { addressType: type, ports: slicePorts, endpoints: new Map() }))
      const e = toEndpoint(svc, pod, node, addresses)
      g.endpoints.set(endpointKey(e), e)
    }
  }
  if (!out.addressTypes.size) out.addressTypes.add('IPv4')
  return out
}
