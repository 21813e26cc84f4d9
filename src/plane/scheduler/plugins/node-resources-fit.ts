// NodeResourcesFit: the pod's cpu and memory requests fit in what the node's allocatable
// leaves after the pods bound to it, and the node has room for one more pod. Every shortfall
// is a reason of its own ("Insufficient cpu", "Insufficient memory", "Too many pods").
import type { FilterPlugin } from '../types.ts'

export const nodeResourcesFit: FilterPlugin = {
  name: 'NodeResourcesFit',
  filter(pod, node) {
    const a = node.allocatable
    const r = node.requested
    let reasons: string[] | undefined
    if (r.pods + 1 > a.pods) (reasons ??= []).push('Too many pods')
    if (pod.requests.cpu > 0 && r.cpu + pod.requests.cpu > a.cpu)
      (reasons ??= []).push('Insufficient cpu')
    if (pod.requests.memory > 0 && r.memory + pod.requests.memory > a.memory)
      (reasons ??= []).push('Insufficient memory')
    return reasons
  },
}
