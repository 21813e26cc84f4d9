// The framework's contracts, as kube-scheduler's: a filter says whether a pod fits a node (a
// reason when it does not: a value, never a throw), a score ranks the nodes that fit (0–100,
// weighted). Both read views the cache keeps (PodView, NodeView), so plugins are pure functions.
import type { Node, Pod, Taint } from '../../api/index.ts'

export const MAX_SCORE = 100

/** cpu in millicores, memory in bytes */
export interface Requests {
  cpu: number
  memory: number
}

/** a pod as the plugins read it, computed once per pod */
export interface PodView {
  /** namespace/name */
  key: string
  pod: Pod
  requests: Requests
  /** the uid of the owner that controls it (a ReplicaSet's, a Job's…) */
  owner?: string
  /** labels besides kubernetes.io/hostname across which its owner's pods are spread */
  spreadKeys: string[]
  /** its containers' images */
  images: string[]
}

/** a node as the plugins read it: its object and what the pods bound to it request */
export interface NodeView {
  name: string
  node: Node
  labels: Record<string, string>
  /** Ready condition: True, False, or Unknown (absent counts as Unknown) */
  ready: 'True' | 'False' | 'Unknown'
  unschedulable: boolean
  taints: Taint[]
  allocatable: Requests & { pods: number }
  requested: Requests & { pods: number }
  /** requests as scored: a pod that requests nothing counts as 100m and 200Mi */
  scored: Requests
  /** image names and digests the node holds */
  images: ReadonlySet<string>
  /** owner uid → pods of that owner bound here */
  owners: Map<string, number>
}

/** why a pod does not fit a node (kube-scheduler's reasons); undefined: it fits */
export type FilterResult = string | string[] | undefined

export interface FilterPlugin {
  name: string
  filter(pod: PodView, node: NodeView): FilterResult
}

/** what a score may read besides the node: counts over every node, computed once per pod */
export interface ScoreContext {
  /** node → pods of the pod's owner there (undefined: none anywhere) */
  ownerNodes: ReadonlyMap<string, number> | undefined
  /** the most pods of the owner on one node */
  ownerMaxPerNode: number
  /** for each spread label: its key, and value → pods of the owner across that value's nodes */
  ownerByLabel: { key: string; counts: Map<string, number>; max: number }[]
}

export interface ScorePlugin {
  name: string
  weight: number
  /** 0–MAX_SCORE */
  score(pod: PodView, node: NodeView, ctx: ScoreContext): number
}
