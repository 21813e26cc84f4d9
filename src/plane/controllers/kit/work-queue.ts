// A keyed work queue, as client-go's: a key added while queued is queued once (dedupe); a key
// being reconciled is not handed out again until done(), and if it was added meanwhile it goes
// back in the queue then (one reconcile per key at a time, none lost). addAfter() queues a key
// later; addRateLimited() queues it after its own exponential back-off (base × 2^failures,
// capped), which forget() resets once the key reconciles cleanly.
import type { Clock, Timer } from '../../../core/index.ts'

export interface BackOff {
  /** first delay, ms (default 10) */
  baseMs?: number
  /** longest delay, ms (default 60 s) */
  maxMs?: number
}

export class WorkQueue {
  readonly #clock: Clock
  readonly #baseMs: number
  readonly #maxMs: number
  #queue = new Set<string>()
  #processing = new Set<string>()
  /** added while processing: queued again by done() */
  #dirty = new Set<string>()
  #failures = new Map<string, number>()
  #later = new Map<string, { at: number; timer: Timer }>()
  #waiting: ((key: string | undefined) => void)[] = []
  #closed = false

  constructor(clock: Clock, backOff: BackOff = {}) {
    this.#clock = clock
    this.#baseMs = backOff.baseMs ?? 10
    this.#maxMs = backOff.maxMs ?? 60_000
  }

  get length(): number {
    return this.#queue.size
  }

  add(key: string): void {
    if (this.#closed) return
    if (this.#processing.has(key)) {
      this.#dirty.add(key)
      return
    }
    if (this.#queue.has(key)) return
    const waiter = this.#waiting.shift()
    if (waiter) {
      this.#processing.add(key)
      waiter(key)
    } else this.#queue.add(key)
  }

  /** queues `key` in `ms`; an earlier pending addAfter of the key wins */
  addAfter(key: string, ms: number): void {
    if (this.#closed) return
    if (ms <= 0) return this.add(key)
    const at = this.#clock.now() + ms
    const pending = this.#later.get(key)
    if (pending && pending.at <= at) return
    pending?.timer.cancel()
    const timer = this.#clock.setTimeout(() => {
      this.#later.delete(key)
      this.add(key)
    }, ms)
    this.#later.set(key, { at, timer })
  }

  /** queues `key` after its back-off, which doubles with each call until forget(key) */
  addRateLimited(key: string): void {
    const n = this.#failures.get(key) ?? 0
    this.#failures.set(key, n + 1)
    this.addAfter(key, Math.min(this.#baseMs * 2 ** n, this.#maxMs))
  }

  forget(key: string): void {
    this.#failures.delete(key)
  }

  /** how many times in a row `key` failed */
  failures(key: string): number {
    return this.#failures.get(key) ?? 0
  }

  /** the next key to reconcile (it is processing until done(key)); undefined once shut down */
  get(): Promise<string | undefined> {
    if (this.#closed) return Promise.resolve(undefined)
    const key = this.#queue.values().next()
    if (!key.done) {
      this.#queue.delete(key.value)
      this.#processing.add(key.value)
      return Promise.resolve(key.value)
    }
    return new Promise((resolve) => this.#waiting.push(resolve))
  }

  done(key: string): void {
    this.#processing.delete(key)
    if (this.#dirty.delete(key)) this.add(key)
  }

  shutDown(): void {
    this.#closed = true
    for (const { timer } of this.#later.values()) timer.cancel()
    this.#later.clear()
    this.#queue.clear()
    for (const w of this.#waiting.splice(0)) w(undefined)
  }
}
