// Checks a decoded message before anyone acts on it: a payload from the wire is untrusted (a
// node may be compromised, a broker may deliver garbage), so each message type's fields are
// checked for type and bounds, and anything else is a value naming what is wrong — never a
// throw, so a bad payload is logged and dropped by the caller.
import { MESH_LATENCY_BUCKETS_MS, type FromNode, type Message, type ToNode } from './messages.ts'

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string }

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v)
const isStr = (v: unknown, max = 4096): v is string => typeof v === 'string' && v.length <= max
const isCount = (v: unknown): v is number =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= 0
const opt = (v: unknown, check: (x: unknown) => boolean) => v === undefined || check(v)
const isBool = (v: unknown) => typeof v === 'boolean'
const oneOf = (values: readonly string[]) => (v: unknown) =>
  typeof v === 'string' && values.includes(v)
const listOf = (max: number, check: (x: unknown) => boolean) => (v: unknown) =>
  Array.isArray(v) && v.length <= max && v.every(check)
/** a map of at most `max` string → string entries (labels) */
const isStrMap = (max: number) => (v: unknown) =>
  isObj(v) &&
  Object.keys(v).length <= max &&
  Object.entries(v).every(([k, x]) => k.length <= 317 && isStr(x, 63))

const MAX_SERVICES = 100_000
const MAX_NODES = 100_000
const isPort0 = (v: unknown) => isCount(v) && v <= 65535
const isPort = (v: unknown) => isPort0(v) && v !== 0

function isMeshEndpoint(v: unknown): boolean {
  return (
    isObj(v) &&
    isStr(v.uid, 128) &&
    isStr(v.pod, 507) &&
    isStr(v.node, 253) &&
    isObj(v.ports) &&
    Object.keys(v.ports).length <= 256 &&
    Object.entries(v.ports).every(([k, p]) => k.length <= 63 && isPort(p)) &&
    isBool(v.ready) &&
    isBool(v.serving) &&
    isBool(v.terminating)
  )
}

const isMeshPort = (v: unknown) =>
  isObj(v) &&
  isStr(v.name, 63) &&
  isPort(v.port) &&
  oneOf(['TCP', 'UDP', 'SCTP'])(v.protocol) &&
  opt(v.nodePort, isPort)

function isMeshService(v: unknown): boolean {
  return (
    isObj(v) &&
    isStr(v.namespace, 253) &&
    isStr(v.name, 253) &&
    isStr(v.resourceVersion, 32) &&
    oneOf(['ClusterIP', 'NodePort', 'LoadBalancer'])(v.type) &&
    isBool(v.exposed) &&
    listOf(256, isMeshPort)(v.ports) &&
    oneOf(['None', 'ClientIP'])(v.sessionAffinity) &&
    opt(v.sessionAffinityTimeoutSeconds, isCount) &&
    oneOf(['least-request', 'round-robin'])(v.loadBalancer) &&
    opt(v.timeoutMs, isCount) &&
    listOf(100_000, isMeshEndpoint)(v.endpoints)
  )
}

const isMeshNode = (v: unknown) =>
  isObj(v) && isStr(v.name, 253) && isStr(v.address, 253) && isPort0(v.meshPort) && isBool(v.online)

const MAX_INGRESS = 100_000

const isMeshIngressRoute = (v: unknown) =>
  isObj(v) &&
  isStr(v.ingress, 507) &&
  isStr(v.host, 253) &&
  oneOf(['Exact', 'Prefix'])(v.pathType) &&
  isStr(v.path, 4096) &&
  opt(v.defaultBackend, isBool) &&
  isStr(v.namespace, 253) &&
  isStr(v.service, 253) &&
  (isPort(v.port) || isStr(v.port, 63))

const isMeshIngressTls = (v: unknown) =>
  isObj(v) && isStr(v.secret, 507) && listOf(1000, (h) => isStr(h, 253))(v.hosts)

