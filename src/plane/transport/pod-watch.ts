// The pods of the store as a list, then a watch from the revision after it: every change once,
// none missed between the two. When the watch ends on its own (compaction overtook it) the pods
// are listed again and the consumer rebuilds from that list, so a restart misses nothing either.
import { resourceByKind, storeKey, storePrefix, type Pod } from '../../api/index.ts'
import type { Clock, Logger } from '../../core/index.ts'
import type { Watcher, WatchEvent } from '../store/index.ts'
import type { Objects } from './ports.ts'

const PODS = resourceByKind('Pod')!
const RETRY_MS = 1000

export interface PodWatchHandlers {
  /** every pod as of `revision` */
  rebuild(pods: { key: string; pod: Pod }[], revision: number): void
  /** one change at `revision`; `pod` undefined: deleted */
  change(key: string, pod: Pod | undefined, revision: number): void
}

export class PodWatch {
  readonly #objects: Objects
  readonly #on: PodWatchHandlers
  readonly #clock: Clock
  readonly #log: Logger
  #watcher: Watcher | undefined
  #stopped = false

  constructor(objects: Objects, o: { on: PodWatchHandlers; clock: Clock; log: Logger }) {
    this.#objects = objects
    this.#on = o.on
    this.#clock = o.clock
    this.#log = o.log
  }

  async start(): Promise<void> {
    const list = await this.#objects.list(PODS, {})
    if (this.#stopped) return
    const pods = list.items.map((p) => ({
      key: storeKey(PODS, { namespace: p.metadata.namespace, name: p.metadata.name! }),
      pod: p as Pod,
    }))
    this.#on.rebuild(pods, list.revision)
    this.#watcher = this.#objects.store.watch(
      { prefix: storePrefix(PODS) },
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
    if (ev.type === 'delete') return this.#on.change(ev.kv.key, undefined, rev)
    try {
      this.#on.change(ev.kv.key, this.#objects.decode(PODS, ev.kv) as Pod, rev)
    } catch (err) {
      this.#log.error('pod skipped: it does not decode', { key: ev.kv.key, err: String(err) })
    }
  }

  #ended(reason: Error): void {
    this.#watcher = undefined
    if (this.#stopped) return
    this.#log.warn('pod watch ended; listing the pods again', { why: reason.message })
    const again = () => {
      if (this.#stopped) return
      this.start().catch((err: Error) => {
        this.#log.warn('listing pods failed; retrying', { err: err.message })
        this.#clock.setTimeout(again, RETRY_MS)
      })
    }
    again()
  }
}
