// The scheduler's view of the cluster: a NodeView per node with what the pods bound to it
// request, kept as pods are bound (assumed at once by the scheduler, confirmed by the watch)
// and deleted. Usage is kept per node name, so pods bound to a node not seen yet count once
// it appears. Terminal pods (Succeeded, Failed) hold nothing.
import { parseCpu, parseMemory, parseQuantity, type Node, type Pod } from '../../api/index.ts'
import type { NodeView, Requests } from './types.ts'
import { scoredRequests } from './plugins/least-allocated.ts'

interface Usage {
  requested: Requests & { pods: number }
  scored: Requests
  owners: Map<string, number>
}

export interface LabelCounts {
  key: string
  counts: Map<string, number>
  /** the most on one value; -1: to be recounted */
  max: number
}

export interface BoundPod {
  node: string
  requests: Requests
  owner?: string
}

const num = (q: unknown, parse: (q: string | number) => number | undefined) =>
  typeof q === 'string' || typeof q === 'number' ? (parse(q) ?? 0) : 0

function readiness(node: Node): NodeView['ready'] {
  const c = node.status?.conditions?.find((c) => c.type === 'Ready')
  return c?.status === 'True' ? 'True' : c?.status === 'False' ? 'False' : 'Unknown'
}

function imagesOf(node: Node): Set<string> {
  const out = new Set<string>()
  for (const i of node.status?.images ?? []) for (const n of i.names ?? []) out.add(n)
  return out
}

function sameLabels(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a)
  if (keys.length !== Object.keys(b).length) return false
  for (const k of keys) if (a[k] !== b[k]) return false
  return true
}

export function isTerminal(pod: Pod): boolean {
  const phase = pod.status?.phase
  return phase === 'Succeeded' || phase === 'Failed'
}

export class SchedulerCache {
  readonly #nodes = new Map<string, NodeView>()
  readonly #usage = new Map<string, Usage>()
  readonly #pods = new Map<string, BoundPod>()
  /** owner uid → node → pods */
  readonly #owners = new Map<string, Map<string, number>>()
  /** owner uid → label key → its pods per value of that label (ownerByLabel) */
  readonly #ownerLabels = new Map<string, Map<string, LabelCounts>>()
  #list: NodeView[] | undefined

  #usageOf(node: string): Usage {
    let u = this.#usage.get(node)
    if (!u) {
      u = {
        requested: { cpu: 0, memory: 0, pods: 0 },
        scored: { cpu: 0, memory: 0 },
        owners: new Map(),
      }
      this.#usage.set(node, u)
    }
    return u
  }

  setNode(node: Node): NodeView {
    const name = node.metadata.name!
    const a = node.status?.allocatable ?? node.status?.capacity ?? {}
    const u = this.#usageOf(name)
    const view: NodeView = {
      name,
      node,
      labels: node.metadata.labels ?? {},
      ready: readiness(node),
      unschedulable: node.spec?.unschedulable === true,
      taints: node.spec?.taints ?? [],
      allocatable: {
        cpu: num(a.cpu, parseCpu),
        memory: num(a.memory, parseMemory),
        pods: num(a.pods, parseQuantity),
      },
      requested: u.requested,
      scored: u.scored,
      images: imagesOf(node),
      owners: u.owners,
    }
    const old = this.#nodes.get(name)
    if (!old || !sameLabels(old.labels, view.labels)) this.#ownerLabels.clear() // recounted on demand
    if (!old) this.#list = undefined
    else if (this.#list) this.#list[this.#list.indexOf(this.#nodes.get(name)!)] = view
    this.#nodes.set(name, view)
    return view
  }

  removeNode(name: string): void {
    if (!this.#nodes.delete(name)) return
    this.#list = undefined
    this.#ownerLabels.clear()
  }

  /** every node, in a stable order while none is added or removed */
  nodes(): readonly NodeView[] {
    return (this.#list ??= [...this.#nodes.values()])
  }

  node(name: string): NodeView | undefined {
    return this.#nodes.get(name)
  }

  /** the pod's requests counted on its node (again: a changed binding moves them) */
  addPod(key: string, bound: BoundPod): void {
    this.removePod(key)
    this.#pods.set(key, bound)
    this.#count(bound, 1)
  }

  removePod(key: string): boolean {
    const old = this.#pods.get(key)
    if (!old) return false
    this.#pods.delete(key)
    this.#count(old, -1)
    return true
  }

  /** the keys of every pod counted on a node */
  podKeys(): string[] {
    return [...this.#pods.keys()]
  }

  boundPod(key: string): BoundPod | undefined {
    return this.#pods.get(key)
  }

  /** node → pods of this owner */
  ownerNodes(owner: string): ReadonlyMap<string, number> | undefined {
    return this.#owners.get(owner)
  }

  /**
   * value of label `key` → pods of this owner on nodes with that value, and the most on one
   * value: counted from the owner's nodes on the first ask, then kept as pods come and go
   */
  ownerByLabel(owner: string, key: string): LabelCounts {
    let byKey = this.#ownerLabels.get(owner)
    if (!byKey) this.#ownerLabels.set(owner, (byKey = new Map()))
    let lc = byKey.get(key)
    if (!lc) {
      lc = { key, counts: new Map(), max: 0 }
      for (const [node, n] of this.#owners.get(owner) ?? []) {
        const v = this.#nodes.get(node)?.labels[key]
        if (v !== undefined) lc.counts.set(v, (lc.counts.get(v) ?? 0) + n)
      }
      byKey.set(key, lc)
    }
    if (lc.max < 0) for (const c of lc.counts.values()) lc.max = Math.max(lc.max, c)
    else if (lc.max === 0) for (const c of lc.counts.values()) if (c > lc.max) lc.max = c
    return lc
  }

  /** the owner's label counts kept current for one pod more (+1) or less (-1) on `node` */
  #countLabels(owner: string, node: string, sign: 1 | -1): void {
    const byKey = this.#ownerLabels.get(owner)
    if (!byKey) return
    const labels = this.#nodes.get(node)?.labels
    if (!labels) {
      this.#ownerLabels.delete(owner) // counted again on the next ask
      return
    }
    for (const lc of byKey.values()) {
      const v = labels[lc.key]
      if (v === undefined) continue
      const c = (lc.counts.get(v) ?? 0) + sign
      if (c > 0) lc.counts.set(v, c)
      else lc.counts.delete(v)
      if (sign > 0 && c > lc.max) lc.max = c
      else if (sign < 0 && c + 1 === lc.max) lc.max = -1 // the most may have dropped: recounted
    }
  }

  #count(b: BoundPod, sign: 1 | -1): void {
    const u = this.#usageOf(b.node)
    const s = scoredRequests(b.requests)
    u.requested.pods += sign
    u.requested.cpu += sign * b.requests.cpu
    u.requested.memory += sign * b.requests.memory
    u.scored.cpu += sign * s.cpu
    u.scored.memory += sign * s.memory
    if (!b.owner) return
    const n = (u.owners.get(b.owner) ?? 0) + sign
    if (n > 0) u.owners.set(b.owner, n)
    else u.owners.delete(b.owner)
    let byNode = this.#owners.get(b.owner)
    if (!byNode) this.#owners.set(b.owner, (byNode = new Map()))
    if (n > 0) byNode.set(b.node, n)
    else byNode.delete(b.node)
    if (!byNode.size) this.#owners.delete(b.owner)
    this.#countLabels(b.owner, b.node, sign)
  }
}
