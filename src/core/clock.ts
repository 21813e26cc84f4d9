// Time as a dependency: real by default, fake in unit tests (leases, back-off, probes).

export interface Timer {
  cancel(): void
}

export interface Clock {
  now(): number
  setTimeout(fn: () => void, ms: number): Timer
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms)
    t.unref?.()
    return { cancel: () => clearTimeout(t) }
  },
}

/** A clock that only moves when told to; timers fire in due order during advance(). */
export class FakeClock implements Clock {
  #now: number
  #timers = new Set<{ at: number; fn: () => void }>()
  constructor(start = 1_700_000_000_000) {
    this.#now = start
  }
  now(): number {
    return this.#now
  }
  setTimeout(fn: () => void, ms: number): Timer {
    const t = { at: this.#now + Math.max(0, ms), fn }
    this.#timers.add(t)
    return { cancel: () => this.#timers.delete(t) }
  }
  advance(ms: number): void {
    const until = this.#now + ms
    for (;;) {
      let due: { at: number; fn: () => void } | undefined
      for (const t of this.#timers) if (t.at <= until && (!due || t.at < due.at)) due = t
      if (!due) break
      this.#timers.delete(due)
      this.#now = due.at
      due.fn()
    }
    this.#now = until
  }
}