const ingressFields = {
  ingress: (v: unknown) => opt(v, listOf(MAX_INGRESS, isMeshIngressRoute)),
  ingressTls: (v: unknown) => opt(v, listOf(MAX_INGRESS, isMeshIngressTls)),
}

/** field → check, for each message type; a check returns true when the field is acceptable */
const shapes: Record<string, Record<string, (v: unknown) => boolean>> = {
  desired: { revision: isCount, pods: (v) => Array.isArray(v) && v.every(isDesiredPod) },
  'desired-change': {
    revision: isCount,
    base: isCount,
    set: (v) => Array.isArray(v) && v.every(isDesiredPod),
    removed: listOf(100_000, (u) => isStr(u, 128)),
  },
  mesh: {
    revision: isCount,
    services: listOf(MAX_SERVICES, isMeshService),
    nodes: listOf(MAX_NODES, isMeshNode),
    ...ingressFields,
  },
  'mesh-change': {
    revision: isCount,
    base: isCount,
    services: listOf(MAX_SERVICES, isMeshService),
    removedServices: listOf(MAX_SERVICES, (k) => isStr(k, 507)),
    nodes: listOf(MAX_NODES, isMeshNode),
    removedNodes: listOf(MAX_NODES, (n) => isStr(n, 253)),
    ...ingressFields,
  },
  'status-ack': { id: (v) => isStr(v, 128) },
  logs: {
    id: (v) => isStr(v, 128),
    namespace: (v) => isStr(v, 253),
    pod: (v) => isStr(v, 253),
    container: (v) => opt(v, (x) => isStr(x, 253)),
    tailLines: (v) => opt(v, isCount),
    sinceSeconds: (v) => opt(v, isCount),
    follow: (v) => opt(v, isBool),
    previous: (v) => opt(v, isBool),
    timestamps: (v) => opt(v, isBool),
  },
  cancel: { id: (v) => isStr(v, 128) },
  hello: {
    appliedRevision: isCount,
    bootId: (v) => isStr(v, 128),
    info: isNodeInfo,
    meshRevision: (v) => opt(v, isCount),
  },
  applied: { revision: isCount, resync: (v) => opt(v, isBool) },
  'mesh-applied': { revision: isCount, resync: (v) => opt(v, isBool) },
  status: {
    id: (v) => isStr(v, 128),
    pods: (v) => Array.isArray(v) && v.length <= 10_000 && v.every(isStatusUpdate),
  },
  heartbeat: {
    time: isCount,
    conditions: listOf(16, isCondition),
    images: (v) =>
      opt(
        v,
        listOf(10_000, (d) => isStr(d, 100)),
      ),
  },
  stats: {
    time: isCount,
    node: (v) => isUsage(v) && isUsage((v as Obj).agent),
    pods: listOf(10_000, isPodStats),
    mesh: (v) => opt(v, listOf(100_000, isMeshEndpointStats)),
  },
  response: {
    id: (v) => isStr(v, 128),
    lines: (v) =>
      opt(
        v,
        listOf(10_000, (l) => isStr(l, 1 << 20)),
      ),
    done: (v) => opt(v, isBool),
    error: (v) => opt(v, (x) => isObj(x) && ERROR_CODES(x.code) && isStr(x.message)),
  },
}

const ERROR_CODES = oneOf(['NotFound', 'BadRequest', 'Unavailable'])
const isQuantity = (v: unknown) => isStr(v, 64)
const isResources = (v: unknown) =>
  isObj(v) && isQuantity(v.cpu) && isQuantity(v.memory) && isQuantity(v.pods)
const isAddress = (v: unknown) =>
  isObj(v) && oneOf(['InternalIP', 'Hostname'])(v.type) && isStr(v.address, 253)

function isNodeInfo(v: unknown): boolean {
  return (
    isObj(v) &&
    isStr(v.architecture, 64) &&
    isStr(v.operatingSystem, 64) &&
    isStr(v.kernelVersion, 256) &&
    isStr(v.agentVersion, 64) &&
    isStrMap(64)(v.labels) &&
    listOf(16, isAddress)(v.addresses) &&
    isResources(v.capacity) &&
    isResources(v.allocatable) &&
    opt(v.meshPort, isPort0)
  )
}

