// The objects of one resource as a list, then a watch from the revision after it: every change
// once, none missed between the two (client-go's reflector). When the watch ends on its own
// (compaction overtook it) the objects are listed again and the consumer rebuilds from that
// list, so a restart misses nothing either. Works over any object layer with list and decode
// (the plane's ObjectStore), so it runs unchanged over either store backend.
import type { KubeObject, ResourceInfo } from '../../api/index.ts'
import type { Clock, Logger } from '../../core/index.ts'
import type { KeyValue, Store, Watcher, WatchEvent } from './types.ts'

const RETRY_MS = 1000

/** what a list-watch needs of the object layer above the store */
export interface ObjectSource {
  readonly store: Store
  /** `kept`: for a consumer that keeps it (the store decodes it to hold less memory) */
  decode(info: ResourceInfo, kv: KeyValue, o?: { kept?: boolean }): KubeObject
  list(
    info: ResourceInfo,
    o: { revision?: number; kept?: boolean },
  ): Promise<{ items: KubeObject[]; revision: number }>
}

export interface ListWatchHandlers<T extends KubeObject> {
  /** every object as of `revision` */
  rebuild(items: { key: string; obj: T }[], revision: number): void
  /** one change at `revision`; `obj` undefined: deleted */
  change(key: string, obj: T | undefined, revision: number): void
}

export interface ListWatchOptions<T extends KubeObject> {
  /** the resource watched, at its storage version */
  info: ResourceInfo
  /** its store prefix and the key of one object (api's storePrefix / storeKey) */
  prefix: string
  keyOf(obj: KubeObject): string
  on: ListWatchHandlers<T>
  clock: Clock
  log: Logger
}

export class ListWatch<T extends KubeObject> {
  readonly #objects: ObjectSource
  readonly #o: ListWatchOptions<T>
  #watcher: Watcher | undefined
  #stopped = false

  constructor(objects: ObjectSource, o: ListWatchOptions<T>) {
    this.#objects = objects
    this.#o = o
  }

  async start(): Promise<void> {
    const list = await this.#objects.list(this.#o.info, { kept: true })
    if (this.#stopped) return
    const items = list.items.map((obj) => ({ key: this.#o.keyOf(obj), obj: obj as T }))
    this.#o.on.rebuild(items, list.revision)
    this.#watcher = this.#objects.store.watch(
      { prefix: this.#o.prefix },
      { startRevision: list.revision + 1 },
      {
        onEvents: (batch) => batch.events.forEach((ev) => this.#event(ev)),
        onCancel: (reason) => this.#ended(reason),
      },
    )
  }

  stop(): void {
    this.#stopped = true
    this.#watcher?.cancel()
  }

  #event(ev: WatchEvent): void {
    const rev = ev.kv.modRevision
    if (ev.type === 'delete') return this.#o.on.change(ev.kv.key, undefined, rev)
    try {
      this.#o.on.change(
        ev.kv.key,
        this.#objects.decode(this.#o.info, ev.kv, { kept: true }) as T,
        rev,
      )
    } catch (err) {
      const what = this.#o.info.singular
      this.#o.log.error(`${what} skipped: it does not decode`, { key: ev.kv.key, err: String(err) })
    }
  }

  #ended(reason: Error): void {
    this.#watcher = undefined
    if (this.#stopped) return
    const what = this.#o.info.resource
    this.#o.log.warn(`${what} watch ended; listing them again`, { why: reason.message })
    const again = () => {
      if (this.#stopped) return
      this.start().catch((err: Error) => {
        this.#o.log.warn(`listing ${what} failed; retrying`, { err: err.message })
        this.#o.clock.setTimeout(again, RETRY_MS)
      })
    }
    again()
  }
}
