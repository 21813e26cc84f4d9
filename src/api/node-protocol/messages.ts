// The messages of the plane ↔ node channel (MQTT 3.1.1, QoS 1, one CBOR map a message). The
// store is the source of truth and the broker only carries it, so nothing relies on the broker
// keeping a message: every exchange is numbered and acknowledged here, not by PUBACK.
//
// Desired state: the plane publishes a node's whole desired set (`desired`), numbered by the
// store revision it reflects, when the node says `hello` with an older `appliedRevision` and on
// every resend; while the node is connected, a change of its set goes as the difference
// (`desired-change`: the pods added or changed, the uids removed) from the state it last sent,
// named by `base`. The node reconciles at once, persists, and answers `applied`. A node that has
// taken revision N ignores a `desired` numbered ≤ N (a late duplicate); a change whose base is
// not the state it holds (one went missing) is answered `applied` with `resync`, and the plane
// sends the whole set.
// Status: the node sends `status` reports with an id; each carries the latest status of some
// pods; the plane writes them (idempotent: same status, no write) and answers `status-ack` with
// the id; the node keeps and resends what is not acknowledged, across restarts.
// Mesh table (mesh-table.ts): the same protocol as desired state on its own leaf — `mesh` (whole
// table: on hello when the node's `meshRevision` differs, on `mesh-applied` with resync, on every
// resend) and `mesh-change` (the Services added or changed whole, the keys of those removed, the
// Nodes changed whole and those removed, from the table named by `base`), answered `mesh-applied`
// once on disk. One table for every node, so the plane builds each change once and sends the same
// bytes to every node.
// Request/response (logs): `req` carries an id and the node answers on `res` with that id, in
// chunks, the last with `done` (MQTT 3.1.1 has no response topics or correlation data).
// Stats: every few seconds a node sends `stats`, a sample of cumulative counters (CPU time,
// requests) and of memory now, for itself and each running container; the plane keeps the last
// two samples in memory and takes rates from them (kubectl top, the autoscaler). A lost sample
// costs nothing, so stats are neither acknowledged nor kept while the link is down. With them
// come the mesh's counters per endpoint (requests, errors, a latency histogram), for the dashboard.
import type { PodSpec, PodStatus } from '../types/index.ts'
import type {
  MeshIngressRoute,
  MeshIngressTls,
  MeshNode,
  MeshService,
  MeshTable,
} from './mesh-table.ts'

export const PROTOCOL_VERSION = 1

/** the largest payload either side sends (CBOR bytes); the plane's broker cuts a connection
 * that sends a bigger packet, so a node splits what could grow (status reports, log lines) */
export const MAX_MESSAGE_BYTES = 16 << 20

/** one pod as a node needs it: identity, spec, and each container's image resolved to a digest */
export interface DesiredPod {
  uid: string
  namespace: string
  name: string
  /** the pod object's resourceVersion this entry was made from */
  resourceVersion: string
  spec: PodSpec
  /** container name → sha256 digest, or the reason it could not be resolved */
  images: Record<string, { digest: string } | { error: string }>
  /** set once the pod is being deleted: stop it within gracePeriodSeconds, then report it gone */
  deletionTimestamp?: string
  gracePeriodSeconds?: number
}

export interface DesiredState {
  type: 'desired'
  /** store revision the set reflects; increases */
  revision: number
  pods: DesiredPod[]
}

/** the difference between the state numbered `base` and the one numbered `revision` */
export interface DesiredChange {
  type: 'desired-change'
  revision: number
  /** the revision of the state this applies to: the node must hold exactly that one */
  base: number
  /** pods added or changed, whole */
  set: DesiredPod[]
  /** uids of the pods no longer desired */
  removed: string[]
}

export interface NodeInfo {
  architecture: string
  operatingSystem: string
  kernelVersion: string
  agentVersion: string
  labels: Record<string, string>
  addresses: { type: 'InternalIP' | 'Hostname'; address: string }[]
  capacity: { cpu: string; memory: string; pods: string }
  allocatable: { cpu: string; memory: string; pods: string }
  /** the node's mesh mTLS port (node to node); absent or 0: no mesh */
  meshPort?: number
}

export interface Hello {
  type: 'hello'
  /** the desired revision the node last applied (0: none) */
  appliedRevision: number
  /** changes when the agent process restarts */
  bootId: string
  info: NodeInfo
  /** the mesh table revision the node holds (0 or absent: none) */
  meshRevision?: number
}

export interface Applied {
  type: 'applied'
  revision: number
  /** a desired-change did not fit the state held: send the whole set */
  resync?: boolean
}

