// An informer per kind: list, then watch from the revision after the list, into a Cache, telling
// its handlers of each change after the cache has it. A change at or below the revision already
// applied is dropped (never twice); when the watch ends on its own (compaction overtook it, the
// store went away) it lists again and tells only the difference from its cache (never missed).
// seen(revision) waits until the cache holds a write of this kind at that revision: a
// reconciler that wrote reads its own writes before it decides again.
import type { KubeObject, ResourceInfo } from '../../../api/index.ts'
import type { Clock, Logger } from '../../../core/index.ts'
import { Cache } from './cache.ts'
import { keyOf, type Change, type Source } from './source.ts'

const RELIST_RETRY_MS = 1000
/** a write not seen by then is given up on (the reconciler runs on what it has) */
const SEEN_TIMEOUT_MS = 10_000

export interface InformerHandlers<T extends KubeObject> {
  added?(obj: T): void
  updated?(obj: T, old: T): void
  deleted?(old: T): void
}

export class Informer<T extends KubeObject = KubeObject> {
  readonly info: ResourceInfo
  readonly cache = new Cache<T>()
  readonly #source: Source
  readonly #clock: Clock
  readonly #log: Logger
  readonly #handlers: InformerHandlers<T>[] = []
  #waiters: { revision: number; done: () => void }[] = []
  #revision = 0
  #watch: { cancel(): void } | undefined
  #stopped = false

  constructor(source: Source, info: ResourceInfo, o: { clock: Clock; log: Logger }) {
    this.#source = source
    this.info = info
    this.#clock = o.clock
    this.#log = o.log
  }

  /** the store revision the cache reflects */
  get revision(): number {
    return this.#revision
  }

  on(handlers: InformerHandlers<T>): void {
    this.#handlers.push(handlers)
  }

  /** lists and starts watching; resolves once the cache holds the list (synced) */
  async start(): Promise<void> {
    const list = await this.#source.list(this.info)
    if (this.#stopped) return
    this.#rebuild(list.items as T[], list.revision)
    this.#watch = this.#source.watch(this.info, list.revision + 1, {
      changes: (changes) => this.#apply(changes),
      ended: (reason) => this.#ended(reason),
    })
  }

  stop(): void {
    this.#stopped = true
    this.#watch?.cancel()
    this.#watch = undefined
    for (const w of this.#waiters) w.done()
    this.#waiters = []
  }

  /** resolves once the cache reflects `revision` (or after a timeout, or on stop) */
  seen(revision: number): Promise<void> {
    if (this.#revision >= revision || this.#stopped) return Promise.resolve()
    return new Promise((resolve) => {
      const timer = this.#clock.setTimeout(() => {
        this.#log.warn('write not seen in time; going on without it', {
          kind: this.info.kind,
          revision,
        })
        resolve()
      }, SEEN_TIMEOUT_MS)
      this.#waiters.push({ revision, done: () => (timer.cancel(), resolve()) })
    })
  }

  #apply(changes: Change[]): void {
    for (const c of changes) {
      if (c.revision <= this.#revision) continue
      this.#revision = c.revision
      if (c.obj) this.#put(c.obj as T)
      else {
        const old = this.cache.delete(c.key)
        if (old) for (const h of this.#handlers) h.deleted?.(old)
      }
    }
    this.#wake()
  }

  #put(obj: T): void {
    const old = this.cache.set(obj)
    for (const h of this.#handlers) {
      if (old) h.updated?.(obj, old)
      else h.added?.(obj)
    }
  }

  #rebuild(items: T[], revision: number): void {
    const listed = new Set<string>()
    for (const obj of items) {
      listed.add(keyOf(obj))
      const old = this.cache.get(keyOf(obj))
      if (old?.metadata.resourceVersion !== obj.metadata.resourceVersion) this.#put(obj)
    }
    for (const old of this.cache.list()) {
      if (listed.has(keyOf(old))) continue
      this.cache.delete(keyOf(old))
      for (const h of this.#handlers) h.deleted?.(old)
    }
    this.#revision = Math.max(this.#revision, revision)
    this.#wake()
  }

  #wake(): void {
    const due = this.#waiters.filter((w) => w.revision <= this.#revision)
    if (!due.length) return
    this.#waiters = this.#waiters.filter((w) => w.revision > this.#revision)
    for (const w of due) w.done()
  }

  #ended(reason: Error): void {
    this.#watch = undefined
    if (this.#stopped) return
    this.#log.warn('watch ended; listing again', { kind: this.info.kind, why: reason.message })
    const again = () => {
      if (this.#stopped) return
      this.start().catch((err: Error) => {
        this.#log.warn('list failed; retrying', { kind: this.info.kind, err: err.message })
        this.#clock.setTimeout(again, RELIST_RETRY_MS)
      })
    }
    again()
  }
}
