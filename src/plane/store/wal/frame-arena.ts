// Where queued frames are encoded: txn records straight into one reused buffer, back to back, so
// a batch is written with one call and a write allocates nothing; the rare other records on their
// own. The writer hands the arena back (reset) once everything in it is in the kernel.
import { encodeFrame } from './format.ts'
import { txnFrameBound, writeTxnFrame } from './frame-encode.ts'
import { encodeRecord, type WalRecord } from './records.ts'

/** the arena's size (more while a batch needs it) */
const ARENA_BYTES = 1 << 20

export class FrameArena {
  #buf = Buffer.allocUnsafe(ARENA_BYTES)
  #used = 0

  /**
   * The record's frame; a view of the arena for txns, valid until reset(). `valueAt` gets the
   * offset in the frame of each value of a txn, in op order.
   */
  frame(record: WalRecord, valueAt?: number[]): Buffer {
    if (record.type !== 'txn') return encodeFrame(encodeRecord(record))
    const bound = txnFrameBound(record.ops)
    if (this.#used + bound > this.#buf.length) {
      // frames already queued keep the old buffer alive until they are written
      this.#buf = Buffer.allocUnsafe(Math.max(ARENA_BYTES, 2 * this.#buf.length, bound))
      this.#used = 0
    }
    const start = this.#used
    const first = valueAt?.length ?? 0
    this.#used = writeTxnFrame(this.#buf, start, record.revision, record.ops, valueAt)
    if (valueAt) for (let i = first; i < valueAt.length; i++) valueAt[i] -= start
    return this.#buf.subarray(start, this.#used)
  }

  /** nothing queued is left in the arena: its bytes may be overwritten */
  reset(): void {
    this.#used = 0
    if (this.#buf.length > 8 * ARENA_BYTES) this.#buf = Buffer.allocUnsafe(ARENA_BYTES)
  }
}