function isCondition(v: unknown): boolean {
  return (
    isObj(v) &&
    oneOf(['Ready', 'MemoryPressure', 'DiskPressure'])(v.type) &&
    oneOf(['True', 'False', 'Unknown'])(v.status) &&
    opt(v.reason, (x) => isStr(x, 128)) &&
    opt(v.message, (x) => isStr(x, 1024))
  )
}

function isUsage(v: unknown): boolean {
  return isObj(v) && isCount(v.cpuNanos) && isCount(v.memoryBytes)
}

function isPodStats(v: unknown): boolean {
  return (
    isObj(v) &&
    isStr(v.uid, 128) &&
    isStr(v.namespace, 253) &&
    isStr(v.name, 253) &&
    listOf(
      64,
      (c) =>
        isUsage(c) &&
        isStr((c as Obj).name, 253) &&
        isCount((c as Obj).requests) &&
        isCount((c as Obj).startTime),
    )(v.containers)
  )
}

function isMeshEndpointStats(v: unknown): boolean {
  return (
    isObj(v) &&
    isStr(v.namespace, 253) &&
    isStr(v.service, 253) &&
    isStr(v.pod, 253) &&
    isCount(v.requests) &&
    isCount(v.errors) &&
    Array.isArray(v.latency) &&
    v.latency.length === MESH_LATENCY_BUCKETS_MS.length + 1 &&
    v.latency.every(isCount)
  )
}

function isDesiredPod(v: unknown): boolean {
  return (
    isObj(v) &&
    isStr(v.uid, 128) &&
    isStr(v.namespace, 253) &&
    isStr(v.name, 253) &&
    isStr(v.resourceVersion, 32) &&
    isObj(v.spec) &&
    isObj(v.images)
  )
}

/** container name → TCP port */
const isPortMap = (v: unknown) =>
  isObj(v) &&
  Object.keys(v).length <= 64 &&
  Object.entries(v).every(([k, p]) => k.length <= 63 && isCount(p) && p > 0 && p <= 65535)

function isStatusUpdate(v: unknown): boolean {
  return (
    isObj(v) &&
    isStr(v.uid, 128) &&
    isStr(v.namespace, 253) &&
    isStr(v.name, 253) &&
    isObj(v.status) &&
    opt(v.gone, isBool) &&
    opt(v.ports, isPortMap)
  )
}

const TO_NODE_TYPES = new Set([
  'desired',
  'desired-change',
  'mesh',
  'mesh-change',
  'status-ack',
  'logs',
  'cancel',
])

function parse(value: unknown): Parsed<Message> {
  if (!isObj(value)) return { ok: false, error: 'a message must be a map' }
  const type = value.type
  if (typeof type !== 'string' || !Object.hasOwn(shapes, type)) {
    return { ok: false, error: `unknown message type ${JSON.stringify(type)?.slice(0, 40)}` }
  }
  for (const [field, check] of Object.entries(shapes[type])) {
    if (!check(value[field]))
      return { ok: false, error: `${type}: field "${field}" is missing or malformed` }
  }
  return { ok: true, value: value as unknown as Message }
}

/** a message the plane sends to a node */
export function parseToNode(value: unknown): Parsed<ToNode> {
  const r = parse(value)
  if (r.ok && !TO_NODE_TYPES.has(r.value.type))
    return { ok: false, error: `${r.value.type} is not sent to nodes` }
  return r as Parsed<ToNode>
}

/** a message a node sends to the plane */
export function parseFromNode(value: unknown): Parsed<FromNode> {
  const r = parse(value)
  if (r.ok && TO_NODE_TYPES.has(r.value.type))
    return { ok: false, error: `${r.value.type} is not sent by nodes` }
  return r as Parsed<FromNode>
}
