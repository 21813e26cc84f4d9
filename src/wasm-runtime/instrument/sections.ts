// Splits a core module into its sections and joins them back. A section is kept as a view of the
// original bytes until someone replaces its payload, so untouched sections (custom ones included)
// are copied verbatim. Section ids: 0 custom, 1 type, 2 import, 3 function, 4 table, 5 memory,
// 6 global, 7 export, 8 start, 9 element, 10 code, 11 data, 12 data count, 13 tag.
import { ByteReader } from './byte-reader.ts'
import { ByteWriter } from './byte-writer.ts'
import { isComponent, isCoreModule } from './preamble.ts'

export interface Section {
  id: number
  /** the payload (without id and size) */
  payload: Uint8Array
  /** offset of the payload in the original module (for error messages); -1 for new sections */
  offset: number
}

/** Position of each known section id in the order the binary format requires. */
const order: Record<number, number> = {
  1: 1,
  2: 2,
  3: 3,
  4: 4,
  5: 5,
  13: 6,
  6: 7,
  7: 8,
  8: 9,
  9: 10,
  12: 11,
  10: 12,
  11: 13,
}

export function splitSections(bytes: Uint8Array): Section[] {
  const reader = new ByteReader(bytes)
  if (isComponent(bytes)) reader.fail('expected a core module but found a component preamble', 4)
  if (!isCoreModule(bytes)) reader.fail('not a core wasm module (bad magic or version)', 0)
  reader.pos = 8
  const sections: Section[] = []
  let last = 0
  while (!reader.done) {
    const at = reader.pos
    const id = reader.u8()
    if (id > 13) reader.fail(`unknown section id ${id}`, at)
    const size = reader.u32()
    const offset = reader.pos
    if (offset + size > bytes.length)
      reader.fail(`section ${id} (${size} bytes) runs past the end`, at)
    if (id !== 0) {
      if (order[id]! <= last) reader.fail(`section ${id} is out of order or repeated`, at)
      last = order[id]!
    }
    sections.push({ id, payload: bytes.subarray(offset, offset + size), offset })
    reader.pos = offset + size
  }
  return sections
}

export function joinSections(sections: Section[]): Uint8Array {
  const total = sections.reduce((sum, s) => sum + s.payload.length + 6, 8)
  const out = new ByteWriter(total)
  out.bytes(Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00))
  for (const section of sections)
    out.byte(section.id).u32(section.payload.length).bytes(section.payload)
  return out.finish()
}

export function findSection(sections: Section[], id: number): Section | undefined {
  return sections.find((s) => s.id === id)
}

/** Replace the payload of section `id`, or insert a new section where the format's order wants it. */
export function putSection(sections: Section[], id: number, payload: Uint8Array): void {
  const existing = findSection(sections, id)
  if (existing) {
    existing.payload = payload
    return
  }
  let at = 0
  for (let i = 0; i < sections.length; i++) {
    const s = sections[i]!
    if (s.id !== 0 && order[s.id]! < order[id]!) at = i + 1
  }
  sections.splice(at, 0, { id, payload, offset: -1 })
}
