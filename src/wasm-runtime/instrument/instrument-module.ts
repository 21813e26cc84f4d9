// instrumentModule: cap every memory's maximum and/or add fuel metering to one core module.
import { InvalidError } from '../../core/index.ts'
import { meterCode } from './code-section.ts'
import { appendExport, readExports, uniqueExportName } from './exports.ts'
import { appendMutableI64, countGlobals } from './globals.ts'
import { capImportedMemories, countImports, readImports } from './imports.ts'
import { capDefinedMemories, readMemories } from './memories.ts'
import { findSection, joinSections, putSection, splitSections, type Section } from './sections.ts'

export const defaultFuelExport = '__shoal_fuel'
/** i64 max: unmetered until the host sets a budget (a start function may run before it can). */
export const unlimitedFuel = (1n << 63n) - 1n

export interface InstrumentOptions {
  /** cap (or lower) the maximum of every defined and imported memory to this many 64 KiB pages */
  maxMemoryPages?: number
  /** add the fuel global, its export and the checks */
  fuel?: boolean
  /** the fuel global's initial value (default: unlimitedFuel) */
  initialFuel?: bigint
  /** preferred export name (default `__shoal_fuel`; `_2`, `_3`, … appended on a clash) */
  fuelExport?: string
}

export interface InstrumentStats {
  /** function bodies metered */
  functions: number
  /** loops metered */
  loops: number
  /** instructions in the metered bodies (the sum of all weights) */
  instructions: number
  /** memories (imported + defined) whose maximum was capped */
  memories: number
}

export interface InstrumentResult {
  bytes: Uint8Array
  fuelExport?: string
  stats: InstrumentStats
}

function capMemories(sections: Section[], maxPages: number): number {
  if (!Number.isInteger(maxPages) || maxPages < 0 || maxPages > 65536) {
    throw new InvalidError(
      `wasm: maxMemoryPages must be an integer from 0 to 65536, not ${maxPages}`,
    )
  }
  let count = 0
  const imports = findSection(sections, 2)
  const imported = imports && capImportedMemories(imports, maxPages)
  if (imported) {
    putSection(sections, 2, imported.payload)
    count += imported.count
  }
  const memories = findSection(sections, 5)
  if (memories) {
    const defined = capDefinedMemories(memories, maxPages)
    putSection(sections, 5, defined.payload)
    count += defined.count
  }
  return count
}

function addFuel(sections: Section[], options: InstrumentOptions, stats: InstrumentStats): string {
  const initial = options.initialFuel ?? unlimitedFuel
  if (initial < -(1n << 63n) || initial > unlimitedFuel) {
    throw new InvalidError(`wasm: initialFuel must be a signed 64-bit integer, not ${initial}`)
  }
  const imports = readImports(findSection(sections, 2))
  const globals = findSection(sections, 6)
  const fuelGlobal = countImports(imports, 'global') + countGlobals(globals)
  const exports = findSection(sections, 7)
  const name = uniqueExportName(readExports(exports), options.fuelExport ?? defaultFuelExport)
  const code = findSection(sections, 10)
  if (code) {
    const metered = meterCode(code, fuelGlobal)
    putSection(sections, 10, metered.payload)
    stats.functions = metered.functions
    stats.loops = metered.loops
    stats.instructions = metered.instructions
  }
  putSection(sections, 6, appendMutableI64(globals, initial))
  putSection(sections, 7, appendExport(exports, { name, kind: 'global', index: fuelGlobal }))
  return name
}

/**
 * Rewrite a core module: memory caps and fuel metering as asked; every other byte is kept.
 * Throws InvalidError ("wasm: <what> at byte <offset>") for anything it cannot handle safely.
 */
export function instrumentModule(bytes: Uint8Array, options: InstrumentOptions): InstrumentResult {
  const sections = splitSections(bytes)
  readMemories(findSection(sections, 5)) // refuses memory64 and custom page sizes whatever is asked
  const stats: InstrumentStats = { functions: 0, loops: 0, instructions: 0, memories: 0 }
  if (options.maxMemoryPages !== undefined)
    stats.memories = capMemories(sections, options.maxMemoryPages)
  if (!options.fuel) return { bytes: joinSections(sections), stats }
  const fuelExport = addFuel(sections, options, stats)
  return { bytes: joinSections(sections), fuelExport, stats }
}
