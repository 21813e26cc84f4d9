// The export section: read the entries, pick a name that clashes with none, append one entry.
import { ByteReader } from './byte-reader.ts'
import { ByteWriter } from './byte-writer.ts'
import type { ExternKind } from './imports.ts'
import type { Section } from './sections.ts'

export interface ExportEntry {
  name: string
  kind: ExternKind
  index: number
}

const kinds: ExternKind[] = ['func', 'table', 'memory', 'global', 'tag']

export function readExports(section: Section | undefined): ExportEntry[] {
  if (!section) return []
  const reader = new ByteReader(section.payload, 0, section.payload.length, section.offset)
  const count = reader.u32()
  const entries: ExportEntry[] = []
  for (let i = 0; i < count; i++) {
    const name = reader.name()
    const at = reader.pos
    const kind = kinds[reader.u8()]
    if (!kind) reader.fail(`unknown export kind 0x${reader.bytes[at]!.toString(16)}`, at)
    entries.push({ name, kind, index: reader.u32() })
  }
  if (!reader.done) reader.fail('export section has trailing bytes')
  return entries
}

/** `wanted`, or `wanted_2`, `wanted_3`, … whichever no existing export uses. */
export function uniqueExportName(entries: ExportEntry[], wanted: string): string {
  const taken = new Set(entries.map((e) => e.name))
  let name = wanted
  for (let n = 2; taken.has(name); n++) name = `${wanted}_${n}`
  return name
}

/** The export payload with `entry` appended (a new section if there was none). */
export function appendExport(section: Section | undefined, entry: ExportEntry): Uint8Array {
  const old = section?.payload
  const reader = old ? new ByteReader(old, 0, old.length, section.offset) : undefined
  const count = reader ? reader.u32() : 0
  const out = new ByteWriter((old?.length ?? 0) + entry.name.length + 16).u32(count + 1)
  if (old && reader) out.bytes(old.subarray(reader.pos))
  return out.name(entry.name).byte(kinds.indexOf(entry.kind)).u32(entry.index).finish()
}
