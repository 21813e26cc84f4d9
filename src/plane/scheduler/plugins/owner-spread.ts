// OwnerSpread (kube-scheduler's SelectorSpread, by owner): the replicas of one owner go where
// fewest of them are — across nodes, and across each spread label (topology.kubernetes.io/zone
// by default, or the topologyKeys of the pod's topologySpreadConstraints); labels weigh 2/3
// against nodes' 1/3 when the node has them, as kube-scheduler weighs zones.
import { MAX_SCORE, type ScorePlugin } from '../types.ts'

export const ZONE_LABEL = 'topology.kubernetes.io/zone'

/** fewer is better: count 0 scores MAX_SCORE, the most crowded 0 */
const fewer = (count: number, max: number) =>
  max > 0 ? (MAX_SCORE * (max - count)) / max : MAX_SCORE

export const ownerSpread: ScorePlugin = {
  name: 'OwnerSpread',
  weight: 2,
  score(_pod, node, ctx) {
    if (!ctx.ownerNodes) return MAX_SCORE // the first of its owner, or none: every node alike
    const byNode = fewer(ctx.ownerNodes.get(node.name) ?? 0, ctx.ownerMaxPerNode)
    let sum = 0
    let n = 0
    for (let i = 0; i < ctx.ownerByLabel.length; i++) {
      const spread = ctx.ownerByLabel[i]
      const value = node.labels[spread.key]
      if (value === undefined) continue
      sum += fewer(spread.counts.get(value) ?? 0, spread.max)
      n++
    }
    return n ? byNode / 3 + ((sum / n) * 2) / 3 : byNode
  },
}
