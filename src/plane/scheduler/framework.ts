// One scheduling cycle, as kube-scheduler's: filter the nodes (from a rotating start, stopping
// once enough fit: percentageOfNodesToScore), score those that fit, take the best. A pod that
// fits nowhere gets why, counted over every node: "0/5 nodes are available: 2 Insufficient
// memory, 3 node(s) had untolerated taint {k: v}." (reasons sorted, as kube-scheduler sorts them).
import type { FilterPlugin, NodeView, PodView, ScoreContext, ScorePlugin } from './types.ts'
import type { SchedulerCache } from './cache.ts'

export type Placement = { node: NodeView } | { unschedulable: string }

/** Kubernetes' adaptive default: 50% less 1% per 125 nodes, at least 5%, at least 100 nodes */
export function nodesToFind(all: number, percentage?: number): number {
  if (all < 100) return all
  const pct = percentage ?? Math.max(5, 50 - Math.floor(all / 125))
  return Math.min(all, Math.max(100, Math.floor((all * pct) / 100)))
}

export function unschedulableMessage(total: number, reasons: Map<string, number>): string {
  if (!total) return 'no nodes available to schedule pods'
  const parts = [...reasons].map(([why, n]) => `${n} ${why}`).sort()
  return `0/${total} nodes are available: ${parts.join(', ')}.`
}

function scoreContext(pod: PodView, cache: SchedulerCache): ScoreContext {
  const byNode = pod.owner ? cache.ownerNodes(pod.owner) : undefined
  const ctx: ScoreContext = { ownerNodes: byNode, ownerMaxPerNode: 0, ownerByLabel: [] }
  if (!byNode) return ctx
  for (const n of byNode.values()) if (n > ctx.ownerMaxPerNode) ctx.ownerMaxPerNode = n
  ctx.ownerByLabel = pod.spreadKeys.map((key) => cache.ownerByLabel(pod.owner!, key))
  return ctx
}

export class Framework {
  readonly #filters: FilterPlugin[]
  readonly #scores: ScorePlugin[]
  readonly #percentage?: number
  #next = 0

  constructor(o: {
    filters: FilterPlugin[]
    scores: ScorePlugin[]
    percentageOfNodesToScore?: number
  }) {
    this.#filters = o.filters
    this.#scores = o.scores
    this.#percentage = o.percentageOfNodesToScore
  }

  /** the first filter that refuses, with its reasons */
  #refusal(pod: PodView, node: NodeView): string | string[] | undefined {
    for (const f of this.#filters) {
      const why = f.filter(pod, node)
      if (why !== undefined && (typeof why === 'string' || why.length)) return why
    }
    return undefined
  }

  schedule(pod: PodView, cache: SchedulerCache): Placement {
    const nodes = cache.nodes()
    const all = nodes.length
    const want = nodesToFind(all, this.#percentage)
    const start = all ? this.#next % all : 0
    const reasons = new Map<string, number>()
    let ctx: ScoreContext | undefined
    let best: NodeView | undefined
    let bestScore = -1
    let found = 0
    let i = 0
    for (; i < all && found < want; i++) {
      const node = nodes[(start + i) % all]
      const why = this.#refusal(pod, node)
      if (why !== undefined) {
        for (const r of typeof why === 'string' ? [why] : why)
          reasons.set(r, (reasons.get(r) ?? 0) + 1)
        continue
      }
      found++
      ctx ??= scoreContext(pod, cache)
      let score = 0
      for (const s of this.#scores) score += s.weight * s.score(pod, node, ctx)
      if (score > bestScore) {
        best = node
        bestScore = score
      }
    }
    this.#next = start + i
    return best ? { node: best } : { unschedulable: unschedulableMessage(all, reasons) }
  }
}
