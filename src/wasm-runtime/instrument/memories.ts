// The memory section (vec of memory types): read, and rewrite with every maximum capped.
import { ByteReader } from './byte-reader.ts'
import { ByteWriter } from './byte-writer.ts'
import type { Section } from './sections.ts'
import { capMemoryType, encodeMemoryType, readMemoryType, type MemoryType } from './types.ts'

interface ParsedMemory {
  type: MemoryType
  at: number
}

function parse(section: Section): ParsedMemory[] {
  const reader = new ByteReader(section.payload, 0, section.payload.length, section.offset)
  const count = reader.u32()
  const memories: ParsedMemory[] = []
  for (let i = 0; i < count; i++) {
    const at = reader.pos
    memories.push({ type: readMemoryType(reader), at })
  }
  if (!reader.done) reader.fail('memory section has trailing bytes')
  return memories
}

export function readMemories(section: Section | undefined): MemoryType[] {
  return section ? parse(section).map((m) => m.type) : []
}

/** A new memory section payload with each maximum lowered to at most `maxPages`. */
export function capDefinedMemories(
  section: Section,
  maxPages: number,
): { payload: Uint8Array; count: number } {
  const memories = parse(section)
  const out = new ByteWriter(section.payload.length + 8).u32(memories.length)
  memories.forEach(({ type, at }, index) => {
    const fail = (what: string): never =>
      new ByteReader(section.payload, 0, section.payload.length, section.offset).fail(
        `defined ${what} (memory ${index})`,
        at,
      )
    out.bytes(encodeMemoryType(capMemoryType(type, maxPages, fail)))
  })
  return { payload: out.finish(), count: memories.length }
}
