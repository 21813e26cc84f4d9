// inspectModule: what a core module imports, exports and what memories it has (for tests,
// diagnostics and to check a module's needs against a pod's limits).
import { ByteReader } from './byte-reader.ts'
import { readExports, type ExportEntry } from './exports.ts'
import { countGlobals } from './globals.ts'
import { countImports, readImports, type ImportEntry } from './imports.ts'
import { readMemories } from './memories.ts'
import { findSection, splitSections, type Section } from './sections.ts'
import type { MemoryType } from './types.ts'

export interface MemoryInfo extends MemoryType {
  /** `module.name` for an imported memory */
  imported?: string
}

export interface ModuleInfo {
  imports: ImportEntry[]
  exports: ExportEntry[]
  /** imported memories first, in index order */
  memories: MemoryInfo[]
  functions: { imported: number; defined: number }
  globals: { imported: number; defined: number }
  customSections: string[]
}

function countVec(section: Section | undefined): number {
  return section
    ? new ByteReader(section.payload, 0, section.payload.length, section.offset).u32()
    : 0
}

function customName(section: Section): string {
  return new ByteReader(section.payload, 0, section.payload.length, section.offset).name()
}

export function inspectModule(bytes: Uint8Array): ModuleInfo {
  const sections = splitSections(bytes)
  const imports = readImports(findSection(sections, 2))
  const importedMemories: MemoryInfo[] = imports
    .filter((e) => e.memory)
    .map((e) => ({ ...e.memory!, imported: `${e.module}.${e.name}` }))
  return {
    imports,
    exports: readExports(findSection(sections, 7)),
    memories: [...importedMemories, ...readMemories(findSection(sections, 5))],
    functions: {
      imported: countImports(imports, 'func'),
      defined: countVec(findSection(sections, 3)),
    },
    globals: {
      imported: countImports(imports, 'global'),
      defined: countGlobals(findSection(sections, 6)),
    },
    customSections: sections.filter((s) => s.id === 0).map(customName),
  }
}
