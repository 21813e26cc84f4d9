// Immediates of the prefixed opcodes. 0xfc: saturating truncation (0–7), bulk memory and table
// ops (8–17). 0xfd: SIMD incl. relaxed SIMD (0x100–0x113), with memargs, lane indices,
// v128.const and i8x16.shuffle. 0xfe: threads/atomics (memarg everywhere, atomic.fence: one byte).
import type { ByteReader } from './byte-reader.ts'

/** memarg: alignment (bit 6 set: a memory index follows, multi-memory), then offset. */
export function skipMemArg(reader: ByteReader): void {
  const align = reader.u32()
  if (align & 0x40) reader.skipLeb()
  reader.skipLeb()
}

function unknown(reader: ByteReader, prefix: number, sub: number, at: number): never {
  return reader.fail(`unknown opcode 0x${prefix.toString(16)} ${sub}`, at)
}

// 0xfc sub-opcode → number of LEB immediates (past the end: unknown)
const fcImmediates = [0, 0, 0, 0, 0, 0, 0, 0, 2, 1, 2, 1, 2, 1, 2, 1, 1, 1]

export function skipFcImmediates(reader: ByteReader, at: number): void {
  const sub = reader.u32()
  const count = fcImmediates[sub]
  if (count === undefined) unknown(reader, 0xfc, sub, at)
  for (let i = 0; i < count; i++) reader.skipLeb()
}

// SIMD numbers that the proposal leaves unassigned between 0x00 and 0xff.
const simdGaps = new Set([
  0x9a, 0xa2, 0xa5, 0xa6, 0xaf, 0xb0, 0xb2, 0xb3, 0xb4, 0xbb, 0xc2, 0xc5, 0xc6, 0xcf, 0xd0, 0xd2,
  0xd3, 0xd4, 0xe2, 0xee,
])

export function skipFdImmediates(reader: ByteReader, at: number): void {
  const sub = reader.u32()
  if (sub <= 0x0b || sub === 0x5c || sub === 0x5d) return skipMemArg(reader) // loads, store, load_zero
  if (sub === 0x0c || sub === 0x0d) return reader.advance(16) // v128.const, i8x16.shuffle
  if (sub >= 0x15 && sub <= 0x22) return reader.advance(1) // extract/replace lane
  if (sub >= 0x54 && sub <= 0x5b) {
    skipMemArg(reader) // load/store lane: memarg then lane index
    return reader.advance(1)
  }
  if (sub <= 0x113 && !simdGaps.has(sub)) return // no immediates (incl. relaxed SIMD 0x100–0x113)
  unknown(reader, 0xfd, sub, at)
}

export function skipFeImmediates(reader: ByteReader, at: number): void {
  const sub = reader.u32()
  if (sub === 0x03) {
    reader.advance(1) // atomic.fence: reserved byte 0x00
    return
  }
  if (sub <= 0x02 || (sub >= 0x10 && sub <= 0x4e)) return skipMemArg(reader)
  unknown(reader, 0xfe, sub, at)
}