export interface PodStatusUpdate {
  uid: string
  namespace: string
  name: string
  /** the pod's full status as the node sees it */
  status: PodStatus
  /** the node stopped the pod for good (it was deleted or moved away) */
  gone?: boolean
  /** container → the port its instance serves on at the node (http and handler kinds), on the
   * node's loopback: the node's mesh hands it requests, other nodes reach it mesh to mesh; the
   * plane keeps it in the pod's shoal.dev/ports annotation */
  ports?: Record<string, number>
}

export interface StatusReport {
  type: 'status'
  id: string
  pods: PodStatusUpdate[]
}

export interface StatusAck {
  type: 'status-ack'
  id: string
}

export interface NodeConditionReport {
  type: 'Ready' | 'MemoryPressure' | 'DiskPressure'
  status: 'True' | 'False' | 'Unknown'
  reason?: string
  message?: string
}

export interface Heartbeat {
  type: 'heartbeat'
  /** node's clock, ms since the epoch */
  time: number
  conditions: NodeConditionReport[]
  /** images (digests) the node holds, for the scheduler's image locality */
  images?: string[]
}

/** one sample of a node's or a container's usage */
export interface Usage {
  /** CPU time used since it started, in nanoseconds (cumulative: rates come from two samples) */
  cpuNanos: number
  /** memory in use now, bytes (a container: its linear memories; a node: total − available) */
  memoryBytes: number
}

export interface ContainerStats extends Usage {
  name: string
  /** requests served since the instance started (cumulative) */
  requests: number
  /** when the instance started (node clock, ms since the epoch): counters restart with it */
  startTime: number
}

export interface PodStats {
  uid: string
  namespace: string
  name: string
  containers: ContainerStats[]
}

/** upper bounds (ms) of the mesh's latency buckets; a report's `latency` has one more entry,
 * the attempts slower than the last bound */
export const MESH_LATENCY_BUCKETS_MS = [
  1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000,
] as const

/** what this node's mesh counted of the attempts it sent to one endpoint of one Service, since
 * the mesh started (cumulative, like the container counters) */
export interface MeshEndpointStats {
  namespace: string
  service: string
  /** the endpoint's pod (it may run on another node) */
  pod: string
  requests: number
  /** attempts answered 5xx or failed (connect error, timeout) */
  errors: number
  /** attempts per latency bucket (MESH_LATENCY_BUCKETS_MS, then the rest): not cumulative
   * across buckets */
  latency: number[]
}

export interface StatsReport {
  type: 'stats'
  /** node's clock when the sample was taken, ms since the epoch */
  time: number
  /** the whole node (machine), and the agent's own process (its workers included) */
  node: Usage & { agent: Usage }
  pods: PodStats[]
  /** the node's mesh, per endpoint it sent to (absent: an older agent, or no mesh) */
  mesh?: MeshEndpointStats[]
}

export interface LogRequest {
  type: 'logs'
  id: string
  namespace: string
  pod: string
  container?: string
  tailLines?: number
  sinceSeconds?: number
  follow?: boolean
  previous?: boolean
  timestamps?: boolean
}

export interface CancelRequest {
  type: 'cancel'
  id: string
}

export interface Response {
  type: 'response'
  id: string
  /** log lines, each with its newline */
  lines?: string[]
  done?: boolean
  /** the request failed: the message says why (e.g. no such pod or container) */
  error?: { code: 'NotFound' | 'BadRequest' | 'Unavailable'; message: string }
}

/** the whole mesh table */
export interface MeshTableMessage extends MeshTable {
  type: 'mesh'
}

/** "namespace/name" of a Service in a mesh table */
export const meshServiceKey = (s: { namespace: string; name: string }) => `${s.namespace}/${s.name}`

/** the difference between the mesh table numbered `base` and the one numbered `revision` */
export interface MeshChange {
  type: 'mesh-change'
  revision: number
  base: number
  /** Services added or changed, whole */
  services: MeshService[]
  /** "namespace/name" of the Services gone */
  removedServices: string[]
  /** Nodes added or changed, whole */
  nodes: MeshNode[]
  /** names of the Nodes gone */
  removedNodes: string[]
  /** the Ingress routes, whole, when they changed (absent: unchanged) */
  ingress?: MeshIngressRoute[]
  /** the Ingress TLS entries, whole, when they changed (absent: unchanged) */
  ingressTls?: MeshIngressTls[]
}

export interface MeshApplied {
  type: 'mesh-applied'
  revision: number
  /** a mesh-change did not fit the table held: send the whole table */
  resync?: boolean
}

export type ToNode =
  | DesiredState
  | DesiredChange
  | MeshTableMessage
  | MeshChange
  | StatusAck
  | LogRequest
  | CancelRequest
export type FromNode =
  Hello | Applied | MeshApplied | StatusReport | Heartbeat | StatsReport | Response
export type Message = ToNode | FromNode
