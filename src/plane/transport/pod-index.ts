// The pods bound to each node, as the node needs them, kept from a list and a watch of the
// store. Each change says which nodes' sets changed and at which store revision; a change the
// node cannot see (status, labels, a new resourceVersion from a status write) changes nothing,
// so a node's own status reports do not echo back to it as new desired states.
// Each entry keeps only what a node's desired state is made of (desired-state.ts): the pod's
// identity, resourceVersion, deletion and spec — not its status, labels or owners — and its view
// as a digest: at 10,000 pods the whole objects and their views as JSON were tens of MB.
import { createHash } from 'node:crypto'
import type { Pod } from '../../api/index.ts'

export interface PodEntry {
  /** store key */
  key: string
  node: string
  /** the pod as the node's desired state needs it (slimPod) */
  pod: Pod
  /** a digest of what of the pod the node sees: equal views, same desired pod */
  view: string
}

interface NodeSet {
  pods: Map<string, PodEntry>
  /** store revision of the last change to this set */
  revision: number
}

const viewOf = (p: Pod) =>
  createHash('sha1')
    .update(
      JSON.stringify([
        p.metadata.uid,
        p.spec,
        p.metadata.deletionTimestamp,
        p.metadata.deletionGracePeriodSeconds,
      ]),
    )
    .digest('base64')

/** what desiredPod reads of a pod, and nothing else */
export function slimPod(p: Pod): Pod {
  const m = p.metadata
  const metadata: Pod['metadata'] = {
    name: m.name,
    namespace: m.namespace,
    uid: m.uid,
    resourceVersion: m.resourceVersion,
  }
  if (m.deletionTimestamp) metadata.deletionTimestamp = m.deletionTimestamp
  if (m.deletionGracePeriodSeconds !== undefined)
    metadata.deletionGracePeriodSeconds = m.deletionGracePeriodSeconds
  return { metadata, spec: p.spec }
}

const entryOf = (key: string, node: string, pod: Pod): PodEntry => ({
  key,
  node,
  pod: slimPod(pod),
  view: viewOf(pod),
})

export class PodIndex {
  #byKey = new Map<string, PodEntry>()
  #nodes = new Map<string, NodeSet>()
  /** the revision of the last rebuild: a node with no set of its own is empty as of then */
  #base = 0

  /** the node's pods (store key order) and the revision their set reflects */
  setOf(node: string): { pods: PodEntry[]; revision: number } {
    const set = this.#nodes.get(node)
    if (!set) return { pods: [], revision: this.#base }
    const pods = [...set.pods.values()].sort((a, b) => (a.key < b.key ? -1 : 1))
    return { pods, revision: set.revision }
  }

  /** the nodes that have (or had) pods bound to them */
  nodes(): string[] {
    return [...this.#nodes.keys()]
  }

  /** the revision the node's set reflects */
  revisionOf(node: string): number {
    return this.#nodes.get(node)?.revision ?? this.#base
  }

  /** a pod written at `revision` (undefined: deleted); returns the nodes whose sets changed */
  apply(key: string, pod: Pod | undefined, revision: number): string[] {
    const old = this.#byKey.get(key)
    const node = pod?.spec?.nodeName || undefined
    const entry = pod && node ? entryOf(key, node, pod) : undefined
    if (entry) this.#byKey.set(key, entry)
    else this.#byKey.delete(key)
    if (old && entry && old.node === entry.node && old.view === entry.view) {
      this.#set(entry.node).pods.set(key, entry) // the newest object; the node sees no change
      return []
    }
    const changed: string[] = []
    if (old) {
      const set = this.#set(old.node)
      set.pods.delete(key)
      set.revision = revision
      changed.push(old.node)
    }
    if (entry) {
      const set = this.#set(entry.node)
      set.pods.set(key, entry)
      set.revision = revision
      if (!changed.includes(entry.node)) changed.push(entry.node)
    }
    return changed
  }

  /**
   * Everything again from a list at `revision`; returns the nodes whose sets differ from
   * before (their revision becomes `revision`; the others keep theirs).
   */
  rebuild(pods: { key: string; pod: Pod }[], revision: number): string[] {
    const byKey = new Map<string, PodEntry>()
    const fresh = new Map<string, NodeSet>()
    for (const { key, pod } of pods) {
      const node = pod.spec?.nodeName
      if (!node) continue
      const entry = entryOf(key, node, pod)
      byKey.set(key, entry)
      let set = fresh.get(node)
      if (!set) fresh.set(node, (set = { pods: new Map(), revision }))
      set.pods.set(key, entry)
    }
    const changed: string[] = []
    for (const node of new Set([...this.#nodes.keys(), ...fresh.keys()])) {
      const old = this.#nodes.get(node)
      const now = fresh.get(node)
      if (viewsOf(old) === viewsOf(now)) {
        if (old) fresh.set(node, { pods: now?.pods ?? new Map(), revision: old.revision })
        continue
      }
      if (!now) fresh.set(node, { pods: new Map(), revision })
      changed.push(node)
    }
    this.#byKey = byKey
    this.#nodes = fresh
    this.#base = revision
    return changed
  }

  #set(node: string): NodeSet {
    let set = this.#nodes.get(node)
    if (!set) this.#nodes.set(node, (set = { pods: new Map(), revision: this.#base }))
    return set
  }
}

function viewsOf(set: NodeSet | undefined): string {
  if (!set) return '[]'
  return JSON.stringify([...set.pods.values()].map((e) => [e.key, e.view]).sort())
}
