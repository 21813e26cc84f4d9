// The garbage collector's view of who owns whom (Kubernetes' GraphBuilder, without its virtual
// nodes): every object the informers hold, by uid, with its ownerReferences, and for each owner
// uid the uids of the objects that name it — whether or not the owner itself has been seen (a
// dependent whose owner is absent is what the collector looks at). Kept by informer events only;
// what it answers may lag the store, so the collector reads objects again before it writes.
import {
  deletingWith,
  FOREGROUND_FINALIZER,
  ORPHAN_FINALIZER,
  type KubeObject,
  type OwnerReference,
  type ResourceInfo,
} from '../../api/index.ts'
import { keyOf } from './kit/index.ts'

export interface GraphNode {
  info: ResourceInfo
  /** "namespace/name" (the informer's key) */
  key: string
  uid: string
  owners: readonly OwnerReference[]
  /** marked for deletion with foregroundDeletion: it waits for its blocking dependents */
  deletingDependents: boolean
  /** marked for deletion with orphan: it waits for its dependents to be let go */
  orphaning: boolean
}

export class OwnerGraph {
  #nodes = new Map<string, GraphNode>()
  /** owner uid → uids of the objects whose ownerReferences name it */
  #dependents = new Map<string, Set<string>>()

  get(uid: string): GraphNode | undefined {
    return this.#nodes.get(uid)
  }

  /** the objects seen naming `uid` as an owner */
  dependents(uid: string): GraphNode[] {
    const out: GraphNode[] = []
    for (const d of this.#dependents.get(uid) ?? []) {
      const n = this.#nodes.get(d)
      if (n) out.push(n)
    }
    return out
  }

  /** records `obj` as it is now; answers its node */
  put(info: ResourceInfo, obj: KubeObject): GraphNode {
    const uid = obj.metadata.uid!
    this.remove(uid)
    const node: GraphNode = {
      info,
      key: keyOf(obj),
      uid,
      owners: obj.metadata.ownerReferences ?? [],
      deletingDependents: deletingWith(obj, FOREGROUND_FINALIZER),
      orphaning: deletingWith(obj, ORPHAN_FINALIZER),
    }
    this.#nodes.set(uid, node)
    for (const r of node.owners) {
      let set = this.#dependents.get(r.uid)
      if (!set) this.#dependents.set(r.uid, (set = new Set()))
      set.add(uid)
    }
    return node
  }

  /** forgets the object `uid` (its own dependents keep naming it) */
  remove(uid: string): GraphNode | undefined {
    const old = this.#nodes.get(uid)
    if (!old) return undefined
    this.#nodes.delete(uid)
    for (const r of old.owners) {
      const set = this.#dependents.get(r.uid)
      set?.delete(uid)
      if (set?.size === 0) this.#dependents.delete(r.uid)
    }
    return old
  }
}
