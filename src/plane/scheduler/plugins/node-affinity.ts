// NodeAffinity: the pod's nodeSelector (every label equal) and its required node affinity
// (any term whose expressions all hold: In, NotIn, Exists, DoesNotExist, Gt, Lt; matchFields on
// metadata.name, as DaemonSet pods name their node). The architecture a component is built for
// is asked this way too: a nodeSelector or affinity on kubernetes.io/arch against the label each
// node reports. The matching itself is src/api's (fitsNodeAffinity), which the DaemonSet
// controller asks too.
import { fitsNodeAffinity } from '../../../api/index.ts'
import type { FilterPlugin } from '../types.ts'

export { requirementHolds } from '../../../api/index.ts'

export const AFFINITY_MISMATCH = "node(s) didn't match Pod's node affinity/selector"

export const nodeAffinity: FilterPlugin = {
  name: 'NodeAffinity',
  filter: (pod, node) => (fitsNodeAffinity(pod.pod.spec, node) ? undefined : AFFINITY_MISMATCH),
}
