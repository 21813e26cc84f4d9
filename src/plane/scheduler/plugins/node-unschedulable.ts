// NodeUnschedulable: a cordoned node (spec.unschedulable) takes no pods, unless the pod
// tolerates the node.kubernetes.io/unschedulable:NoSchedule taint, as in Kubernetes.
import type { FilterPlugin } from '../types.ts'
import { tolerates } from './taint-toleration.ts'

export const UNSCHEDULABLE = 'node(s) were unschedulable'
const CORDON = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' as const }

export const nodeUnschedulable: FilterPlugin = {
  name: 'NodeUnschedulable',
  filter: (pod, node) =>
    node.unschedulable && !tolerates(pod.pod.spec.tolerations, CORDON) ? UNSCHEDULABLE : undefined,
}
