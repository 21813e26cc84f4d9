// NodeAffinity: the pod's nodeSelector (every label equal) and its required node affinity
// (any term whose expressions all hold: In, NotIn, Exists, DoesNotExist, Gt, Lt; matchFields on
// metadata.name). The architecture a component is built for is asked this way too: a
// nodeSelector or affinity on kubernetes.io/arch against the label each node reports.
import type { NodeSelectorRequirement, NodeSelectorTerm } from '../../../api/index.ts'
import type { FilterPlugin, NodeView } from '../types.ts'

export const AFFINITY_MISMATCH = "node(s) didn't match Pod's node affinity/selector"

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

/** a term with no requirements matches nothing, as in Kubernetes */
function termHolds(term: NodeSelectorTerm, node: NodeView): boolean {
  const exprs = term.matchExpressions ?? []
  const fields = term.matchFields ?? []
  if (!exprs.length && !fields.length) return false
  const named = { 'metadata.name': node.name }
  return (
    exprs.every((r) => requirementHolds(r, node.labels)) &&
    fields.every((r) => requirementHolds(r, named))
  )
}

export const nodeAffinity: FilterPlugin = {
  name: 'NodeAffinity',
  filter(pod, node) {
    const spec = pod.pod.spec
    const selector = spec.nodeSelector
    if (selector)
      for (const k in selector) if (node.labels[k] !== selector[k]) return AFFINITY_MISMATCH
    const terms =
      spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms
    if (terms && !terms.some((t) => termHolds(t, node))) return AFFINITY_MISMATCH
    return undefined
  },
}
