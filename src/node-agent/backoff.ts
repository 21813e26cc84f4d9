// Exponential back-off, as the kubelet restarts a crashing container: the first retry waits
// initialMs, each failure after that doubles it up to maxMs, and a run that lasted resetAfterMs
// or longer before it failed starts the count over. Pure; the caller owns the timers.

export interface BackoffOptions {
  initialMs: number
  maxMs: number
  /** a run at least this long before the failure resets the back-off */
  resetAfterMs: number
  /** ± this fraction of random spread on each delay (0: none), so a fleet does not retry in step */
  jitter?: number
}

/** the kubelet's: 10 s doubling to 5 min, reset after 10 min of good running */
export const RESTART_BACKOFF: BackoffOptions = {
  initialMs: 10_000,
  maxMs: 300_000,
  resetAfterMs: 600_000,
}

export class Backoff {
  readonly #opts: BackoffOptions
  readonly #random: () => number
  #failures = 0

  constructor(opts: BackoffOptions, random: () => number = Math.random) {
    this.#opts = opts
    this.#random = random
  }

  /** failures counted since the last reset */
  get failures(): number {
    return this.#failures
  }

  /** A failure after running ranMs (0: it never ran): how long to wait before the next try. */
  next(ranMs = 0): number {
    const { initialMs, maxMs, resetAfterMs, jitter = 0 } = this.#opts
    if (ranMs > 0 && ranMs >= resetAfterMs) this.#failures = 0
    const delay = Math.min(maxMs, initialMs * 2 ** Math.min(this.#failures, 30))
    this.#failures++
    return Math.round(delay * (1 + jitter * (2 * this.#random() - 1)))
  }

  reset(): void {
    this.#failures = 0
  }
}
