// The objects of one kind as last seen, with the lookups controllers make: by key
// ("namespace/name"), every object of a namespace, every object whose controller
// ownerReference names a uid (a ReplicaSet's pods, a Deployment's ReplicaSets), and the objects
// of a namespace with no controller (the ones a controller may adopt).
import type { KubeObject } from '../../../api/index.ts'
import { keyOf } from './source.ts'

/** the uid of the object's controlling owner (ownerReferences[].controller), if any */
export function controllerOf(obj: KubeObject): string | undefined {
  return obj.metadata.ownerReferences?.find((r) => r.controller)?.uid
}

/** the owner index's key: the controller's uid, or for an orphan "\0" + its namespace */
const ownerKey = (obj: KubeObject) => controllerOf(obj) ?? `\0${obj.metadata.namespace ?? ''}`

function addTo(index: Map<string, Set<string>>, at: string | undefined, key: string): void {
  if (at === undefined) return
  let set = index.get(at)
  if (!set) index.set(at, (set = new Set()))
  set.add(key)
}

function removeFrom(index: Map<string, Set<string>>, at: string | undefined, key: string): void {
  if (at === undefined) return
  const set = index.get(at)
  set?.delete(key)
  if (set?.size === 0) index.delete(at)
}

export class Cache<T extends KubeObject = KubeObject> {
  #objects = new Map<string, T>()
  #byNamespace = new Map<string, Set<string>>()
  #byOwner = new Map<string, Set<string>>()

  get size(): number {
    return this.#objects.size
  }

  get(key: string): T | undefined {
    return this.#objects.get(key)
  }

  list(): T[] {
    return [...this.#objects.values()]
  }

  byNamespace(namespace: string): T[] {
    return this.#pick(this.#byNamespace.get(namespace))
  }

  /** objects whose controller ownerReference names `uid` */
  byOwner(uid: string): T[] {
    return this.#pick(this.#byOwner.get(uid))
  }

  /** objects of the namespace without a controller ownerReference */
  orphans(namespace: string): T[] {
    return this.#pick(this.#byOwner.get(`\0${namespace}`))
  }

  /** stores `obj` under its key; answers the object it replaced */
  set(obj: T): T | undefined {
    const key = keyOf(obj)
    const old = this.delete(key)
    this.#objects.set(key, obj)
    addTo(this.#byNamespace, obj.metadata.namespace, key)
    addTo(this.#byOwner, ownerKey(obj), key)
    return old
  }

  delete(key: string): T | undefined {
    const old = this.#objects.get(key)
    if (!old) return undefined
    this.#objects.delete(key)
    removeFrom(this.#byNamespace, old.metadata.namespace, key)
    removeFrom(this.#byOwner, ownerKey(old), key)
    return old
  }

  #pick(keys: Set<string> | undefined): T[] {
    return keys ? [...keys].map((k) => this.#objects.get(k)!) : []
  }
}
