// TaintToleration: a NoSchedule or NoExecute taint the pod does not tolerate keeps it off the
// node (the reason names the first such taint, as kube-scheduler's); PreferNoSchedule taints
// it does not tolerate lower the node's score. Toleration matching is src/api's (tolerates).
import { tolerates } from '../../../api/index.ts'
import { MAX_SCORE, type FilterPlugin, type ScorePlugin } from '../types.ts'

export { tolerates } from '../../../api/index.ts'

export const taintToleration: FilterPlugin = {
  name: 'TaintToleration',
  filter(pod, node) {
    for (const taint of node.taints) {
      if (taint.effect === 'PreferNoSchedule') continue
      if (!tolerates(pod.pod.spec.tolerations, taint))
        return `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`
    }
    return undefined
  },
}

/** each PreferNoSchedule taint not tolerated costs a quarter of the score */
export const preferNoSchedule: ScorePlugin = {
  name: 'TaintToleration',
  weight: 3,
  score(pod, node) {
    let n = 0
    for (const taint of node.taints)
      if (taint.effect === 'PreferNoSchedule' && !tolerates(pod.pod.spec.tolerations, taint)) n++
    return Math.max(0, MAX_SCORE - 25 * n)
  },
}
