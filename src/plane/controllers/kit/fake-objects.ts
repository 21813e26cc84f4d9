// An in-memory ControllerStore for unit tests: objects by kind and key, one revision counter,
// create / replace / remove with the real store's checks (AlreadyExists, Conflict on a stale
// resourceVersion) and finalizers (a remove marks an object while finalizers remain, those of its
// propagation policy included; a replace that leaves a marked object none deletes it), watches
// told of each write at once, and every write recorded in order — what a reconciler's test
// asserts. seed() puts objects in without recording them.
import {
  deletionFinalizers,
  hasPendingFinalizers,
  type KubeObject,
  type Propagation,
  type ResourceInfo,
} from '../../../api/index.ts'
import { ConflictError, ShoalError } from '../../../core/index.ts'
import { keyOf, type Change, type ControllerStore, type WatchSink } from './source.ts'

export interface Write {
  verb: 'create' | 'update' | 'delete'
  kind: string
  /** "namespace/name" */
  key: string
  obj: KubeObject
  /** a delete's propagation policy, when one was asked for */
  propagationPolicy?: Propagation
}

const copy = <T>(v: T): T => structuredClone(v)

export class FakeObjects implements ControllerStore {
  writes: Write[] = []
  revision = 1
  /** a fixed creationTimestamp for created objects (RFC 3339) */
  now = '2026-01-01T00:00:00Z'
  #kinds = new Map<string, Map<string, KubeObject>>()
  #sinks = new Map<string, Set<WatchSink>>()
  #uids = 0

  #of(info: ResourceInfo): Map<string, KubeObject> {
    let m = this.#kinds.get(info.kind)
    if (!m) this.#kinds.set(info.kind, (m = new Map()))
    return m
  }

  /** objects put in place without a recorded write (fixtures); answers them as stored */
  seed(info: ResourceInfo, ...objs: object[]): KubeObject[] {
    // object[]: fixtures of any kind's shape, spread and overridden, without a cast each
    return objs.map((o) => this.#put(info, copy(o) as KubeObject))
  }

  /** the stored object, or undefined */
  get(info: ResourceInfo, key: string): KubeObject | undefined {
    const o = this.#of(info).get(key)
    return o && copy(o)
  }

  all(info: ResourceInfo): KubeObject[] {
    return [...this.#of(info).values()].map(copy)
  }

  /** the recorded writes, then none */
  take(): Write[] {
    const w = this.writes
    this.writes = []
    return w
  }

  #put(info: ResourceInfo, obj: KubeObject): KubeObject {
    const rev = ++this.revision
    obj.metadata.uid ??= `uid-${++this.#uids}`
    obj.metadata.creationTimestamp ??= this.now
    obj.metadata.generation ??= 1
    obj.metadata.resourceVersion = String(rev)
    this.#of(info).set(keyOf(obj), obj)
    this.#tell(info, { key: keyOf(obj), obj: copy(obj), revision: rev })
    return copy(obj)
  }

  #tell(info: ResourceInfo, change: Change): void {
    for (const s of this.#sinks.get(info.kind) ?? []) s.changes([change])
  }

  #check(info: ResourceInfo, current: KubeObject): void {
    const stored = this.#of(info).get(keyOf(current))
    if (!stored || stored.metadata.resourceVersion !== current.metadata.resourceVersion)
      throw new ConflictError(`fake: ${info.kind} "${keyOf(current)}" has been modified`)
  }

  async list(info: ResourceInfo, o: { namespace?: string } = {}) {
    const items = this.all(info).filter(
      (obj) => o.namespace === undefined || obj.metadata.namespace === o.namespace,
    )
    return { items, revision: this.revision }
  }

  async read(info: ResourceInfo, key: string): Promise<KubeObject | undefined> {
    return this.get(info, key)
  }

  watch(info: ResourceInfo, _from: number, sink: WatchSink) {
    let set = this.#sinks.get(info.kind)
    if (!set) this.#sinks.set(info.kind, (set = new Set()))
    set.add(sink)
    return { cancel: () => set.delete(sink) }
  }

  async create(info: ResourceInfo, obj: KubeObject): Promise<KubeObject> {
    if (this.#of(info).has(keyOf(obj)))
      throw new ShoalError('AlreadyExists', `fake: ${info.kind} "${keyOf(obj)}" already exists`)
    const stored = this.#put(info, copy(obj))
    this.writes.push({ verb: 'create', kind: info.kind, key: keyOf(obj), obj: stored })
    return stored
  }

  async replace(info: ResourceInfo, current: KubeObject, next: KubeObject): Promise<KubeObject> {
    this.#check(info, current)
    const write = { verb: 'update' as const, kind: info.kind, key: keyOf(next) }
    if (next.metadata.deletionTimestamp && !hasPendingFinalizers(next, info.kind)) {
      const obj = this.delete(info, keyOf(current))!
      this.writes.push({ ...write, obj })
      return obj
    }
    const stored = this.#put(info, copy(next))
    this.writes.push({ ...write, obj: stored })
    return stored
  }

  async remove(
    info: ResourceInfo,
    current: KubeObject,
    o: { propagationPolicy?: Propagation } = {},
  ): Promise<{ obj: KubeObject }> {
    this.#check(info, current)
    const m = current.metadata
    const finalizers = deletionFinalizers(current, { policy: o.propagationPolicy, kind: info })
    const write = { verb: 'delete' as const, kind: info.kind, key: keyOf(current), ...o }
    if (!finalizers.length) {
      const obj = this.delete(info, keyOf(current))!
      this.writes.push({ ...write, obj })
      return { obj }
    }
    const marked = { ...m, finalizers, deletionTimestamp: m.deletionTimestamp ?? this.now }
    const obj =
      m.deletionTimestamp && finalizers === m.finalizers
        ? copy(current)
        : this.#put(info, {
            ...copy(current),
            metadata: { ...marked, deletionGracePeriodSeconds: 0 },
          })
    this.writes.push({ ...write, obj })
    return { obj }
  }

  /** deletes without a check (a test playing another actor, unrecorded unless `record`) */
  delete(info: ResourceInfo, key: string, record = false): KubeObject | undefined {
    const old = this.#of(info).get(key)
    if (!old) return undefined
    this.#of(info).delete(key)
    const rev = ++this.revision
    const obj = { ...copy(old), metadata: { ...old.metadata, resourceVersion: String(rev) } }
    if (record) this.writes.push({ verb: 'delete', kind: info.kind, key, obj })
    this.#tell(info, { key, revision: rev })
    return obj
  }
}
