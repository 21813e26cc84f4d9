// The mesh table's entries from store objects, as pure functions (the contract:
// api/node-protocol/mesh-table.ts; the Ingress part: mesh-ingress.ts). A Service's entry comes from the Service and its
// EndpointSlices: each endpoint's conditions as EndpointSlice's (an unknown ready reads as ready,
// an unknown serving as ready), its node, its pod (targetRef), and the port its instance serves
// on at its node's loopback for each Service port. The EndpointSlice controller has resolved each
// Service port's targetPort (a number, or a container port's name) on the pod and keeps the
// pod's node-local port beside it in the slice's shoal.dev/ports annotation:
// {"<pod>":{"<service port name, or the resolved port number when unnamed>":<port on the node>}}.
// So no pod is read here. A Node's entry: its InternalIP, its mesh port (the shoal.dev/mesh-port
// annotation its hello keeps) and online — its Ready condition known (True or False): a lost
// connection (its Last Will) or a silent node makes it Unknown.
import type {
  EndpointSlice,
  MeshEndpoint,
  MeshNode,
  MeshService,
  Node,
  Service,
} from '../../api/index.ts'

export const MESH_PORT_ANNOTATION = 'shoal.dev/mesh-port'
export const LOAD_BALANCER_ANNOTATION = 'shoal.dev/load-balancer'
export const TIMEOUT_ANNOTATION = 'shoal.dev/timeout'
const PORTS_ANNOTATION = 'shoal.dev/ports'
/** Kubernetes' default ClientIP affinity timeout */
const DEFAULT_AFFINITY_SECONDS = 10800

/** "5s", "250ms", "1m", "1.5s" → ms; undefined when it is none of these */
export function durationMs(text: string | undefined): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text?.trim() ?? '')
  if (!m) return undefined
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms']
  return Math.round(Number(m[1]) * unit)
}

function localPorts(slice: EndpointSlice): Record<string, Record<string, number>> {
  try {
    const v = JSON.parse(slice.metadata.annotations?.[PORTS_ANNOTATION] ?? '{}') as unknown
    return v && typeof v === 'object' ? (v as Record<string, Record<string, number>>) : {}
  } catch {
    return {}
  }
}

const isPort = (n: unknown): n is number =>
  typeof n === 'number' && Number.isInteger(n) && n > 0 && n <= 65535

/** the endpoints of one slice the mesh can reach: those with a pod and a node-local port */
function sliceEndpoints(slice: EndpointSlice): MeshEndpoint[] {
  const local = localPorts(slice)
  const out: MeshEndpoint[] = []
  for (const e of slice.endpoints ?? []) {
    const ref = e.targetRef
    if (!ref?.name || !ref.uid || !e.nodeName) continue
    const onNode = local[ref.name] ?? {}
    const ports: Record<string, number> = {}
    for (const p of slice.ports ?? []) {
      const at = onNode[p.name || String(p.port)]
      if (isPort(at)) ports[p.name ?? ''] = at
    }
    if (!Object.keys(ports).length) continue
    const ready = e.conditions?.ready ?? true
    out.push({
      ...{ uid: ref.uid, pod: `${ref.namespace ?? slice.metadata.namespace}/${ref.name}` },
      ...{ node: e.nodeName, ports, ready },
      serving: e.conditions?.serving ?? ready,
      terminating: e.conditions?.terminating ?? false,
    })
  }
  return out
}

/** a Service's mesh entry over its slices; undefined for a Service the mesh does not serve.
 * Exposed by its own name: NodePort and LoadBalancer only (an Ingress naming a ClusterIP
 * Service exposes it through the Ingress's hosts and paths alone: mesh-ingress.ts) */
export function meshService(
  svc: Service,
  slices: Iterable<EndpointSlice>,
): MeshService | undefined {
  const type = svc.spec.type ?? 'ClusterIP'
  if (type !== 'ClusterIP' && type !== 'NodePort' && type !== 'LoadBalancer') return undefined
  const ann = svc.metadata.annotations ?? {}
  const affinity = svc.spec.sessionAffinity === 'ClientIP' ? 'ClientIP' : 'None'
  const timeoutMs = durationMs(ann[TIMEOUT_ANNOTATION])
  const seen = new Set<string>()
  const endpoints: MeshEndpoint[] = []
  for (const slice of slices)
    for (const e of sliceEndpoints(slice)) {
      if (seen.has(e.uid)) continue
      seen.add(e.uid)
      endpoints.push(e)
    }
  endpoints.sort((a, b) => (a.pod < b.pod ? -1 : a.pod > b.pod ? 1 : 0))
  return {
    namespace: svc.metadata.namespace ?? 'default',
    name: svc.metadata.name ?? '',
    resourceVersion: svc.metadata.resourceVersion ?? '',
    type,
    exposed: type !== 'ClusterIP',
    ports: (svc.spec.ports ?? []).map((p) => ({
      ...{ name: p.name ?? '', port: p.port, protocol: p.protocol ?? 'TCP' },
      ...(type !== 'ClusterIP' && p.nodePort ? { nodePort: p.nodePort } : {}),
    })),
    sessionAffinity: affinity,
    ...(affinity === 'ClientIP'
      ? {
          sessionAffinityTimeoutSeconds:
            svc.spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_AFFINITY_SECONDS,
        }
      : {}),
    loadBalancer: ann[LOAD_BALANCER_ANNOTATION] === 'round-robin' ? 'round-robin' : 'least-request',
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    endpoints,
  }
}

/** a Node's mesh entry */
export function meshNode(node: Node): MeshNode {
  const address = node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? ''
  const port = Number(node.metadata.annotations?.[MESH_PORT_ANNOTATION])
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready')?.status
  return {
    name: node.metadata.name ?? '',
    address,
    meshPort: Number.isInteger(port) && port > 0 && port <= 65535 ? port : 0,
    online: ready === 'True' || ready === 'False',
  }
}
