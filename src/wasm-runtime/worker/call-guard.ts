// The watchdog's view of a worker: which instance it is inside right now, until when it may stay
// there, and whether it is waiting in a host call (a sleep, a poll, a slow peer) rather than
// running guest code. Written before and after every call into guest code and around every host
// call that may wait, read by the main thread from the same SharedArrayBuffer even while this
// thread is stuck.
import { callSlotLength } from '../protocol.ts'

export type CallResult<T> = { ok: true; value: T } | { ok: false; message: string }

export class CallSlot {
  readonly #slot: Float64Array
  constructor(buffer: SharedArrayBuffer) {
    this.#slot = new Float64Array(buffer, 0, callSlotLength)
  }
  enter(n: number, budgetMs: number, memoryBytes: number): void {
    this.#slot[1] = Number.isFinite(budgetMs) ? Date.now() + budgetMs : Infinity
    this.#slot[2] = budgetMs
    this.#slot[3] = memoryBytes
    this.#slot[4] = 0
    this.#slot[5] = 0
    this.#slot[0] = n
  }
  /** The guest called the host mid-call: refresh its memory size for the main thread. */
  noteMemory(n: number, memoryBytes: number): void {
    if (this.#slot[0] === n) this.#slot[3] = memoryBytes
  }
  /** The thread is about to wait in a host call; returns a token for waitEnd (0: nested). */
  waitBegin(): number {
    if (this.#slot[4] !== 0) return 0
    const since = Date.now()
    this.#slot[4] = since
    return since
  }
  /** The wait begun at `since` is over: it counts as waited, not run. */
  waitEnd(since: number): void {
    if (since === 0) return
    this.#slot[5] = this.#slot[5]! + (Date.now() - since)
    this.#slot[4] = 0
  }
  leave(): void {
    this.#slot[0] = 0
    this.#slot[4] = 0
  }
}

export interface CallView {
  n: number
  deadline: number
  budget: number
  memoryBytes: number
  /** epoch ms the current host wait began, 0 if the thread is not waiting in a host call */
  waitingSince: number
  /** ms the current call has spent in host waits that are over */
  waitedMs: number
}

/** Main-thread reader of the same slot. */
export function readCallSlot(buffer: SharedArrayBuffer): CallView {
  const slot = new Float64Array(buffer, 0, callSlotLength)
  return {
    n: slot[0]!,
    deadline: slot[1]!,
    budget: slot[2]!,
    memoryBytes: slot[3]!,
    waitingSince: slot[4]!,
    waitedMs: slot[5]!,
  }
}
