// One Informer per kind, shared by every controller that watches it (client-go's shared
// informer factory): controllers ask for(info) while they are built, then start() lists and
// watches them all and resolves when every cache is synced.
import type { KubeObject, ResourceInfo } from '../../../api/index.ts'
import type { Clock, Logger } from '../../../core/index.ts'
import { Informer } from './informer.ts'
import type { Source } from './source.ts'

export class Informers {
  readonly #source: Source
  readonly #o: { clock: Clock; log: Logger }
  readonly #byKind = new Map<string, Informer>()

  constructor(source: Source, o: { clock: Clock; log: Logger }) {
    this.#source = source
    this.#o = o
  }

  for<T extends KubeObject = KubeObject>(info: ResourceInfo): Informer<T> {
    const id = `${info.group}/${info.kind}`
    let inf = this.#byKind.get(id)
    if (!inf) this.#byKind.set(id, (inf = new Informer(this.#source, info, this.#o)))
    return inf as unknown as Informer<T>
  }

  async start(): Promise<void> {
    await Promise.all([...this.#byKind.values()].map((i) => i.start()))
  }

  stop(): void {
    for (const i of this.#byKind.values()) i.stop()
  }
}
