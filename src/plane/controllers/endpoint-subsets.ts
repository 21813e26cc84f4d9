// A Service's endpoints from its pods, as pure functions (Kubernetes' endpoints controller and
// its RepackSubsets): each pod with an address (status.podIP, its node's address in Shoal) that
// is not finished or being deleted is an address — ready when its Ready condition is True,
// not ready otherwise — with the Service's ports resolved against the pod's containerPorts (a
// named targetPort by the container port's name, a number as it is, none as the port itself);
// pods with the same resolved ports share a subset. Addresses sorted by ip, then pod name.
// The per-pod parts (which pods, the resolved ports, the node-local ports) are the EndpointSlice
// controller's too (endpointslice-plan.ts), which keeps terminating pods as well.
//
// For the mesh: a Shoal pod has no address of its own. Each of its containers serves on its
// node's loopback at the port the agent reports in the pod's shoal.dev/ports annotation
// ({"<container>":<port>}). The Endpoints object carries the same annotation, keyed by pod:
// {"<pod name>":{"<endpoint port name, or its number when unnamed>":<port on the node>}}, the
// container picked as the one declaring the target port (or the pod's only container).
import type {
  Endpoints,
  EndpointAddress,
  EndpointPort,
  EndpointSubset,
  Pod,
  Service,
  ServicePort,
} from '../../api/index.ts'

export const PORTS_ANNOTATION = 'shoal.dev/ports'

const isReady = (pod: Pod) =>
  pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false

/** a pod with an address that has not finished (ShouldPodBeInEndpoints, terminating included) */
export function hasEndpoint(pod: Pod): boolean {
  const phase = pod.status?.phase
  return !!pod.status?.podIP && phase !== 'Succeeded' && phase !== 'Failed'
}

/** a pod that belongs in a Service's Endpoints at all: not terminating either */
export function servesEndpoints(pod: Pod): boolean {
  return hasEndpoint(pod) && !pod.metadata.deletionTimestamp
}

/** the container port a Service port targets on this pod, with its container; undefined when
 * a named targetPort names no port of the pod */
function resolve(pod: Pod, sp: ServicePort): { port: number; container?: string } | undefined {
  const target = sp.targetPort ?? sp.port
  const containers = pod.spec.containers ?? []
  for (const c of containers)
    for (const p of c.ports ?? []) {
      const hit = typeof target === 'string' ? p.name === target : p.containerPort === target
      if (hit && (p.protocol ?? 'TCP') === (sp.protocol ?? 'TCP'))
        return { port: p.containerPort, container: c.name }
    }
  if (typeof target === 'string') return undefined
  return { port: target, container: containers.length === 1 ? containers[0].name : undefined }
}

function nodePorts(pod: Pod): Record<string, number> {
  try {
    const v = JSON.parse(pod.metadata.annotations?.[PORTS_ANNOTATION] ?? '{}') as unknown
    return v && typeof v === 'object' ? (v as Record<string, number>) : {}
  } catch {
    return {}
  }
}

const address = (pod: Pod): EndpointAddress => ({
  ip: pod.status!.podIP!,
  ...(pod.spec.nodeName ? { nodeName: pod.spec.nodeName } : {}),
  targetRef: {
    kind: 'Pod',
    namespace: pod.metadata.namespace,
    name: pod.metadata.name,
    uid: pod.metadata.uid,
  },
})

const byAddress = (a: EndpointAddress, b: EndpointAddress) =>
  a.ip < b.ip
    ? -1
    : a.ip > b.ip
      ? 1
      : (a.targetRef?.name ?? '') < (b.targetRef?.name ?? '')
        ? -1
        : 1

/** a Service's ports resolved on a pod (those that resolve, in the Service's order), and the
 * node-local port of each for the mesh, keyed by the port's name or else its number */
export function podPorts(
  svc: Service,
  pod: Pod,
): { ports: EndpointPort[]; local: Record<string, number> } {
  const ports: EndpointPort[] = []
  const local: Record<string, number> = {}
  const onNode = nodePorts(pod)
  for (const sp of svc.spec.ports ?? []) {
    const r = resolve(pod, sp)
    if (!r) continue
    ports.push({
      ...(sp.name ? { name: sp.name } : {}),
      port: r.port,
      protocol: sp.protocol ?? 'TCP',
      ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}),
    })
    const at = r.container === undefined ? undefined : onNode[r.container]
    if (typeof at === 'number') local[sp.name || String(r.port)] = at
  }
  return { ports, local }
}

/** the Endpoints a Service with a selector should have over these (matching) pods */
export function endpointsFor(svc: Service, pods: Pod[]): Endpoints {
  const groups = new Map<
    string,
    { ports: EndpointPort[]; ready: EndpointAddress[]; not: EndpointAddress[] }
  >()
  const local: Record<string, Record<string, number>> = {}
  for (const pod of pods.filter(servesEndpoints)) {
    const { ports, local: onNode } = podPorts(svc, pod)
    if (Object.keys(onNode).length) local[pod.metadata.name!] = onNode
    if (svc.spec.ports?.length && !ports.length) continue
    const id = JSON.stringify(ports)
    let g = groups.get(id)
    if (!g) groups.set(id, (g = { ports, ready: [], not: [] }))
    ;(isReady(pod) ? g.ready : g.not).push(address(pod))
  }
  const subsets: EndpointSubset[] = [...groups.keys()].sort().map((id) => {
    const g = groups.get(id)!
    return {
      ...(g.ready.length ? { addresses: g.ready.sort(byAddress) } : {}),
      ...(g.not.length ? { notReadyAddresses: g.not.sort(byAddress) } : {}),
      ...(g.ports.length ? { ports: g.ports } : {}),
    }
  })
  const m = svc.metadata
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: {
      name: m.name,
      namespace: m.namespace,
      ...(m.labels ? { labels: { ...m.labels } } : {}),
      ...(Object.keys(local).length
        ? { annotations: { [PORTS_ANNOTATION]: stableJson(local) } }
        : {}),
    },
    ...(subsets.length ? { subsets } : {}),
  }
}

/** JSON with keys sorted at every level (an unchanged value is the same string) */
export function stableJson(v: Record<string, Record<string, number>>): string {
  const sorted = Object.fromEntries(
    Object.keys(v)
      .sort()
      .map((k) => [
        k,
        Object.fromEntries(Object.entries(v[k]).sort(([a], [b]) => (a < b ? -1 : 1))),
      ]),
  )
  return JSON.stringify(sorted)
}
