// What the transport needs from the rest of the plane, as small interfaces (the plane's
// ObjectStore and registry fit them; tests may pass fakes): objects in the store, image tags.
import type { KubeObject, ResourceInfo } from '../../api/index.ts'
import type { KeyValue, Store } from '../store/index.ts'

export interface Where {
  namespace?: string
  name: string
}

/** the plane's ObjectStore, as far as the transport uses it */
export interface Objects {
  /** the key/value store under the objects, for watches */
  readonly store: Store
  decode(info: ResourceInfo, kv: KeyValue): KubeObject
  list(
    info: ResourceInfo,
    o: { namespace?: string; revision?: number },
  ): Promise<{ items: KubeObject[]; revision: number }>
  get(info: ResourceInfo, where: Where): Promise<KubeObject | undefined>
  create(info: ResourceInfo, obj: KubeObject): Promise<KubeObject>
  /** writes `next` if `current` is still the stored version (Conflict otherwise); deletes when
   * `next` is marked for deletion and has no finalizers left */
  replace(info: ResourceInfo, current: KubeObject, next: KubeObject): Promise<KubeObject>
}

/** a container image → its digest in the plane's registry, or why it has none */
export type ResolveImage = (image: string) => Promise<{ digest: string } | { error: string }>
