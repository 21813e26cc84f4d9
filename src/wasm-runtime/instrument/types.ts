// Value types, heap types and limits as they appear in import, table, memory and global entries
// and in block types. Reference types may carry a heap type (0x63 ref null ht, 0x64 ref ht).
import type { ByteReader } from './byte-reader.ts'
import { ByteWriter } from './byte-writer.ts'

export interface MemoryType {
  min: number
  max?: number
  shared: boolean
}

/** Skip one value type: a single byte, or 0x63/0x64 followed by a heap type (s33). */
export function skipValType(reader: ByteReader): void {
  const code = reader.u8()
  if (code === 0x63 || code === 0x64) reader.skipLeb()
}

/** Table limits: flags byte (bit 0: has max; bit 2: table64), min, optional max. */
export function skipTableLimits(reader: ByteReader): void {
  const flags = reader.u8()
  reader.skipLeb()
  if (flags & 0x01) reader.skipLeb()
}

/**
 * Memory type flags: bit 0 has max, bit 1 shared, bit 2 memory64, bit 3 custom page size.
 * memory64 and custom page sizes are refused: a page cap would not mean what it says.
 */
export function readMemoryType(reader: ByteReader): MemoryType {
  const at = reader.pos
  const flags = reader.u8()
  if (flags & 0x04)
    reader.fail('memory64 memories are not supported (flags 0x' + flags.toString(16) + ')', at)
  if (flags & 0x08) reader.fail('memories with a custom page size are not supported', at)
  if (flags > 0x03) reader.fail(`unknown memory limits flags 0x${flags.toString(16)}`, at)
  const min = reader.u32()
  const type: MemoryType = { min, shared: (flags & 0x02) !== 0 }
  if (flags & 0x01) type.max = reader.u32()
  return type
}

export function encodeMemoryType(type: MemoryType): Uint8Array {
  const flags = (type.max === undefined ? 0 : 0x01) | (type.shared ? 0x02 : 0)
  const out = new ByteWriter(12).byte(flags).u32(type.min)
  if (type.max !== undefined) out.u32(type.max)
  return out.finish()
}

/** Lower (never raise) the maximum to `maxPages`; the minimum must already fit under it. */
export function capMemoryType(
  type: MemoryType,
  maxPages: number,
  fail: (what: string) => never,
): MemoryType {
  if (type.min > maxPages) {
    fail(`memory needs at least ${type.min} pages but the cap is ${maxPages} pages`)
  }
  const max = type.max === undefined ? maxPages : Math.min(type.max, maxPages)
  return { ...type, max }
}
