// The mesh table: what every node's mesh proxy (src/mesh) routes by, sent by the plane to each
// node over its own channel (numbered by store revision like the node's desired state, acknowledged
// in the message, cached on the node's disk so routing survives the plane being away).
//
// It is built on the plane from Services, their EndpointSlices (serving / terminating / ready, and
// the pods' node-local ports from the shoal.dev/ports annotation) and Nodes (address, mesh port, and
// online — cleared the moment a node's Last Will arrives, so every mesh drops its endpoints within
// a second rather than after the node-lifecycle grace period).
//
// Every node gets every Service (a mesh answers any Service by Host header, as every kube-proxy
// knows every Service) and every Ingress rule; nothing secret is in it (an Ingress's TLS is
// named by its Secret, whose certificate and key reach only the nodes labelled for ingress).

/** one replica behind a Service: a pod's instance on some node */
export interface MeshEndpoint {
  /** the pod's uid (stable across the pod's restarts, new for a replacement pod) */
  uid: string
  /** "namespace/name" of the pod */
  pod: string
  /** the node the pod runs on (a key of MeshTable.nodes) */
  node: string
  /**
   * service port name ("" for an unnamed single port) → the port the pod's instance serves on, on
   * its node's loopback (targetPort already resolved against the pod's containers by the plane).
   * Only on that node's loopback: another node reaches it through that node's mesh (mTLS).
   */
  ports: Record<string, number>
  /** Ready condition true: takes new requests */
  ready: boolean
  /** may take requests (ready, or terminating and still ready, as EndpointSlice's `serving`) */
  serving: boolean
  /** being deleted: gets no new requests, finishes those in flight (draining) */
  terminating: boolean
}

export interface MeshServicePort {
  /** "" when the Service has one unnamed port */
  name: string
  port: number
  protocol: 'TCP' | 'UDP' | 'SCTP'
  /** type NodePort / LoadBalancer: served on this port on every node, from outside the fleet */
  nodePort?: number
}

export interface MeshService {
  namespace: string
  name: string
  /** the Service object's resourceVersion this entry was made from */
  resourceVersion: string
  type: 'ClusterIP' | 'NodePort' | 'LoadBalancer'
  /**
   * reachable by its own name from outside the fleet (type NodePort / LoadBalancer); a ClusterIP
   * Service is only reached from inside (a node's local mesh listener, its components, other
   * nodes' meshes over mutual TLS) and, when an Ingress names it, through that Ingress's hosts
   * and paths (MeshTable.ingress)
   */
  exposed: boolean
  ports: MeshServicePort[]
  sessionAffinity: 'None' | 'ClientIP'
  /** ClientIP affinity timeout (Kubernetes' default 10800 s) */
  sessionAffinityTimeoutSeconds?: number
  /**
   * balancing policy from the shoal.dev/load-balancer annotation: "least-request" (default: local
   * first, then power of two choices on outstanding requests) or "round-robin"
   */
  loadBalancer: 'least-request' | 'round-robin'
  /** per-route timeout from the shoal.dev/timeout annotation ("5s"), in ms; undefined: default */
  timeoutMs?: number
  endpoints: MeshEndpoint[]
}

export interface MeshNode {
  name: string
  /** the node's InternalIP (where other nodes' meshes reach its mTLS listener) */
  address: string
  /** the node's mesh mTLS port (node to node); 0 when the node has no mesh */
  meshPort: number
  /** connected now (its Last Will clears it at once) */
  online: boolean
}

/**
 * One path of an Ingress rule (or an Ingress's default backend) as the mesh's public and TLS
 * ingress listeners route by it. The plane sends them in precedence order for equal matches:
 * the oldest Ingress first (creationTimestamp, then namespace/name), each in its own order.
 */
export interface MeshIngressRoute {
  /** "namespace/name" of the Ingress */
  ingress: string
  /** an exact host, `*.<domain>` (exactly one more label), or "" for any host */
  host: string
  /** Exact: the path itself; Prefix (ImplementationSpecific too): by path elements */
  pathType: 'Exact' | 'Prefix'
  path: string
  /** the Ingress's default backend: taken when no rule's host and path match */
  defaultBackend?: boolean
  /** the Service, in the Ingress's namespace */
  namespace: string
  service: string
  /** the Service port: its number, or its name */
  port: number | string
}

/** the TLS of an Ingress: the hosts its Secret's certificate serves (none listed: any) */
export interface MeshIngressTls {
  /** "namespace/name" of the kubernetes.io/tls Secret (its certificate reaches ingress nodes only) */
  secret: string
  hosts: string[]
}

export interface MeshTable {
  /** store revision the table reflects; increases */
  revision: number
  services: MeshService[]
  nodes: MeshNode[]
  /**
   * the Ingress rules (absent: none). A Service named only here is not `exposed`: from outside
   * it is reached through these hosts and paths alone, never by its own name.
   */
  ingress?: MeshIngressRoute[]
  /** which Secret serves which hosts on the TLS ingress listener (absent: none) */
  ingressTls?: MeshIngressTls[]
}

/**
 * Nodes carrying this label (any value; kubectl shows the role "ingress") serve Ingress TLS and
 * give LoadBalancer Services and Ingresses their addresses; when no node has it, every Ready
 * node does.
 */
export const INGRESS_NODE_LABEL = 'node-role.kubernetes.io/ingress'

/** the addresses a LoadBalancer Service or an Ingress gets: the InternalIPs of the Ready
 * ingress nodes (of every Ready node when none is labelled), in node name order */
export function ingressAddresses(
  nodes: Iterable<{
    metadata: { name?: string; labels?: Record<string, string> }
    status?: {
      addresses?: { type: string; address: string }[]
      conditions?: { type: string; status: string }[]
    }
  }>,
): string[] {
  const all = [...nodes]
  const labelled = all.filter((n) => n.metadata.labels?.[INGRESS_NODE_LABEL] !== undefined)
  return (labelled.length ? labelled : all)
    .filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
    .sort((a, b) => ((a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1))
    .map((n) => n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? '')
    .filter(Boolean)
}
