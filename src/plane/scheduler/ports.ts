// What the scheduler needs from the rest of the plane: the objects in the store (the plane's
// ObjectStore fits; over either store backend), listed and watched, read and written with a
// compare of the version read.
import type { KubeObject, ResourceInfo } from '../../api/index.ts'
import type { ObjectSource } from '../store/index.ts'

export interface Where {
  namespace?: string
  name: string
}

export interface Objects extends ObjectSource {
  get(info: ResourceInfo, where: Where): Promise<KubeObject | undefined>
  create(info: ResourceInfo, obj: KubeObject): Promise<KubeObject>
  /** writes `next` if `current` is still the stored version (Conflict otherwise) */
  replace(info: ResourceInfo, current: KubeObject, next: KubeObject): Promise<KubeObject>
  /** now as the API writes times (RFC 3339, whole seconds) */
  now(): string
}
