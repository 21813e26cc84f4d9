// One save for a batch of changes. A change asks for a save (request); the save runs delayMs
// later, so the changes of that while go to disk in one write; while a save is running, changes
// mark it dirty and one more save follows (again delayMs later). flush() runs what is asked for
// at once and resolves when every change asked for so far is on disk (or its write failed).
// The write itself reads the state as it is when it starts: what changed before that is in it.
import type { Clock, Timer } from '../core/index.ts'

/** the system's time with timers that keep the process alive: a save asked for is not lost to
 * an exit for want of anything else to do (systemClock's timers are unref'd) */
export const refClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms)
    return { cancel: () => clearTimeout(t) }
  },
}

interface Waiter {
  resolve(): void
  reject(error: unknown): void
}

export class SaveBatch {
  readonly #write: () => Promise<void>
  readonly #clock: Clock
  readonly #delayMs: number
  readonly #onError: ((error: unknown) => void) | undefined
  /** asked for and not yet started */
  #dirty = false
  /** callers of request() since the last start: told the next save's outcome */
  #waiting: Waiter[] = []
  #timer: Timer | undefined
  #running: Promise<void> | undefined
  #flushing = false
  /** saves started (tests count them) */
  writes = 0

  constructor(
    write: () => Promise<void>,
    o: { clock: Clock; delayMs: number; onError?: (error: unknown) => void },
  ) {
    this.#write = write
    this.#clock = o.clock
    this.#delayMs = o.delayMs
    this.#onError = o.onError
  }

  /** asks for a save; a failed one goes to onError */
  mark(): void {
    this.#dirty = true
    if (this.#flushing && !this.#running) this.#start()
    else this.#arm()
  }

  /** asks for a save: resolves once one that started after this call has written; rejects when it failed */
  request(): Promise<void> {
    const done = new Promise<void>((resolve, reject) => this.#waiting.push({ resolve, reject }))
    this.mark()
    return done
  }

  #arm(): void {
    if (this.#timer || this.#running) return // a running save arms the next when it ends
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined
      this.#start()
    }, this.#delayMs)
  }

  #start(): void {
    this.#timer?.cancel()
    this.#timer = undefined
    if (this.#running || !this.#dirty) return
    const waiters = this.#waiting
    this.#waiting = []
    this.#dirty = false
    this.writes++
    this.#running = this.#write().then(
      () => waiters.forEach((w) => w.resolve()),
      (error: unknown) => {
        this.#onError?.(error)
        waiters.forEach((w) => w.reject(error))
      },
    )
    void this.#running.finally(() => {
      this.#running = undefined
      if (!this.#dirty) return
      if (this.#flushing) this.#start()
      else this.#arm()
    })
  }

  /** writes what is asked for now; resolves once all of it is saved or failed */
  async flush(): Promise<void> {
    this.#flushing = true
    try {
      while (this.#running || this.#dirty) {
        this.#start()
        await this.#running?.catch(() => undefined)
      }
    } finally {
      this.#flushing = false
    }
  }
}
