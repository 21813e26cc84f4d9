// The node lifecycle's rules as pure functions: when a node counts as silent (its Lease, or the
// Ready heartbeat the plane stamped, older than the grace period), the Node with its conditions
// Unknown as Kubernetes' node lifecycle controller writes them, the NoExecute taint its Ready
// condition calls for, and how long a pod may stay on a node with NoExecute taints
// (Kubernetes' taint manager: the shortest tolerationSeconds among its matching tolerations,
// forever when none sets one, at once when a taint is not tolerated — except the two taints
// the node lifecycle puts, which a pod without a toleration for them outlives by the default,
// as Kubernetes' DefaultTolerationSeconds admission gives every pod).
import type { Condition, Lease, Node, Pod, Taint, Toleration } from '../../api/index.ts'

export const UNREACHABLE = 'node.kubernetes.io/unreachable'
export const NOT_READY = 'node.kubernetes.io/not-ready'
export const STOPPED_POSTING = 'Kubelet stopped posting node status.'

const time = (s: string | undefined) => (s ? Date.parse(s) : NaN)

/** RFC 3339 in whole seconds, as the API writes times */
export const stamp = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')

export const readyOf = (node: Node): Condition | undefined =>
  node.status?.conditions?.find((c) => c.type === 'Ready')

/** when the plane last heard the node (ms): its Lease's renewTime or its Ready heartbeat, the
 * later; undefined for a node that never had a Lease (registered by hand: judged by its Ready
 * condition alone) */
export function lastHeard(node: Node, lease: Lease | undefined): number | undefined {
  if (!lease) return undefined
  const heard = [time(lease.spec?.renewTime), time(readyOf(node)?.lastHeartbeatTime)]
  const known = heard.filter((t) => !Number.isNaN(t))
  return known.length ? Math.max(...known) : undefined
}

/** every condition Unknown ("Kubelet stopped posting node status."), Ready added if missing */
export function withStatusUnknown(node: Node, now: number): Node {
  const unknown = (c: Pick<Condition, 'type'>): Condition => ({
    ...c,
    status: 'Unknown',
    reason: 'NodeStatusUnknown',
    message: STOPPED_POSTING,
    lastTransitionTime: stamp(now),
  })
  const conditions = node.status?.conditions ?? []
  const next = conditions.map((c) => (c.status === 'Unknown' ? c : unknown(c)))
  if (!next.some((c) => c.type === 'Ready')) next.push(unknown({ type: 'Ready' }))
  return { ...node, status: { ...node.status, conditions: next } }
}

/** the lifecycle taint the node's Ready condition calls for, if any */
export function wantedTaint(node: Node): string | undefined {
  const ready = readyOf(node)?.status
  if (ready === 'Unknown') return UNREACHABLE
  if (ready === 'False') return NOT_READY
  return undefined
}

/** the node's taints with the lifecycle ones as `wanted` says; undefined when they already are */
export function withLifecycleTaint(node: Node, wanted: string | undefined, now: number) {
  const taints = node.spec?.taints ?? []
  const mine = (t: Taint) =>
    (t.key === UNREACHABLE || t.key === NOT_READY) && t.effect === 'NoExecute'
  const kept = taints.filter((t) => !mine(t) || t.key === wanted)
  const has = kept.some((t) => mine(t))
  if (kept.length === taints.length && (has || !wanted)) return undefined
  const next =
    wanted && !has
      ? [...kept, { key: wanted, effect: 'NoExecute' as const, timeAdded: stamp(now) }]
      : kept
  return { ...node, spec: { ...node.spec, taints: next } } satisfies Node
}

/** Kubernetes' ToleratesTaint */
function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false
  if (t.key && t.key !== taint.key) return false
  if (!t.key && t.operator !== 'Exists') return false
  if (t.operator === 'Exists') return true
  return (t.value ?? '') === (taint.value ?? '')
}

/**
 * When (ms) the pod is to be evicted from a node with these taints: undefined when never (no
 * NoExecute taint, or every one tolerated forever).
 */
export function evictionAt(pod: Pod, taints: Taint[], defaultSeconds: number): number | undefined {
  let at: number | undefined
  for (const taint of taints) {
    if (taint.effect !== 'NoExecute') continue
    const since = time(taint.timeAdded)
    const from = Number.isNaN(since) ? 0 : since
    const matching = (pod.spec.tolerations ?? []).filter((t) => tolerates(t, taint))
    const lifecycle = taint.key === UNREACHABLE || taint.key === NOT_READY
    let seconds: number | undefined
    if (!matching.length) seconds = lifecycle ? defaultSeconds : 0
    else {
      const set = matching.flatMap((t) =>
        t.tolerationSeconds === undefined ? [] : [t.tolerationSeconds],
      )
      if (set.length) seconds = Math.max(0, Math.min(...set))
    }
    if (seconds === undefined) continue
    const due = from + seconds * 1000
    at = at === undefined ? due : Math.min(at, due)
  }
  return at
}

export const isDaemonSetPod = (pod: Pod) =>
  !!pod.metadata.ownerReferences?.some((r) => r.controller && r.kind === 'DaemonSet')
