// Is a byte stream a well-formed WebAssembly component? V8 cannot validate components, so this
// checks what can be checked without decoding them: the 8-byte preamble (\0asm, version 0x0d,
// layer 1) and every top-level section header (id byte + LEB128 u32 size) through to the last
// byte. Fed chunk by chunk so an upload is checked while it streams to disk; no I/O here.
import { InvalidError } from '../../core/index.ts'

const MAGIC = [0x00, 0x61, 0x73, 0x6d]
const MAX_SECTION_ID = 11 // 0 custom … 11 export, component-model binary format

function refuse(what: string): InvalidError {
  return new InvalidError(`registry: ${what}`, [{ field: 'body', message: what }])
}

/** Why an 8-byte preamble is not a component's; undefined when it is one. */
export function preambleProblem(p: Uint8Array): string | undefined {
  if (p.length < 8 && MAGIC.every((b, i) => i >= p.length || p[i] === b))
    return `upload is truncated: ${p.length} bytes, shorter than the 8-byte WebAssembly preamble`
  if (!MAGIC.every((b, i) => p[i] === b))
    return 'upload is not WebAssembly (it does not start with \\0asm)'
  const [v0, v1, l0, l1] = [p[4], p[5], p[6], p[7]]
  if (l0 === 0 && l1 === 0 && v0 === 1 && v1 === 0)
    return 'upload is a core WebAssembly module, not a component (build it with jco new / componentize)'
  if (l0 !== 1 || l1 !== 0)
    return `upload has an unknown WebAssembly layer ${l0 | (l1 << 8)} (a component has layer 1)`
  if (v0 !== 0x0d || v1 !== 0)
    return `upload is a WebAssembly component of unsupported encoding version 0x${(v0 | (v1 << 8)).toString(16)} (want 0xd)`
  return undefined
}

/** Streaming checker: push() each chunk, then end(); both throw InvalidError on the first problem. */
export class ComponentCheck {
  #offset = 0 // bytes seen so far
  #preamble: number[] = []
  #skip = 0 // payload bytes of the current section still to pass over
  #header: number[] = [] // id byte + LEB bytes of a section header being read
  #sections = 0

  push(chunk: Uint8Array): void {
    let i = 0
    while (i < chunk.length) {
      if (this.#preamble.length < 8) {
        this.#preamble.push(chunk[i++])
        if (this.#preamble.length === 8) this.#checkPreamble()
        this.#offset++
      } else if (this.#skip > 0) {
        const n = Math.min(this.#skip, chunk.length - i)
        this.#skip -= n
        i += n
        this.#offset += n
      } else {
        this.#headerByte(chunk[i++])
        this.#offset++
      }
    }
  }

  /** The number of top-level sections once the whole stream checked out. */
  end(): number {
    if (this.#preamble.length < 8) {
      const problem = preambleProblem(Uint8Array.from(this.#preamble))
      throw refuse(problem ?? 'upload is truncated inside the WebAssembly preamble')
    }
    if (this.#header.length > 0)
      throw refuse(
        `upload is truncated inside the header of section ${this.#sections} at offset ${this.#offset - this.#header.length}`,
      )
    if (this.#skip > 0)
      throw refuse(
        `upload is truncated: section ${this.#sections - 1} ends ${this.#skip} bytes past the end of the file (${this.#offset} bytes)`,
      )
    return this.#sections
  }

  #checkPreamble(): void {
    const problem = preambleProblem(Uint8Array.from(this.#preamble))
    if (problem) throw refuse(problem)
  }

  #headerByte(b: number): void {
    const h = this.#header
    h.push(b)
    const at = this.#offset - (h.length - 1) // where this header starts
    if (h.length === 1) {
      if (b > MAX_SECTION_ID)
        throw refuse(
          `upload is not a well-formed component: unknown section id ${b} at offset ${at} (section ${this.#sections})`,
        )
      return
    }
    if (h.length > 6 || (h.length === 6 && b > 0x0f))
      throw refuse(
        `upload is not a well-formed component: section ${this.#sections} at offset ${at} has a malformed size (LEB128 u32 too long)`,
      )
    if (b & 0x80) return
    let size = 0
    for (let k = h.length - 1; k >= 1; k--) size = size * 128 + (h[k] & 0x7f)
    this.#header = []
    this.#skip = size
    this.#sections++
  }
}

/** Checks a whole image in memory; throws InvalidError with a message naming the problem. */
export function checkComponent(bytes: Uint8Array): number {
  const check = new ComponentCheck()
  check.push(bytes)
  return check.end()
}
