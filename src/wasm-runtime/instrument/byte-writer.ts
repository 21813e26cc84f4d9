// A growable output buffer: appends bytes, slices of the input, LEB128 integers and names, so a
// rewritten module is assembled in one pass without many small arrays.
import { encodeU32 } from './leb128.ts'

const encoder = new TextEncoder()

export class ByteWriter {
  #buf: Uint8Array
  #len = 0

  constructor(capacity = 1024) {
    this.#buf = new Uint8Array(Math.max(16, capacity))
  }

  get length(): number {
    return this.#len
  }

  #reserve(extra: number): void {
    if (this.#len + extra <= this.#buf.length) return
    let size = this.#buf.length * 2
    while (size < this.#len + extra) size *= 2
    const next = new Uint8Array(size)
    next.set(this.#buf.subarray(0, this.#len))
    this.#buf = next
  }

  byte(value: number): this {
    this.#reserve(1)
    this.#buf[this.#len++] = value
    return this
  }

  bytes(chunk: Uint8Array): this {
    return this.range(chunk, 0, chunk.length)
  }

  /** Append src[from, to) (short ranges are copied by hand: cheaper than a subarray). */
  range(src: Uint8Array, from: number, to: number): this {
    const n = to - from
    this.#reserve(n)
    if (n < 32) {
      for (let i = 0; i < n; i++) this.#buf[this.#len + i] = src[from + i]!
    } else {
      this.#buf.set(src.subarray(from, to), this.#len)
    }
    this.#len += n
    return this
  }

  u32(value: number): this {
    return this.bytes(encodeU32(value))
  }

  name(text: string): this {
    const utf8 = encoder.encode(text)
    return this.u32(utf8.length).bytes(utf8)
  }

  /** The bytes written so far (a copy, so the writer may be reused). */
  finish(): Uint8Array {
    return this.#buf.slice(0, this.#len)
  }

  /** The bytes written so far without copying; the writer must not be written to afterwards. */
  view(): Uint8Array {
    return this.#buf.subarray(0, this.#len)
  }
}
