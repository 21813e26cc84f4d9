// mesh: the data plane of Shoal's service proxy, embedded by the node agent on every node.
//
// Contract:
// - createMesh(options) → Mesh. setTable(MeshTable) gives it the Services, their endpoints and
//   the nodes (a newer revision replaces the table; an older one is ignored). start() opens the
//   listeners asked for and resolves with their ports; stop() closes them and every pool.
// - local listener (trusted, 127.0.0.1 by default): any Service by Host — `<svc>`, `<svc>.<ns>`,
//   `<svc>.<ns>.svc`, `<svc>.<ns>.svc.<clusterDomain>`, with or without `:<port>`; the Host's
//   port picks the Service port when it is one, else the first. public listener (outside the
//   fleet) and ingressTls listener (the same over TLS, the certificate picked by SNI among those
//   setIngressCertificates gave: ingress-tls.ts): an exposed Service (NodePort, LoadBalancer) by
//   its name, else the table's Ingress rules (ingress-routes.ts: exact host, then *.wildcard,
//   then none; Exact, then the longest Prefix; else the default backend) — a ClusterIP Service
//   an Ingress names is reached only through them — else 403 for an unexposed Service's name,
//   404 naming the host and path. A NodePort listener per exposed Service port with a
//   nodePort. tls listener (mutual TLS): other nodes' meshes only (client certificate of the fleet
//   CA, O=system:nodes), each request to the Service and loopback port the sender names, which
//   must be one of this node's endpoints of that Service (403 otherwise): never an open forwarder;
//   one that left this node's table in the last 30 s is answered 503 (the sender's table lags
//   ours: it retries another endpoint), so a pod that stops drops no request on the way.
// - Balancing: ready, non-terminating endpoints; local first (power of two choices on requests
//   in flight) unless overloaded (≥ overloadOutstanding in flight and a remote one has fewer),
//   then power of two choices over online nodes' endpoints; round-robin or ClientIP affinity
//   when the Service asks. drainLocal(uid): no new request to that pod; resolves when idle.
// - Failures: a connect error ejects an endpoint at once, consecutive 5xx after `consecutive5xx`,
//   for baseEjectionMs doubling per ejection (capped), never all of them; an idempotent request
//   (GET HEAD OPTIONS PUT DELETE, body none or buffered ≤ retryBodyBytes) is tried once more on
//   another endpoint after a connect error or a 5xx; timeoutMs (the Service's or the mesh's) →
//   504; no endpoint → 503 naming the Service. Hop-by-hop headers stripped, x-forwarded-* and
//   via added, bodies streamed both ways.
// - Upstreams: undici keep-alive pools, per loopback port for local endpoints and per node for
//   other nodes' meshes (that node's certificate verified as its name; a node that goes offline
//   loses its pool at once); setNodeCertificate swaps this node's certificate for new
//   connections, both ways, without a restart. dispatchLocal(target, req, res, body), when given,
//   may take a request for a local endpoint instead (no TCP hop; no retry, timeout or outlier
//   detection then: the hook answers) or decline it (false: over HTTP as without it).
// - metricsText(): Prometheus text per Service and endpoint; serviceStats(): cumulative
//   requests and errors per Service that entered on this node (for the autoscaler).
export { createMesh } from './mesh.ts'
export { parseHost, type HostName } from './host-route.ts'
export type { IngressCertificate } from './ingress-tls.ts'
export type {
  ListenOptions,
  LocalTarget,
  Mesh,
  MeshOptions,
  MeshPorts,
  MeshTlsOptions,
  OutlierOptions,
  ServiceStats,
} from './types.ts'
