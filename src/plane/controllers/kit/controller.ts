// The controller runner: event handlers only enqueue keys; `workers` loops take a key at a time
// from the WorkQueue and call reconcile(key), which reads desired and actual state from
// informer caches and writes only the difference. A thrown error re-queues the key with its
// back-off; { requeueAfter } asks for another look later (a deadline, minReadySeconds);
// a clean reconcile resets the key's back-off.
import type { Clock, Logger } from '../../../core/index.ts'
import { WorkQueue, type BackOff } from './work-queue.ts'

export interface Result {
  /** reconcile the key again in this many ms */
  requeueAfter?: number
}

export type Reconcile = (key: string) => Promise<Result | void>

export interface ControllerOptions {
  clock: Clock
  log: Logger
  /** keys reconciled at once (never the same key twice at once); default 1 */
  workers?: number
  backOff?: BackOff
}

export class Controller {
  readonly name: string
  readonly queue: WorkQueue
  readonly #reconcile: Reconcile
  readonly #log: Logger
  readonly #workers: number
  #loops: Promise<void>[] = []

  constructor(name: string, reconcile: Reconcile, o: ControllerOptions) {
    this.name = name
    this.#reconcile = reconcile
    this.#log = o.log
    this.#workers = o.workers ?? 1
    this.queue = new WorkQueue(o.clock, o.backOff)
  }

  /** one reconcile of `key` now, outside the queue (what unit tests drive) */
  reconcile(key: string): Promise<Result | void> {
    return this.#reconcile(key)
  }

  enqueue(key: string): void {
    this.queue.add(key)
  }

  start(): void {
    for (let i = 0; i < this.#workers; i++) this.#loops.push(this.#loop())
  }

  /** no new keys; resolves once the reconciles under way have ended */
  async stop(): Promise<void> {
    this.queue.shutDown()
    await Promise.all(this.#loops)
    this.#loops = []
  }

  async #loop(): Promise<void> {
    for (;;) {
      const key = await this.queue.get()
      if (key === undefined) return
      await this.#one(key)
    }
  }

  async #one(key: string): Promise<void> {
    try {
      const r = await this.#reconcile(key)
      this.queue.forget(key)
      if (r?.requeueAfter !== undefined) this.queue.addAfter(key, r.requeueAfter)
    } catch (err) {
      const failures = this.queue.failures(key)
      const log = failures < 5 ? this.#log.debug : this.#log.warn
      log.call(this.#log, 'reconcile failed; retrying with back-off', {
        controller: this.name,
        key,
        failures: failures + 1,
        err: err instanceof Error ? err.message : String(err),
      })
      this.queue.addRateLimited(key)
    } finally {
      this.queue.done(key)
    }
  }
}
