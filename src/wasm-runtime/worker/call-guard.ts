// The watchdog's view of a worker: which instance it is inside right now and until when it may
// stay there. Written before and after every call into guest code, read by the main thread from
// the same SharedArrayBuffer even while this thread is stuck.
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
    this.#slot[0] = n
  }
  /** The guest called the host mid-call: refresh its memory size for the main thread. */
  noteMemory(n: number, memoryBytes: number): void {
    if (this.#slot[0] === n) this.#slot[3] = memoryBytes
  }
  leave(): void {
    this.#slot[0] = 0
  }
}

/** Main-thread reader of the same slot. */
export function readCallSlot(buffer: SharedArrayBuffer): {
  n: number
  deadline: number
  budget: number
  memoryBytes: number
} {
  const slot = new Float64Array(buffer, 0, callSlotLength)
  return { n: slot[0]!, deadline: slot[1]!, budget: slot[2]!, memoryBytes: slot[3]! }
}
