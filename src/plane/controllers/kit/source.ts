// What controllers read and write, as small interfaces over the plane's objects: a list, then a
// watch from the revision after it (Source), and create / replace / remove with the ObjectStore's
// compare-on-modRevision semantics, and a live read past the caches (Writer). objectsSource() adapts anything shaped like the
// plane's ObjectStore (the CBOR log store today, the etcd backend later: it only needs the Store
// contract's watch); unit tests use FakeObjects (fake-objects.ts).
import {
  parseStoreKey,
  type Propagation,
  storePrefix,
  type KubeObject,
  type ResourceInfo,
} from '../../../api/index.ts'
import type { KeyValue, Store } from '../../store/index.ts'

/** one change of one object; `obj` absent: deleted */
export interface Change {
  /** "namespace/name", or "name" for cluster-scoped kinds */
  key: string
  obj?: KubeObject
  revision: number
}

export interface WatchSink {
  /** changes in revision order, a revision never split */
  changes(changes: Change[]): void
  /** the watch ended on its own (compaction overtook it, the store closed) */
  ended(reason: Error): void
}

export interface Source {
  /** every object of the kind, or of one namespace */
  list(
    info: ResourceInfo,
    o?: { namespace?: string },
  ): Promise<{ items: KubeObject[]; revision: number }>
  /** every change from `fromRevision` (inclusive) on */
  watch(info: ResourceInfo, fromRevision: number, sink: WatchSink): { cancel(): void }
}

export interface Writer {
  create(info: ResourceInfo, obj: KubeObject): Promise<KubeObject>
  /** writes `next` if `current` is still the stored version (Conflict otherwise) */
  replace(info: ResourceInfo, current: KubeObject, next: KubeObject): Promise<KubeObject>
  /**
   * deletes `current` (Conflict if it changed), or marks it while finalizers remain (those of
   * the propagation policy included); the object as it ends up, with the revision written
   */
  remove(
    info: ResourceInfo,
    current: KubeObject,
    o?: { propagationPolicy?: Propagation },
  ): Promise<{ obj: KubeObject }>
  /** the object as stored now, past any cache ("namespace/name" key) */
  read(info: ResourceInfo, key: string): Promise<KubeObject | undefined>
}

export type ControllerStore = Source & Writer

/** the plane's ObjectStore, as far as controllers use it */
export interface Objects extends Omit<Writer, 'remove' | 'read'> {
  readonly store: Store
  /** `kept`: for a cache (the store decodes it to hold less memory) */
  decode(info: ResourceInfo, kv: KeyValue, o?: { kept?: boolean }): KubeObject
  list(
    info: ResourceInfo,
    o: { namespace?: string; kept?: boolean },
  ): Promise<{ items: KubeObject[]; revision: number }>
  get(
    info: ResourceInfo,
    where: { namespace?: string; name: string },
  ): Promise<KubeObject | undefined>
  remove(
    info: ResourceInfo,
    current: KubeObject,
    precondition?: { resourceVersion?: string },
    o?: { propagationPolicy?: Propagation },
  ): Promise<{ obj: KubeObject }>
}

/** "namespace/name" of an object (its work-queue and cache key) */
export function keyOf(obj: KubeObject): string {
  const m = obj.metadata
  return m.namespace ? `${m.namespace}/${m.name}` : m.name!
}

/** the namespace and name of a key */
export function splitKey(key: string): { namespace?: string; name: string } {
  const slash = key.indexOf('/')
  return slash < 0 ? { name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) }
}

export function objectsSource(objects: Objects): ControllerStore {
  return {
    // what an informer lists and watches it keeps in its cache
    list: (info, o) => objects.list(info, { namespace: o?.namespace, kept: true }),
    watch(info, fromRevision, sink) {
      const w = objects.store.watch(
        { prefix: storePrefix(info) },
        { startRevision: fromRevision },
        {
          onEvents: (batch) =>
            sink.changes(batch.events.flatMap((ev) => change(objects, info, ev))),
          onCancel: (reason) => sink.ended(reason),
        },
      )
      return { cancel: () => w.cancel() }
    },
    create: (info, obj) => objects.create(info, obj),
    replace: (info, current, next) => objects.replace(info, current, next),
    remove: (info, current, o) =>
      objects.remove(info, current, { resourceVersion: current.metadata.resourceVersion }, o),
    read: (info, key) => objects.get(info, splitKey(key)),
  }
}

function change(
  objects: Objects,
  info: ResourceInfo,
  ev: { type: 'put' | 'delete'; kv: KeyValue },
): Change[] {
  const parts = parseStoreKey(ev.kv.key)
  if (!parts) return []
  const key = parts.namespace ? `${parts.namespace}/${parts.name}` : parts.name
  const revision = ev.kv.modRevision
  if (ev.type === 'delete') return [{ key, revision }]
  try {
    return [{ key, obj: objects.decode(info, ev.kv, { kept: true }), revision }]
  } catch {
    return [] // an object that does not decode is no one's to act on; the API reports it on read
  }
}
