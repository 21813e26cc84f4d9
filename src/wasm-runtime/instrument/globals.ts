// The global section: count the defined globals and append one. Appending keeps every existing
// global index; the new one is (imported globals + defined globals).
import { ByteReader } from './byte-reader.ts'
import { ByteWriter } from './byte-writer.ts'
import { encodeS64 } from './leb128.ts'
import type { Section } from './sections.ts'

export function countGlobals(section: Section | undefined): number {
  if (!section) return 0
  return new ByteReader(section.payload, 0, section.payload.length, section.offset).u32()
}

/** The global payload with `(global (mut i64) (i64.const initial))` appended. */
export function appendMutableI64(section: Section | undefined, initial: bigint): Uint8Array {
  const old = section?.payload
  const reader = old ? new ByteReader(old, 0, old.length, section.offset) : undefined
  const count = reader ? reader.u32() : 0
  const out = new ByteWriter((old?.length ?? 0) + 20).u32(count + 1)
  if (old && reader) out.bytes(old.subarray(reader.pos))
  // valtype i64 (0x7e), mutable (0x01), init expr: i64.const <initial> end
  return out.byte(0x7e).byte(0x01).byte(0x42).bytes(encodeS64(initial)).byte(0x0b).finish()
}
