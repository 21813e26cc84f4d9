// Where a pod may go, as Kubernetes' component-helpers/scheduling/corev1 has it for the
// scheduler and the DaemonSet controller alike: its nodeSelector and required node affinity
// against a node (nodeaffinity.GetRequiredNodeAffinity(pod).Match), and its tolerations against
// a node's taints (ToleratesTaint, FindMatchingUntoleratedTaint). Pure functions.
import type {
  NodeSelectorRequirement,
  NodeSelectorTerm,
  PodSpec,
  Taint,
  Toleration,
} from '../types/index.ts'

/** what placement reads off a node: its name (matchFields metadata.name) and labels */
export interface NodeIdentity {
  name: string
  labels: Record<string, string>
}

const INTEGER = /^-?\d+$/

/** one requirement over a map of labels (or fields), as Kubernetes' nodeSelectorRequirement */
export function requirementHolds(
  r: NodeSelectorRequirement,
  labels: Record<string, string>,
): boolean {
  const has = Object.hasOwn(labels, r.key)
  const v = has ? labels[r.key] : undefined
  switch (r.operator) {
    case 'In':
      return has && (r.values ?? []).includes(v!)
    case 'NotIn':
      return !has || !(r.values ?? []).includes(v!)
    case 'Exists':
      return has
    case 'DoesNotExist':
      return !has
    case 'Gt':
    case 'Lt': {
      const want = r.values?.[0]
      if (!has || !INTEGER.test(v!) || want === undefined || !INTEGER.test(want)) return false
      return r.operator === 'Gt' ? Number(v) > Number(want) : Number(v) < Number(want)
    }
  }
  return false
}

/** a term with no requirements matches nothing, as in Kubernetes; matchFields knows
 * metadata.name only */
export function nodeSelectorTermHolds(term: NodeSelectorTerm, node: NodeIdentity): boolean {
  const exprs = term.matchExpressions ?? []
  const fields = term.matchFields ?? []
  if (!exprs.length && !fields.length) return false
  const named = { 'metadata.name': node.name }
  return (
    exprs.every((r) => requirementHolds(r, node.labels)) &&
    fields.every((r) => requirementHolds(r, named))
  )
}

/** the pod's nodeSelector (every label equal) and required node affinity (any term) hold */
export function fitsNodeAffinity(
  spec: Pick<PodSpec, 'nodeSelector' | 'affinity'>,
  node: NodeIdentity,
) {
  const selector = spec.nodeSelector
  if (selector) for (const k in selector) if (node.labels[k] !== selector[k]) return false
  const terms =
    spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms
  return !terms || terms.some((t) => nodeSelectorTermHolds(t, node))
}

/** Kubernetes' ToleratesTaint: empty key with Exists matches every key; empty effect every effect */
export function toleratesTaint(t: Toleration, taint: Pick<Taint, 'key' | 'value' | 'effect'>) {
  if (t.effect && t.effect !== taint.effect) return false
  if (t.key && t.key !== taint.key) return false
  if (!t.key && t.operator !== 'Exists') return false
  if (t.operator === 'Exists') return true
  return (t.value ?? '') === (taint.value ?? '')
}

export function tolerates(
  tolerations: Toleration[] | undefined,
  taint: Pick<Taint, 'key' | 'value' | 'effect'>,
): boolean {
  return !!tolerations?.some((t) => toleratesTaint(t, taint))
}

/** the first of the taints that `keep` picks and no toleration tolerates
 * (FindMatchingUntoleratedTaint) */
export function untoleratedTaint(
  taints: Taint[] | undefined,
  tolerations: Toleration[] | undefined,
  keep: (t: Taint) => boolean,
): Taint | undefined {
  return taints?.find((t) => keep(t) && !tolerates(tolerations, t))
}
