// Reads a file of frames (format.ts) front to back through one reused buffer, so a replay never
// holds a whole segment or snapshot in memory: fresh memory is slow to fault in (≈ 2.6 ms per MB
// measured on the 2-vCPU dev VM, more than reading and checking the bytes), and the values stay
// on disk anyway until something reads them (mvcc/revision.ts). Payloads handed to `onFrame`
// are views of that buffer, valid only during the call. At a bad frame the rest of the file is
// read and judged by format.ts itself (readFrame, classifyBad): torn tail or damage.
import { fstatSync, readSync } from 'node:fs'
import { crc32 } from 'node:zlib'
import { classifyBad, HEADER_BYTES, MAX_PAYLOAD, readFrame, type ScanResult } from './format.ts'
import { ShoalError } from '../../../core/index.ts'

const CHUNK = 4 << 20

export interface StreamResult extends Omit<ScanResult, 'frames'> {
  size: number
  frames: number
  /** the bytes from the bad frame to the end of the file, when reading stopped early */
  tail?: Buffer
}

/** `onFrame(payload, offset of the payload in the file)` returns why a payload is unusable, or undefined */
export type OnFrame = (payload: Buffer, offset: number) => string | undefined

export class FrameReader {
  #buf = Buffer.allocUnsafe(0)
  #chunk: number

  /** `chunkBytes`: the read size (a frame larger than it gets a buffer of its own size) */
  constructor(chunkBytes = CHUNK) {
    this.#chunk = chunkBytes
  }

  read(fd: number, onFrame: OnFrame): StreamResult {
    const size = fstatSync(fd).size
    let start = 0 // file offset of #buf[0]
    let filled = 0 // valid bytes in #buf
    let o = 0 // file offset of the next frame
    let frames = 0
    // the rest of the file, judged exactly as a whole-buffer scan would (format.ts)
    const bad = (rejected?: { bad: string; span: number }): StreamResult => {
      const tail = Buffer.allocUnsafe(size - o)
      readFully(fd, tail, o)
      const why = rejected ?? (readFrame(tail, 0) as { bad: string; span: number })
      const c = classifyBad(tail, 0, why.bad, why.span)
      const shift = <T extends { offset: number }>(x?: T) => x && { ...x, offset: x.offset + o }
      return { size, frames, end: c.end + o, torn: shift(c.torn), damage: shift(c.damage), tail }
    }
    while (o < size) {
      const have = start + filled - o
      if (have < HEADER_BYTES) {
        if (start + filled >= size) return bad()
        ;({ start, filled } = this.#fill(fd, o, HEADER_BYTES, size))
        continue
      }
      const len = u32(this.#buf, o - start)
      if (len === 0 && this.#zerosToEnd(fd, o, size))
        return {
          size,
          frames,
          end: o,
          torn: { offset: o, reason: 'zero-filled tail', bytes: size - o },
        }
      const need = HEADER_BYTES + len
      if (len === 0 || len > MAX_PAYLOAD || o + need > size) return bad()
      if (have < need) {
        ;({ start, filled } = this.#fill(fd, o, need, size))
        continue
      }
      const at = o - start + HEADER_BYTES
      const payload = this.#buf.subarray(at, at + len)
      if (crc32(payload) !== u32(this.#buf, at - 4)) return bad()
      const why = onFrame(payload, o + HEADER_BYTES)
      if (why !== undefined) return bad({ bad: why, span: need })
      frames++
      o += need
    }
    return { size, frames, end: o }
  }

  /** whether the file holds only zeros from `o` on (the unused end of a segment), read chunk by chunk */
  #zerosToEnd(fd: number, o: number, size: number): boolean {
    for (let at = o; at < size;) {
      const n = Math.min(this.#buf.length, size - at)
      const b = this.#buf.subarray(0, n)
      readFully(fd, b, at)
      // all zero iff the first byte is and every byte equals the one before it
      if (b[0] !== 0 || b.compare(b, 0, n - 1, 1, n) !== 0) return false
      at += n
    }
    return true
  }

  /** refills the buffer from file offset `o`, with room for at least `need` bytes */
  #fill(fd: number, o: number, need: number, size: number): { start: number; filled: number } {
    const want = Math.min(Math.max(this.#chunk, need), MAX_PAYLOAD + HEADER_BYTES)
    if (this.#buf.length < want) this.#buf = Buffer.allocUnsafe(want)
    const n = Math.min(this.#buf.length, size - o)
    readFully(fd, this.#buf.subarray(0, n), o)
    return { start: o, filled: n }
  }
}

/** little-endian u32 at `i` (bounds already checked: the frame header is in the buffer) */
const u32 = (b: Buffer, i: number) =>
  (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0

function readFully(fd: number, into: Buffer, position: number): void {
  let got = 0
  while (got < into.length) {
    const n = readSync(fd, into, got, into.length - got, position + got)
    if (n === 0)
      throw new ShoalError(
        'Corrupt',
        `store: file shrank while being read (at byte ${position + got})`,
      )
    got += n
  }
}
