// The node lifecycle controller (Kubernetes' NodeLifecycleController with its taint manager),
// for small fleets. A node whose Lease (kube-node-lease/<node>, renewed by the transport from
// the node's heartbeats) has not been renewed for gracePeriodMs gets its conditions Unknown
// (NodeStatusUnknown, "Kubelet stopped posting node status."), unless the transport set them
// already when the node's MQTT Last Will arrived. Ready Unknown taints the node
// node.kubernetes.io/unreachable:NoExecute, Ready False node.kubernetes.io/not-ready:NoExecute;
// Ready True removes them. A node that never had a Lease (registered by hand) is judged by its
// Ready condition alone. The pods on a node with NoExecute taints are evicted — deleted for
// good, as Kubernetes' pod GC deletes pods of lost nodes (the node's agent is away and cannot
// finish a graceful delete), with a TaintManagerEviction Event each — once their time is up
// (node-taints.ts: the pod's own tolerationSeconds, else defaultTolerationSeconds); DaemonSet
// pods stay. Their owners replace them; the taint keeps the scheduler away; when the node
// returns, the transport's desired state no longer names them and its agent stops them.
// A node last heard before this controller started (the plane was down or restarted, or another
// plane led) is judged from the start instead, with restartGraceMs more (as kube-controller-manager
// takes its first look at a node as its probe time): the nodes were not silent, the plane was, and
// its agents come back within their reconnect back-off — else a plane restarted after an outage
// would evict every pod of the fleet.
import { resourceByKind, type Lease, type Node, type Pod } from '../../api/index.ts'
import {
  Controller,
  keyOf,
  type ControllerContext,
  type Informer,
  type Result,
} from './kit/index.ts'
import {
  evictionAt,
  isDaemonSetPod,
  lastHeard,
  readyOf,
  wantedTaint,
  withLifecycleTaint,
  withStatusUnknown,
} from './node-taints.ts'

const NODES = resourceByKind('Node')!
const PODS = resourceByKind('Pod')!
const LEASES = resourceByKind('Lease', 'coordination.k8s.io')!
const LEASE_NAMESPACE = 'kube-node-lease'

export interface NodeLifecycleOptions {
  /** a node whose Lease is older than this is Unknown (default 5000 ms) */
  gracePeriodMs?: number
  /** how long a pod without its own toleration for the unreachable / not-ready taint stays
   * on such a node (default 5 s) */
  defaultTolerationSeconds?: number
  /** a node last heard before the controller started gets this long after the start, beside the
   * grace period, to be heard from (default 30 s: the agents' longest reconnect back-off) */
  restartGraceMs?: number
}

export const DEFAULT_NODE_GRACE_MS = 5000
export const DEFAULT_TOLERATION_SECONDS = 5
export const DEFAULT_RESTART_GRACE_MS = 30_000

interface State {
  nodes: Informer<Node>
  leases: Informer<Lease>
  pods: Informer<Pod>
  /** node name → keys of the pods bound to it */
  onNode: Map<string, Set<string>>
  graceMs: number
  tolerationSeconds: number
  /** the controller's start: no node is judged silent for the time before it */
  startedAt: number
  restartGraceMs: number
}

export function nodeLifecycleController(
  ctx: ControllerContext,
  o: { nodeLifecycle?: NodeLifecycleOptions } = {},
): Controller {
  const s: State = {
    nodes: ctx.informers.for<Node>(NODES),
    leases: ctx.informers.for<Lease>(LEASES),
    pods: ctx.informers.for<Pod>(PODS),
    onNode: new Map(),
    graceMs: o.nodeLifecycle?.gracePeriodMs ?? DEFAULT_NODE_GRACE_MS,
    tolerationSeconds: o.nodeLifecycle?.defaultTolerationSeconds ?? DEFAULT_TOLERATION_SECONDS,
    startedAt: ctx.clock.now(),
    restartGraceMs: o.nodeLifecycle?.restartGraceMs ?? DEFAULT_RESTART_GRACE_MS,
  }
  const c = new Controller('node-lifecycle', (key) => reconcile(ctx, s, key), ctx)
  s.nodes.on({ added: (n) => c.enqueue(keyOf(n)), updated: (n) => c.enqueue(keyOf(n)) })
  const leased = (l: Lease) => {
    if (l.metadata.namespace === LEASE_NAMESPACE) c.enqueue(l.metadata.name!)
  }
  s.leases.on({ added: leased, updated: leased })
  const bind = (p: Pod, on: boolean) => {
    const node = p.spec?.nodeName
    if (!node) return
    let set = s.onNode.get(node)
    if (!set) s.onNode.set(node, (set = new Set()))
    if (on) set.add(keyOf(p))
    else if (set.delete(keyOf(p)) && !set.size) s.onNode.delete(node)
  }
  s.pods.on({
    added: (p) => (bind(p, true), p.spec?.nodeName && c.enqueue(p.spec.nodeName)),
    updated: (p, old) => {
      bind(old, false)
      bind(p, true)
      if (p.spec?.nodeName && p.spec.nodeName !== old.spec?.nodeName) c.enqueue(p.spec.nodeName)
    },
    deleted: (p) => bind(p, false),
  })
  return c
}

export async function reconcile(
  ctx: ControllerContext,
  s: State,
  key: string,
): Promise<Result | void> {
  let node = s.nodes.cache.get(key)
  if (!node) return
  const now = ctx.clock.now()
  const last = lastHeard(node, s.leases.cache.get(`${LEASE_NAMESPACE}/${key}`))
  const heard = last !== undefined && last < s.startedAt ? s.startedAt + s.restartGraceMs : last
  const silent = heard !== undefined && now - heard > s.graceMs
  let next: Node = node
  if (silent && readyOf(node)?.status !== 'Unknown') {
    next = withStatusUnknown(node, now)
    ctx.log.info('node stopped posting its status', { node: key, silentMs: now - heard })
  }
  next = withLifecycleTaint(next, wantedTaint(next), now) ?? next
  if (next !== node) {
    node = (await ctx.store.replace(NODES, node, next)) as Node
    await s.nodes.seen(Number(node.metadata.resourceVersion))
  }
  const waits: number[] = []
  if (heard !== undefined && !silent) waits.push(heard + s.graceMs - now + 1)
  const evictIn = await evictPods(ctx, s, node, now)
  if (evictIn !== undefined) waits.push(evictIn)
  if (waits.length) return { requeueAfter: Math.max(1, Math.min(...waits)) }
}

/** deletes the node's pods whose time is up; ms until the next one's, if any */
async function evictPods(ctx: ControllerContext, s: State, node: Node, now: number) {
  const taints = (node.spec?.taints ?? []).filter((t) => t.effect === 'NoExecute')
  if (!taints.length) return undefined
  let next: number | undefined
  const failures: unknown[] = []
  for (const key of s.onNode.get(node.metadata.name!) ?? []) {
    const pod = s.pods.cache.get(key)
    if (!pod || isDaemonSetPod(pod)) continue
    const at = evictionAt(pod, taints, s.tolerationSeconds)
    if (at === undefined) continue
    if (at > now) {
      next = Math.min(next ?? Infinity, at - now)
      continue
    }
    try {
      await ctx.store.remove(PODS, pod)
      const message = `Marking for deletion Pod ${key}`
      ctx.events.event({ info: PODS, obj: pod }, { reason: 'TaintManagerEviction', message })
      ctx.log.info('pod evicted from its node', { pod: key, node: node.metadata.name })
    } catch (err) {
      failures.push(err)
    }
  }
  if (failures.length) throw failures[0]
  return next
}
