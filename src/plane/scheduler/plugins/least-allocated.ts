// NodeResourcesLeastAllocated: the node with the largest share of cpu and memory free after
// the pod scores highest (both weigh the same). Requests as scored: a pod that requests
// nothing still counts as 100m and 200Mi, as kube-scheduler's non-zero defaults.
import { MAX_SCORE, type Requests, type ScorePlugin } from '../types.ts'

export const DEFAULT_CPU = 100
export const DEFAULT_MEMORY = 200 * 1024 * 1024

/** the pod's requests as scoring counts them */
export const scoredRequests = (r: Requests): Requests => ({
  cpu: r.cpu || DEFAULT_CPU,
  memory: r.memory || DEFAULT_MEMORY,
})

function free(used: number, capacity: number): number {
  if (capacity <= 0 || used >= capacity) return 0
  return ((capacity - used) * MAX_SCORE) / capacity
}

export const leastAllocated: ScorePlugin = {
  name: 'NodeResourcesLeastAllocated',
  weight: 1,
  score(pod, node) {
    const cpu = free(node.scored.cpu + (pod.requests.cpu || DEFAULT_CPU), node.allocatable.cpu)
    const mem = free(
      node.scored.memory + (pod.requests.memory || DEFAULT_MEMORY),
      node.allocatable.memory,
    )
    return (cpu + mem) / 2
  },
}
