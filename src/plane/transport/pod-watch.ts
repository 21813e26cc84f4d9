// The pods of the store as a list, then a watch from the revision after it: the store's
// ListWatch over pods, with the handlers the node channel takes (a rebuild from the whole list
// after a watch that compaction overtook, so a restart misses nothing either).
import { resourceByKind, storeKey, storePrefix, type Pod } from '../../api/index.ts'
import type { Clock, Logger } from '../../core/index.ts'
import { ListWatch } from '../store/index.ts'
import type { Objects } from './ports.ts'

const PODS = resourceByKind('Pod')!

export interface PodWatchHandlers {
  /** every pod as of `revision` */
  rebuild(pods: { key: string; pod: Pod }[], revision: number): void
  /** one change at `revision`; `pod` undefined: deleted */
  change(key: string, pod: Pod | undefined, revision: number): void
}

export class PodWatch {
  readonly #watch: ListWatch<Pod>

  constructor(objects: Objects, o: { on: PodWatchHandlers; clock: Clock; log: Logger }) {
    this.#watch = new ListWatch<Pod>(objects, {
      info: PODS,
      prefix: storePrefix(PODS),
      keyOf: (p) => storeKey(PODS, { namespace: p.metadata.namespace, name: p.metadata.name! }),
      on: {
        rebuild: (items, rev) =>
          o.on.rebuild(
            items.map((i) => ({ key: i.key, pod: i.obj })),
            rev,
          ),
        change: (key, pod, rev) => o.on.change(key, pod, rev),
      },
      clock: o.clock,
      log: o.log,
    })
  }

  start(): Promise<void> {
    return this.#watch.start()
  }

  stop(): void {
    this.#watch.stop()
  }
}
