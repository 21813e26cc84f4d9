// The Node object as a node's messages make it, in pure functions: `hello` brings identity and
// resources (nodeInfo, addresses, capacity, allocatable, labels, the shoal.dev/mesh-port
// annotation), `heartbeat` the conditions
// (stamped with the plane's time: an edge device's clock is not trusted) and the images held, a lost connection
// turns every condition Unknown as Kubernetes' node lifecycle controller does.
import {
  isQuantity,
  labelValue,
  qualifiedKey,
  type Condition,
  type Heartbeat,
  type Hello,
  type Node,
  type ResourceList,
} from '../../api/index.ts'
import { MESH_PORT_ANNOTATION } from './mesh-entries.ts'

/** label prefixes a node may not set on itself (Kubernetes' NodeRestriction) */
const RESERVED = ['node-restriction.kubernetes.io/', 'node-role.kubernetes.io/']

/** the node's own labels that are valid and not reserved, and the well-known ones */
function labelsOf(name: string, hello: Hello): Record<string, string> {
  const out: Record<string, string> = {}
  const add = (k: string, v: string) => {
    if (!qualifiedKey(k).length && !labelValue(v).length) out[k] = v
  }
  for (const [k, v] of Object.entries(hello.info.labels))
    if (!RESERVED.some((p) => k.startsWith(p))) add(k, v)
  add('kubernetes.io/hostname', name)
  add('kubernetes.io/os', hello.info.operatingSystem)
  add('kubernetes.io/arch', hello.info.architecture)
  return out
}

function resources(r: Hello['info']['capacity']): ResourceList {
  const out: ResourceList = {}
  for (const k of ['cpu', 'memory', 'pods'] as const) if (isQuantity(r[k])) out[k] = r[k]
  return out
}

const fresh = (name: string): Node => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name },
  spec: {},
  status: {},
})

/** the node as its hello describes it; labels set by others stay */
export function withHello(cur: Node | undefined, name: string, hello: Hello): Node {
  const node = cur ?? fresh(name)
  const i = hello.info
  const labels = { ...(node.metadata.labels ?? {}), ...labelsOf(name, hello) }
  return {
    ...node,
    metadata: withMeshPort({ ...node.metadata, labels }, hello.info.meshPort),
    status: {
      ...node.status,
      nodeInfo: {
        architecture: i.architecture,
        operatingSystem: i.operatingSystem,
        kernelVersion: i.kernelVersion,
        kubeletVersion: i.agentVersion,
        bootID: hello.bootId,
      },
      addresses: i.addresses.map((a) => ({ type: a.type, address: a.address })),
      capacity: resources(i.capacity),
      allocatable: resources(i.allocatable),
    },
  }
}

/** the node's mesh port, kept in MESH_PORT_ANNOTATION (a node without one has none) */
function withMeshPort(metadata: Node['metadata'], port: number | undefined): Node['metadata'] {
  const { [MESH_PORT_ANNOTATION]: _had, ...rest } = metadata.annotations ?? {}
  const annotations = port ? { ...rest, [MESH_PORT_ANNOTATION]: String(port) } : rest
  const out = { ...metadata, annotations }
  if (!Object.keys(annotations).length) delete (out as { annotations?: unknown }).annotations
  return out
}

function condition(
  prev: Condition | undefined,
  next: Omit<Condition, 'lastTransitionTime'>,
  now: string,
): Condition {
  const moved = !prev || prev.status !== next.status
  return { ...next, lastTransitionTime: moved ? now : (prev.lastTransitionTime ?? now) }
}

/** the conditions a heartbeat reports; conditions it does not name stay as they were */
export function withHeartbeat(
  cur: Node | undefined,
  name: string,
  hb: Heartbeat,
  now: string,
): Node {
  const node = cur ?? fresh(name)
  const prev = node.status?.conditions ?? []
  const reported = hb.conditions.map((c) =>
    condition(
      prev.find((p) => p.type === c.type),
      {
        type: c.type,
        status: c.status,
        ...(c.reason ? { reason: c.reason } : {}),
        ...(c.message ? { message: c.message } : {}),
        lastHeartbeatTime: now,
      },
      now,
    ),
  )
  const kept = prev.filter((p) => !reported.some((c) => c.type === p.type))
  const status = { ...node.status, conditions: [...reported, ...kept] }
  if (hb.images) status.images = imagesOf(hb.images) // for the scheduler's image locality
  return { ...node, status }
}

/** the digests a node holds, as Kubernetes' status.images (one entry per image, sorted) */
function imagesOf(digests: string[]): NonNullable<NonNullable<Node['status']>['images']> {
  return [...new Set(digests)].sort().map((d) => ({ names: [d] }))
}

/** every condition Unknown (a Ready one added if there was none): nobody knows any more */
export function withConnectionLost(cur: Node | undefined, name: string, now: string): Node {
  const node = cur ?? fresh(name)
  const prev = node.status?.conditions ?? []
  const types = prev.some((c) => c.type === 'Ready')
    ? prev
    : [{ type: 'Ready' } as Condition, ...prev]
  const conditions = types.map((c) =>
    condition(
      prev.find((p) => p.type === c.type),
      {
        type: c.type,
        status: 'Unknown',
        reason: 'NodeStatusUnknown',
        message: `The connection to node ${name} was lost (its MQTT Last Will said it went offline).`,
        ...(c.lastHeartbeatTime ? { lastHeartbeatTime: c.lastHeartbeatTime } : {}),
      },
      now,
    ),
  )
  return { ...node, status: { ...node.status, conditions } }
}

/** do the conditions say something different (beyond their heartbeat times)? */
export function conditionsChanged(a: Node | undefined, b: Node): boolean {
  const key = (n: Node | undefined) =>
    JSON.stringify(
      (n?.status?.conditions ?? []).map((c) => [c.type, c.status, c.reason, c.message]).sort(),
    )
  return key(a) !== key(b)
}
