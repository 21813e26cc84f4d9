// A work queue of keys (pod uids), as controllers use one: adding a key asks for one more run of
// work(key); a key never runs twice at once, and adds that arrive while it runs fold into one
// more run after it. Different keys run concurrently. Pure.

export class KeyQueue {
  readonly #work: (key: string) => Promise<void>
  readonly #onError: (key: string, error: unknown) => void
  readonly #running = new Set<string>()
  readonly #again = new Set<string>()
  #waiters: (() => void)[] = []

  constructor(
    work: (key: string) => Promise<void>,
    onError: (key: string, error: unknown) => void,
  ) {
    this.#work = work
    this.#onError = onError
  }

  add(key: string): void {
    if (this.#running.has(key)) {
      this.#again.add(key)
      return
    }
    this.#running.add(key)
    void this.#run(key)
  }

  async #run(key: string): Promise<void> {
    do {
      this.#again.delete(key)
      try {
        await this.#work(key)
      } catch (error) {
        this.#onError(key, error)
      }
    } while (this.#again.has(key))
    this.#running.delete(key)
    if (this.#running.size === 0) {
      const waiters = this.#waiters
      this.#waiters = []
      for (const wake of waiters) wake()
    }
  }

  /** resolves once no key is running or due */
  idle(): Promise<void> {
    if (this.#running.size === 0) return Promise.resolve()
    return new Promise((resolve) => this.#waiters.push(resolve))
  }
}
