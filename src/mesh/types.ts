// The mesh's public types: its options, the handle createMesh returns, and what it reports.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { MeshEndpoint, MeshEndpointStats, MeshService, MeshTable } from '../api/index.ts'
import type { IngressCertificate } from './ingress-tls.ts'

export interface ListenOptions {
  /** default 127.0.0.1 for the local listener, and required otherwise */
  host?: string
  /** 0: any free port */
  port: number
}

/** the node-to-node listener and this node's identity for it (and for its own hops out) */
export interface MeshTlsOptions {
  /** required (other nodes reach it at MeshNode.address:meshPort) */
  host: string
  port: number
  /** PEM: the fleet CA (the plane's), which signs every node's certificate */
  ca: string
  /** PEM: this node's certificate (serverAuth + clientAuth) and its key */
  cert: string
  key: string
}

export interface OutlierOptions {
  /** consecutive 5xx answers that eject an endpoint (default 3; a connect error ejects at once) */
  consecutive5xx?: number
  /** first ejection, doubled on each ejection that follows (default 5000 ms) */
  baseEjectionMs?: number
  /** longest ejection (default 300000 ms) */
  maxEjectionMs?: number
}

/** a local endpoint the request is for, as given to dispatchLocal */
export interface LocalTarget {
  service: MeshService
  endpoint: MeshEndpoint
  /** the instance's port on this node's loopback */
  port: number
}

export interface MeshOptions {
  /** this node's name (a key of MeshTable.nodes): endpoints on it are local */
  nodeName: string
  /** trusted listener (any Service by Host header): components and local clients */
  local?: ListenOptions
  /** untrusted listener (outside the fleet): exposed Services only */
  public?: ListenOptions
  /**
   * TLS ingress listener (outside the fleet, as `public`): the Ingress rules and exposed Services
   * over TLS, the certificate picked by SNI among those setIngressCertificates gave
   */
  ingressTls?: ListenOptions
  /** node-to-node mutual TLS listener; without it the mesh cannot reach other nodes' endpoints */
  tls?: MeshTlsOptions
  /** where NodePort listeners bind (default 0.0.0.0) */
  nodePortHost?: string
  /** namespace of a bare `<svc>` Host (default "default") */
  namespace?: string
  /** default cluster.local */
  clusterDomain?: string
  /** per-route timeout when the Service names none (default 15000 ms) → 504 */
  timeoutMs?: number
  /** a local endpoint with this many requests in flight is overloaded: a remote one is tried (default 32) */
  overloadOutstanding?: number
  outlier?: OutlierOptions
  /** idempotent requests with a body up to this size are buffered so they can be retried (default 64 KiB) */
  retryBodyBytes?: number
  /**
   * hand a request to a local instance without a TCP hop: true when taken (it answers on `res`;
   * the mesh has set via, x-shoal-pod and x-shoal-node; no retry, no per-route timeout), false to
   * send it over HTTP to 127.0.0.1:port as without it (the default)
   */
  dispatchLocal?: (
    target: LocalTarget,
    req: IncomingMessage,
    res: ServerResponse,
    /** the body: already read (a Buffer), still to be read from `req`, or none (null) */
    body: Buffer | IncomingMessage | null,
  ) => boolean
  /**
   * whether dispatchLocal would take a request for this target (cheap, no side effect); the fast
   * path (fastPath) leaves such requests to node:http. Without it, while dispatchLocal is set,
   * every request for a local endpoint goes through node:http
   */
  servesLocal?: (target: LocalTarget) => boolean
  /** a line of log (default: none) */
  log?: (line: string) => void
  /**
   * the local listener proxies plain HTTP/1.1 at the socket level (fast-path.ts), handing what it
   * does not take to node:http (default true; false: node:http for every request)
   */
  fastPath?: boolean
}

export interface MeshPorts {
  local?: number
  public?: number
  tls?: number
  ingressTls?: number
}

export interface ServiceStats {
  namespace: string
  name: string
  /** cumulative since the mesh started */
  requests: number
  /** 5xx answers and failures (no endpoint, timeout, connect error) */
  errors: number
}

export interface Mesh {
  start(): Promise<MeshPorts>
  stop(): Promise<void>
  /**
   * a newer table replaces the current one at once (an older revision is ignored); the promise
   * resolves when the NodePort listeners match it (never rejects: a port that cannot be bound is logged)
   */
  setTable(table: MeshTable): Promise<void>
  /** no new request to this local pod from now; resolves when its requests in flight are done */
  drainLocal(uid: string): Promise<void>
  /** Prometheus text exposition */
  metricsText(): string
  serviceStats(): ServiceStats[]
  /** per endpoint of each Service, the attempts this node sent it (cumulative; agent `stats`) */
  endpointStats(): MeshEndpointStats[]
  /** NodePort → the port actually listened on (the same, unless 0 was asked in tests) */
  nodePorts(): Map<number, number>
  /**
   * the certificates of the Secrets the table's ingressTls names (an ingress node's), replacing
   * those held; the TLS ingress listener picks among them by SNI
   */
  setIngressCertificates(certs: readonly IngressCertificate[]): void
  /**
   * this node's renewed certificate and key (PEM, signed by the same CA): the node-to-node
   * listener presents it to connections made from now on and the hops out use it on new
   * connections (the old pools finish their requests, then close). No restart. A mesh started
   * without `tls` stays without its node-to-node listener (its port was told at hello): false.
   */
  setNodeCertificate(cert: string, key: string): boolean
}
