// A cursor over wasm bytes: single bytes, LEB128 integers (u32, s32, s33, s64), names.
// Every failure is an InvalidError reading "wasm: <what is wrong> at byte <offset>", where the
// offset is absolute in the module (base + position), so a damaged .wasm names the exact spot.
import { InvalidError } from '../../core/index.ts'

export function wasmError(what: string, offset: number): InvalidError {
  return new InvalidError(`wasm: ${what} at byte ${offset}`)
}

const decoder = new TextDecoder('utf-8', { fatal: true })

export class ByteReader {
  readonly bytes: Uint8Array
  pos: number
  readonly end: number
  /** offset of bytes[0] in the whole module, for error messages */
  readonly base: number

  constructor(bytes: Uint8Array, start = 0, end = bytes.length, base = 0) {
    this.bytes = bytes
    this.pos = start
    this.end = end
    this.base = base
  }

  get done(): boolean {
    return this.pos >= this.end
  }

  fail(what: string, at = this.pos): never {
    throw wasmError(what, this.base + at)
  }

  u8(): number {
    if (this.pos >= this.end) this.fail('unexpected end of input')
    return this.bytes[this.pos++]!
  }

  advance(n: number): void {
    if (n < 0 || this.pos + n > this.end) this.fail(`${n} bytes run past the end`)
    this.pos += n
  }

  u32(): number {
    const at = this.pos
    let result = 0
    for (let shift = 0; shift < 35; shift += 7) {
      const b = this.u8()
      result += (b & 0x7f) * 2 ** shift
      if ((b & 0x80) === 0) {
        if (result > 0xffffffff) this.fail('u32 out of range', at)
        return result
      }
    }
    return this.fail('u32 LEB128 longer than 5 bytes', at)
  }

  /** Signed LEB128 of at most `bits` bits, as a bigint (s32, s33, s64 all go through here). */
  signed(bits: number): bigint {
    const at = this.pos
    const maxBytes = Math.ceil(bits / 7)
    let result = 0n
    let shift = 0n
    for (let i = 0; i < maxBytes; i++) {
      const b = this.u8()
      result |= BigInt(b & 0x7f) << shift
      shift += 7n
      if ((b & 0x80) === 0) {
        if (b & 0x40) result -= 1n << shift
        return result
      }
    }
    return this.fail(`s${bits} LEB128 longer than ${maxBytes} bytes`, at)
  }

  s32(): number {
    return Number(this.signed(32))
  }

  s33(): number {
    return Number(this.signed(33))
  }

  s64(): bigint {
    return this.signed(64)
  }

  /** Skip one LEB128 integer of any width without decoding it (the hot path of the code walk). */
  skipLeb(): void {
    const at = this.pos
    for (let i = 0; i < 10; i++) if ((this.u8() & 0x80) === 0) return
    this.fail('LEB128 longer than 10 bytes', at)
  }

  name(): string {
    const length = this.u32()
    const at = this.pos
    this.advance(length)
    try {
      return decoder.decode(this.bytes.subarray(at, at + length))
    } catch (cause) {
      throw new InvalidError(`wasm: name is not valid UTF-8 at byte ${this.base + at}`, [], {
        cause,
      })
    }
  }
}
