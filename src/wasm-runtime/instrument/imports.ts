// The import section: each entry's module, name and kind, counts per kind (imported functions and
// globals come first in their index spaces), and a rewrite that caps imported memories.
import { ByteReader } from './byte-reader.ts'
import { ByteWriter } from './byte-writer.ts'
import type { Section } from './sections.ts'
import {
  capMemoryType,
  encodeMemoryType,
  readMemoryType,
  skipTableLimits,
  skipValType,
  type MemoryType,
} from './types.ts'

export type ExternKind = 'func' | 'table' | 'memory' | 'global' | 'tag'

export interface ImportEntry {
  module: string
  name: string
  kind: ExternKind
  memory?: MemoryType
}

interface ParsedImport extends ImportEntry {
  /** byte range of the memory type inside the payload (memories only) */
  typeStart: number
  typeEnd: number
}

const kinds: ExternKind[] = ['func', 'table', 'memory', 'global', 'tag']

function readDesc(reader: ByteReader, kind: number): MemoryType | undefined {
  switch (kind) {
    case 0x00:
      reader.u32()
      return undefined // type index
    case 0x01:
      skipValType(reader)
      skipTableLimits(reader)
      return undefined
    case 0x02:
      return readMemoryType(reader)
    case 0x03:
      skipValType(reader)
      reader.u8()
      return undefined // mutability
    case 0x04:
      reader.u8()
      reader.u32()
      return undefined // tag: attribute, type index
    default:
      return reader.fail(`unknown import kind 0x${kind.toString(16)}`, reader.pos - 1)
  }
}

function parse(section: Section): ParsedImport[] {
  const reader = new ByteReader(section.payload, 0, section.payload.length, section.offset)
  const count = reader.u32()
  const entries: ParsedImport[] = []
  for (let i = 0; i < count; i++) {
    const module = reader.name()
    const name = reader.name()
    const kind = reader.u8()
    const typeStart = reader.pos
    const memory = readDesc(reader, kind)
    const entry: ParsedImport = { module, name, kind: kinds[kind]!, typeStart, typeEnd: reader.pos }
    if (memory) entry.memory = memory
    entries.push(entry)
  }
  if (!reader.done) reader.fail('import section has trailing bytes')
  return entries
}

export function readImports(section: Section | undefined): ImportEntry[] {
  if (!section) return []
  return parse(section).map(({ module, name, kind, memory }) =>
    memory ? { module, name, kind, memory } : { module, name, kind },
  )
}

export function countImports(entries: ImportEntry[], kind: ExternKind): number {
  return entries.reduce((n, e) => (e.kind === kind ? n + 1 : n), 0)
}

/** A new import payload whose memory imports have their maximum capped; null if none are. */
export function capImportedMemories(
  section: Section,
  maxPages: number,
): { payload: Uint8Array; count: number } | null {
  const entries = parse(section).filter((e) => e.memory)
  if (entries.length === 0) return null
  const src = section.payload
  const out = new ByteWriter(src.length + 8 * entries.length)
  let copied = 0
  for (const entry of entries) {
    const fail = (what: string): never =>
      new ByteReader(src, 0, src.length, section.offset).fail(
        `imported ${what} (${entry.module}.${entry.name})`,
        entry.typeStart,
      )
    const capped = capMemoryType(entry.memory!, maxPages, fail)
    out.bytes(src.subarray(copied, entry.typeStart)).bytes(encodeMemoryType(capped))
    copied = entry.typeEnd
  }
  out.bytes(src.subarray(copied))
  return { payload: out.finish(), count: entries.length }
}
